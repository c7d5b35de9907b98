export { MAX_DIRECTORY_BYTES, directoryDigest, loadPeopleDirectory, type LoadedDirectory } from './load-directory.js';
export { fileDirectorySource } from './directory-source.js';

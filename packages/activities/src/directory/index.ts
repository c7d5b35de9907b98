export {
  MAX_DIRECTORY_BYTES,
  directoryDigest,
  loadPeopleDirectory,
  parsePeopleDirectory,
  type LoadedDirectory,
} from './load-directory.js';
export { fileDirectorySource, trustedDirectory } from './directory-source.js';
export {
  setDirectoryPersonKey,
  setDirectoryPersonPassword,
  type DirectoryPasswordChange,
  signDirectoryFile,
  type DirectoryKeyChange,
  type SignedDirectoryFile,
} from './directory-file.js';

import type { DirectorySource } from '../ports.js';
import { loadPeopleDirectory } from './load-directory.js';

/** The directory of people in a JSON or YAML file, read afresh each time (so an edit applies to the next gate). */
export function fileDirectorySource(path: string): DirectorySource {
  return { location: path, read: () => loadPeopleDirectory(path) };
}

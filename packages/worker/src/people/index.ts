export { createPersonKey, loadOrCreatePersonKey } from './person-key-files.js';
export { writeLocalDirectory, type LocalDirectory, type LocalPeople } from './local-people.js';

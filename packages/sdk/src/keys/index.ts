/**
 * `@slipway/sdk/keys` — Node side: people's signing keys on their own machine and the reader of secret files.
 *
 * @packageDocumentation
 */
export {
  keysDirectory,
  loadKeyFile,
  loadPersonKey,
  personKeyPath,
  PersonKeyFile,
  type KeyLocation,
  type PersonKey,
} from './person-keys.js';
export { readSecretFile, type SecretFileOptions } from './secret-file.js';

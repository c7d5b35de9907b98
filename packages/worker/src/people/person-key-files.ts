/**
 * Creating people's key files: a new Ed25519 key pair written with mode 0600 into the keys directory, never over
 * an existing key (decisions signed with it would stop verifying). Reading them is `@slipway/sdk/keys`'.
 */
import { createSecretFile } from '@slipway/activities';
import { generateKeyPair } from '@slipway/sdk';
import { loadPersonKey, personKeyPath, type KeyLocation, type PersonKey } from '@slipway/sdk/keys';

/**
 * Creates a new key pair for `name` in its key file (mode 0600), refusing, without writing anything, when a key
 * file already exists for that name or when the name cannot be a file name.
 */
export async function createPersonKey(
  name: string,
  location: KeyLocation = {},
): Promise<{ path: string; key: PersonKey }> {
  const path = personKeyPath(name, location);
  const key: PersonKey = { name, ...generateKeyPair() };
  if (!(await createSecretFile(path, `${JSON.stringify(key, null, 2)}\n`))) {
    throw new Error(
      `a key file for ${name} already exists at ${path}; a key is never overwritten (decisions signed with it would ` +
        `no longer verify). Print its public key with \`slipway keys show --as ${name}\`, or move the file aside first`,
    );
  }
  return { path, key };
}

/** The person's key from their key file, created first when there is none (for one-machine setups). */
export async function loadOrCreatePersonKey(name: string, location: KeyLocation = {}): Promise<PersonKey> {
  const path = personKeyPath(name, location);
  const key: PersonKey = { name, ...generateKeyPair() };
  await createSecretFile(path, `${JSON.stringify(key, null, 2)}\n`);
  return loadPersonKey(name, location);
}

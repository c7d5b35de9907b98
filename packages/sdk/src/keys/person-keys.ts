/**
 * A person's signing key on their own machine: `<keys dir>/<name>.key`, a JSON file of mode 0600 written by
 * `slipway keys create --as <name>`. The keys directory is `SLIPWAY_KEYS_DIR`, else
 * `$XDG_CONFIG_HOME/slipway/keys`, else `~/.config/slipway/keys`. The CLI and the client load keys only here.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { DirectoryName } from '../schemas/directory.js';
import { PublicKey, publicKeyOf } from '../signing/keys.js';
import { readSecretFile } from './secret-file.js';

/** A person's key file: who it belongs to, the private key (base64url seed) and its public key. */
export const PersonKeyFile = z.strictObject({
  name: DirectoryName,
  privateKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'expected 43 base64url characters (a 32-byte Ed25519 seed)'),
  publicKey: PublicKey,
});
/** A person's key: who, the private key (keep it secret) and the public key. */
export type PersonKey = z.infer<typeof PersonKeyFile>;

/** Where keys are looked up; `env` defaults to `process.env`, `keysDir` overrides the directory. */
export interface KeyLocation {
  env?: NodeJS.ProcessEnv;
  keysDir?: string;
}

/** The directory that holds people's key files. */
export function keysDirectory(location: KeyLocation = {}): string {
  if (location.keysDir) return location.keysDir;
  const env = location.env ?? process.env;
  if (env.SLIPWAY_KEYS_DIR?.trim()) return env.SLIPWAY_KEYS_DIR.trim();
  const config = env.XDG_CONFIG_HOME?.trim() || join(homedir(), '.config');
  return join(config, 'slipway', 'keys');
}

/** The key file of a person. @throws Error when the name could not be a file name (a path, a control character). */
export function personKeyPath(name: string, location: KeyLocation = {}): string {
  if (!DirectoryName.safeParse(name).success || /[/\\]/.test(name) || name === '.' || name === '..') {
    throw new Error(`${JSON.stringify(name)} is not a person's name that a key file can carry`);
  }
  return join(keysDirectory(location), `${name}.key`);
}

/**
 * Loads a person's key, checked: the file is private (mode 0600, this user's), well-formed, names that person,
 * and its public key is the private key's.
 *
 * @throws Error naming the file and what is wrong; for a missing file, how to create it.
 */
export async function loadPersonKey(name: string, location: KeyLocation = {}): Promise<PersonKey> {
  const path = personKeyPath(name, location);
  const what = `The key file of ${name}`;
  const key = await readKeyFile(path, what, `anyone who reads it can sign as ${name}`);
  if (key === undefined) {
    throw new Error(`${what} ${path} does not exist: create it with \`slipway keys create --as ${name}\``);
  }
  if (key.name !== name) throw new Error(`${what} ${path} holds the key of ${key.name}, not ${name}`);
  return key;
}

/**
 * Loads the key file at `path` (e.g. an administrator's key given with `--key`), with the checks of
 * {@link loadPersonKey} except the name, which the file itself gives.
 *
 * @throws Error naming the file and what is wrong, also when it does not exist.
 */
export async function loadKeyFile(path: string): Promise<PersonKey> {
  const what = 'The key file';
  const key = await readKeyFile(path, what, 'anyone who reads it can sign with it');
  if (key === undefined) throw new Error(`${what} ${path} does not exist`);
  return key;
}

async function readKeyFile(path: string, what: string, exposure: string): Promise<PersonKey | undefined> {
  const text = await readSecretFile(path, { what, exposure });
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${what} ${path} is not valid JSON`);
  }
  const parsed = PersonKeyFile.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(file)').join(', ');
    throw new Error(`${what} ${path} is not a Slipway key file (fields: ${fields})`);
  }
  const key = parsed.data;
  if (publicKeyOf(key.privateKey) !== key.publicKey) {
    throw new Error(`${what} ${path} is damaged: its public key is not the private key's`);
  }
  return key;
}

/**
 * People for tests, made on the fly as an administrator would: a key pair per person in a private keys
 * directory (the files `slipway keys create` writes), a directory of people with their groups and public keys,
 * signed by an administrator key, and the settings a worker and the CLI need to trust it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, signDirectory, type PeopleDirectory, type PublicKey } from '@slipway/sdk';
import type { PersonKey } from '@slipway/sdk/keys';
import { stringify as toYaml } from 'yaml';

/** The name of the administrator whose key signs test directories (not a person in the directory). */
export const TEST_ADMIN = 'directory-admin';

/** Who is in a test directory, and their groups. */
export type TestPeopleSpec = Record<string, string[]>;

/**
 * The people most tests use: `ci-bot` starts runs (the harness client's user), maria, sam and lee decide, eve
 * and mallory are known but in no deciding group.
 */
export const DEFAULT_TEST_PEOPLE: TestPeopleSpec = {
  'ci-bot': [],
  maria: ['ml-leads'],
  sam: ['ml-leads', 'risk'],
  lee: [],
  eve: [],
  mallory: ['interns'],
};

/** Keys, a signed directory and the settings that trust it. */
export interface TestPeople {
  /** Holds `<name>.key` for every person and the administrator (SLIPWAY_KEYS_DIR). */
  keysDir: string;
  /** The signed directory file. */
  directoryPath: string;
  /** The administrator's public key (`directoryAdminKey`). */
  adminPublicKey: PublicKey;
  /** Every key made, by name (the administrator's under {@link TEST_ADMIN}). */
  keys: Record<string, PersonKey>;
  /** The directory as written (signed unless `sign: false`). */
  directory: PeopleDirectory;
  /** SLIPWAY_KEYS_DIR, SLIPWAY_DIRECTORY and SLIPWAY_DIRECTORY_ADMIN_KEY for a CLI or a worker process. */
  env: Record<string, string>;
}

/**
 * Makes keys for `people` (and the administrator) in `<dir>/keys`, and writes `<dir>/people.<format>` listing
 * them with their groups and public keys, signed by the administrator unless `sign` is false. People in
 * `withoutKey` are listed without a public key.
 */
export async function createTestPeople(
  dir: string,
  people: TestPeopleSpec = DEFAULT_TEST_PEOPLE,
  options: {
    sign?: boolean;
    format?: 'json' | 'yaml';
    withoutKey?: string[];
    /** Services the directory trusts to sign for people (their keys are made under the service's name). */
    services?: Record<string, { people?: string[]; groups?: string[] }>;
  } = {},
): Promise<TestPeople> {
  const keysDir = join(dir, 'keys');
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  const keys: Record<string, PersonKey> = {};
  const serviceNames = Object.keys(options.services ?? {});
  for (const name of [TEST_ADMIN, ...Object.keys(people), ...serviceNames]) keys[name] = await writeKey(keysDir, name);
  const services = options.services
    ? {
        services: Object.fromEntries(
          Object.entries(options.services).map(([name, signsFor]) => [
            name,
            {
              publicKey: (keys[name] as PersonKey).publicKey,
              signsFor: { people: signsFor.people ?? [], groups: signsFor.groups ?? [] },
            },
          ]),
        ),
      }
    : {};
  const admin = keys[TEST_ADMIN] as PersonKey;
  const unsigned: PeopleDirectory = {
    version: 1,
    people: Object.fromEntries(
      Object.entries(people).map(([name, groups]) => [
        name,
        options.withoutKey?.includes(name) ? { groups } : { groups, publicKey: (keys[name] as PersonKey).publicKey },
      ]),
    ),
    ...services,
  };
  const directory: PeopleDirectory =
    options.sign === false ? unsigned : { ...unsigned, signature: signDirectory(unsigned, admin.privateKey) };
  const format = options.format ?? 'json';
  const directoryPath = join(dir, `people.${format}`);
  await writeFile(directoryPath, format === 'json' ? JSON.stringify(directory, null, 2) : toYaml(directory));
  return {
    keysDir,
    directoryPath,
    adminPublicKey: admin.publicKey,
    keys,
    directory,
    env: {
      SLIPWAY_KEYS_DIR: keysDir,
      SLIPWAY_DIRECTORY: directoryPath,
      SLIPWAY_DIRECTORY_ADMIN_KEY: admin.publicKey,
    },
  };
}

async function writeKey(keysDir: string, name: string): Promise<PersonKey> {
  const key = { name, ...generateKeyPair() };
  await writeFile(join(keysDir, `${name}.key`), JSON.stringify(key, null, 2), { mode: 0o600 });
  return key;
}

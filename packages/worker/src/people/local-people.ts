/**
 * People for one machine — the demo, a tutorial, a laptop: a key for the administrator and for each person in the
 * keys directory (made when missing, reused otherwise), and a directory of people with their groups and public
 * keys, signed by the administrator. A team's real directory is kept by its administrator instead, with
 * `slipway keys create` on each person's machine and `slipway directory set-key` / `sign`.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { signDirectory, type PeopleDirectory, type PublicKey } from '@slipway/sdk';
import type { KeyLocation } from '@slipway/sdk/keys';
import { loadOrCreatePersonKey } from './person-key-files.js';

/** Who is in a local directory: name → groups. */
export type LocalPeople = Record<string, string[]>;

/** A local directory written and signed: where it is and the administrator key that trusts it. */
export interface LocalDirectory {
  /** The directory file (`directory` in the configuration). */
  directoryPath: string;
  /** The administrator's public key (`directoryAdminKey` in the configuration). */
  adminPublicKey: PublicKey;
}

/**
 * Writes `directoryPath` (JSON) listing `people` with their groups and public keys, signed by `admin`, creating
 * every missing key in the keys directory. Run again with the same people it writes the same directory.
 */
export async function writeLocalDirectory(options: {
  directoryPath: string;
  admin: string;
  people: LocalPeople;
  keys?: KeyLocation;
}): Promise<LocalDirectory> {
  const { directoryPath, people } = options;
  const admin = await loadOrCreatePersonKey(options.admin, options.keys);
  const listed: PeopleDirectory['people'] = {};
  for (const [name, groups] of Object.entries(people)) {
    listed[name] = { groups, publicKey: (await loadOrCreatePersonKey(name, options.keys)).publicKey };
  }
  const unsigned: PeopleDirectory = { version: 1, people: listed };
  const signed = { ...unsigned, signature: signDirectory(unsigned, admin.privateKey) };
  await mkdir(dirname(directoryPath), { recursive: true });
  const temp = `${directoryPath}.${process.pid}.partial`;
  await writeFile(temp, `${JSON.stringify(signed, null, 2)}\n`);
  await rename(temp, directoryPath);
  return { directoryPath, adminPublicKey: admin.publicKey };
}

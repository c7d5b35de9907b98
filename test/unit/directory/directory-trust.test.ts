/**
 * A directory of people is trusted only under the administrator's signature: the file source refuses one read
 * with no administrator key configured, unsigned, signed by another key, or changed after signing (groups moved,
 * a key swapped, a signature copied from another directory), each as a non-retryable `SlipwayInvalidDirectory`
 * naming the file and the reason; and the resolveApprovers activity refuses with it, whatever the policy.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileDirectorySource, loadPeopleDirectory } from '@slipway/activities';
import { createResolveApproversActivity } from '@slipway/activities/steps';
import { SlipwayErrorType, failureType, generateKeyPair, signDirectory, type PeopleDirectory } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPeople, type TestPeople } from '../../support/people.js';

let dir: string;
let people: TestPeople;
let yamlPeople: TestPeople;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-directory-trust-'));
  people = await createTestPeople(join(dir, 'json'));
  yamlPeople = await createTestPeople(join(dir, 'yaml'), undefined, { format: 'yaml' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a copy of the signed test directory, changed by `edit`, as JSON. */
async function variant(name: string, edit: (directory: PeopleDirectory) => PeopleDirectory): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(edit(structuredClone(people.directory)), null, 2));
  return path;
}

/** The failure reading `path` under `adminKey` ends with. */
async function refusal(path: string, adminKey: string | undefined): Promise<Error & { nonRetryable?: boolean }> {
  const err = await fileDirectorySource(path, adminKey)
    .read()
    .then(
      () => undefined,
      (e: unknown) => e as Error & { nonRetryable?: boolean },
    );
  expect(err, `reading ${path} should have been refused`).toBeDefined();
  expect(failureType(err)).toBe(SlipwayErrorType.InvalidDirectory);
  expect(err?.nonRetryable).toBe(true);
  return err!;
}

describe('a directory file read under the administrator key', () => {
  it('is trusted when signed by the administrator, as JSON and as YAML', async () => {
    const json = await fileDirectorySource(people.directoryPath, people.adminPublicKey).read();
    expect(json.digest).toBe((await loadPeopleDirectory(people.directoryPath)).digest);
    expect(json.directory.people['maria']?.publicKey).toBe(people.keys['maria']?.publicKey);
    const yaml = await fileDirectorySource(yamlPeople.directoryPath, yamlPeople.adminPublicKey).read();
    expect(yaml.directory.signature?.publicKey).toBe(yamlPeople.adminPublicKey);
  });

  it('is refused when no administrator key is configured', async () => {
    const err = await refusal(people.directoryPath, undefined);
    expect(err.message).toBe(
      `${people.directoryPath}: no administrator key is configured to check its signature: set \`directoryAdminKey\` in slipway.config.json (or SLIPWAY_DIRECTORY_ADMIN_KEY) to the public key that signs the directory`,
    );
  });

  it('is refused when unsigned', async () => {
    const path = await variant('unsigned.json', ({ signature: _, ...unsigned }) => unsigned);
    expect((await refusal(path, people.adminPublicKey)).message).toBe(
      `${path}: the directory is not signed: sign it with \`slipway directory sign <file> --as <administrator>\``,
    );
  });

  it('is refused when signed by another key, even a valid signature', async () => {
    const other = generateKeyPair();
    const path = await variant('other-signer.json', (d) => ({ ...d, signature: signDirectory(d, other.privateKey) }));
    expect((await refusal(path, people.adminPublicKey)).message).toBe(
      `${path}: the directory is signed by ${other.publicKey}, not by the configured administrator key ${people.adminPublicKey}`,
    );
    // The same file under its own signer's key is fine: the configured key decides, not the file.
    await expect(fileDirectorySource(path, other.publicKey).read()).resolves.toMatchObject({ location: path });
  });

  it('is refused when changed after signing: a group moved, a key swapped, a signature copied', async () => {
    const mallory = people.keys['mallory']!.publicKey;
    const moved = await variant('moved.json', (d) => {
      d.people['mallory'] = { ...d.people['mallory']!, groups: ['ml-leads'] };
      return d;
    });
    const swapped = await variant('swapped.json', (d) => {
      d.people['maria'] = { ...d.people['maria']!, publicKey: mallory };
      return d;
    });
    const copied = await variant('copied.json', (d) => ({ ...d, signature: yamlPeople.directory.signature }));
    const copiedKey = yamlPeople.adminPublicKey;
    for (const [path, key] of [
      [moved, people.adminPublicKey],
      [swapped, people.adminPublicKey],
      [copied, copiedKey],
    ] as const) {
      expect((await refusal(path, key)).message, path).toBe(
        `${path}: the directory signature does not verify: the file was changed after it was signed, or the signature is forged`,
      );
    }
  });

  it('is refused, with the loader’s error naming the field, when the signature is malformed', async () => {
    const path = await variant('malformed.json', (d) => ({
      ...d,
      signature: { publicKey: people.adminPublicKey, signature: 'not-a-signature' },
    }));
    expect((await refusal(path, people.adminPublicKey)).message).toMatch(
      new RegExp(`^${path}: not a valid directory of people: signature\\.signature: expected an Ed25519 signature`),
    );
  });

  it('is read afresh: an edit after signing is refused at the next read', async () => {
    const path = join(dir, 'live.json');
    await writeFile(path, await readFile(people.directoryPath, 'utf8'));
    const source = fileDirectorySource(path, people.adminPublicKey);
    await expect(source.read()).resolves.toBeDefined();
    await writeFile(path, (await readFile(path, 'utf8')).replace('"interns"', '"ml-leads"'));
    await expect(source.read()).rejects.toThrow(`${path}: the directory signature does not verify`);
  });
});

describe('the resolveApprovers activity with an untrusted directory', () => {
  it('refuses, naming the file and the reason, for a policy with groups and for one naming people only', async () => {
    const path = await variant('activity-unsigned.json', ({ signature: _, ...unsigned }) => unsigned);
    const resolve = createResolveApproversActivity({ directory: fileDirectorySource(path, people.adminPublicKey) });
    for (const policy of [
      { approvers: [], approverGroups: ['ml-leads'] },
      { approvers: ['maria'], approverGroups: [], lookup: ['ci-bot'] },
    ]) {
      const err = await resolve(policy).then(
        () => undefined,
        (e: unknown) => e as Error & { nonRetryable?: boolean },
      );
      expect(failureType(err)).toBe(SlipwayErrorType.InvalidDirectory);
      expect(err?.nonRetryable).toBe(true);
      expect(err?.message).toBe(
        `${path}: the directory is not signed: sign it with \`slipway directory sign <file> --as <administrator>\``,
      );
    }
  });

  it('resolves from the trusted directory with the keys it holds', async () => {
    const resolve = createResolveApproversActivity({
      directory: fileDirectorySource(people.directoryPath, people.adminPublicKey),
    });
    const result = await resolve({ approvers: [], approverGroups: ['risk'], lookup: ['ci-bot', 'lee'] });
    expect(result.approvers).toEqual([
      { name: 'sam', named: false, groups: ['risk'], publicKey: people.keys['sam']!.publicKey },
    ]);
    expect(result.keys).toEqual({ 'ci-bot': people.keys['ci-bot']!.publicKey, lee: people.keys['lee']!.publicKey });
    expect(result.directoryDigest).toBe((await loadPeopleDirectory(people.directoryPath)).digest);
  });
});

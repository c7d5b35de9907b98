import { mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import type { ArtifactStore } from '../../../packages/activities/src/ports.js';
import {
  describeArtifactStoreConformance,
  failureOf,
  flipFirstByte,
  sha256,
} from '../../support/artifact-store-conformance.js';

/** Every regular file under `dir`, relative to it, with `/` separators. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

describeArtifactStoreConformance('filesystem', async () => {
  const root = await mkdtemp(join(tmpdir(), 'slipway-artifacts-'));
  const other = await mkdtemp(join(tmpdir(), 'slipway-artifacts-other-'));
  const pathOf = (ref: { uri: string }): string => fileURLToPath(ref.uri);
  return {
    store: createFsArtifactStore(root),
    sibling: () => createFsArtifactStore(root),
    foreign: () => createFsArtifactStore(other),
    uriOf: (hex, extension = '') => pathToFileURL(join(root, 'sha256', hex.slice(0, 2), hex + extension)).href,
    listObjects: () => filesUnder(root),
    async writeStamp(ref) {
      const stats = await stat(pathOf(ref));
      return `${stats.ino}:${stats.mtimeMs}`;
    },
    corrupt: (ref) => flipFirstByte(pathOf(ref)),
    truncate: (ref) => truncate(pathOf(ref), Math.floor(ref.size / 2)),
    remove: (ref) => rm(pathOf(ref)),
    refusedUris: (ref) => [
      ['a traversal inside a file URL', 'file:///tmp/../etc/passwd'],
      ['the same object name under another root', pathToFileURL(join(other, relative(root, pathOf(ref)))).href],
      ['a file URL with a host', ref.uri.replace('file://', 'file://example.com')],
    ],
    async cleanup() {
      await rm(root, { recursive: true, force: true });
      await rm(other, { recursive: true, force: true });
    },
  };
});

describe('createFsArtifactStore (filesystem specifics)', () => {
  let root: string;
  let store: ArtifactStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'slipway-artifacts-'));
    store = createFsArtifactStore(root);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes the object as a plain file at its path, with its extension', async () => {
    const bytes = Buffer.from('id\n1\n');
    const ref = await store.putBytes(bytes, { extension: '.csv.gz' });
    const hex = ref.digest.slice('sha256:'.length);
    expect(fileURLToPath(ref.uri)).toBe(join(root, 'sha256', hex.slice(0, 2), `${hex}.csv.gz`));
    expect(await readFile(fileURLToPath(ref.uri))).toEqual(bytes);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('names the object path in a digest mismatch', async () => {
    const ref = await store.putBytes(Buffer.from('precious model weights'));
    const path = fileURLToPath(ref.uri);
    await writeFile(path, 'precious model weightz');
    const failure = await failureOf(store.getBytes(ref));
    expect(failure).toMatchObject({ type: SlipwayErrorType.DigestMismatch });
    expect((failure as Error).message).toContain(path);
    expect((failure as Error).message).toContain(sha256('precious model weightz'));
  });

  it('accepts an equivalent file URI that normalizes to the object path', async () => {
    const ref = await store.putBytes(Buffer.from('normalized'));
    const hex = ref.digest.slice(7);
    const uri = pathToFileURL(join(root, 'sha256', hex.slice(0, 2))).href + `/../${hex.slice(0, 2)}/${hex}`;
    expect(await store.getBytes({ uri, digest: ref.digest })).toEqual(Buffer.from('normalized'));
  });

  it('keeps putFile mapping a missing file to NotFound, and stores it once it exists', async () => {
    const missing = join(root, 'missing.csv');
    await expect(store.putFile(missing)).rejects.toMatchObject({ type: SlipwayErrorType.NotFound });
    await writeFile(missing, 'now here');
    expect((await store.putFile(missing)).size).toBe(8);
  });
});

/**
 * The audit log's S3 mirror against a real S3-compatible server: every line lands in the bucket, an outage
 * loses nothing (the next append catches up), lines carry their signatures, and a local log rewritten with a
 * valid chain (even re-signed by someone who holds the key) is still caught, because its lines no longer match
 * the copy in S3.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  chainEntry,
  compareWithMirror,
  createS3AuditMirror,
  openAuditLog,
  readAuditEntries,
  serializeAuditEntry,
  verifyAuditLog,
  verifyAuditSignature,
  type AuditEntry,
  type S3AuditMirror,
} from '../../packages/activities/src/audit/index.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { keyOnlyAnchor } from '../unit/audit/audit-fixtures.js';

const HOME = resolve(import.meta.dirname, '..', '..', '.slipway');
let s3: S3TestServer;
let dir: string;
let mirror: S3AuditMirror;
let path: string;
const sinkErrors: string[] = [];

beforeAll(async () => {
  s3 = await startS3Server({ home: HOME, onProgress: (m) => console.log(`[s3 server] ${m}`) });
  const settings = {
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  };
  const client = new S3Client({ ...settings, credentials: { ...settings } });
  await client.send(new CreateBucketCommand({ Bucket: 'audit' }));
  client.destroy();
  dir = await mkdtemp(join(tmpdir(), 'slipway-audit-mirror-'));
  path = join(dir, 'audit.log');
  mirror = createS3AuditMirror({ bucket: 'audit', prefix: 'slipway', settings, logPath: path, logId: 'host-a' });
}, 600_000);
afterAll(async () => {
  mirror?.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

const log = () =>
  openAuditLog(path, {
    sinks: [mirror],
    onSinkError: (err) => sinkErrors.push(err instanceof Error ? err.message : String(err)),
  });
const alias = (version: number) => ({
  kind: 'alias' as const,
  model: 'churn',
  version,
  actor: 'maria',
  data: { alias: 'champion', previous: version - 1 },
});

it('stores every appended line in the bucket, byte for byte', async () => {
  for (const version of [1, 2, 3]) await log().append(alias(version));
  const { bytes, seqs } = await mirror.read();
  expect(seqs).toEqual([1, 2, 3]);
  expect(bytes.toString('utf8')).toBe(await readFile(path, 'utf8'));
  expect(mirror.location).toBe('s3://audit/slipway/audit/host-a/');
});

it('loses nothing in an outage: the append succeeds locally, and the next one catches the mirror up', async () => {
  await s3.kill();
  const entry = await log().append(alias(4));
  expect(entry.seq).toBe(4);
  expect(sinkErrors.at(-1)).toMatch(
    /Cannot reach the S3 endpoint .* to write s3:\/\/audit\/slipway\/audit\/host-a\/000000000004\.jsonl/,
  );

  await s3.restart();
  expect(await compareWithMirror(mirror, await readAuditEntries(path))).toEqual({ ok: true, lines: 3, missing: [4] });
  await log().append(alias(5));
  const { bytes, seqs } = await mirror.read();
  expect(seqs).toEqual([1, 2, 3, 4, 5]);
  expect(bytes.toString('utf8')).toBe(await readFile(path, 'utf8'));
});

it('catches a local log rewritten with a valid chain, even re-signed with the key: the mirror holds the original', async () => {
  const entries = await readAuditEntries(path);
  const signing = { signer: await log().signer(), logId: await log().id() };
  const forged: AuditEntry[] = [];
  for (const entry of entries) {
    const { seq: _s, at, prev: _p, hash: _h, sig: _g, format: _f, log: _l, keyId: _k, ...input } = entry;
    const edited = entry.seq === 2 ? { ...input, actor: 'mallory' } : input;
    forged.push(chainEntry(edited, forged.at(-1), at, signing));
  }
  await writeFile(path, forged.map(serializeAuditEntry).join(''));
  expect(await verifyAuditLog(path, await keyOnlyAnchor(log()))).toMatchObject({ ok: true, entries: 5 });
  expect(await compareWithMirror(mirror, await readAuditEntries(path))).toEqual({
    ok: false,
    seq: 2,
    message: 'line 2 differs between the local log and the mirror',
  });
});

it('mirrors signed lines, which verify from the mirror’s bytes alone', async () => {
  const { bytes } = await mirror.read();
  const lines = bytes.toString('utf8').split('\n').slice(0, -1);
  const signer = await log().signer();
  for (const line of lines) {
    const entry = JSON.parse(line) as AuditEntry;
    expect(entry).toMatchObject({ format: 2, keyId: signer.keyId });
    expect(verifyAuditSignature(signer.publicKey, entry.hash, entry.sig ?? '')).toBe(true);
  }
});

/**
 * The audit log's S3 mirror against a real S3-compatible server: every line lands in the bucket, an outage
 * loses nothing (the next append catches up), and a local log rewritten with a valid chain is still caught,
 * because its lines no longer match the copy in S3.
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
  type AuditEntry,
  type S3AuditMirror,
} from '../../packages/activities/src/audit/index.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

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
  expect(entry?.seq).toBe(4);
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

it('catches a local log rewritten with a valid chain: the mirror still holds the original line', async () => {
  const entries = await readAuditEntries(path);
  const forged: AuditEntry[] = [];
  for (const entry of entries) {
    const { seq: _seq, at, prev: _prev, hash: _hash, ...input } = entry;
    const edited = entry.seq === 2 ? { ...input, actor: 'mallory' } : input;
    forged.push(chainEntry(edited, forged.at(-1), at));
  }
  await writeFile(path, forged.map(serializeAuditEntry).join(''));
  expect((await verifyAuditLog(path)).ok).toBe(true);
  expect(await compareWithMirror(mirror, await readAuditEntries(path))).toEqual({
    ok: false,
    seq: 2,
    message: 'line 2 differs between the local log and the mirror',
  });
});

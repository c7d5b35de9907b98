/**
 * The audit log file: the signed chain it writes, appends from several processes at once (started together by a
 * barrier file), the lock, a torn last line set aside and recorded, and mirrors.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  auditEntryHash,
  defaultAuditLogId,
  openAuditLog,
  readAuditEntries,
  verifyAuditLog,
  verifyAuditSignature,
  type AuditEntry,
  type AuditSink,
} from '../../../packages/activities/src/audit/index.js';
import { canonicalJson, sha256Digest } from '../../../packages/activities/src/util/digest.js';
import { filesExist, keyOnlyAnchor, prepareAppendChild, readLines } from './audit-fixtures.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-audit-log-'));
  path = join(dir, 'home', 'audit.log');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (i: number) => ({ kind: 'alias' as const, model: 'churn', version: 1, data: { alias: 'champion', i } });

describe('openAuditLog', () => {
  it('writes canonical, signed JSON lines chained from the genesis hash, seq 1, 2, 3', async () => {
    const at = new Date('2026-03-01T00:00:00.000Z');
    const log = openAuditLog(path, { now: () => at });
    const first = await log.append({ ...entry(1), actor: 'maria' });
    await log.append(entry(2));
    await log.append(entry(3));
    const lines = await readLines(path);
    expect(lines).toHaveLength(3);
    const parsed = lines.map((line) => JSON.parse(line) as AuditEntry);
    const signer = await log.signer();
    expect(parsed.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(parsed[0]).toEqual(first);
    expect(parsed[0]).toMatchObject({
      format: 2,
      at: at.toISOString(),
      kind: 'alias',
      actor: 'maria',
      prev: GENESIS_HASH,
      log: defaultAuditLogId(path),
      keyId: signer.keyId,
    });
    expect(parsed[1]?.prev).toBe(parsed[0]?.hash);
    expect(parsed[2]?.prev).toBe(parsed[1]?.hash);
    expect(parsed[1]).not.toHaveProperty('actor');
    for (const [i, line] of lines.entries()) {
      const e = parsed[i] as AuditEntry;
      expect(line).toBe(canonicalJson(e));
      expect(auditEntryHash(e)).toBe(e.hash);
      expect(verifyAuditSignature(signer.publicKey, e.hash, e.sig ?? '')).toBe(true);
    }
    expect(await log.entries()).toEqual(parsed);
    expect(await log.id()).toBe(defaultAuditLogId(path));
    expect(await verifyAuditLog(path, await keyOnlyAnchor(log))).toMatchObject({
      ok: true,
      entries: 3,
      head: parsed[2]?.hash,
      pending: [1, 2, 3],
    });
  });

  it('keeps one valid chain, signed by one key, with every entry when two processes and this one append at once', async () => {
    const script = await prepareAppendChild(join(dir, 'child'));
    const perWriter = 40;
    const barrier = join(dir, 'go');
    const children = ['a', 'b'].map((writer) =>
      spawn(process.execPath, [script, path, writer, String(perWriter), barrier], { stdio: 'inherit' }),
    );
    const exited = children.map((child) => new Promise<number | null>((done) => child.once('exit', done)));
    const log = openAuditLog(path);
    await filesExist(['a', 'b'].map((writer) => `${barrier}.ready-${writer}`));
    await writeFile(barrier, '');
    await Promise.all(
      Array.from({ length: perWriter }, (_, i) =>
        log.append({ ...entry(i), actor: 'main', data: { writer: 'main', i } }),
      ),
    );
    expect(await Promise.all(exited)).toEqual([0, 0]);
    expect(await verifyAuditLog(path, await keyOnlyAnchor(log))).toMatchObject({ ok: true, entries: 3 * perWriter });
    const entries = await readAuditEntries(path);
    expect(new Set(entries.map((e) => e.keyId))).toEqual(new Set([(await log.signer()).keyId]));
    const seen = entries.map((e) => `${String(e.data.writer)}-${String(e.data.i)}`);
    const expected = ['a', 'b', 'main'].flatMap((w) => Array.from({ length: perWriter }, (_, i) => `${w}-${i}`));
    expect(seen.sort()).toEqual(expected.sort());
  }, 60_000);

  it('returns the entry `reuse` finds under the lock, and appends nothing then', async () => {
    const log = openAuditLog(path);
    const first = await log.append(entry(1));
    const again = await log.append(entry(1), { reuse: (entries) => entries.find((e) => e.data.i === 1) });
    expect(again).toEqual(first);
    expect(await readLines(path)).toHaveLength(1);
  });

  it('never extends a torn last line: sets it aside and records that before the next line', async () => {
    const log = openAuditLog(path);
    await log.append(entry(1));
    await log.append(entry(2));
    const torn = '{"at":"2026-03-01T00:00:00.000Z","da';
    await appendFile(path, torn);
    const third = await log.append(entry(3));
    expect(third.seq).toBe(4);
    const entries = await readAuditEntries(path);
    expect(entries.map((e) => e.kind)).toEqual(['alias', 'alias', 'repair', 'alias']);
    expect(entries[2]).toMatchObject({
      kind: 'repair',
      data: {
        action: 'set-aside',
        by: 'append',
        file: 'audit.log.torn',
        bytes: torn.length,
        digest: sha256Digest(torn),
      },
    });
    expect(entries[2]).not.toHaveProperty('model');
    expect(await verifyAuditLog(path, await keyOnlyAnchor(log))).toMatchObject({
      ok: true,
      entries: 4,
      pending: [1, 2, 4],
    });
    expect(await readFile(`${path}.torn`, 'utf8')).toBe(`${torn}\n`);
  });

  it('repair: sets a torn last line aside and records who did it; nothing to do on a whole log', async () => {
    const log = openAuditLog(path);
    await log.append(entry(1));
    expect(await log.repair({ actor: 'user:ops' })).toEqual({ repaired: false });
    await appendFile(path, '{"seq":2,"kin');
    const repaired = await log.repair({ actor: 'user:ops' });
    expect(repaired).toMatchObject({
      repaired: true,
      torn: { offset: (await readLines(path))[0]!.length + 1, bytes: 13 },
    });
    expect(repaired.entry).toMatchObject({ seq: 2, kind: 'repair', actor: 'user:ops', data: { by: 'repair' } });
    expect(await log.repair()).toEqual({ repaired: false });
    expect(await verifyAuditLog(path, await keyOnlyAnchor(log))).toMatchObject({ ok: true, entries: 2 });
  });

  it('refuses to extend a log whose last line is not an entry, pointing at `slipway audit verify`', async () => {
    const log = openAuditLog(path);
    await log.append(entry(1));
    await appendFile(path, 'not json\n');
    await expect(log.append(entry(2))).rejects.toThrow(/last line is not a valid entry.*slipway audit verify/);
  });

  it('breaks a lock left by a process that died, and waits for a live holder', async () => {
    const log = openAuditLog(path, { lock: { timeoutMs: 300 } });
    await log.append(entry(1));
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const owner = (pid: number) => JSON.stringify({ pid, host: hostname(), token: `t-${pid}`, acquiredAt: 'x' });
    await writeFile(`${path}.lock`, owner(dead));
    expect((await log.append(entry(2)))?.seq).toBe(2);
    await writeFile(`${path}.lock`, owner(process.pid));
    await expect(log.append(entry(3))).rejects.toThrow(`held by process ${process.pid} on ${hostname()}`);
    await rm(`${path}.lock`);
    expect((await log.append(entry(3)))?.seq).toBe(3);
  });

  it('copies every line to its sinks; a failing sink is reported and fails nothing', async () => {
    const mirrored: string[] = [];
    const failures: string[] = [];
    const good: AuditSink = { name: 'memory', write: (_entry, line) => Promise.resolve(void mirrored.push(line)) };
    const bad: AuditSink = { name: 'down', write: () => Promise.reject(new Error('connection refused')) };
    const log = openAuditLog(path, {
      sinks: [bad, good],
      onSinkError: (err, sink, e) => failures.push(`${sink.name} ${e.seq} ${(err as Error).message}`),
    });
    await log.append(entry(1));
    await log.append(entry(2));
    expect(mirrored.join('')).toBe(await readFile(path, 'utf8'));
    expect(failures).toEqual(['down 1 connection refused', 'down 2 connection refused']);
  });

  it('reads no entries from a log that does not exist yet', async () => {
    expect(await readAuditEntries(path)).toEqual([]);
  });
});

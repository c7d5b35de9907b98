/**
 * The audit log file: the chain it writes, appends from several processes at once, the lock, a torn last line,
 * and mirrors.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  auditEntryHash,
  openAuditLog,
  readAuditEntries,
  verifyAuditLog,
  type AuditEntry,
  type AuditSink,
} from '../../../packages/activities/src/audit/index.js';
import { canonicalJson } from '../../../packages/activities/src/util/digest.js';
import { prepareAppendChild, readLines } from './audit-fixtures.js';

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
  it('writes canonical JSON lines chained from the genesis hash, seq 1, 2, 3', async () => {
    const at = new Date('2026-03-01T00:00:00.000Z');
    const log = openAuditLog(path, { now: () => at });
    const first = await log.append({ ...entry(1), actor: 'maria' });
    await log.append(entry(2));
    await log.append(entry(3));
    const lines = await readLines(path);
    expect(lines).toHaveLength(3);
    const parsed = lines.map((line) => JSON.parse(line) as AuditEntry);
    expect(parsed.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(parsed[0]).toEqual(first);
    expect(parsed[0]).toMatchObject({ at: at.toISOString(), kind: 'alias', actor: 'maria', prev: GENESIS_HASH });
    expect(parsed[1]?.prev).toBe(parsed[0]?.hash);
    expect(parsed[2]?.prev).toBe(parsed[1]?.hash);
    expect(parsed[1]).not.toHaveProperty('actor');
    for (const [i, line] of lines.entries()) {
      expect(line).toBe(canonicalJson(parsed[i]));
      expect(auditEntryHash(parsed[i] as AuditEntry)).toBe(parsed[i]?.hash);
    }
    expect(await log.entries()).toEqual(parsed);
    expect(await verifyAuditLog(path)).toEqual({ ok: true, entries: 3, head: parsed[2]?.hash });
  });

  it('keeps one valid chain with every entry when two processes and this one append at once', async () => {
    const script = await prepareAppendChild(join(dir, 'child'));
    const perWriter = 40;
    const startAt = Date.now() + 1_500;
    const children = ['a', 'b'].map((writer) =>
      spawn(process.execPath, [script, path, writer, String(perWriter), String(startAt)], { stdio: 'inherit' }),
    );
    const exited = children.map((child) => new Promise<number | null>((done) => child.once('exit', done)));
    const log = openAuditLog(path);
    await new Promise((done) => setTimeout(done, Math.max(0, startAt - Date.now())));
    await Promise.all(
      Array.from({ length: perWriter }, (_, i) =>
        log.append({ ...entry(i), actor: 'main', data: { writer: 'main', i } }),
      ),
    );
    expect(await Promise.all(exited)).toEqual([0, 0]);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 3 * perWriter });
    const seen = (await readAuditEntries(path)).map((e) => `${String(e.data.writer)}-${String(e.data.i)}`);
    const expected = ['a', 'b', 'main'].flatMap((w) => Array.from({ length: perWriter }, (_, i) => `${w}-${i}`));
    expect(seen.sort()).toEqual(expected.sort());
    const writers = new Set((await readAuditEntries(path)).slice(0, perWriter).map((e) => e.data.writer));
    expect(writers.size, 'the writers interleaved').toBeGreaterThan(1);
  }, 60_000);

  it('appends nothing when `unless` finds the entry, checked under the lock', async () => {
    const log = openAuditLog(path);
    await log.append(entry(1));
    const again = await log.append(entry(1), { unless: (entries) => entries.some((e) => e.data.i === 1) });
    expect(again).toBeUndefined();
    expect(await readLines(path)).toHaveLength(1);
  });

  it('sets a last line cut short by a crash aside and continues the chain from the last whole line', async () => {
    const log = openAuditLog(path);
    await log.append(entry(1));
    await log.append(entry(2));
    await appendFile(path, '{"at":"2026-03-01T00:00:00.000Z","da');
    const third = await log.append(entry(3));
    expect(third?.seq).toBe(3);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 3 });
    expect(await readFile(`${path}.torn`, 'utf8')).toBe('{"at":"2026-03-01T00:00:00.000Z","da\n');
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

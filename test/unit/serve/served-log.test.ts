/**
 * The served-row log on a real filesystem: rotation by size and by day (with an injected clock), reads of the
 * newest rows across segments without reading older ones, cursor reads that resume exactly after the last row
 * read, refusal of cursors it did not give out, torn lines, lines written by earlier server versions, and the
 * record's shape for each task.
 */
import { appendFile, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ServedRow, type ServedPrediction } from '@slipway/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CursorRefused,
  FROM_START,
  createServedLog,
  servedLogDir,
  type ServedEntry,
  type ServedLog,
  type ServedLogOptions,
} from '../../../packages/worker/src/serve/served-log.js';
import { legacyLogPath } from '../../../packages/worker/src/serve/served-segments.js';
import { tempDir } from './fixtures.js';

const KEY = Buffer.alloc(32, 7);
const BINARY: ServedPrediction = { task: 'binary', score: 0.25, label: 'stay', scores: { stay: 0.75, churn: 0.25 } };

/** A row whose feature `i` numbers it. */
const entry = (i: number, prediction: ServedPrediction = BINARY): ServedEntry => ({ features: { i }, prediction });

/** A clock the test moves by hand. */
function manualClock(iso: string) {
  let now = new Date(iso);
  return { now: () => now, set: (next: string) => (now = new Date(next)) };
}

/** Reads every row after `cursor` in pages of `page` rows; returns the rows' numbers and the last cursor. */
async function readAll(log: ServedLog, model: string, version: number, cursor: string, page: number) {
  const seen: unknown[] = [];
  for (;;) {
    const answer = await log.after(model, version, cursor, page);
    seen.push(...answer.rows.map((r) => r.features['i']));
    if (answer.rows.length === 0) return { seen, cursor };
    cursor = answer.cursor;
  }
}

describe('served log', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  async function openLog(options: Partial<ServedLogOptions> = {}) {
    const dir = await tempDir('served-log');
    cleanups.push(dir.cleanup);
    return { dir: dir.path, log: createServedLog(dir.path, { cursorKey: KEY, ...options }) };
  }

  it('keeps the newest rows in order for any limit, and counts them all', async () => {
    const { log } = await openLog();
    await Promise.all(Array.from({ length: 10 }, (_, i) => log.append('m', 1, 'd', [entry(i)])));
    for (const limit of [1, 3, 5, 10, 25]) {
      const { total, rows } = await log.tail('m', 1, limit);
      expect(total).toBe(10);
      expect(rows.map((r) => r.features['i'])).toEqual(Array.from({ length: 10 }, (_, i) => i).slice(-limit));
    }
    expect(await log.tail('m', 3, 10)).toMatchObject({ total: 0, rows: [] });
  });

  it('starts a new file when the current one would pass the size limit, and reads across them', async () => {
    const { dir, log } = await openLog({ maxFileBytes: 600 });
    for (let i = 0; i < 12; i++) await log.append('m', 1, 'd', [entry(i)]);
    const files = (await readdir(servedLogDir(dir, 'm', 1))).sort();
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) expect((await stat(join(servedLogDir(dir, 'm', 1), file))).size).toBeLessThanOrEqual(600);
    const { total, rows } = await log.tail('m', 1, 12);
    expect(total).toBe(12);
    expect(rows.map((r) => r.features['i'])).toEqual([...Array(12).keys()]);
    // A batch larger than the limit is never split: it goes whole into a file of its own.
    await log.append(
      'm',
      1,
      'd',
      [...Array(10).keys()].map((i) => entry(100 + i)),
    );
    const after = (await readdir(servedLogDir(dir, 'm', 1))).sort();
    expect(after).toHaveLength(files.length + 1);
    expect((await log.tail('m', 1, 11)).rows.map((r) => r.features['i'])).toEqual([
      11,
      ...[...Array(10).keys()].map((i) => 100 + i),
    ]);
  });

  it('starts a new file each UTC day, stamping rows with the clock', async () => {
    const clock = manualClock('2026-12-01T23:59:59.000Z');
    const { dir, log } = await openLog({ now: clock.now });
    await log.append('m', 1, 'd', [entry(0), entry(1)]);
    clock.set('2026-12-02T00:00:01.000Z');
    await log.append('m', 1, 'd', [entry(2)]);
    await log.append('m', 1, 'd', [entry(3)]);
    const files = (await readdir(servedLogDir(dir, 'm', 1))).sort();
    expect(files).toEqual(['000001-2026-12-01-r000000000000.jsonl', '000002-2026-12-02-r000000000002.jsonl']);
    const { rows, total } = await log.tail('m', 1, 10);
    expect(total).toBe(4);
    expect(rows.map((r) => [r.features['i'], r.ts])).toEqual([
      [0, '2026-12-01T23:59:59.000Z'],
      [1, '2026-12-01T23:59:59.000Z'],
      [2, '2026-12-02T00:00:01.000Z'],
      [3, '2026-12-02T00:00:01.000Z'],
    ]);
  });

  it('reads the newest rows from the newest files only, and knows the total from the file names', async () => {
    const { dir, log } = await openLog({ maxFileBytes: 400 });
    for (let i = 0; i < 20; i++) await log.append('m', 1, 'd', [entry(i)]);
    const files = (await readdir(servedLogDir(dir, 'm', 1))).sort();
    // Make the oldest file unreadable: a read of it would fail the request.
    const oldest = join(servedLogDir(dir, 'm', 1), files[0] as string);
    await rm(oldest);
    await mkdir(oldest);
    const fresh = createServedLog(dir, { cursorKey: KEY, maxFileBytes: 400 });
    const { total, rows } = await fresh.tail('m', 1, 3);
    expect(total).toBe(20);
    expect(rows.map((r) => r.features['i'])).toEqual([17, 18, 19]);
    await expect(fresh.tail('m', 1, 20)).rejects.toThrow(/EISDIR/);
  });

  it('reads from a cursor in pages, resuming exactly after the last row read, across rotations', async () => {
    const { log } = await openLog({ maxFileBytes: 500 });
    for (let i = 0; i < 15; i++) await log.append('m', 1, 'd', [entry(i)]);
    for (const page of [1, 4, 7, 15, 100]) {
      const { seen } = await readAll(log, 'm', 1, FROM_START, page);
      expect(seen).toEqual([...Array(15).keys()]);
    }
    const first = await log.after('m', 1, FROM_START, 6);
    expect(first.rows.map((r) => r.features['i'])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(first.total).toBe(15);
    const { seen, cursor } = await readAll(log, 'm', 1, first.cursor, 4);
    expect(seen).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14]);
    // At the end: nothing more, and the cursor stays; new rows (in a new file) are read next, each once.
    expect((await log.after('m', 1, cursor, 10)).rows).toEqual([]);
    for (let i = 15; i < 25; i++) await log.append('m', 1, 'd', [entry(i)]);
    expect((await readAll(log, 'm', 1, cursor, 3)).seen).toEqual([...Array(10).keys()].map((i) => 15 + i));
  });

  it('gives with the newest rows a cursor after them, from which only later rows are read', async () => {
    const { log } = await openLog({ maxFileBytes: 300 });
    for (let i = 0; i < 5; i++) await log.append('m', 1, 'd', [entry(i)]);
    const tail = await log.tail('m', 1, 2);
    expect(tail.rows.map((r) => r.features['i'])).toEqual([3, 4]);
    await log.append('m', 1, 'd', [entry(5), entry(6)]);
    expect((await log.after('m', 1, tail.cursor, 10)).rows.map((r) => r.features['i'])).toEqual([5, 6]);
    // A version never served has a cursor too: the start, from which its first rows are read.
    const empty = await log.tail('m', 2, 10);
    await log.append('m', 2, 'd', [entry(0)]);
    expect((await log.after('m', 2, empty.cursor, 10)).rows.map((r) => r.features['i'])).toEqual([0]);
  });

  it('refuses a cursor that was altered, made up, given for another version or model, or by another key', async () => {
    const { dir, log } = await openLog();
    await log.append('m', 1, 'd', [entry(0), entry(1)]);
    await log.append('m', 2, 'd', [entry(0)]);
    await log.append('other', 1, 'd', [entry(0)]);
    const { cursor } = await log.after('m', 1, FROM_START, 1);
    const [payload, seal] = cursor.split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { o: number };
    const moved = Buffer.from(JSON.stringify({ ...decoded, o: decoded.o + 1 })).toString('base64url');
    const otherKey = createServedLog(dir, { cursorKey: Buffer.alloc(32, 8) });
    const refusals: [string, Promise<unknown>, RegExp][] = [
      ['altered offset', log.after('m', 1, `${moved}.${seal}`, 10), /seal does not match/],
      ['made up', log.after('m', 1, 'not-a-cursor', 10), /not one this server gave out/],
      ['another version', log.after('m', 2, cursor, 10), /belongs to model "m" version 1, not "m" version 2/],
      ['another model', log.after('other', 1, cursor, 10), /belongs to model "m" version 1, not "other" version 1/],
      ['another key', otherKey.after('m', 1, cursor, 10), /seal does not match/],
    ];
    for (const [what, attempt, message] of refusals) {
      const err = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(CursorRefused);
      expect((err as Error).message, what).toMatch(message);
    }
    // The genuine cursor still reads on from where it was.
    expect((await log.after('m', 1, cursor, 10)).rows.map((r) => r.features['i'])).toEqual([1]);
  });

  it('skips a torn last line, and seals it before the next append so no later row is lost', async () => {
    const { dir, log } = await openLog();
    await log.append('m', 2, 'd', [entry(1), entry(2)]);
    const [file] = await readdir(servedLogDir(dir, 'm', 2));
    await appendFile(
      join(servedLogDir(dir, 'm', 2), file as string),
      '{"ts":"2026-01-01T00:00:00Z","deploymentId":"d","feat',
    );
    // A new process finds the torn line.
    const restarted = createServedLog(dir, { cursorKey: KEY });
    expect(await restarted.tail('m', 2, 10)).toMatchObject({
      total: 2,
      rows: [{ features: { i: 1 } }, { features: { i: 2 } }],
    });
    const { cursor } = await restarted.after('m', 2, FROM_START, 10);
    await restarted.append('m', 2, 'd', [entry(3)]);
    expect((await restarted.tail('m', 2, 10)).rows.map((r) => r.features['i'])).toEqual([1, 2, 3]);
    expect((await restarted.after('m', 2, cursor, 10)).rows.map((r) => r.features['i'])).toEqual([3]);
    expect((await restarted.tail('m', 2, 10)).total).toBe(3);
  });

  it('reads the single log file of an earlier server version first, its old lines as rows of that version', async () => {
    const { dir } = await openLog();
    await mkdir(join(dir, 'm'), { recursive: true });
    const old = [
      { ts: '2026-01-01T00:00:00Z', deploymentId: 'd0', features: { i: 0 } },
      { ts: '2026-01-01T00:00:01Z', deploymentId: 'd0', features: { i: 1 }, imputed: ['plan'] },
    ];
    await writeFile(legacyLogPath(dir, 'm', 3), old.map((line) => JSON.stringify(line) + '\n').join(''));
    const log = createServedLog(dir, { cursorKey: KEY, maxFileBytes: 300 });
    const before = await log.tail('m', 3, 10);
    expect(before.total).toBe(2);
    expect(before.rows).toEqual([
      { ...old[0], version: 3, shadow: false },
      { ...old[1], version: 3, shadow: false },
    ]);
    for (let i = 2; i < 6; i++) await log.append('m', 3, 'd1', [entry(i)]);
    expect((await log.tail('m', 3, 10)).total).toBe(6);
    expect((await log.tail('m', 3, 3)).rows.map((r) => r.features['i'])).toEqual([3, 4, 5]);
    expect((await readAll(log, 'm', 3, FROM_START, 2)).seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('records each task’s prediction, the version, imputed features and the shadow flag', async () => {
    const clock = manualClock('2026-12-02T10:00:00.000Z');
    const { log } = await openLog({ now: clock.now });
    const multiclass: ServedPrediction = { task: 'multiclass', label: 'b', scores: { a: 0.2, b: 0.5, c: 0.3 } };
    const regression: ServedPrediction = { task: 'regression', value: 251_000.5 };
    await log.append('m', 4, 'd4', [
      { features: { i: 0, plan: 'pro' }, prediction: BINARY },
      { features: { i: 1 }, prediction: multiclass, imputed: ['plan'] },
      { features: { i: 2, plan: null }, prediction: regression, imputed: [] },
    ]);
    const ts = '2026-12-02T10:00:00.000Z';
    expect((await log.tail('m', 4, 10)).rows).toEqual([
      { ts, deploymentId: 'd4', version: 4, features: { i: 0, plan: 'pro' }, prediction: BINARY, shadow: false },
      {
        ts,
        deploymentId: 'd4',
        version: 4,
        features: { i: 1 },
        prediction: multiclass,
        imputed: ['plan'],
        shadow: false,
      },
      { ts, deploymentId: 'd4', version: 4, features: { i: 2, plan: null }, prediction: regression, shadow: false },
    ]);
    // The record holds a prediction to its task.
    const row = { ts, deploymentId: 'd', version: 1, features: {}, shadow: false };
    expect(ServedRow.safeParse({ ...row, prediction: { task: 'binary', label: 1, scores: {} } }).success).toBe(false);
    expect(
      ServedRow.safeParse({ ...row, prediction: { task: 'binary', score: 1.5, label: 1, scores: {} } }).success,
    ).toBe(false);
    expect(ServedRow.safeParse({ ...row, prediction: { task: 'multiclass', scores: { a: 1 } } }).success).toBe(false);
    expect(ServedRow.safeParse({ ...row, prediction: { task: 'regression', score: 0.5 } }).success).toBe(false);
    expect(ServedRow.safeParse({ ...row, prediction: regression }).success).toBe(true);
  });
});

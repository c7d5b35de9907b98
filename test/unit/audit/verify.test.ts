/**
 * `verifyAuditLog`: an intact log passes; every kind of tampering is caught at the right line, with the right
 * reason; and one changed byte anywhere in the file is caught at the line that holds it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  auditEntryHash,
  verifyAuditBytes,
  verifyAuditLog,
  type AuditEntry,
} from '../../../packages/activities/src/audit/index.js';
import { canonicalJson } from '../../../packages/activities/src/util/digest.js';
import { openAuditedHome, readLines, writeDemoHistory, writeLines } from './audit-fixtures.js';

let home: string;
let pristine: string[];
let path: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-audit-verify-'));
  const { registry, log } = openAuditedHome(home);
  await writeDemoHistory(registry);
  await registry.close();
  path = log.path;
  pristine = await readLines(path);
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});
beforeEach(async () => {
  await writeLines(path, pristine);
});

const line = (n: number): string => pristine[n - 1] as string;
const parsed = (n: number): AuditEntry => JSON.parse(line(n)) as AuditEntry;
/** The lines with `edit` applied, written to the log, then verified. */
async function verifyWith(edit: (lines: string[]) => string[]) {
  await writeLines(path, edit([...pristine]));
  return verifyAuditLog(path);
}

describe('verifyAuditLog', () => {
  it('passes the intact demo log and reports its head hash', async () => {
    expect(pristine).toHaveLength(11);
    expect(await verifyAuditLog(path)).toEqual({ ok: true, entries: 11, head: parsed(11).hash });
  });

  it('names an edited line: its content no longer matches its hash', async () => {
    const result = await verifyWith((lines) => lines.map((l, i) => (i === 2 ? l.replace('maria', 'mallo') : l)));
    expect(result).toMatchObject({ ok: false, line: 3, reason: 'edited', entries: 2 });
    expect(result.ok || result.message).toMatch(/does not match its hash/);
  });

  it('catches an edited line whose hash was recomputed at the next line, whose link breaks', async () => {
    const forged = { ...parsed(3), actor: 'mallory' };
    const rehashed = canonicalJson({ ...forged, hash: auditEntryHash(forged) });
    const result = await verifyWith((lines) => lines.map((l, i) => (i === 2 ? rehashed : l)));
    expect(result).toMatchObject({ ok: false, line: 4, reason: 'edited' });
    expect(result.ok || result.message).toMatch(/line 3 was rewritten with a recomputed hash/);
  });

  it('names the line after a removed one, and counts what is missing', async () => {
    const result = await verifyWith((lines) => lines.filter((_, i) => i !== 4 && i !== 5));
    expect(result).toMatchObject({ ok: false, line: 5, reason: 'removed', entries: 4 });
    expect(result.ok || result.message).toMatch(/seq 7 where 5 was expected: 2 lines were removed/);
    expect(await verifyWith((lines) => lines.slice(1))).toMatchObject({ ok: false, line: 1, reason: 'removed' });
  });

  it('names the first of two swapped lines, and a line moved to the end', async () => {
    const swapped = await verifyWith((lines) => [...lines.slice(0, 3), line(5), line(4), ...lines.slice(5)]);
    expect(swapped).toMatchObject({ ok: false, line: 4, reason: 'reordered' });
    const moved = await verifyWith((lines) => [...lines.filter((_, i) => i !== 1), line(2)]);
    expect(moved).toMatchObject({ ok: false, line: 2, reason: 'reordered' });
  });

  it('names a repeated line, and a forged line inserted with a valid hash', async () => {
    const repeated = await verifyWith((lines) => [...lines.slice(0, 6), line(2), ...lines.slice(6)]);
    expect(repeated).toMatchObject({ ok: false, line: 7, reason: 'duplicated' });
    expect(repeated.ok || repeated.message).toMatch(/repeats line 2/);
    const body = { ...parsed(6), seq: 7, prev: parsed(6).hash, actor: 'mallory' };
    const forged = canonicalJson({ ...body, hash: auditEntryHash(body) });
    const inserted = await verifyWith((lines) => [...lines.slice(0, 6), forged, ...lines.slice(6)]);
    expect(inserted).toMatchObject({ ok: false, line: 8, reason: 'reordered' });
  });

  it('names a log cut in the middle of its last line', async () => {
    const whole = await readFile(path);
    await writeFile(path, whole.subarray(0, whole.length - 40));
    expect(await verifyAuditLog(path)).toMatchObject({ ok: false, line: 11, reason: 'truncated', entries: 10 });
  });

  it('names lines that are not JSON, blank, or JSON but not an entry', async () => {
    const garbage = await verifyWith((lines) => lines.map((l, i) => (i === 5 ? 'hello' : l)));
    expect(garbage).toMatchObject({ ok: false, line: 6, reason: 'not-json' });
    const blank = await verifyWith((lines) => [...lines.slice(0, 2), '', ...lines.slice(2)]);
    expect(blank).toMatchObject({ ok: false, line: 3, reason: 'not-json' });
    const { kind: _kind, ...noKind } = parsed(2);
    const malformed = await verifyWith((lines) => lines.map((l, i) => (i === 1 ? JSON.stringify(noKind) : l)));
    expect(malformed).toMatchObject({ ok: false, line: 2, reason: 'malformed' });
    expect(malformed.ok || malformed.message).toMatch(/kind/);
  });

  it('names a line whose bytes changed but whose JSON value did not (spacing, key order)', async () => {
    const spaced = await verifyWith((lines) =>
      lines.map((l, i) => (i === 3 ? JSON.stringify(parsed(4), null, 1).replace(/\n/g, '') : l)),
    );
    expect(spaced).toMatchObject({ ok: false, line: 4, reason: 'edited' });
    expect(spaced.ok || spaced.message).toMatch(/canonical/);
  });

  it('catches one changed byte anywhere in the file, at the line that holds it', () => {
    const bytes = Buffer.from(pristine.map((l) => `${l}\n`).join(''));
    const lineOf: number[] = [];
    pristine.forEach((l, i) => lineOf.push(...new Array<number>(Buffer.byteLength(l) + 1).fill(i + 1)));
    const missed: string[] = [];
    for (let offset = 0; offset < bytes.length; offset++) {
      const changed = Buffer.from(bytes);
      changed[offset] = (changed[offset] ?? 0) ^ 0x01;
      const result = verifyAuditBytes(changed);
      if (result.ok || result.line !== lineOf[offset]) missed.push(`byte ${offset}: ${JSON.stringify(result)}`);
    }
    expect(bytes.length).toBeGreaterThan(5_000);
    expect(missed).toEqual([]);
  });

  it('passes an empty log, and fails on a missing one', async () => {
    await writeFile(path, '');
    expect(await verifyAuditLog(path)).toEqual({ ok: true, entries: 0, head: GENESIS_HASH });
    await expect(verifyAuditLog(join(home, 'nope.log'))).rejects.toThrow(/ENOENT/);
  });
});

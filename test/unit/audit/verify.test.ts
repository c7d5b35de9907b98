/**
 * `verifyAuditLog` against the registry the log was written with: an intact log passes; every kind of tampering
 * inside the log is caught at the right line, with the right reason; and one changed byte anywhere in the file is
 * caught at the line that holds it. (Cuts, appended and re-chained lines: verify-trail.test.ts.)
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  auditEntryHash,
  verifyAuditBytes,
  verifyAuditLog,
  type AuditEntry,
  type AuditTrust,
} from '../../../packages/activities/src/audit/index.js';
import type { ModelRegistry } from '../../../packages/activities/src/ports.js';
import { canonicalJson } from '../../../packages/activities/src/util/digest.js';
import { openAuditedHome, readLines, writeDemoHistory, writeLines } from './audit-fixtures.js';

let home: string;
let pristine: string[];
let path: string;
let registry: ModelRegistry;
let trust: AuditTrust;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-audit-verify-'));
  const audited = openAuditedHome(home);
  registry = audited.registry;
  await writeDemoHistory(registry);
  path = audited.log.path;
  pristine = await readLines(path);
  const logId = await audited.log.id();
  trust = { logId, keys: await registry.auditKeys(logId), head: await registry.auditHead(logId) };
});
afterAll(async () => {
  await registry.close();
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
  return verifyAuditLog(path, registry);
}

describe('verifyAuditLog', () => {
  it('passes the intact demo log: every line signed, reaching the registry’s head', async () => {
    expect(pristine).toHaveLength(11);
    expect(await verifyAuditLog(path, registry)).toEqual({
      ok: true,
      logId: trust.logId,
      entries: 11,
      head: parsed(11).hash,
      registryHead: { logId: trust.logId, seq: 11, hash: parsed(11).hash },
      pending: [],
      legacy: 0,
    });
  });

  it('names an edited line: its content no longer matches its hash', async () => {
    const result = await verifyWith((lines) => lines.map((l, i) => (i === 2 ? l.replace('maria', 'mallo') : l)));
    expect(result).toMatchObject({ ok: false, line: 3, reason: 'edited', entries: 2 });
    expect(result.ok || result.message).toMatch(/does not match its hash/);
  });

  it('catches an edited line whose hash was recomputed: its signature no longer verifies', async () => {
    const forged = { ...parsed(3), actor: 'mallory' };
    const rehashed = canonicalJson({ ...forged, hash: auditEntryHash(forged) });
    const result = await verifyWith((lines) => lines.map((l, i) => (i === 2 ? rehashed : l)));
    expect(result).toMatchObject({ ok: false, line: 3, reason: 'bad-signature', entries: 2 });
    expect(result.ok || result.message).toMatch(/its signature does not verify with ed25519:[0-9a-f]{16}/);
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
    expect(inserted).toMatchObject({ ok: false, line: 7, reason: 'bad-signature' });
  });

  it('names a log cut in the middle of the last line the registry recorded', async () => {
    const whole = await readFile(path);
    await writeFile(path, whole.subarray(0, whole.length - 40));
    expect(await verifyAuditLog(path, registry)).toMatchObject({
      ok: false,
      line: 11,
      reason: 'truncated',
      entries: 10,
      torn: { line: 11 },
    });
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
      const result = verifyAuditBytes(changed, trust);
      if (result.ok || result.line !== lineOf[offset]) missed.push(`byte ${offset}: ${JSON.stringify(result)}`);
    }
    expect(bytes.length).toBeGreaterThan(5_000);
    expect(missed).toEqual([]);
  });

  it('fails on an emptied log, naming every line the registry recorded, and on a missing one', async () => {
    await writeFile(path, '');
    const emptied = await verifyAuditLog(path, registry, { logId: trust.logId });
    expect(emptied).toMatchObject({ ok: false, line: 1, reason: 'removed' });
    expect(emptied.ok || emptied.message).toMatch(/the log ends at line 0, .*: lines 1 to 11 were removed/);
    await expect(verifyAuditLog(join(home, 'nope.log'), registry)).rejects.toThrow(/ENOENT/);
  });
});

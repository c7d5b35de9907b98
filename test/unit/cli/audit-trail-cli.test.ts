/**
 * The signed trail and the registry's integrity as a user meets them in the built CLI: `slipway audit verify`
 * catching a removed last line, an appended line and a re-chained log; a torn last line reported, then set aside
 * and recorded by `slipway audit repair`; and every command refusing a registry that was emptied or is not a
 * database while the audit log records mutations, naming both files.
 */
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntryHash, type AuditEntry } from '../../../packages/activities/src/audit/index.js';
import { canonicalJson } from '../../../packages/activities/src/util/digest.js';
import { runCli } from '../../support/processes.js';
import { openAuditedHome, readLines, rechain, writeDemoHistory, writeLines } from '../audit/audit-fixtures.js';

let root: string;
let pristine: string;
let homes = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-cli-trail-'));
  pristine = join(root, 'pristine');
  const { registry } = openAuditedHome(pristine);
  await writeDemoHistory(registry);
  await registry.close();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh copy of the demo home (registry, audit log, key file): each test changes its own. */
async function home(): Promise<{
  dir: string;
  log: string;
  db: string;
  cli: (...args: string[]) => ReturnType<typeof runCli>;
}> {
  const dir = join(root, `home-${++homes}`);
  await cp(pristine, dir, { recursive: true });
  return {
    dir,
    log: join(dir, 'audit.log'),
    db: join(dir, 'registry.db'),
    cli: (...args) => runCli(['--home', dir, ...args]),
  };
}

describe('slipway audit verify against the registry', () => {
  it('exits 1 when the last line was removed, naming it', async () => {
    const h = await home();
    await writeLines(h.log, (await readLines(h.log)).slice(0, 10));
    const { code, output } = await h.cli('audit', 'verify');
    expect(code, output).toBe(1);
    expect(output).toContain(`${h.log}: line 11 breaks the chain (removed): the log ends at line 10, but the registry`);
  });

  it('exits 1 on a line appended with a correctly recomputed hash, and on a re-chained log', async () => {
    const h = await home();
    const lines = await readLines(h.log);
    const last = JSON.parse(lines[10] as string) as AuditEntry;
    const { sig: _sig, hash: _hash, ...body } = { ...last, seq: 12, prev: last.hash, actor: 'mallory' };
    await writeLines(h.log, [...lines, canonicalJson({ ...body, hash: auditEntryHash(body) })]);
    const appended = await h.cli('audit', 'verify', '--json');
    expect(appended.code, appended.output).toBe(1);
    expect(JSON.parse(appended.output)).toMatchObject({ ok: false, line: 12, reason: 'unsigned', entries: 11 });
    await writeLines(h.log, rechain(lines, 0));
    const rechained = await h.cli('audit', 'verify');
    expect(rechained.code, rechained.output).toBe(1);
    expect(rechained.output).toContain('line 1 breaks the chain (bad-signature): its signature does not verify');
  });

  it('reports a torn last line; `audit repair` sets it aside and records that in a signed entry', async () => {
    const h = await home();
    await appendFile(h.log, '{"at":"2026-03-01T00:00:00.000Z","kind":"al');
    const torn = await h.cli('audit', 'verify');
    expect(torn.code, torn.output).toBe(0);
    expect(torn.output).toContain('! line 12 is torn (43 bytes, no newline): a write cut short, set aside');
    const repaired = await h.cli('audit', 'repair');
    expect(repaired.code, repaired.output).toBe(0);
    expect(repaired.output).toContain(
      `${h.log}: set aside its torn last line (43 bytes at offset ${(await readFile(join(pristine, 'audit.log'))).length}) ` +
        `into ${h.log}.torn; recorded as line 12 (repair)`,
    );
    expect(await readFile(`${h.log}.torn`, 'utf8')).toBe('{"at":"2026-03-01T00:00:00.000Z","kind":"al\n');
    const after = await h.cli('audit', 'verify');
    expect(after.code, after.output).toBe(0);
    expect(after.output).toMatch(/intact, 12 entries, signed; it reaches the registry’s head, line 11/);
    expect(after.output).not.toContain('pending');
    const list = await h.cli('audit', 'list');
    expect(list.output).toMatch(/│ 12 │ .* │ repair\s+│ —\s+│ user:\S+\s+│ set aside a torn last line \(43 bytes/);
    const again = await h.cli('audit', 'repair');
    expect(again.output).toContain('nothing to repair, its last line is whole');
  });
});

describe('a lost registry is refused while the audit log records mutations', () => {
  it('a 0-byte registry.db: models list, models show and audit verify refuse, naming both files', async () => {
    const h = await home();
    await rm(`${h.db}-wal`, { force: true });
    await truncate(h.db, 0);
    const refusal =
      `the registry ${h.db} is empty (0 bytes), but the audit log ${h.log} records 11 mutations up to seq 11: ` +
      'restore the registry from a backup, or move the audit log aside to start a new home';
    for (const args of [
      ['models', 'list'],
      ['models', 'show', 'churn@champion'],
      ['audit', 'verify'],
    ]) {
      const { code, output } = await h.cli(...args);
      expect(code, `${args.join(' ')}: ${output}`).toBe(1);
      expect(output).toContain(refusal);
      expect(output).not.toContain('No models are registered yet');
    }
    expect((await readFile(h.db)).length).toBe(0);
  });

  it('a deleted registry.db: refused the same way, and not created again', async () => {
    const h = await home();
    await rm(h.db);
    const { code, output } = await h.cli('models', 'list');
    expect(code, output).toBe(1);
    expect(output).toContain(`the registry ${h.db} does not exist, but the audit log ${h.log} records 11 mutations`);
    expect(existsSync(h.db)).toBe(false);
  });

  it('a registry.db of garbage bytes: the error names the file and what to restore', async () => {
    const h = await home();
    await rm(`${h.db}-wal`, { force: true });
    await writeFile(h.db, Buffer.from('definitely not SQLite '.repeat(500)));
    const { code, output } = await h.cli('models', 'list');
    expect(code, output).toBe(1);
    expect(output).toContain(`The SQLite registry ${h.db} failed: file is not a database (SQLITE_NOTADB)`);
    expect(output).toContain(`the audit log ${h.log} records 11 mutations up to seq 11: restore the registry`);
  });
});

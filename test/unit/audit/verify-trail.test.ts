/**
 * What the hash chain alone could not catch, caught by signatures and the registry's head: a removed last line,
 * a line appended with a correctly recomputed hash, a whole log re-chained without the key (or re-signed with
 * another key); and what is not tampering: a pending line (a crash between the append and the registry write),
 * a torn last line, unsigned lines from before signing that a registered key adopted.
 */
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  auditEntryHash,
  loadAuditSigner,
  verifyAuditLog,
  type AuditEntry,
  type AuditLog,
} from '../../../packages/activities/src/audit/index.js';
import type { ModelRegistry } from '../../../packages/activities/src/ports.js';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';
import { canonicalJson } from '../../../packages/activities/src/util/digest.js';
import { versionInput } from '../registry/registry-fixtures.js';
import { openAuditedHome, readLines, rechain, writeDemoHistory, writeLines } from './audit-fixtures.js';

let home: string;
let registry: ModelRegistry;
let log: AuditLog;
let lines: string[];
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-verify-trail-'));
  ({ registry, log } = openAuditedHome(home));
  await writeDemoHistory(registry);
  lines = await readLines(log.path);
});
afterEach(async () => {
  await registry.close();
  await rm(home, { recursive: true, force: true });
});

const entry = (n: number): AuditEntry => JSON.parse(lines[n - 1] as string) as AuditEntry;
async function verifyLines(edited: readonly string[]) {
  await writeLines(log.path, edited);
  return verifyAuditLog(log.path, registry);
}

describe('verifyAuditLog catches cuts and rewrites', () => {
  it('a removed last line: the log no longer reaches the registry’s head, naming the line', async () => {
    const result = await verifyLines(lines.slice(0, 10));
    expect(result).toMatchObject({ ok: false, line: 11, reason: 'removed', entries: 10 });
    expect(result.ok || result.message).toBe(
      `the log ends at line 10, but the registry recorded its last mutation with line 11 (${entry(11).hash}): ` +
        'line 11 was removed, or the log was cut',
    );
    const three = await verifyLines(lines.slice(0, 8));
    expect(three.ok || three.message).toMatch(/lines 9 to 11 were removed/);
  });

  it('a line appended with a correctly recomputed hash: unsigned, or a signature that does not verify', async () => {
    const { sig, ...body } = { ...entry(11), seq: 12, prev: entry(11).hash, actor: 'mallory' };
    const unsigned = canonicalJson({ ...body, hash: auditEntryHash(body) });
    const result = await verifyLines([...lines, unsigned]);
    expect(result).toMatchObject({ ok: false, line: 12, reason: 'unsigned', entries: 11 });
    expect(result.ok || result.message).toBe('it carries no signature: it was added or re-chained without the key');
    const copiedSig = canonicalJson({ ...body, hash: auditEntryHash(body), sig });
    expect(await verifyLines([...lines, copiedSig])).toMatchObject({ ok: false, line: 12, reason: 'bad-signature' });
  });

  it('a line appended and signed with another key: a key the registry does not record for this log', async () => {
    const mallory = await loadAuditSigner(join(home, 'mallory.pem'));
    const body = { ...entry(11), seq: 12, prev: entry(11).hash, keyId: mallory.keyId };
    const { hash: _h, sig: _s, ...unsigned } = body;
    const hash = auditEntryHash(unsigned);
    const result = await verifyLines([...lines, canonicalJson({ ...unsigned, hash, sig: mallory.sign(hash) })]);
    expect(result).toMatchObject({ ok: false, line: 12, reason: 'unknown-key' });
    expect(result.ok || result.message).toMatch(
      new RegExp(`signed by ${mallory.keyId}, which the registry does not record for log .* \\(it records ed25519:`),
    );
  });

  it('a whole log re-chained with valid hashes but without the key: the first rewritten line fails', async () => {
    const rechained = rechain(lines, 0);
    expect((JSON.parse(rechained[0] as string) as AuditEntry).prev).toBe(GENESIS_HASH);
    expect(await verifyLines(rechained)).toMatchObject({ ok: false, line: 1, reason: 'bad-signature', entries: 0 });
    const fromFive = await verifyLines(rechain(lines, 4));
    expect(fromFive).toMatchObject({ ok: false, line: 5, reason: 'bad-signature', entries: 4 });
    const mallory = await loadAuditSigner(join(home, 'mallory.pem'));
    expect(await verifyLines(rechain(lines, 0, mallory))).toMatchObject({ ok: false, line: 1, reason: 'unknown-key' });
  });

  it('a line whose body names another log, signed with the right key: it belongs elsewhere', async () => {
    const signer = await log.signer();
    const { hash: _h, sig: _s, ...body } = { ...entry(11), log: 'elsewhere-12345678' };
    const hash = auditEntryHash(body);
    const moved = [...lines.slice(0, 10), canonicalJson({ ...body, hash, sig: signer.sign(hash) })];
    expect(await verifyLines(moved)).toMatchObject({ ok: false, line: 11, reason: 'wrong-log' });
  });

  it('a registry that records no key of the log (emptied, or another one) vouches for no line', async () => {
    const other = openSqliteRegistry(join(home, 'other.db'));
    try {
      const result = await verifyAuditLog(log.path, other);
      expect(result).toMatchObject({ ok: false, line: 1, reason: 'unknown-key' });
      expect(result.ok || result.message).toMatch(
        /the registry records no key for log .*: it is empty, or another registry/,
      );
    } finally {
      await other.close();
    }
  });
});

describe('verifyAuditLog tells interrupted writes from tampering', () => {
  it('reports a signed line after the registry’s head as pending (a crash between the append and the mutation)', async () => {
    await log.append({ kind: 'alias', model: 'churn', version: 2, data: { alias: 'champion', previous: 1 } });
    expect(await verifyAuditLog(log.path, registry)).toMatchObject({
      ok: true,
      entries: 12,
      pending: [12],
      registryHead: { seq: 11 },
    });
  });

  it('sets a torn last line aside and reports it, without extending it', async () => {
    await appendFile(log.path, '{"data":{"alias":"champ');
    expect(await verifyAuditLog(log.path, registry)).toMatchObject({
      ok: true,
      entries: 11,
      pending: [],
      torn: { line: 12, bytes: 23 },
    });
  });

  it('accepts unsigned lines written before signing once a registered key adopted them, and catches their rewrite', async () => {
    const legacyHome = join(home, 'legacy');
    const legacy = unsignedLog(3);
    const audited = openAuditedHome(legacyHome);
    await writeLines(audited.log.path, legacy);
    await audited.registry.registerVersion(versionInput('churn', 'after-upgrade'));
    const result = await verifyAuditLog(audited.log.path, audited.registry);
    expect(result).toMatchObject({ ok: true, entries: 4, legacy: 3, pending: [], registryHead: { seq: 4 } });
    const keys = await audited.registry.auditKeys(await audited.log.id());
    expect(keys[0]?.legacyHead).toEqual({ seq: 3, hash: (JSON.parse(legacy[2] as string) as AuditEntry).hash });
    const after = await readLines(audited.log.path);
    const rewritten = rechain(after.slice(0, 3), 1);
    await writeLines(audited.log.path, [...rewritten, after[3] as string]);
    expect(await verifyAuditLog(audited.log.path, audited.registry)).toMatchObject({
      ok: false,
      line: 4,
      reason: 'edited',
    });
    await writeLines(audited.log.path, rewritten);
    const prefix = await verifyAuditLog(audited.log.path, audited.registry);
    expect(prefix).toMatchObject({ ok: false, line: 3, reason: 'edited' });
    expect(prefix.ok || prefix.message).toMatch(/the registry adopted the unsigned lines up to it as sha256:/);
    await audited.registry.close();
  });
});

/** `count` unsigned (format 1) lines, as Slipway wrote them before audit lines were signed. */
function unsignedLog(count: number): string[] {
  let prev = GENESIS_HASH;
  return Array.from({ length: count }, (_, i) => {
    const body = {
      seq: i + 1,
      at: '2026-01-01T00:00:00.000Z',
      kind: 'alias',
      model: 'old',
      version: 1,
      data: { alias: 'champion', previous: null },
      prev,
    };
    const hash = auditEntryHash(body as unknown as AuditEntry);
    prev = hash;
    return canonicalJson({ ...body, hash });
  });
}

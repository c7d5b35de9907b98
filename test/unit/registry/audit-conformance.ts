/**
 * The audit anchor part of the `ModelRegistry` conformance suite, run on every adapter: writers' keys, the head
 * each audited mutation stores (and only mutations that change something), a recorder that fails leaving the
 * registry unchanged, and the whole trail — `withAudit` over the adapter, verified against it — catching a
 * removed last line, an appended line and a re-chained log.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import {
  auditEntryHash,
  loadAuditSigner,
  openAuditLog,
  verifyAuditLog,
  withAudit,
  type AuditEntry,
} from '../../../packages/activities/src/audit/index.js';
import type { AuditHead, ModelRegistry, PlannedMutation } from '../../../packages/activities/src/ports.js';
import { canonicalJson } from '../../../packages/activities/src/util/digest.js';
import { rechain, writeDemoHistory } from '../audit/audit-fixtures.js';
import { approvalInput, deploymentInput, failureOf, registerMany, versionInput } from './registry-fixtures.js';

const hash = (digit: string) => `sha256:${digit.repeat(64)}`;

/** A recorder that hands out heads of `logId` at seq 1, 2, 3, … and remembers what it was told. */
function fakeRecorder(logId: string, start = 1) {
  const planned: PlannedMutation[] = [];
  let seq = start;
  const audit = (p: PlannedMutation): Promise<AuditHead> => {
    planned.push(p);
    const head = { logId, seq, hash: hash((seq % 10).toString()) };
    seq++;
    return Promise.resolve(head);
  };
  return { audit, planned };
}

/** Runs the audit anchor conformance tests against the registry `get` returns. */
export function describeAuditAnchor(get: () => ModelRegistry): void {
  describe('audit keys', () => {
    it('records a log’s public key once, and lists the keys of that log only', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'slipway-anchor-'));
      try {
        const [a, b] = [await loadAuditSigner(join(dir, 'a.pem')), await loadAuditSigner(join(dir, 'b.pem'))];
        const logId = `host-${dir.slice(-6)}`;
        const key = { logId, keyId: a.keyId, publicKey: a.publicKey };
        expect(await get().registerAuditKey(key)).toEqual({ created: true });
        expect(await get().registerAuditKey(key)).toEqual({ created: false });
        const legacyHead = { seq: 7, hash: hash('c') };
        await get().registerAuditKey({ logId, keyId: b.keyId, publicKey: b.publicKey, legacyHead });
        await get().registerAuditKey({ logId: `${logId}-other`, keyId: b.keyId, publicKey: b.publicKey });
        const keys = await get().auditKeys(logId);
        expect(keys.map((k) => k.keyId).sort()).toEqual([a.keyId, b.keyId].sort());
        expect(keys.find((k) => k.keyId === a.keyId)).toMatchObject({ ...key, registeredAt: expect.any(String) });
        expect(keys.find((k) => k.keyId === b.keyId)?.legacyHead).toEqual(legacyHead);
        expect(await get().auditKeys('no-such-log')).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('refuses a key id that is not the hash of the public key, and malformed keys', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'slipway-anchor-'));
      try {
        const [a, b] = [await loadAuditSigner(join(dir, 'a.pem')), await loadAuditSigner(join(dir, 'b.pem'))];
        const swapped = await failureOf(get().registerAuditKey({ logId: 'l', keyId: a.keyId, publicKey: b.publicKey }));
        expect(swapped.type).toBe(SlipwayErrorType.InvalidInput);
        expect(swapped.message).toMatch(/keyId: the key id is not the hash of the public key/);
        const bad = await failureOf(get().registerAuditKey({ logId: '', keyId: 'rsa:1', publicKey: '!!' }));
        expect(bad.message).toMatch(/logId.*keyId.*publicKey/s);
        expect(await get().auditKeys('l')).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('audit heads', () => {
    it('calls the recorder once per mutation that changes something, and stores the highest head per log', async () => {
      const registry = get();
      expect(await registry.auditHead('log-a')).toBeUndefined();
      const { audit, planned } = fakeRecorder('log-a');
      const { version } = await registry.registerVersion(versionInput('churn', 'k1'), { audit });
      await registry.setAlias('churn', 'champion', 1, { audit });
      await registry.setAlias('churn', 'champion', 1, { audit });
      await registry.recordApproval(approvalInput('churn', 1, 'a1'), { audit });
      await registry.recordDeployment(deploymentInput('churn', 1, 'd1'), { audit });
      // Retries that change nothing call no recorder.
      await registry.registerVersion(versionInput('churn', 'k1'), { audit });
      await registry.recordApproval(approvalInput('churn', 1, 'a1'), { audit });
      await registry.recordDeployment(deploymentInput('churn', 1, 'd1'), { audit });
      expect(planned.map((p) => p.kind)).toEqual(['register', 'alias', 'approval', 'deployment']);
      expect(planned[0]).toMatchObject({
        kind: 'register',
        idempotencyKey: 'k1',
        record: { name: 'churn', version: 1 },
      });
      expect(planned[0]?.kind === 'register' && planned[0].record).toEqual(version);
      expect(planned[1]).toEqual({ kind: 'alias', name: 'churn', alias: 'champion', version: 1, previous: null });
      expect(await registry.auditHead('log-a')).toEqual({ logId: 'log-a', seq: 4, hash: hash('4') });
      expect(await registry.auditHead('log-b')).toBeUndefined();
    });

    it('keeps the highest head when a retry applies an older pending line last, and heads per log apart', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 2);
      await registry.setAlias('churn', 'champion', 2, { audit: fakeRecorder('log-a', 9).audit });
      await registry.setAlias('churn', 'champion', 1, { audit: fakeRecorder('log-a', 5).audit, idempotencyKey: 'm' });
      await registry.recordApproval(approvalInput('churn', 2, 'a'), { audit: fakeRecorder('log-b', 3).audit });
      expect(await registry.auditHead('log-a')).toEqual({ logId: 'log-a', seq: 9, hash: hash('9') });
      expect(await registry.auditHead('log-b')).toEqual({ logId: 'log-b', seq: 3, hash: hash('3') });
    });

    it('applies nothing when the recorder fails, and the retry applies the mutation with its head', async () => {
      const registry = get();
      const failing = () => Promise.reject(new Error('the audit log is full'));
      await expect(registry.registerVersion(versionInput('churn', 'k1'), { audit: failing })).rejects.toThrow(/full/);
      expect(await registry.listVersions('churn')).toEqual([]);
      expect(await registry.resolve('churn', 'latest')).toBeUndefined();
      const { audit, planned } = fakeRecorder('log-a');
      expect(await registry.registerVersion(versionInput('churn', 'k1'), { audit })).toMatchObject({
        created: true,
        version: { version: 1 },
      });
      await expect(registry.recordApproval(approvalInput('churn', 1, 'a1'), { audit: failing })).rejects.toThrow();
      await expect(
        registry.setAlias('churn', 'champion', 1, { audit: failing, idempotencyKey: 'm' }),
      ).rejects.toThrow();
      expect((await registry.getVersion('churn', 1))?.approvals).toEqual([]);
      expect(await registry.getAlias('churn', 'champion')).toBeUndefined();
      await registry.recordApproval(approvalInput('churn', 1, 'a1'), { audit });
      expect(await registry.setAlias('churn', 'champion', 1, { audit, idempotencyKey: 'm' })).toEqual({
        previous: null,
      });
      expect(planned.map((p) => p.kind)).toEqual(['register', 'approval', 'alias']);
      expect(await registry.auditHead('log-a')).toMatchObject({ seq: 3 });
    });
  });

  describeAuditedTrail(get);
}

function describeAuditedTrail(get: () => ModelRegistry): void {
  describe('the audited trail, verified against this registry', () => {
    it('verifies intact; a removed last line, an appended line and a re-chained log each fail, naming the line', async () => {
      const home = await mkdtemp(join(tmpdir(), 'slipway-trail-'));
      try {
        const log = openAuditLog(join(home, 'audit.log'));
        await writeDemoHistory(withAudit(get(), log));
        const lines = (await readFile(log.path, 'utf8')).split('\n').slice(0, -1);
        const last = JSON.parse(lines[10] as string) as AuditEntry;
        expect(await verifyAuditLog(log.path, get())).toMatchObject({
          ok: true,
          entries: 11,
          pending: [],
          registryHead: { logId: await log.id(), seq: 11, hash: last.hash },
        });
        const copy = join(home, 'copy.log');
        const check = async (edited: string[]) => {
          await writeFile(copy, edited.map((l) => `${l}\n`).join(''));
          return verifyAuditLog(copy, get());
        };
        expect(await check(lines.slice(0, 10))).toMatchObject({ ok: false, line: 11, reason: 'removed' });
        const { sig: _sig, ...unsigned } = { ...last, seq: 12, prev: last.hash, actor: 'mallory' };
        const appended = canonicalJson({ ...unsigned, hash: auditEntryHash(unsigned) });
        expect(await check([...lines, appended])).toMatchObject({ ok: false, line: 12, reason: 'unsigned' });
        expect(await check(rechain(lines, 2))).toMatchObject({ ok: false, line: 3, reason: 'bad-signature' });
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    });
  });
}

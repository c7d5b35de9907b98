/**
 * `withAudit`: one signed audit line per registry mutation that changes something, written before the registry
 * applies it and covered by the head the registry stores; none for retries; the retry after a crash between the
 * append and the registry write applies the mutation with the pending line; model cards; the worker's wiring.
 */
import { mkdtemp, readFile, rm, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import {
  auditLogPathOf,
  loadAuditSigner,
  openAuditLog,
  readAuditEntries,
  renderModelCard,
  verifyAuditLog,
  withAudit,
  type AuditLog,
} from '../../../packages/activities/src/audit/index.js';
import type { ModelRegistry } from '../../../packages/activities/src/ports.js';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';
import { loadConfig } from '../../../packages/worker/src/config/index.js';
import { embeddedDeps } from '../../../packages/worker/src/worker/create-worker.js';
import { approvalInput, deploymentInput, failureOf, versionInput } from '../registry/registry-fixtures.js';
import { crashAfterAudit, writeDemoHistory } from './audit-fixtures.js';

let home: string;
let raw: ModelRegistry;
let log: AuditLog;
let registry: ModelRegistry;
const kinds = async () => (await readAuditEntries(log.path)).map((e) => `${e.kind} ${e.model} v${e.version}`);

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-with-audit-'));
  raw = openSqliteRegistry(join(home, 'registry.db'));
  log = openAuditLog(join(home, 'audit.log'));
  registry = withAudit(raw, log, { artifacts: createFsArtifactStore(join(home, 'artifacts')), actor: () => 'ops' });
});
afterEach(async () => {
  await registry.close();
  await rm(home, { recursive: true, force: true });
});

describe('withAudit', () => {
  it('appends one entry per mutation, before the registry applies it with the entry’s head', async () => {
    await writeDemoHistory(registry);
    expect(await kinds()).toEqual([
      'register churn v1',
      'alias churn v1',
      'approval churn v1',
      'alias churn v1',
      'deployment churn v1',
      'register churn v2',
      'approval churn v2',
      'alias churn v2',
      'deployment churn v2',
      'rollback churn v2',
      'alias churn v1',
    ]);
    const entries = await readAuditEntries(log.path);
    expect(entries[0]).toMatchObject({ actor: 'ops', data: { idempotencyKey: 'register-1', metrics: { auc: 0.95 } } });
    expect(entries[0]?.data.lineage).toMatchObject({
      datasetUri: 'file:///data/churn.csv',
      trainer: 'logistic-regression',
    });
    expect(entries[2]).toMatchObject({ actor: 'maria, lee', data: { outcome: 'approved', workflowId: 'wf-gate' } });
    expect(entries[7]?.data).toEqual({ alias: 'champion', previous: 1 });
    expect(entries[9]?.data).toMatchObject({ status: 'rolled_back', detail: 'p99 latency guard failed at 10%' });
    expect(entries[10]?.data).toEqual({ alias: 'champion', previous: 2 });
    expect(await verifyAuditLog(log.path, raw)).toMatchObject({ ok: true, entries: 11, pending: [] });
    const logId = await log.id();
    expect(await raw.auditHead(logId)).toEqual({ logId, seq: 11, hash: entries[10]?.hash });
    const signer = await log.signer();
    expect(await raw.auditKeys(logId)).toEqual([
      { logId, keyId: signer.keyId, publicKey: signer.publicKey, registeredAt: expect.any(String) },
    ]);
  });

  it('adds no line for retries that change nothing, nor for failed mutations', async () => {
    await registry.registerVersion(versionInput('churn', 'k1'));
    await registry.setAlias('churn', 'champion', 1);
    await registry.recordApproval(approvalInput('churn', 1, 'a1'));
    await registry.recordDeployment(deploymentInput('churn', 1, 'd1'));
    const before = await readFile(log.path, 'utf8');
    expect((await registry.registerVersion(versionInput('churn', 'k1'))).created).toBe(false);
    expect(await registry.setAlias('churn', 'champion', 1)).toEqual({ previous: 1 });
    expect(await registry.recordApproval(approvalInput('churn', 1, 'a1'))).toEqual({ created: false });
    expect(await registry.recordDeployment(deploymentInput('churn', 1, 'd1'))).toEqual({ created: false });
    await failureOf(registry.setAlias('churn', 'latest', 1));
    await failureOf(registry.recordApproval(approvalInput('churn', 7, 'a7')));
    await failureOf(registry.registerVersion({ ...versionInput('churn', 'k2'), name: 'Bad Name' }));
    expect(await readFile(log.path, 'utf8')).toBe(before);
  });

  it('applies, with the pending line, what a crash between the append and the registry write left out', async () => {
    const crashing = withAudit(crashAfterAudit(raw), log, { actor: () => 'ops' });
    const calls: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      [
        'register',
        () => crashing.registerVersion(versionInput('churn', 'k1')),
        () => registry.registerVersion(versionInput('churn', 'k1')),
      ],
      ['alias', () => crashing.setAlias('churn', 'champion', 1), () => registry.setAlias('churn', 'champion', 1)],
      [
        'approval',
        () => crashing.recordApproval(approvalInput('churn', 1, 'a1')),
        () => registry.recordApproval(approvalInput('churn', 1, 'a1')),
      ],
      [
        'rollback',
        () => crashing.recordDeployment({ ...deploymentInput('churn', 1, 'd1'), status: 'rolled_back' }),
        () => registry.recordDeployment({ ...deploymentInput('churn', 1, 'd1'), status: 'rolled_back' }),
      ],
    ];
    for (const [kind, crash, retry] of calls) {
      await expect(crash()).rejects.toThrow('crashed after the audit line');
      const pending = await verifyAuditLog(log.path, raw);
      expect(pending.ok && pending.pending.length, kind).toBe(1);
      await retry();
      await retry();
      expect(await verifyAuditLog(log.path, raw), kind).toMatchObject({ ok: true, pending: [] });
    }
    expect(await kinds()).toEqual(['register churn v1', 'alias churn v1', 'approval churn v1', 'rollback churn v1']);
    expect(await raw.getAlias('churn', 'champion')).toBe(1);
    expect((await raw.getVersion('churn', 1))?.deployments.map((d) => d.status)).toEqual(['rolled_back']);
  });

  it('fails the call and changes nothing when the log cannot be written; the retry writes both', async () => {
    const blocked = withAudit(raw, openAuditLog(join(home, 'blocked', 'audit.log')));
    await mkdir(join(home, 'blocked', 'audit.log'), { recursive: true });
    await expect(blocked.registerVersion(versionInput('churn', 'k1'))).rejects.toThrow(/EISDIR/);
    expect(await raw.listVersions('churn')).toEqual([]);
    await rm(join(home, 'blocked', 'audit.log'), { recursive: true });
    expect((await blocked.registerVersion(versionInput('churn', 'k1'))).created).toBe(true);
    expect((await readAuditEntries(join(home, 'blocked', 'audit.log'))).map((e) => e.kind)).toEqual(['register']);
  });

  it('stores each new version’s markdown model card and names it in the register entry', async () => {
    const { version } = await registry.registerVersion(versionInput('churn', 'k1'));
    const card = (await readAuditEntries(log.path))[0]?.data.modelCard as { uri: string; digest: string };
    expect(card).toMatchObject({
      mediaType: 'text/markdown; charset=utf-8',
      digest: expect.stringMatching(/^sha256:/),
    });
    const bytes = await createFsArtifactStore(join(home, 'artifacts')).getBytes(card);
    expect(bytes.toString('utf8')).toBe(renderModelCard(version));
    expect(card.uri).toMatch(/\.md$/);
  });

  it('passes reads and unknown methods through, and wraps a registry once per log', async () => {
    const extended = Object.assign(Object.create(raw) as ModelRegistry, { listRuns: () => Promise.resolve(['r1']) });
    const audited = withAudit(extended, log) as ModelRegistry & { listRuns(): Promise<string[]> };
    expect(await audited.listRuns()).toEqual(['r1']);
    await audited.registerVersion(versionInput('churn', 'k1'));
    expect((await audited.resolve('churn', 'latest'))?.version).toBe(1);
    expect(auditLogPathOf(audited)).toBe(log.path);
    expect(auditLogPathOf(raw)).toBeUndefined();
    expect(withAudit(audited, log)).toBe(audited);
    expect(() => withAudit(audited, openAuditLog(join(home, 'other.log')))).toThrow(
      `This registry is already audited into ${log.path}; it cannot also be audited into ${join(home, 'other.log')}`,
    );
    expect(await kinds()).toEqual(['register churn v1']);
  });
});

describe('embeddedDeps', () => {
  it('always audits the worker’s registry into <home>/audit.log, once even when given an audited one', async () => {
    const config = loadConfig({ cwd: home, env: {}, overrides: { home: join(home, 'worker-home') } });
    const deps = embeddedDeps(config);
    const again = embeddedDeps(config, { registry: deps.registry, artifacts: deps.artifacts });
    expect(again.registry).toBe(deps.registry);
    await again.registry.registerVersion(versionInput('churn', 'k1'));
    await again.registry.setAlias('churn', 'champion', 1);
    const entries = await readAuditEntries(join(home, 'worker-home', 'audit.log'));
    expect(entries.map((e) => e.kind)).toEqual(['register', 'alias']);
    expect(entries[0]?.data.modelCard).toMatchObject({
      uri: expect.stringContaining(join('worker-home', 'artifacts')),
    });
    expect(entries[0]?.keyId).toBe((await loadAuditSigner(config.audit.keyFile)).keyId);
    expect((await stat(join(home, 'worker-home', 'audit-key.pem'))).mode & 0o777).toBe(0o600);
    await deps.registry.close();
  });
});

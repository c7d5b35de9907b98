/**
 * `withAudit`: one audit line per registry mutation that changed something, none for retries, catch-up after a
 * crash between the registry write and the append, model cards, and the worker's wiring.
 */
import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import {
  auditLogPathOf,
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
import { writeDemoHistory } from './audit-fixtures.js';

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
  it('appends one entry per mutation, after it, with what changed', async () => {
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
    expect(await verifyAuditLog(log.path)).toMatchObject({ ok: true, entries: 11 });
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

  it('appends, once, what a crash between the registry write and the append left out', async () => {
    // The registry writes happened, the process died before appending: the retries change nothing in the registry.
    await raw.registerVersion(versionInput('churn', 'k1'));
    await raw.setAlias('churn', 'champion', 1);
    await raw.recordApproval(approvalInput('churn', 1, 'a1'));
    await raw.recordDeployment({ ...deploymentInput('churn', 1, 'd1'), status: 'rolled_back' });
    for (let attempt = 0; attempt < 2; attempt++) {
      await registry.registerVersion(versionInput('churn', 'k1'));
      await registry.setAlias('churn', 'champion', 1);
      await registry.recordApproval(approvalInput('churn', 1, 'a1'));
      await registry.recordDeployment({ ...deploymentInput('churn', 1, 'd1'), status: 'rolled_back' });
    }
    expect(await kinds()).toEqual(['register churn v1', 'alias churn v1', 'approval churn v1', 'rollback churn v1']);
    const alias = (await readAuditEntries(log.path))[1];
    expect(alias?.data).toEqual({ alias: 'champion', previous: null, reconciled: true });
  });

  it('fails the call when the log cannot be written, and the retry appends the line', async () => {
    const blocked = withAudit(raw, openAuditLog(join(home, 'blocked', 'audit.log')));
    await mkdir(join(home, 'blocked', 'audit.log'), { recursive: true });
    await expect(blocked.registerVersion(versionInput('churn', 'k1'))).rejects.toThrow(/EISDIR/);
    await rm(join(home, 'blocked'), { recursive: true });
    expect((await blocked.registerVersion(versionInput('churn', 'k1'))).created).toBe(false);
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
    await deps.registry.close();
  });
});

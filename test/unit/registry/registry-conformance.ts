/**
 * The `ModelRegistry` conformance suite: every registry adapter (SQLite, MLflow, …) runs it with a
 * factory that returns a fresh registry with no models (tracking runs may remain: the tracking tests use
 * experiment names and tags of their own). It covers versions, aliases, approvals, deployments, experiment
 * tracking, idempotency under retry with a failure injected after the write, and the audit trail's anchor (keys,
 * heads, and a trail verified against the registry).
 *
 * ```ts
 * describeRegistryConformance('sqlite', async () => openSqliteRegistry(await tempDbPath()));
 * ```
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import type {
  ModelRegistry,
  RecordApprovalInput,
  RecordDeploymentInput,
} from '../../../packages/activities/src/ports.js';
import {
  approvalInput,
  artifactRef,
  deploymentInput,
  failureOf,
  registerMany,
  versionInput,
} from './registry-fixtures.js';
import { describeAuditAnchor } from './audit-conformance.js';
import { describeRetryIdempotency, describeTracking } from './tracking-conformance.js';

/** Creates a fresh, empty registry for one test. */
export type RegistryFactory = () => ModelRegistry | Promise<ModelRegistry>;

/** Runs the `ModelRegistry` conformance suite against registries made by `factory`. */
export function describeRegistryConformance(adapter: string, factory: RegistryFactory): void {
  describe(`ModelRegistry conformance: ${adapter}`, () => {
    let registry: ModelRegistry;
    beforeEach(async () => {
      registry = await factory();
    });
    afterEach(async () => {
      await registry.close();
    });

    const get = (): ModelRegistry => registry;
    describeRegistration(get);
    describeRegistrationErrors(get);
    describeResolution(get);
    describeAliases(get);
    describeAliasErrors(get);
    describeListing(get);
    describeApprovalsAndDeployments(get);
    describeRecordingErrors(get);
    describeTracking(get);
    describeRetryIdempotency(get);
    describeAuditAnchor(get);
  });
}

function describeRegistration(get: () => ModelRegistry): void {
  describe('registerVersion', () => {
    it('numbers versions 1, 2, 3 per model and stores what it was given', async () => {
      const registry = get();
      const first = await registry.registerVersion(versionInput('churn', 'k1'));
      expect(first.created).toBe(true);
      expect(first.version).toMatchObject({ name: 'churn', version: 1, aliases: [], approvals: [], deployments: [] });
      const input = versionInput('churn', 'k2', { metrics: { accuracy: 0.93 } });
      const second = await registry.registerVersion(input);
      expect(second.version.version).toBe(2);
      expect((await registry.registerVersion(versionInput('fraud', 'k3'))).version.version).toBe(1);
      const stored = await registry.getVersion('churn', 2);
      expect(stored).toEqual(second.version);
      expect(stored?.artifact).toEqual(input.artifact);
      expect(stored?.metrics).toEqual({ accuracy: 0.93 });
      expect(stored?.lineage).toEqual(input.lineage);
      expect(Number.isNaN(Date.parse(stored?.createdAt ?? ''))).toBe(false);
    });

    it('returns the existing version with created: false for a retried idempotency key', async () => {
      const registry = get();
      const first = await registry.registerVersion(versionInput('churn', 'retry-me'));
      const retry = await registry.registerVersion(versionInput('churn', 'retry-me'));
      expect(retry).toEqual({ version: first.version, created: false });
      expect(await registry.listVersions('churn')).toHaveLength(1);
      expect((await registry.registerVersion(versionInput('churn', 'next'))).version.version).toBe(2);
    });

    it('gives concurrent registrations distinct consecutive versions', async () => {
      const registry = get();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => registry.registerVersion(versionInput('churn', `c${i}`))),
      );
      expect(results.map((r) => r.version.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });
  });
}

function describeRegistrationErrors(get: () => ModelRegistry): void {
  describe('registerVersion errors', () => {
    it('refuses an idempotency key already used for another model', async () => {
      const registry = get();
      await registry.registerVersion(versionInput('churn', 'shared'));
      const failure = await failureOf(registry.registerVersion(versionInput('fraud', 'shared')));
      expect(failure.type).toBe(SlipwayErrorType.InvalidInput);
      expect(failure.message).toContain('shared');
      expect(await registry.listVersions('fraud')).toEqual([]);
    });

    it('refuses invalid input, naming the field, and registers nothing', async () => {
      const registry = get();
      const badName = await failureOf(registry.registerVersion(versionInput('Not A Name', 'k')));
      expect(badName.type).toBe(SlipwayErrorType.InvalidInput);
      expect(badName.message).toContain('name');
      const badDigest = versionInput('churn', 'k', { artifact: { ...artifactRef('a'), digest: 'md5:abc' } });
      const failure = await failureOf(registry.registerVersion(badDigest));
      expect(failure.type).toBe(SlipwayErrorType.InvalidInput);
      expect(failure.message).toContain('artifact.digest');
      expect(await registry.listModels()).toEqual([]);
    });

    it('returns undefined for an unknown model or version', async () => {
      const registry = get();
      await registry.registerVersion(versionInput('churn', 'k1'));
      expect(await registry.getVersion('churn', 2)).toBeUndefined();
      expect(await registry.getVersion('nope', 1)).toBeUndefined();
    });
  });
}

function describeResolution(get: () => ModelRegistry): void {
  describe('resolve', () => {
    it('resolves 3, "3", "v3", an alias and "latest"', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 4);
      await registry.setAlias('churn', 'champion', 2);
      expect((await registry.resolve('churn', 3))?.version).toBe(3);
      expect((await registry.resolve('churn', '3'))?.version).toBe(3);
      expect((await registry.resolve('churn', 'v3'))?.version).toBe(3);
      const champion = await registry.resolve('churn', 'champion');
      expect(champion?.version).toBe(2);
      expect(champion?.aliases).toEqual(['champion']);
      expect((await registry.resolve('churn', 'latest'))?.version).toBe(4);
    });

    it('returns undefined for an unknown version, alias or model', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 1);
      expect(await registry.resolve('churn', 2)).toBeUndefined();
      expect(await registry.resolve('churn', 'v9')).toBeUndefined();
      expect(await registry.resolve('churn', 'challenger')).toBeUndefined();
      expect(await registry.resolve('nope', 'latest')).toBeUndefined();
      expect(await registry.resolve('nope', 1)).toBeUndefined();
    });

    it.each([0, -1, 1.5, '0', 'v0', ''])('refuses the version spec %j', async (spec) => {
      const failure = await failureOf(get().resolve('churn', spec));
      expect(failure.type).toBe(SlipwayErrorType.InvalidInput);
    });
  });
}

function describeAliases(get: () => ModelRegistry): void {
  describe('aliases', () => {
    it('returns the previous version, moves the alias, and is a no-op when already set', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 2);
      expect(await registry.getAlias('churn', 'champion')).toBeUndefined();
      expect(await registry.setAlias('churn', 'champion', 1)).toEqual({ previous: null });
      expect(await registry.setAlias('churn', 'champion', 1)).toEqual({ previous: 1 });
      expect(await registry.setAlias('churn', 'champion', 2)).toEqual({ previous: 1 });
      expect(await registry.getAlias('churn', 'champion')).toBe(2);
      expect((await registry.getVersion('churn', 1))?.aliases).toEqual([]);
      expect((await registry.getVersion('churn', 2))?.aliases).toEqual(['champion']);
    });

    it('lists every alias pointing at a version', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 1);
      await registry.setAlias('churn', 'champion', 1);
      await registry.setAlias('churn', 'baseline', 1);
      expect([...((await registry.getVersion('churn', 1))?.aliases ?? [])].sort()).toEqual(['baseline', 'champion']);
    });

    it('keeps aliases per model', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 2);
      await registerMany(registry, 'fraud', 1);
      await registry.setAlias('churn', 'champion', 2);
      await registry.setAlias('fraud', 'champion', 1);
      expect(await registry.getAlias('churn', 'champion')).toBe(2);
      expect(await registry.getAlias('fraud', 'champion')).toBe(1);
    });
  });
}

function describeAliasErrors(get: () => ModelRegistry): void {
  describe('alias errors', () => {
    it('fails with NotFound naming model and version when the version does not exist', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 1);
      await registry.setAlias('churn', 'champion', 1);
      const failure = await failureOf(registry.setAlias('churn', 'champion', 7));
      expect(failure.type).toBe(SlipwayErrorType.NotFound);
      expect(failure.message).toContain('churn');
      expect(failure.message).toContain('7');
      expect(await registry.getAlias('churn', 'champion')).toBe(1);
      const noModel = await failureOf(registry.setAlias('nope', 'champion', 1));
      expect(noModel.type).toBe(SlipwayErrorType.NotFound);
      expect(noModel.message).toContain('nope');
    });

    it.each(['v3', '3', 'latest', 'has space', ''])('refuses the alias name %j', async (alias) => {
      const registry = get();
      await registerMany(registry, 'churn', 1);
      const failure = await failureOf(registry.setAlias('churn', alias, 1));
      expect(failure.type).toBe(SlipwayErrorType.InvalidInput);
    });
  });
}

function describeListing(get: () => ModelRegistry): void {
  describe('listModels and listVersions', () => {
    it('lists nothing in an empty registry', async () => {
      expect(await get().listModels()).toEqual([]);
      expect(await get().listVersions('churn')).toEqual([]);
    });

    it('summarizes every model: latest version, versions count, aliases', async () => {
      const registry = get();
      await registerMany(registry, 'fraud', 1);
      await registerMany(registry, 'churn', 3);
      await registry.setAlias('churn', 'champion', 2);
      await registry.setAlias('churn', 'candidate', 3);
      const models = [...(await registry.listModels())].sort((a, b) => a.name.localeCompare(b.name));
      expect(models).toEqual([
        { name: 'churn', latestVersion: 3, versions: 3, aliases: { champion: 2, candidate: 3 } },
        { name: 'fraud', latestVersion: 1, versions: 1, aliases: {} },
      ]);
    });

    it('lists versions in ascending order with their relations', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 3);
      await registry.setAlias('churn', 'champion', 3);
      await registry.recordApproval(approvalInput('churn', 3, 'a3'));
      const versions = await registry.listVersions('churn');
      expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
      expect(versions[2]?.aliases).toEqual(['champion']);
      expect(versions[2]?.approvals).toHaveLength(1);
      expect(versions[0]?.approvals).toEqual([]);
      expect(versions[1]).toEqual(await registry.getVersion('churn', 2));
    });
  });
}

function describeApprovalsAndDeployments(get: () => ModelRegistry): void {
  describe('recordApproval and recordDeployment', () => {
    it('records an approval once per idempotency key', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 1);
      const input = approvalInput('churn', 1, 'gate-1');
      expect(await registry.recordApproval(input)).toEqual({ created: true });
      expect(await registry.recordApproval(input)).toEqual({ created: false });
      const approvals = (await registry.getVersion('churn', 1))?.approvals ?? [];
      expect(approvals).toHaveLength(1);
      const { name: _name, version: _version, idempotencyKey: _key, ...expected } = input;
      expect(approvals[0]).toMatchObject(expected);
      expect(Number.isNaN(Date.parse(approvals[0]?.recordedAt ?? ''))).toBe(false);
    });

    it("stores an approval's proof reference with it; a record made without one has none", async () => {
      const registry = get();
      await registerMany(registry, 'churn', 1);
      const proof = { uri: 'file:///proofs/p.json', digest: `sha256:${'c'.repeat(64)}` };
      await registry.recordApproval({ ...approvalInput('churn', 1, 'with-proof'), proof });
      await registry.recordApproval({ ...approvalInput('churn', 1, 'without-proof'), workflowId: 'wf-old' });
      const approvals = (await registry.getVersion('churn', 1))?.approvals ?? [];
      expect(approvals[0]?.proof).toEqual(proof);
      expect(approvals[1]?.workflowId).toBe('wf-old');
      expect(approvals[1]?.proof).toBeUndefined();
    });

    it('records a deployment once per idempotency key, with optional detail', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 2);
      const first = { ...deploymentInput('churn', 2, 'dep-1'), previousVersion: 1 };
      const failed = { ...deploymentInput('churn', 2, 'dep-2'), status: 'failed' as const, detail: 'smoke check: 500' };
      expect(await registry.recordDeployment(first)).toEqual({ created: true });
      expect(await registry.recordDeployment(first)).toEqual({ created: false });
      expect(await registry.recordDeployment(failed)).toEqual({ created: true });
      const deployments = (await registry.getVersion('churn', 2))?.deployments ?? [];
      expect(deployments).toHaveLength(2);
      expect(deployments[0]).toMatchObject({ deploymentId: 'dep-dep-1', previousVersion: 1, status: 'deployed' });
      expect(deployments[0]?.detail).toBeUndefined();
      expect(deployments[1]).toMatchObject({ status: 'failed', detail: 'smoke check: 500', previousVersion: null });
    });

    it('records a version retired after a newer one replaced it, once per key', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 2);
      await registry.recordDeployment(deploymentInput('churn', 1, 'v1'));
      const retired = {
        ...deploymentInput('churn', 1, 'v1-retired'),
        deploymentId: 'dep-v1',
        status: 'retired' as const,
        detail: 'replaced by v2 (dep-v2)',
      };
      expect(await registry.recordDeployment(retired)).toEqual({ created: true });
      expect(await registry.recordDeployment(retired)).toEqual({ created: false });
      const deployments = (await registry.getVersion('churn', 1))?.deployments ?? [];
      expect(deployments.map((d) => d.status)).toEqual(['deployed', 'retired']);
      expect(deployments[1]).toMatchObject({ deploymentId: 'dep-v1', detail: 'replaced by v2 (dep-v2)' });
    });

    it('returns approvals and deployments in the order they were recorded', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 1);
      for (const key of ['g1', 'g2', 'g3']) {
        await registry.recordApproval({ ...approvalInput('churn', 1, key), workflowId: key });
        await registry.recordDeployment(deploymentInput('churn', 1, key));
      }
      const record = await registry.getVersion('churn', 1);
      expect(record?.approvals.map((a) => a.workflowId)).toEqual(['g1', 'g2', 'g3']);
      expect(record?.deployments.map((d) => d.deploymentId)).toEqual(['dep-g1', 'dep-g2', 'dep-g3']);
    });
  });
}

function describeRecordingErrors(get: () => ModelRegistry): void {
  describe('recordApproval and recordDeployment errors', () => {
    it('fails with NotFound for a version that does not exist, recording nothing', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 1);
      const approval = await failureOf(registry.recordApproval(approvalInput('churn', 2, 'x')));
      expect(approval.type).toBe(SlipwayErrorType.NotFound);
      expect(approval.message).toContain('churn');
      const deployment = await failureOf(registry.recordDeployment(deploymentInput('nope', 1, 'y')));
      expect(deployment.type).toBe(SlipwayErrorType.NotFound);
      expect(deployment.message).toContain('nope');
      // The keys were not consumed: the same keys work once the version exists.
      await registerMany(registry, 'churn', 2);
      expect(await registry.recordApproval(approvalInput('churn', 2, 'x'))).toEqual({ created: true });
    });

    it('refuses an approval key reused for another version', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 2);
      await registry.recordApproval(approvalInput('churn', 1, 'gate'));
      const failure = await failureOf(registry.recordApproval(approvalInput('churn', 2, 'gate')));
      expect(failure.type).toBe(SlipwayErrorType.InvalidInput);
      expect((await registry.getVersion('churn', 2))?.approvals).toEqual([]);
    });

    it('refuses invalid approval and deployment input', async () => {
      const registry = get();
      await registerMany(registry, 'churn', 1);
      const badOutcome = { ...approvalInput('churn', 1, 'k'), outcome: 'maybe' } as unknown as RecordApprovalInput;
      expect((await failureOf(registry.recordApproval(badOutcome))).type).toBe(SlipwayErrorType.InvalidInput);
      const badStatus = { ...deploymentInput('churn', 1, 'k'), status: 'gone' } as unknown as RecordDeploymentInput;
      const failure = await failureOf(registry.recordDeployment(badStatus));
      expect(failure.type).toBe(SlipwayErrorType.InvalidInput);
      expect(failure.message).toContain('status');
    });
  });
}

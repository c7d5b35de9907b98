/**
 * Planning and authorizing a rollback, every refusal: the deploy target is scripted (a mock, for these refusal paths
 * only) and the registry answers version records as given. A refusal is a final `SlipwayRollbackRefused` naming the
 * model, the versions and why; a plan restores the previous deployment by the target's rollback, an older version
 * by a new deployment.
 */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { RollbackModelInput, SlipwayErrorType, failureType, type ModelStatusAnswer } from '@slipway/sdk';
import type {
  ApprovalRecord,
  ArtifactStore,
  DeployTarget,
  DirectorySource,
  DeploymentRecord,
  ModelRegistry,
  ModelVersionRecord,
} from '../../../packages/activities/src/ports.js';
import { authorizeRollback } from '../../../packages/activities/src/rollback/authorize.js';
import { planRollback } from '../../../packages/activities/src/rollback/plan.js';

const URL_ = 'http://127.0.0.1:8999';
const ARTIFACT = { uri: 'file:///a.json', digest: `sha256:${'a'.repeat(64)}`, size: 1 };
const d = (version: number) => ({ version, deploymentId: `churn-v${version}-x` });

function approval(
  approver: string,
  at = '2026-01-01T00:00:00.000Z',
  outcome: ApprovalRecord['outcome'] = 'approved',
): ApprovalRecord {
  return {
    outcome,
    decisions: [{ decision: outcome === 'approved' ? 'approve' : 'reject', approver, at, via: 'update' }],
    evidenceDigest: `sha256:${'e'.repeat(64)}`,
    workflowId: 'train-1',
    runId: 'run-1',
    recordedAt: at,
  };
}

function deployment(status: DeploymentRecord['status'], at = '2026-01-02T00:00:00.000Z'): DeploymentRecord {
  return {
    deploymentId: `dep-${status}`,
    serverUrl: URL_,
    alias: 'champion',
    previousVersion: null,
    status,
    recordedAt: at,
  };
}

function version(v: number, approvals: ApprovalRecord[], deployments: DeploymentRecord[]): ModelVersionRecord {
  return {
    name: 'churn',
    version: v,
    artifact: ARTIFACT,
    metrics: {},
    lineage: {} as ModelVersionRecord['lineage'],
    createdAt: '2026-01-01T00:00:00.000Z',
    aliases: [],
    approvals,
    deployments,
  };
}

/** Versions 1 and 2 served and were approved by maria; 3 was rejected and never served; 4 served unapproved. */
const RECORDS: Record<number, ModelVersionRecord> = {
  1: version(1, [approval('maria')], [deployment('deployed')]),
  2: version(2, [approval('maria')], [deployment('deployed')]),
  3: version(3, [approval('maria', undefined, 'rejected')], []),
  4: version(4, [], [deployment('deployed')]),
  5: version(5, [approval('maria')], [deployment('deployed'), deployment('rolled_back', '2026-01-03T00:00:00.000Z')]),
  6: version(6, [approval('maria')], [deployment('deployed')]),
};
const byVersion = (_: string, v: number) => Promise.resolve(RECORDS[v]);
const registry = { getVersion: byVersion, resolve: byVersion } as unknown as ModelRegistry;

function status(over: Partial<ModelStatusAnswer> = {}): ModelStatusAnswer {
  const committed = (x: { version: number; deploymentId: string }) => ({ ...x, artifact: ARTIFACT, deployedAt: 'now' });
  return {
    model: 'churn',
    status: 'serving',
    stable: committed(d(6)),
    candidate: null,
    weights: { stable: 100, candidate: 0 },
    mode: 'split',
    staged: null,
    previous: d(2),
    ended: [],
    ...over,
  };
}

function target(answer: ModelStatusAnswer | Error): DeployTarget {
  return {
    baseUrl: URL_,
    status: () => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)),
  } as unknown as DeployTarget;
}

const input = (to?: number) =>
  RollbackModelInput.parse({
    model: 'churn',
    reason: 'bad labels',
    deploy: { serverUrl: URL_ },
    ...(to ? { to } : {}),
  });
/** The authorization of a signer the live version's policy lets decide (it is tested in `authorizeRollback` below). */
const allowed = () => Promise.resolve();
const noArtifacts = {} as ArtifactStore;
const someDirectory = { read: () => Promise.reject(new Error('not read in these refusals')) } as DirectorySource;

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e as Error & { nonRetryable?: boolean },
  );
  expect(failureType(err)).toBe(SlipwayErrorType.RollbackRefused);
  expect(err.nonRetryable).toBe(true);
  return err.message;
}

describe('planRollback', () => {
  it('restores the previous deployment by the target rollback, an older version by a new deployment', async () => {
    const plan = await planRollback(target(status()), registry, input(), 'maria', allowed);
    expect(plan).toMatchObject({
      live: d(6),
      restore: { version: 2, deploymentId: d(2).deploymentId },
      method: 'rollback',
      by: 'maria',
    });
    const older = await planRollback(target(status()), registry, input(1), 'maria', allowed);
    expect(older).toMatchObject({ restore: { version: 1, deploymentId: null }, method: 'redeploy' });
  });

  it('refuses a model the target never served, or serves nothing of', async () => {
    const notFound = ApplicationFailure.create({
      type: SlipwayErrorType.NotFound,
      message: 'no such model',
      nonRetryable: true,
    });
    expect(await refusal(planRollback(target(notFound), registry, input(), 'maria', allowed))).toContain(
      'never served it',
    );
    const idle = status({ stable: null, status: 'idle', previous: null });
    expect(await refusal(planRollback(target(idle), registry, input(), 'maria', allowed))).toContain(
      'serves no version',
    );
  });

  it('authorizes the signer before it says anything about the versions', async () => {
    const outsider = () =>
      authorizeRollback({ registry, artifacts: noArtifacts }, { model: 'churn', version: 6, signer: 'eve' });
    const message = await refusal(planRollback(target(status({ previous: null })), registry, input(), 'eve', outsider));
    expect(message).toContain("Refusing eve's rollback");
    expect(message).not.toContain('nothing served before');
  });

  it('refuses while a rollout candidate holds traffic, pointing at the rollout abort', async () => {
    const committed = { ...d(7), artifact: ARTIFACT, deployedAt: 'now' };
    const rolling = status({ candidate: committed, weights: { stable: 90, candidate: 10 } });
    const message = await refusal(planRollback(target(rolling), registry, input(), 'maria', allowed));
    expect(message).toContain('version 7');
    expect(message).toContain('10 %');
    expect(message).toContain('slipway rollout abort churn');
  });

  it.each([
    ['no previous version', status({ previous: null }), undefined, 'nothing served before version 6'],
    ['--to the live version', status(), 6, 'version 6 is the live version'],
    ['--to a version not registered', status(), 9, 'version 9 is not in the registry'],
    ['--to a version that never served', status(), 3, 'version 3 never served'],
    ['--to a version never approved', status(), 4, 'version 4 has no approved approval on record'],
    [
      '--to a version rolled back after its approval',
      status(),
      5,
      'version 5 was rolled back (deployment dep-rolled_back',
    ],
  ])('refuses %s', async (_, answer, to, said) => {
    expect(await refusal(planRollback(target(answer), registry, input(to), 'maria', allowed))).toContain(said);
  });
});

describe('authorizeRollback', () => {
  // The allowed path (a proof that verifies, the policy resolved against the directory) runs against real keys and
  // a real directory in test/integration/rollback-command.test.ts; these are the refusals before any proof is read.
  const ask = (v: number, deps: { directory?: DirectorySource } = { directory: someDirectory }) =>
    authorizeRollback({ registry, artifacts: noArtifacts, ...deps }, { model: 'churn', version: v, signer: 'maria' });

  it('refuses when the worker has no directory of people', async () => {
    expect(await refusal(ask(6, {}))).toContain('no directory of people is configured');
  });

  it('refuses a live version without an approval with a stored proof, or not in the registry', async () => {
    expect(await refusal(ask(4))).toContain('version 4, which serves now, cannot be taken down on its approval');
    expect(await refusal(ask(4))).toContain('it has no approval on record');
    expect(await refusal(ask(3))).toContain('its last gate was rejected');
    expect(await refusal(ask(6))).toContain('recorded before approvals stored their proof');
    expect(await refusal(ask(9))).toContain('version 9, which serves now, is not in the registry');
  });
});

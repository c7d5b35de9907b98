/**
 * Error paths of the rollout activities that a correct model server never takes: a target that answers another split
 * than the one asked for, a promotion the read-back contradicts, an abort refused while the candidate still holds
 * traffic, a baseline window lost at a restart. The target is a scripted `DeployTarget` (a mock, for these error
 * paths only); the registry, artifacts, people and proofs are real.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SlipwayErrorType,
  failureType,
  rolloutCompensateStep,
  rolloutPromoteStep,
  rolloutReadStep,
  rolloutTrafficStep,
  type ModelStatusAnswer,
  type ModelVersionRef,
  type TrafficAnswer,
  type WindowAnswer,
} from '@slipway/sdk';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import { implementStep } from '../../../packages/activities/src/implement-step.js';
import type { DeployTarget, DirectorySource } from '../../../packages/activities/src/ports.js';
import { createRolloutCompensateActivity } from '../../../packages/activities/src/steps/rollout-compensate.js';
import { createRolloutPromoteActivity } from '../../../packages/activities/src/steps/rollout-promote.js';
import { createRolloutReadActivity } from '../../../packages/activities/src/steps/rollout-read.js';
import { createRolloutTrafficActivity } from '../../../packages/activities/src/steps/rollout-traffic.js';
import { registeredVersionProof } from '../../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';
import { logisticModel, openWorld, registerModel, testAccess, type TestWorld } from '../serve/fixtures.js';

const URL_ = 'http://127.0.0.1:8999';
const STABLE = { version: 1, deploymentId: 'churn-v1-stable' };
const CANDIDATE = { version: 2, deploymentId: 'churn-v2-candidate' };
const ARTIFACT = { uri: 'file:///a.json', digest: `sha256:${'a'.repeat(64)}`, size: 1 };

let world: TestWorld;
let people: TestPeople;
let directory: DirectorySource;
let v2: ModelVersionRef;

/** A target that fails every call not scripted by `over`. */
function scripted(over: Partial<DeployTarget>): DeployTarget {
  const unscripted = (what: string) => () => Promise.reject(new Error(`unscripted call: ${what}`));
  return {
    baseUrl: URL_,
    stage: unscripted('stage'),
    smoke: unscripted('smoke'),
    setTraffic: unscripted('setTraffic'),
    openWindow: unscripted('openWindow'),
    readWindow: unscripted('readWindow'),
    closeWindow: unscripted('closeWindow'),
    promote: unscripted('promote'),
    abort: unscripted('abort'),
    status: unscripted('status'),
    rollback: unscripted('rollback'),
    ...over,
  };
}

/** The status a target answers: `STABLE` serving, and `candidate` (if any) with its share. */
function status(
  candidate: { version: number; deploymentId: string } | null = null,
  weights = { stable: 100, candidate: 0 },
): ModelStatusAnswer {
  const committed = (d: { version: number; deploymentId: string }) => ({ ...d, artifact: ARTIFACT, deployedAt: 'now' });
  return {
    model: 'churn',
    status: 'serving',
    stable: committed(STABLE),
    candidate: candidate && committed(candidate),
    weights,
    mode: 'split',
    staged: null,
    previous: null,
    ended: [],
  };
}

/** A model server client failure as the client raises it (type, and the server's code in the first detail). */
function serverFailure(status: number, code: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: status === 404 ? SlipwayErrorType.NotFound : SlipwayErrorType.ModelServerRejected,
    message,
    nonRetryable: true,
    details: [{ method: 'POST', url: `${URL_}/x`, status, code }],
  });
}

function inActivity<T>(fn: (input: unknown) => Promise<T>, input: unknown, workflowId = 'wf-errors'): Promise<T> {
  const info = { activityId: 'step', workflowExecution: { workflowId, runId: `${workflowId}-run` } };
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') }).run(fn, input);
}

async function refusal(promise: Promise<unknown>): Promise<{ type?: string; message: string; nonRetryable?: boolean }> {
  const err = await promise.then(
    () => expect.fail('expected a failure'),
    (e: unknown) => e as Error & { nonRetryable?: boolean },
  );
  return { type: failureType(err), message: err.message, nonRetryable: err.nonRetryable };
}

const deps = (target: DeployTarget) => ({ modelServer: testAccess(URL_), target: () => target });

beforeAll(async () => {
  world = await openWorld('rollout-errors');
  people = await createTestPeople(`${world.root}/people`);
  directory = { location: people.directoryPath, read: () => loadPeopleDirectory(people.directoryPath) };
  await registerModel(world, 'churn', logisticModel({ bias: 0, tenure: 1, basic: 0, pro: 0 }));
  const { record } = await registerModel(world, 'churn', logisticModel({ bias: 1, tenure: -1, basic: 0, pro: 0 }));
  v2 = { name: record.name, version: record.version, digest: record.artifact.digest };
});
afterAll(async () => {
  await world?.close();
});

describe('traffic', () => {
  const traffic = (target: DeployTarget) =>
    implementStep(rolloutTrafficStep, createRolloutTrafficActivity(deps(target)))['slipway.rollout.traffic'];
  const answer = (over: Partial<TrafficAnswer>): TrafficAnswer => ({
    model: 'churn',
    stable: STABLE,
    candidate: CANDIDATE,
    weights: { stable: 90, candidate: 10 },
    mode: 'split',
    ...over,
  });
  const run = (target: DeployTarget) =>
    inActivity(traffic(target), {
      version: v2,
      serverUrl: URL_,
      deploymentId: CANDIDATE.deploymentId,
      percent: 10,
      mode: 'split',
      windowId: 'wf-errors-s0-1',
    });

  it('refuses an answer with another candidate or another split, before it opens the window', async () => {
    let opened = 0;
    const openWindow = () => {
      opened++;
      return Promise.reject(new Error('must not open'));
    };
    const other = await refusal(
      run(scripted({ setTraffic: () => Promise.resolve(answer({ candidate: STABLE })), openWindow })),
    );
    expect(other).toMatchObject({ type: SlipwayErrorType.InvalidOutput, nonRetryable: true });
    expect(other.message).toBe(
      `${URL_} answered a split of model "churn" that is not the one asked for (10 % split to "${CANDIDATE.deploymentId}", ` +
        `version 2): its candidate is "${STABLE.deploymentId}" (version 1)`,
    );
    const split = await refusal(
      run(
        scripted({
          setTraffic: () => Promise.resolve(answer({ weights: { stable: 50, candidate: 50 }, mode: 'shadow' })),
          openWindow,
        }),
      ),
    );
    expect(split.message).toContain('its split is 50 % shadow');
    expect(opened).toBe(0);
  });
});

describe('read', () => {
  const read = (target: DeployTarget) =>
    implementStep(rolloutReadStep, createRolloutReadActivity(deps(target)))['slipway.rollout.read'];
  const reading = (who: { version: number; deploymentId: string }, requests: number, p99Ms: number) => ({
    ...who,
    requests,
    errors: 0,
    rejected: 0,
    rows: requests,
    latency: { p50Ms: p99Ms / 2, p99Ms },
    scores: [],
  });
  const window = (windowId: string, stableRequests: number): WindowAnswer => ({
    model: 'churn',
    windowId,
    openedAt: 'then',
    closedAt: null,
    candidate: reading(CANDIDATE, 50, 8),
    stable: stableRequests > 0 ? reading(STABLE, stableRequests, 4) : null,
  });
  const input = (baselineWindowId?: string) => ({
    version: v2,
    serverUrl: URL_,
    deploymentId: CANDIDATE.deploymentId,
    windowId: 'w-now',
    ...(baselineWindowId ? { baselineWindowId } : {}),
    guards: { minRequests: 20, maxP99Ratio: 3 },
  });

  it('reads a lost baseline window as no baseline (the relative guard holds), not as a lost step', async () => {
    const target = scripted({
      readWindow: (_model, id) =>
        id === 'w-now'
          ? Promise.resolve(window('w-now', 0))
          : Promise.reject(serverFailure(404, 'UnknownWindow', `no window ${id}`)),
    });
    const out = await inActivity(read(target), input('w-before'));
    expect(out.lost).toBe(false);
    if (out.lost) return;
    expect(out.readings.baseline).toBeNull();
    expect(out.verdict.verdict).toBe('hold');
    // With the baseline window held, the same step compares with it.
    const held = scripted({
      readWindow: (_model, id) => Promise.resolve(id === 'w-now' ? window('w-now', 0) : window(id, 100)),
    });
    const compared = await inActivity(read(held), input('w-before'));
    expect(!compared.lost && compared.readings.p99Ratio).toBe(2);
    expect(!compared.lost && compared.verdict.verdict).toBe('pass');
  });

  it('fails on a failure other than an unknown window (an unknown model is not a lost window)', async () => {
    const target = scripted({
      readWindow: () =>
        Promise.reject(serverFailure(404, 'UnknownModel', 'Model "churn" has never been deployed here')),
    });
    const failed = await refusal(inActivity(read(target), input()));
    expect(failed.type).toBe(SlipwayErrorType.NotFound);
    expect(failed.message).toContain('never been deployed');
  });
});

describe('promote', () => {
  const promote = (target: DeployTarget) =>
    implementStep(
      rolloutPromoteStep,
      createRolloutPromoteActivity({ ...deps(target), registry: world.registry, directory }),
    )['slipway.rollout.promote'];

  it('leaves the registry untouched when the read-back contradicts the promotion, and retries', async () => {
    const proof = await registeredVersionProof(world.registry, v2, { people, workflowId: 'wf-errors' });
    const target = scripted({
      promote: () => Promise.resolve({ model: 'churn', stable: CANDIDATE, previous: STABLE }),
      status: () =>
        Promise.resolve(status({ version: 3, deploymentId: 'churn-v3-other' }, { stable: 90, candidate: 10 })),
    });
    const failed = await refusal(
      inActivity(promote(target), { version: v2, serverUrl: URL_, deploymentId: CANDIDATE.deploymentId, proof }),
    );
    expect(failed.nonRetryable).toBeFalsy();
    expect(failed.message).toBe(
      `After promoting "${CANDIDATE.deploymentId}" (model "churn" version 2), ${URL_} serves "${STABLE.deploymentId}" ` +
        '(version 1) as stable with candidate "churn-v3-other" (version 3): the registry is left as it was',
    );
    expect(await world.registry.getAlias('churn', 'champion')).toBeUndefined();
    expect((await world.registry.getVersion('churn', 2))?.deployments).toEqual([]);
  });

  it('refuses a promotion answer that names another deployment as stable', async () => {
    const proof = await registeredVersionProof(world.registry, v2, { people, workflowId: 'wf-errors' });
    const target = scripted({
      promote: () => Promise.resolve({ model: 'churn', stable: STABLE, previous: null }),
    });
    const failed = await refusal(
      inActivity(promote(target), { version: v2, serverUrl: URL_, deploymentId: CANDIDATE.deploymentId, proof }),
    );
    expect(failed).toMatchObject({ type: SlipwayErrorType.InvalidOutput, nonRetryable: true });
    expect(await world.registry.getAlias('churn', 'champion')).toBeUndefined();
  });
});

describe('compensate', () => {
  const compensate = (target: DeployTarget) =>
    implementStep(
      rolloutCompensateStep,
      createRolloutCompensateActivity({ ...deps(target), registry: world.registry }),
    )['slipway.rollout.compensate'];
  const input = { serverUrl: URL_, deploymentId: CANDIDATE.deploymentId, reason: 'error rate breached' };

  it('retries while an abort is refused and the candidate still holds traffic', async () => {
    const target = scripted({
      abort: () => Promise.reject(serverFailure(409, 'Conflict', 'busy')),
      status: () => Promise.resolve(status(CANDIDATE, { stable: 90, candidate: 10 })),
    });
    const failed = await refusal(inActivity(compensate(target), { ...input, version: v2 }));
    expect(failed.nonRetryable).toBeFalsy();
    expect(failed.message).toBe(
      `After aborting "${CANDIDATE.deploymentId}" (model "churn" version 2), ${URL_} still holds it as the ` +
        'candidate (10 % split): retrying',
    );
    expect((await world.registry.getVersion('churn', 2))?.deployments).toEqual([]);
  });

  it('goes on when the abort is refused because nothing of the candidate serves any more (lost at a restart)', async () => {
    const target = scripted({
      abort: () => Promise.reject(serverFailure(409, 'DeploymentAbandoned', 'abandoned at a restart')),
      status: () => Promise.resolve(status()),
    });
    const out = await inActivity(compensate(target), { ...input, deploymentId: 'churn-v2-lost', version: v2 });
    // Nothing of it serves; the alias is put on what serves, and the rollback is recorded.
    expect(out).toEqual({ live: STABLE, aliasVersion: 1 });
    const records = (await world.registry.getVersion('churn', 2))?.deployments ?? [];
    expect(records.map((d) => [d.deploymentId, d.status, d.detail])).toEqual([
      ['churn-v2-lost', 'rolled_back', 'error rate breached'],
    ]);
  });
});

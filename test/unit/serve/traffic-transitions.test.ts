/**
 * The rollout's state transitions, as pure functions: a staged deployment becomes the candidate, gets new weights,
 * is promoted (the old stable goes to the history) or aborted (recorded as rolled back with the reason); repeats
 * change nothing; every step the state does not allow is refused naming the deployments involved.
 */
import { describe, expect, it } from 'vitest';
import type { ArtifactRef } from '@slipway/sdk';
import { isServeError, type ServeError } from '../../../packages/worker/src/serve/protocol.js';
import {
  emptyModelState,
  ModelServingState,
  type DeploymentEntry,
  type StagedEntry,
} from '../../../packages/worker/src/serve/serving-state.js';
import { withRollback, withStaged } from '../../../packages/worker/src/serve/serving-transitions.js';
import { withAborted, withPromoted, withTraffic } from '../../../packages/worker/src/serve/traffic-transitions.js';

const artifact = (n: number): ArtifactRef => ({
  uri: `file:///a/${n}.json`,
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: 10,
  mediaType: 'application/json',
});
const stable: DeploymentEntry = {
  deploymentId: 's1',
  version: 1,
  artifact: artifact(1),
  stagedAt: '2026-01-01T00:00:00.000Z',
  deployedAt: '2026-01-01T00:00:01.000Z',
  previous: null,
};
const staged: StagedEntry = {
  deploymentId: 'c2',
  version: 2,
  artifact: artifact(2),
  stagedAt: '2026-01-02T00:00:00.000Z',
};
const T1 = '2026-01-03T00:00:00.000Z';
const T2 = '2026-01-04T00:00:00.000Z';
const base = (): ModelServingState => withStaged({ ...emptyModelState(), stable }, staged);
const split = (candidate: number, mode: 'split' | 'shadow' = 'split') => ({
  candidate: 'c2',
  weights: { stable: 100 - candidate, candidate },
  mode,
});

/** The ServeError `fn` throws. */
function refusal(fn: () => unknown): ServeError {
  try {
    fn();
  } catch (err) {
    if (isServeError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal, got none');
}

describe('traffic transitions', () => {
  it('makes the staged deployment the candidate with its share, remembering what was stable', () => {
    const { next, answer } = withTraffic('churn', base(), split(10), T1);
    expect(next).toMatchObject({
      stable: { deploymentId: 's1' },
      candidate: { deploymentId: 'c2', version: 2, deployedAt: T1, previous: { version: 1, deploymentId: 's1' } },
      staged: null,
      weights: { stable: 90, candidate: 10 },
      mode: 'split',
    });
    expect(ModelServingState.safeParse(next).success).toBe(true);
    expect(answer).toEqual({
      model: 'churn',
      stable: { version: 1, deploymentId: 's1' },
      candidate: { version: 2, deploymentId: 'c2' },
      weights: { stable: 90, candidate: 10 },
      mode: 'split',
    });
  });

  it('changes the weights or mode of the candidate, and a repeat changes nothing', () => {
    const first = withTraffic('churn', base(), split(10), T1).next as ModelServingState;
    const again = withTraffic('churn', first, split(10), T2);
    expect(again.next).toBeUndefined();
    expect(again.answer.weights).toEqual({ stable: 90, candidate: 10 });
    const grown = withTraffic('churn', first, split(50, 'shadow'), T2).next as ModelServingState;
    expect(grown).toMatchObject({ weights: { stable: 50, candidate: 50 }, mode: 'shadow' });
    // Growing the share keeps when the candidate got its first traffic.
    expect(grown.candidate?.deployedAt).toBe(T1);
  });

  it('promotes the candidate: stable with all traffic, the old stable in the history; a repeat answers the same', () => {
    const withCandidate = withTraffic('churn', base(), split(50), T1).next as ModelServingState;
    const promoted = withPromoted('churn', withCandidate, 'c2', T2);
    expect(promoted.next).toMatchObject({
      stable: { deploymentId: 'c2', deployedAt: T2, previous: { deploymentId: 's1' } },
      candidate: null,
      weights: { stable: 100, candidate: 0 },
      mode: 'split',
      history: [{ deploymentId: 's1' }],
    });
    expect(promoted.answer).toEqual({
      model: 'churn',
      stable: { version: 2, deploymentId: 'c2' },
      previous: { version: 1, deploymentId: 's1' },
    });
    const repeat = withPromoted('churn', promoted.next, 'c2', '2030-01-01T00:00:00.000Z');
    expect(repeat).toEqual({ answer: promoted.answer });
    // The old stable is what a rollback restores.
    expect(withRollback(promoted.next as ModelServingState, T2).stable?.deploymentId).toBe('s1');
  });

  it('aborts the candidate (or a staged deployment): all traffic on stable, rolled back with the reason', () => {
    const withCandidate = withTraffic('churn', base(), split(50), T1).next as ModelServingState;
    const aborted = withAborted('churn', withCandidate, 'c2', 'p99 breach', T2);
    expect(aborted.next).toMatchObject({
      stable: { deploymentId: 's1' },
      candidate: null,
      weights: { stable: 100, candidate: 0 },
      mode: 'split',
      rolledBack: [
        { deploymentId: 'c2', version: 2, rolledBackAt: T2, restored: { deploymentId: 's1' }, reason: 'p99 breach' },
      ],
    });
    expect(aborted.answer).toEqual({
      model: 'churn',
      rolledBack: { version: 2, deploymentId: 'c2' },
      stable: { version: 1, deploymentId: 's1' },
    });
    expect(withAborted('churn', aborted.next, 'c2', 'again', T2)).toEqual({ answer: aborted.answer });

    const abortedStaged = withAborted('churn', base(), 'c2', 'smoke failed', T1);
    expect(abortedStaged.next).toMatchObject({
      staged: null,
      candidate: null,
      rolledBack: [{ reason: 'smoke failed' }],
    });
  });

  it('refuses a second candidate while one is set, naming both', () => {
    const withCandidate = withTraffic('churn', base(), split(10), T1).next as ModelServingState;
    const other: StagedEntry = { ...staged, deploymentId: 'c3', version: 3 };
    const err = refusal(() =>
      withTraffic('churn', withStaged(withCandidate, other), { ...split(10), candidate: 'c3' }, T2),
    );
    expect(err).toMatchObject({ status: 409, code: 'CandidateConflict' });
    expect(err.message).toMatch(/candidate "c2" \(version 2\).*deployment "c3" must wait/);
  });

  it('refuses a split naming the stable, an unknown, or a superseded deployment', () => {
    const stableSplit = refusal(() => withTraffic('churn', base(), { ...split(10), candidate: 's1' }, T1));
    expect(stableSplit).toMatchObject({ status: 409, code: 'NotCandidate' });
    expect(stableSplit.message).toMatch(
      /"s1".*is stable, neither staged nor the candidate.*staged: "c2" \(version 2\)/,
    );
    expect(refusal(() => withTraffic('churn', base(), { ...split(10), candidate: 'nope' }, T1))).toMatchObject({
      status: 404,
      code: 'UnknownDeployment',
    });
    expect(refusal(() => withTraffic('lost', undefined, split(10), T1))).toMatchObject({
      status: 404,
      code: 'UnknownModel',
    });
    const promoted = withPromoted('churn', withTraffic('churn', base(), split(10), T1).next, 'c2', T2).next;
    const superseded = withPromoted(
      'churn',
      withTraffic(
        'churn',
        withStaged(promoted, { ...staged, deploymentId: 'c3' }),
        { ...split(10), candidate: 'c3' },
        T2,
      ).next,
      'c3',
      T2,
    ).next;
    expect(refusal(() => withTraffic('churn', superseded, split(10), T2))).toMatchObject({
      status: 409,
      code: 'DeploymentSuperseded',
    });
  });

  it('refuses a split that leaves stable a share when nothing is stable', () => {
    const first = withStaged(undefined, staged);
    expect(refusal(() => withTraffic('churn', first, split(10), T1))).toMatchObject({ status: 409, code: 'NoStable' });
    expect(refusal(() => withTraffic('churn', first, split(100, 'shadow'), T1))).toMatchObject({ code: 'NoStable' });
    expect(withTraffic('churn', first, split(100), T1).next?.candidate?.deploymentId).toBe('c2');
  });

  it('refuses to promote what is not the candidate, and to abort the stable deployment', () => {
    const staging = refusal(() => withPromoted('churn', base(), 'c2', T1));
    expect(staging).toMatchObject({ status: 409, code: 'NotCandidate' });
    expect(staging.message).toMatch(/staged, not the candidate.*give it traffic first, or commit it/);
    expect(refusal(() => withPromoted('churn', base(), 'nope', T1))).toMatchObject({ status: 404 });
    const aborted = withAborted('churn', base(), 'c2', 'no', T1).next;
    expect(refusal(() => withPromoted('churn', aborted, 'c2', T1))).toMatchObject({
      status: 409,
      code: 'DeploymentRolledBack',
    });
    const stableAbort = refusal(() => withAborted('churn', base(), 's1', 'no', T1));
    expect(stableAbort).toMatchObject({ status: 409, code: 'NotCandidate' });
    expect(stableAbort.message).toMatch(/is stable.*roll it back/);
    expect(refusal(() => withAborted('churn', base(), 'nope', 'no', T1))).toMatchObject({ status: 404 });
  });
});

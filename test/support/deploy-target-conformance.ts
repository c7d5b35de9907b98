/**
 * The `DeployTarget` conformance suite: every deploy target adapter (the Slipway model server's client, the webhook
 * target) runs it with a fixture over a real serving platform. It drives the port as the rollout steps do — stage →
 * smoke → split → a window counts the traffic → close → promote; abort; the same call again answers the same — and
 * checks the refusals the steps rely on, typed alike on every adapter: a second candidate (409
 * `CandidateConflict`), a window lost at a restart (404 `UnknownWindow`, the split kept), a wrong token (401), an
 * unknown model and a promote of what is not the candidate.
 *
 * ```ts
 * describeDeployTargetConformance('webhook', () => fixture);
 * ```
 */
import { describe, expect, it } from 'vitest';
import { failureType, SlipwayErrorType, type ArtifactRef, type FeatureRow } from '@slipway/sdk';
import { ModelServerFailureType, modelServerFailureDetail } from '../../packages/activities/src/model-server/index.js';
import type { DeployTarget } from '../../packages/activities/src/ports.js';

/** A deploy target under test over a real serving platform, with the hooks the suite needs. */
export interface DeployTargetFixture {
  /** The target under test, with the right token. */
  readonly target: DeployTarget;
  /** The same target with a wrong token. */
  readonly wrongToken: DeployTarget;
  /** Three versions' model artifacts the platform can load (versions 1, 2 and 3). */
  readonly artifacts: readonly [ArtifactRef, ArtifactRef, ArtifactRef];
  /** A row every version scores. */
  readonly row: FeatureRow;
  /** Sends one request to the model's live traffic (the platform's data plane); answers which deployment answered. */
  predict(model: string, routeKey: string): Promise<{ version: number; deploymentId: string }>;
  /** Restarts the platform: what it measured in open windows is lost, what serves (and the split) is kept. */
  restart(): Promise<void>;
}

/** The failure `promise` rejects with: its type, detail and message. */
async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    return { type: failureType(err), detail: modelServerFailureDetail(err), message: (err as Error).message };
  }
  throw new Error('expected the target to refuse');
}

/** Runs the suite on the fixture `get()` returns (built by the caller's `beforeAll`). */
export function describeDeployTargetConformance(name: string, get: () => DeployTargetFixture): void {
  const model = (what: string) => `${name}-${what}`;

  /** Makes v1 (`<model>-s1`) the stable version through the port: staged, smoke-checked, all traffic, promoted. */
  async function firstStable(m: string): Promise<void> {
    const { target, artifacts, row } = get();
    expect(await target.stage(m, 's1', { version: 1, artifact: artifacts[0] })).toMatchObject({ status: 'staged' });
    expect(await target.smoke(m, 's1', [row])).toMatchObject({ model: m, version: 1, deploymentId: 's1' });
    const all = { stable: 0, candidate: 100 };
    await target.setTraffic(m, { candidate: 's1', weights: all, mode: 'split' });
    expect(await target.promote(m, 's1')).toEqual({
      model: m,
      stable: { version: 1, deploymentId: 's1' },
      previous: null,
    });
  }

  /** Stages `id` as version `version` and gives it `percent` of the traffic. */
  async function candidate(m: string, id: string, version: 2 | 3, percent: number): Promise<void> {
    const { target, artifacts } = get();
    await target.stage(m, id, { version, artifact: artifacts[version - 1] as ArtifactRef });
    await target.setTraffic(m, {
      candidate: id,
      weights: { stable: 100 - percent, candidate: percent },
      mode: 'split',
    });
  }

  describe(`DeployTarget conformance: ${name}`, () => {
    it('stages, smoke-checks, splits, counts a window’s traffic, closes it frozen, and promotes', async () => {
      const { target, artifacts, row } = get();
      const m = model('canary');
      await firstStable(m);
      const staged = await target.stage(m, 'c2', { version: 2, artifact: artifacts[1] });
      expect(staged).toMatchObject({
        model: m,
        version: 2,
        deploymentId: 'c2',
        status: 'staged',
        stable: { version: 1 },
      });
      const smoke = await target.smoke(m, 'c2', [row]);
      expect(smoke).toMatchObject({ version: 2, deploymentId: 'c2', task: 'binary' });
      expect(smoke.predictions).toHaveLength(1);
      const split = await target.setTraffic(m, {
        candidate: 'c2',
        weights: { stable: 70, candidate: 30 },
        mode: 'split',
      });
      expect(split).toEqual({
        model: m,
        stable: { version: 1, deploymentId: 's1' },
        candidate: { version: 2, deploymentId: 'c2' },
        weights: { stable: 70, candidate: 30 },
        mode: 'split',
      });
      const opened = await target.openWindow(m, 'w-canary-1');
      expect(opened).toMatchObject({ model: m, windowId: 'w-canary-1', closedAt: null, stable: null, candidate: null });

      const answered = new Map<string, number>();
      for (let i = 0; i < 40; i++) {
        const { deploymentId } = await get().predict(m, `key-${i}`);
        answered.set(deploymentId, (answered.get(deploymentId) ?? 0) + 1);
      }
      expect(answered.get('c2')).toBeGreaterThan(0);
      expect(answered.get('s1')).toBeGreaterThan(0);
      const read = await target.readWindow(m, 'w-canary-1');
      expect(read.candidate).toMatchObject({ deploymentId: 'c2', version: 2, requests: answered.get('c2'), errors: 0 });
      expect(read.stable).toMatchObject({ deploymentId: 's1', version: 1, requests: answered.get('s1'), errors: 0 });
      expect(read.candidate?.latency.p99Ms).not.toBeNull();

      const closed = await target.closeWindow(m, 'w-canary-1');
      expect(closed.closedAt).not.toBeNull();
      expect(closed.candidate?.requests).toBe(answered.get('c2'));
      await get().predict(m, 'after-close');
      expect(await target.readWindow(m, 'w-canary-1')).toEqual(closed);

      const promoted = await target.promote(m, 'c2');
      expect(promoted).toEqual({
        model: m,
        stable: { version: 2, deploymentId: 'c2' },
        previous: { version: 1, deploymentId: 's1' },
      });
      const status = await target.status(m);
      expect(status).toMatchObject({ status: 'serving', stable: { version: 2, deploymentId: 'c2' }, candidate: null });
      expect(status.weights).toEqual({ stable: 100, candidate: 0 });
      for (let i = 0; i < 10; i++) expect((await get().predict(m, `k${i}`)).version).toBe(2);
    });

    it('aborts a candidate: all traffic back to stable, the candidate rolled back', async () => {
      const { target } = get();
      const m = model('abort');
      await firstStable(m);
      await candidate(m, 'c3', 3, 50);
      const aborted = await target.abort(m, 'c3', 'error rate 0.2 > 0.05');
      expect(aborted).toEqual({
        model: m,
        rolledBack: { version: 3, deploymentId: 'c3' },
        stable: { version: 1, deploymentId: 's1' },
      });
      expect(await target.status(m)).toMatchObject({ stable: { deploymentId: 's1' }, candidate: null });
      for (let i = 0; i < 20; i++) expect((await get().predict(m, `k${i}`)).deploymentId).toBe('s1');
      // A staged deployment that never served is aborted too (a failed smoke check withdraws it).
      await target.stage(m, 'c4', { version: 2, artifact: get().artifacts[1] });
      const withdrawn = await target.abort(m, 'c4', 'smoke check failed');
      expect(withdrawn).toMatchObject({ rolledBack: { deploymentId: 'c4' }, stable: { deploymentId: 's1' } });
      expect((await target.status(m)).staged).toBeNull();
    });

    it('answers a repeat of every call the same (retries are safe)', async () => {
      const { target, artifacts } = get();
      const m = model('repeat');
      await firstStable(m);
      const stage = () => target.stage(m, 'c2', { version: 2, artifact: artifacts[1] });
      expect(await stage()).toEqual(await stage());
      const split = () =>
        target.setTraffic(m, { candidate: 'c2', weights: { stable: 90, candidate: 10 }, mode: 'shadow' });
      expect(await split()).toEqual(await split());
      const opened = await target.openWindow(m, 'w-repeat');
      expect((await target.openWindow(m, 'w-repeat')).openedAt).toBe(opened.openedAt);
      const closed = await target.closeWindow(m, 'w-repeat');
      expect(await target.closeWindow(m, 'w-repeat')).toEqual(closed);
      const promoted = await target.promote(m, 'c2');
      expect(await target.promote(m, 'c2')).toEqual(promoted);
      await candidate(m, 'c3', 3, 20);
      const aborted = await target.abort(m, 'c3', 'p99 too high');
      expect(await target.abort(m, 'c3', 'p99 too high')).toEqual(aborted);
      expect(await target.status(m)).toMatchObject({ stable: { deploymentId: 'c2' }, candidate: null });
    });

    it('rolls the stable deployment back to the one before it; refuses what is not stable, and while a candidate holds traffic', async () => {
      const { target } = get();
      const m = model('rollback');
      await firstStable(m);
      await candidate(m, 'c2', 2, 50);
      await target.promote(m, 'c2');
      expect((await target.status(m)).previous).toEqual({ version: 1, deploymentId: 's1' });
      await candidate(m, 'c3', 3, 10);
      const whileCandidate = await refusal(target.rollback(m, 'c2'));
      expect(whileCandidate.type).toBe(ModelServerFailureType.Rejected);
      expect(whileCandidate.detail).toMatchObject({ status: 409, code: 'CandidateConflict' });
      await target.abort(m, 'c3', 'make way for the rollback');
      const notStable = await refusal(target.rollback(m, 's1'));
      expect(notStable.detail).toMatchObject({ status: 409, code: 'NotCurrent' });
      const rolledBack = await target.rollback(m, 'c2');
      expect(rolledBack).toEqual({
        model: m,
        rolledBack: { version: 2, deploymentId: 'c2' },
        current: { version: 1, deploymentId: 's1' },
      });
      expect(await target.rollback(m, 'c2')).toEqual(rolledBack);
      expect(await target.status(m)).toMatchObject({ stable: { deploymentId: 's1' }, candidate: null });
      for (let i = 0; i < 10; i++) expect((await get().predict(m, `k${i}`)).deploymentId).toBe('s1');
    });

    it('refuses a second candidate while one holds traffic (409 CandidateConflict), changing nothing', async () => {
      const { target, artifacts } = get();
      const m = model('second');
      await firstStable(m);
      await candidate(m, 'c2', 2, 10);
      await target.stage(m, 'c3', { version: 3, artifact: artifacts[2] });
      const second = await refusal(
        target.setTraffic(m, { candidate: 'c3', weights: { stable: 90, candidate: 10 }, mode: 'split' }),
      );
      expect(second.type).toBe(ModelServerFailureType.Rejected);
      expect(second.detail).toMatchObject({ status: 409, code: 'CandidateConflict' });
      expect(second.message).toContain(target.baseUrl);
      expect(await target.status(m)).toMatchObject({ candidate: { deploymentId: 'c2' }, weights: { candidate: 10 } });
      // A promote of what is not the candidate (the stable deployment's predecessor, a staged one) is refused too.
      const notCandidate = await refusal(target.promote(m, 'c3'));
      expect(notCandidate.type).toBe(ModelServerFailureType.Rejected);
      expect(notCandidate.detail).toMatchObject({ status: 409, code: 'NotCandidate' });
    });

    it('loses its windows at a restart (404 UnknownWindow) and keeps the split', async () => {
      const { target } = get();
      const m = model('restart');
      await firstStable(m);
      await candidate(m, 'c2', 2, 40);
      await target.openWindow(m, 'w-before-restart');
      await get().restart();
      const lost = await refusal(target.readWindow(m, 'w-before-restart'));
      expect(lost.type).toBe(SlipwayErrorType.NotFound);
      expect(lost.detail).toMatchObject({ status: 404, code: 'UnknownWindow' });
      const status = await get().target.status(m);
      expect(status).toMatchObject({ stable: { deploymentId: 's1' }, candidate: { deploymentId: 'c2' } });
      expect(status.weights).toEqual({ stable: 60, candidate: 40 });
      const reopened = await get().target.openWindow(m, 'w-after-restart');
      expect(reopened.windowId).toBe('w-after-restart');
    });

    it('refuses a wrong token (401) and an unknown model (404), changing nothing', async () => {
      const { target, wrongToken } = get();
      const m = model('token');
      await firstStable(m);
      await target.stage(m, 'c2', { version: 2, artifact: get().artifacts[1] });
      for (const attempt of [
        () => wrongToken.setTraffic(m, { candidate: 'c2', weights: { stable: 50, candidate: 50 }, mode: 'split' }),
        () => wrongToken.openWindow(m, 'w-token'),
        () => wrongToken.abort(m, 'c2', 'not yours'),
      ]) {
        const refused = await refusal(attempt());
        expect(refused.type).toBe(ModelServerFailureType.Rejected);
        expect(refused.detail).toMatchObject({ status: 401, code: 'Unauthorized' });
      }
      expect(await target.status(m)).toMatchObject({ candidate: null, staged: { deploymentId: 'c2' } });
      const unknown = await refusal(target.status(model('never-deployed')));
      expect(unknown.type).toBe(SlipwayErrorType.NotFound);
      expect(unknown.detail?.status).toBe(404);
    });
  });
}

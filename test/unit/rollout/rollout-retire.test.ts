/**
 * The retire step, as `createActivities` registers it, against a real model server and an audited registry: after
 * a promotion, the version it replaced is recorded `retired` (once under retry, with what replaced it), while the
 * server keeps it in its history for a rollback; a replaced version that serves again is kept and nothing is
 * recorded; a version the registry does not know is refused.
 */
import { describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import { stillLive } from '../../../packages/activities/src/steps/rollout-retire.js';
import { logisticModel } from '../serve/fixtures.js';
import { refusal, useRolloutWorld } from './rollout-world.js';

const W1 = { bias: -0.5, tenure: 0.7, basic: 0.4, pro: -0.2 };
const W2 = { bias: 0.3, tenure: -0.4, basic: 0.1, pro: 0.9 };

const { registry, serverUrl, client, run, register, firstRollout, canary, expectAgree, auditLines } =
  useRolloutWorld('rollout-retire');

/** v1 serving, then v2 rolled out to all the traffic and promoted in workflow `wf`. */
async function promoted(model: string, wf: string) {
  const v1 = await register(model, logisticModel(W1));
  const v2 = await register(model, logisticModel(W2));
  const stableId = await firstRollout(v1);
  const c = await canary(wf, v2, 100);
  const url = serverUrl();
  await run(wf, 'promote', 'slipway.rollout.promote', {
    version: v2,
    serverUrl: url,
    deploymentId: c.deploymentId,
    proof: c.proof,
  });
  await expectAgree(model, 2);
  const retire = (wfId = wf, replaced = { version: 1, deploymentId: stableId }) =>
    run(wfId, 'retire', 'slipway.rollout.retire', {
      version: v2,
      serverUrl: url,
      deploymentId: c.deploymentId,
      retire: replaced,
      drain: '5s',
    });
  return { v1, v2, stableId, deploymentId: c.deploymentId, retire };
}

function deploymentsOf(model: string, version: number) {
  return registry()
    .getVersion(model, version)
    .then((r) => (r?.deployments ?? []).map((d) => [d.deploymentId, d.status, d.detail ?? null]));
}

describe('retiring the version a promotion replaced', () => {
  it('records it retired once, naming what replaced it; the server keeps it for a rollback', async () => {
    const model = 'retire-ok';
    const p = await promoted(model, 'wf-retire-ok');
    const retired = await p.retire();
    expect(retired).toEqual({ retired: { version: 1, deploymentId: p.stableId }, kept: null });
    const detail = `replaced by v2 (${p.deploymentId}) in wf-retire-ok; retired after the 5s drain`;
    expect(await deploymentsOf(model, 1)).toEqual([
      [p.stableId, 'deployed', null],
      [p.stableId, 'retired', detail],
    ]);
    // A retry records nothing more; the audit log has one line for it.
    expect(await p.retire()).toEqual(retired);
    expect((await deploymentsOf(model, 1)).filter(([, status]) => status === 'retired')).toHaveLength(1);
    const lines = (await auditLines(model, 'deployment')).filter((e) => e.data['status'] === 'retired');
    expect(lines.map((e) => [e.version, e.data['deploymentId'], e.data['detail']])).toEqual([[1, p.stableId, detail]]);
    // The promoted version is untouched, and still agrees with the server.
    expect((await deploymentsOf(model, 2)).map(([, status]) => status)).toEqual(['deployed']);
    await expectAgree(model, 2);
    // Retired is not gone: the server's history still restores v1.
    const back = await client().rollback(model, p.deploymentId);
    expect(back.current).toEqual({ version: 1, deploymentId: p.stableId });
  });

  it('keeps a replaced version that serves again, records nothing, and says why', async () => {
    const model = 'retire-kept';
    const p = await promoted(model, 'wf-retire-kept');
    await client().rollback(model, p.deploymentId);
    const kept = await p.retire();
    expect(kept).toEqual({ retired: null, kept: `v1 (${p.stableId}) serves again as stable: not retired` });
    expect((await deploymentsOf(model, 1)).map(([, status]) => status)).toEqual(['deployed']);
  });

  it('refuses a replaced version the registry does not know, recording nothing', async () => {
    const model = 'retire-unknown';
    const p = await promoted(model, 'wf-retire-unknown');
    const failure = await refusal(p.retire('wf-retire-unknown', { version: 7, deploymentId: 'gone-d7' }));
    expect(failure.type).toBe(SlipwayErrorType.NotFound);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('7');
    expect((await deploymentsOf(model, 1)).map(([, status]) => status)).toEqual(['deployed']);
  });
});

describe('stillLive', () => {
  const retire = { version: 1, deploymentId: 'd1' };
  const v2 = { version: 2, deploymentId: 'd2' };

  it('is null once the replaced deployment neither serves nor is named by the alias', () => {
    expect(stillLive({ stable: v2, candidate: null }, retire, 'champion', 2)).toBeNull();
    // Another deployment of the same version serving is not the replaced one.
    expect(
      stillLive({ stable: { version: 1, deploymentId: 'd9' }, candidate: null }, retire, 'champion', 9),
    ).toBeNull();
  });

  it('says why a replaced deployment is still live: stable, candidate, or named by the alias', () => {
    expect(stillLive({ stable: retire, candidate: null }, retire, 'champion', 1)).toBe(
      'serves again as stable: not retired',
    );
    expect(stillLive({ stable: v2, candidate: retire }, retire, 'champion', 2)).toBe(
      'is the candidate again: not retired',
    );
    expect(stillLive({ stable: v2, candidate: null }, retire, 'champion', 1)).toBe(
      'is named by the alias "champion" again: not retired',
    );
  });
});

/**
 * Runs recorded before a change must keep replaying after it: every history in `test/fixtures/histories`
 * (recorded against a real dev server, machine paths scrubbed) is replayed against today's pipeline bundle. The
 * first four trainAndPromote histories were recorded before approver groups came from the directory (waiting at
 * the gate with and without groups, approved and deployed, and an approval by a caller-declared group); the fifth
 * after. `check-drift-completed.json` is a completed checkDrift run (recorded by
 * test/integration/pipeline-contracts.test.ts with SLIPWAY_RECORD_HISTORIES=1, see test/support/record-history.ts);
 * `train-and-promote-policy-digest-deployed.json` was recorded after starts signed their approval policy's digest
 * (test/integration/signed-decisions.test.ts). `promote-version-approved-deployed.json` is a promoteVersion run of an imported model, approved and deployed
 * (recorded the same way by test/integration/import-promote.test.ts). `rollout-version-canary-promoted.json` was
 * recorded before a promoted rollout retired the version it replaced, `rollout-version-canary-retired.json` after
 * (test/integration/rollout-saga.test.ts).
 * A change to what a pipeline schedules that is not guarded by `patched()` fails here with a determinism error.
 * A control edits one recorded history and shows the replay does catch a divergence.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { digestOfValue } from '@slipway/sdk';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordedWorkflowId, replayHistories } from '../../../packages/worker/src/replay/replay-check.js';
import { builtinWorkflowsPath } from '../../../packages/worker/src/worker/create-worker.js';
import { bundleWorkflows } from '../../../packages/worker/src/worker/workflow-bundle.js';

const FIXTURES = resolve(import.meta.dirname, '..', '..', 'fixtures', 'histories');

interface JsonHistory {
  events: { eventType: string; activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[];
}

let workflowBundle: { code: string };
let fixtures: { name: string; json: JsonHistory }[];

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed in this process
  }
  // As workers bundle it: with the shared modules preloaded.
  workflowBundle = await bundleWorkflows(builtinWorkflowsPath());
  const names = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json')).sort();
  fixtures = await Promise.all(
    names.map(async (name) => ({
      name,
      json: JSON.parse(await readFile(join(FIXTURES, name), 'utf8')) as JsonHistory,
    })),
  );
});

/** Replays histories on one replay worker (as `slipway replay-check` does); the error (if any) of each, by name. */
async function replay(histories: { name: string; json: unknown }[]): Promise<Record<string, string | undefined>> {
  // Each replays under its recorded workflow id (signed starts and decisions are bound to it), reported by name.
  const outcomes = await replayHistories(
    workflowBundle,
    histories.map((h) => ({
      workflowId: recordedWorkflowId(h.json) ?? h.name,
      source: h.name,
      history: historyFromJSON(h.json),
    })),
  );
  return Object.fromEntries(outcomes.map((o) => [o.source, o.ok ? undefined : o.error]));
}

describe('recorded histories replay against the current pipelines', () => {
  it('replays every recorded run without a determinism error', async () => {
    expect(fixtures.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'train-and-promote-waiting-at-gate.json',
        'train-and-promote-groups-waiting-at-gate.json',
        'train-and-promote-approved-deployed.json',
        'train-and-promote-group-claim-deployed.json',
        // recorded after groups came from the directory: the patch markers are in its history
        'train-and-promote-directory-groups-deployed.json',
        // recorded after starts and decisions were signed: a verified start, a nonce, signed decisions, refusals
        'train-and-promote-signed-quorum-deployed.json',
        'train-and-promote-signed-refusals-waiting.json',
        // recorded after starts signed their approval policy's digest: the proofs carry the policy, not the input
        'train-and-promote-policy-digest-deployed.json',
        // every built-in pipeline has a completed history
        'check-drift-completed.json',
        'promote-version-approved-deployed.json',
        // a deploy that failed after its approval, waited for an operator and was retried (its patch marker)
        'train-and-promote-deploy-retried-deployed.json',
        // the same kinds of run recorded with patch generation 1's marker, and with generation 2's (started with
        // their model's search attribute, upserting it no more)
        'train-and-promote-deploy-retried-deployed-generation-1.json',
        'train-and-promote-escalated-deployed-generation-1.json',
        'train-and-promote-deploy-retried-deployed-generation-2.json',
        'train-and-promote-escalated-deployed-generation-2.json',
        // rollouts before and after the retire step (patched 'slipway.rollout.retire')
        'rollout-version-canary-promoted.json',
        'rollout-version-canary-retired.json',
      ]),
    );
    const results = await replay(fixtures);
    expect(Object.keys(results)).toHaveLength(fixtures.length);
    for (const { name } of fixtures) expect(results[name], name).toBeUndefined();
  });

  it('catches a history that no longer matches the code (the check can fail)', async () => {
    const original = fixtures.find((f) => f.name === 'train-and-promote-approved-deployed.json');
    const json = structuredClone(original!.json);
    const first = json.events.find((e) => e.activityTaskScheduledEventAttributes);
    first!.activityTaskScheduledEventAttributes!.activityType.name = 'slipway.train';
    const results = await replay([{ name: 'edited', json }]);
    expect(results['edited']).toMatch(/Nondeterminism|DeterminismViolation|activity type/i);
  });

  it("catches a history whose start's policy digest was altered (the check can fail)", async () => {
    const original = fixtures.find((f) => f.name === 'train-and-promote-policy-digest-deployed.json');
    const json = structuredClone(original!.json) as JsonHistory & {
      events: { workflowExecutionStartedEventAttributes?: { input: { payloads: { data: string }[] } } }[];
    };
    const payload = json.events[0]!.workflowExecutionStartedEventAttributes!.input.payloads[0]!;
    const input = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) as {
      start: { policyDigest: string };
    };
    // The digest of another policy: the run refuses its start where it recorded the steps it ran.
    input.start.policyDigest = digestOfValue({ approval: { approvers: ['mallory'] } });
    payload.data = Buffer.from(JSON.stringify(input)).toString('base64');
    const results = await replay([{ name: 'other-policy', json }]);
    expect(results['other-policy']).toMatch(/Nondeterminism|DeterminismViolation/i);
  });

  it('catches a checkDrift history that schedules another step than the code (the check can fail)', async () => {
    const original = fixtures.find((f) => f.name === 'check-drift-completed.json');
    const json = structuredClone(original!.json);
    const monitor = json.events.find((e) => e.activityTaskScheduledEventAttributes);
    expect(monitor!.activityTaskScheduledEventAttributes!.activityType.name).toBe('slipway.monitor');
    monitor!.activityTaskScheduledEventAttributes!.activityType.name = 'slipway.validate';
    const results = await replay([{ name: 'edited-drift', json }]);
    expect(results['edited-drift']).toMatch(/Nondeterminism|DeterminismViolation|activity type/i);
  });

  it('replays a run whose deploy waited for an operator only through its patch marker (the check can fail)', async () => {
    const original = fixtures.find((f) => f.name === 'train-and-promote-deploy-retried-deployed.json');
    // The marker renamed: the run reads as one recorded before failed deploys waited, which the code fails where
    // this one waited (and then scheduled the failure record and the retry).
    const text = JSON.stringify(original!.json);
    const id = (patch: string) => Buffer.from(JSON.stringify({ id: patch, deprecated: false })).toString('base64');
    expect(text).toContain(id('slipway.promotion.deploy-waits'));
    const json = JSON.parse(
      text.replace(id('slipway.promotion.deploy-waits'), id('slipway.promotion.other')),
    ) as JsonHistory;
    const results = await replay([{ name: 'unpatched', json }]);
    expect(results['unpatched']).toMatch(/Nondeterminism|DeterminismViolation/i);
  });

  it('catches a rollout history that retires by another step than the code (the check can fail)', async () => {
    const original = fixtures.find((f) => f.name === 'rollout-version-canary-retired.json');
    const json = structuredClone(original!.json);
    const scheduled = json.events.filter((e) => e.activityTaskScheduledEventAttributes);
    const retire = scheduled.at(-1)!.activityTaskScheduledEventAttributes!;
    expect(retire.activityType.name).toBe('slipway.rollout.retire');
    retire.activityType.name = 'slipway.rollout.compensate';
    const results = await replay([{ name: 'edited-retire', json }]);
    expect(results['edited-retire']).toMatch(/Nondeterminism|DeterminismViolation|activity type/i);
  });

  it('catches a promoteVersion history that deploys by another step than the code (the check can fail)', async () => {
    const original = fixtures.find((f) => f.name === 'promote-version-approved-deployed.json');
    const json = structuredClone(original!.json);
    const scheduled = json.events.filter((e) => e.activityTaskScheduledEventAttributes);
    const deploy = scheduled.at(-1)!.activityTaskScheduledEventAttributes!;
    expect(deploy.activityType.name).toBe('slipway.deploy');
    deploy.activityType.name = 'slipway.register';
    const results = await replay([{ name: 'edited-promote', json }]);
    expect(results['edited-promote']).toMatch(/Nondeterminism|DeterminismViolation|activity type/i);
  });
});

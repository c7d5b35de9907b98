/**
 * Pipeline contracts against a real dev server, worker and model server: `start(contract, input)` refuses a bad
 * input before any workflow execution exists; `follow` reports each step once, to the gate and on to the end;
 * `result(runId, contract)` reads typed results. The completed `checkDrift` run is the replay fixture
 * `check-drift-completed.json` (written with `SLIPWAY_RECORD_HISTORIES=1`, see test/support/record-history.ts).
 */
import { randomUUID } from 'node:crypto';
import { createModelServerClient } from '@slipway/activities';
import {
  SlipwayErrorType,
  checkDrift,
  failureType,
  rootMessage,
  trainAndPromote,
  type DriftReport,
  type TrainAndPromoteResult,
} from '@slipway/sdk';
import { ClientErrorCode } from '@slipway/sdk/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { clientError } from '../support/failures.js';
import { machineValues, recordFixture } from '../support/record-history.js';
import { eventually } from '../support/waits.js';

let h: Harness;
let workflowBundle: { code: string };

beforeAll(async () => {
  workflowBundle = await bundle();
  h = await startHarness({ name: 'contracts', workflowBundle });
});
afterAll(async () => {
  await h?.stop();
});

const input = (modelName: string) => churnInput({ serverUrl: h.modelServer.url, modelName });

/** How many executions visibility lists for a query. */
async function listed(query: string): Promise<number> {
  let n = 0;
  for await (const _ of h.client.temporal.workflow.list({ query })) n += 1;
  return n;
}

describe('start with a pipeline contract', () => {
  it('refuses a bad input with InvalidInput naming every field, and no workflow execution exists', async () => {
    const runId = `refused-${randomUUID()}`;
    const model = `refused-${randomUUID().slice(0, 8)}`;
    const base = input(model);
    const bad = { ...base, approval: { ...base.approval, quorum: 'two' }, deploy: { serverUrl: 'not a url' } };

    const err = await clientError(h.client.start(trainAndPromote, bad as never, { runId }));
    expect(err.code).toBe(ClientErrorCode.InvalidInput);
    expect(err.message).toContain('the input of pipeline "trainAndPromote": ');
    expect(err.message).toContain('approval.quorum: Invalid input: expected number, received string');
    expect(err.message).toContain('deploy.serverUrl: ');

    // Describe reads the execution store itself: nothing exists under the run id.
    const described = await h.client.temporal.workflow
      .getHandle(runId)
      .describe()
      .then(
        () => 'found',
        (e: unknown) => (e as Error).name,
      );
    expect(described).toBe('WorkflowNotFoundError');
    expect((await clientError(h.client.status(runId))).code).toBe(ClientErrorCode.UnknownRun);

    // Visibility: the same input started by name (unchecked) after the refusal is listed; the refused one never is.
    const control = `${runId}-control`;
    await h.client.start('trainAndPromote', bad, { runId: control });
    await eventually('the control run in the list', async () =>
      (await listed(`WorkflowId = "${control}"`)) === 1 ? true : undefined,
    );
    expect(await listed(`WorkflowId = "${runId}"`)).toBe(0);
    // Under the model: the control run alone (it started with its model's search attribute); never the refused one.
    expect(await listed(`SlipwayModel = "${model}"`)).toBe(1);
    // The unchecked run fails in the workflow, as before contracts.
    const failure = await h.client.result(control).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failureType(failure)).toBe(SlipwayErrorType.InvalidInput);
    expect(rootMessage(failure)).toContain('approval.quorum');
  });
});

describe('follow and typed results', () => {
  it('follows a run to its gate and on to the end, each step change reported once; results typed by contract', async () => {
    const { runId } = await h.client.start(trainAndPromote, input('contracts'));
    const toGate: string[] = [];
    // A change, as follow defines it: the status, the summary, and the gate's status for the approval step (a poll
    // may see the approval step running before its gate opens, then again once the gate waits).
    const changes: string[] = [];
    const atGate = await h.client.follow(runId, {
      until: 'gate',
      intervalMs: 200,
      onStep: (step, progress) => {
        toGate.push(`${step.step}:${step.status}`);
        const gate = step.step === 'approval' ? (progress.gate?.status ?? '') : '';
        changes.push([step.step, step.status, step.summary ?? '', gate].join('|'));
      },
    });
    expect(atGate.status).toBe('RUNNING');
    expect(atGate.progress?.gate?.status).toBe('pending');
    expect(toGate.filter((s) => s.endsWith(':completed'))).toEqual([
      'validate:completed',
      'train:completed',
      'register:completed',
    ]);
    expect(toGate.at(-1)).toBe('approval:running');
    expect(changes.at(-1)).toBe('approval|running||pending');
    expect(new Set(changes).size, 'each change reported once').toBe(changes.length);

    await h.client.approve(runId, { as: 'maria', comment: 'typed' });
    const toEnd: string[] = [];
    const end = await h.client.follow(runId, {
      until: 'end',
      intervalMs: 200,
      seen: atGate.seen,
      onStep: (step) => toEnd.push(`${step.step}:${step.status}`),
    });
    expect(end.status).toBe('COMPLETED');
    expect(toEnd).toContain('approval:completed');
    expect(toEnd.at(-1)).toBe('deploy:completed');
    expect(toEnd.filter((s) => /^(validate|train|register):/.test(s))).toEqual([]);

    const result = await h.client.result(runId, trainAndPromote);
    expectTypeOf(result).toEqualTypeOf<TrainAndPromoteResult>();
    expect(result).toMatchObject({ status: 'deployed', model: 'contracts', deployment: { version: 1 } });
    const wrong = await clientError(h.client.result(runId, checkDrift));
    expect(wrong.code).toBe(ClientErrorCode.InvalidInput);
    expect(wrong.message).toContain(`run ${runId} is a run of pipeline "trainAndPromote", not "checkDrift"`);

    const rows = Array.from({ length: 60 }, (_, i) => ({
      tenure_months: i % 12,
      monthly_charges: 99.5,
      support_calls: 6,
      plan: 'basic',
      contract: 'monthly',
      paperless: true,
    }));
    await createModelServerClient(h.modelServer.url).predict('contracts', rows);
    const { runId: driftRun } = await h.client.start(checkDrift, {
      model: 'contracts',
      serverUrl: h.modelServer.url,
      minSamples: 50,
    });
    const drift = await h.client.result(driftRun, checkDrift);
    expectTypeOf(drift).toEqualTypeOf<DriftReport>();
    expect(drift).toMatchObject({ model: 'contracts', version: 1, samples: 60, enoughSamples: true });

    // The completed drift check as a replay fixture: no machine value left, and it still replays.
    const history = await h.client.temporal.workflow.getHandle(driftRun).fetchHistory();
    const fixture = await recordFixture(h, history, 'check-drift-completed.json');
    for (const value of machineValues(h)) expect(fixture.json, value).not.toContain(value);
    expect(fixture.json).toContain('"name": "checkDrift"');
    expect(fixture.json).toContain('"name": "slipway.monitor"');
    await expect(Worker.runReplayHistory({ workflowBundle }, fixture.history, driftRun)).resolves.toBeUndefined();
  });
});

/**
 * The model guardian's commands and refusals on a real Temporal dev server and worker: it runs only as
 * `guardian:<model>`, only signed, carried state only from its own continue-as-new; pause, resume and stop are signed
 * Updates refused (writing nothing) to anyone the retrain's policy does not name; a stop ends it cleanly. A
 * `trainAndPromote` with `retrain` runs only as the child of its model's guardian: started directly, or by another
 * workflow, it is refused before it does anything.
 */
import { modelGuardian, trainAndPromote } from '@slipway/sdk';
import { SlipwayClientError } from '@slipway/sdk/client';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { eventually } from '../support/waits.js';
import { guardianInput, trigger } from './guardian/fixtures.js';

let h: Harness;

beforeAll(async () => {
  const workflowBundle = await bundle(join(import.meta.dirname, 'guardian', 'workflows.ts'));
  h = await startHarness({ name: 'guardian-commands', workflowBundle });
}, 300_000);
afterAll(async () => {
  await h?.stop();
});

async function refusalOf(promise: Promise<unknown>): Promise<SlipwayClientError> {
  const err = await promise.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SlipwayClientError);
  return err as SlipwayClientError;
}

/** How a run ended: its failure message, or 'completed'. */
async function failureOf(runId: string): Promise<string> {
  return h.client.temporal.workflow
    .getHandle(runId)
    .result()
    .then(
      () => 'completed',
      (err: unknown) => (err as { cause?: { message?: string } }).cause?.message ?? String(err),
    );
}

describe('the model guardian takes signed commands from the retrain policy’s approvers only', () => {
  it('pauses, resumes and stops; refuses outsiders, commands that do not apply, and a second guardian', async () => {
    const model = 'guarded-commands';
    const { runId } = await h.client.guard.start(guardianInput(model, h.modelServer.url));
    expect(runId).toBe(`guardian:${model}`);
    const watching = await eventually('the guardian resolved its operators', async () => {
      const s = await h.client.guard.status(model);
      return s.operators !== null ? s : undefined;
    });
    expect(watching).toMatchObject({
      phase: 'watching',
      starter: 'ci-bot',
      operators: ['maria', 'lee'],
      generation: 0,
    });
    expect(watching.counters).toEqual({ checks: 0, consecutive: 0, retrainTimes: [], lastRetrainAt: null });
    expect(watching.limits).toMatchObject({ consecutive: 2, cooldown: '24h', perWeek: 2, retrainsThisWeek: 0 });
    expect(Date.parse(watching.nextCheckAt ?? '')).toBeGreaterThan(Date.now());

    const second = await refusalOf(h.client.guard.start(guardianInput(model, h.modelServer.url)));
    expect(second.code).toBe('AlreadyRunning');

    const outsider = await refusalOf(h.client.guard.pause(model, { as: 'eve', reason: 'let me' }));
    expect(outsider.code).toBe('OperatorNotAllowed');
    expect(outsider.message).toContain(
      "eve may not command this guardian: only the approval policy's approvers may (maria, lee)",
    );

    const paused = await h.client.guard.pause(model, { as: 'maria', reason: 'holiday freeze' });
    expect(paused).toMatchObject({ phase: 'paused', pausedBy: 'maria: holiday freeze' });
    const twice = await refusalOf(h.client.guard.pause(model, { as: 'lee', reason: 'again' }));
    expect(twice.code).toBe('CommandNotApplicable');
    const resumed = await h.client.guard.resume(model, { as: 'lee', reason: 'freeze over' });
    expect(resumed).toMatchObject({ phase: 'watching', pausedBy: null });
    expect(resumed.commands.map((c) => `${c.command}:${c.operator}`)).toEqual(['pause:maria', 'resume:lee']);

    await h.client.guard.stop(model, { as: 'maria', reason: 'model retired' });
    const result = await h.client.result(runId, modelGuardian);
    expect(result).toMatchObject({ status: 'stopped', model, stoppedBy: 'maria', reason: 'model retired', checks: 0 });
    expect(result.final.phase).toBe('stopped');
    // The closed guardian still answers its status (a query of a closed workflow), and takes no more commands.
    const after = await refusalOf(h.client.guard.resume(model, { as: 'maria', reason: 'undo' }));
    expect(['GuardianStopped', 'NoGuardian']).toContain(after.code);
  });

  it('runs only as guardian:<model>, only signed, and takes carried state only from its own continue-as-new', async () => {
    const input = guardianInput('guarded-ids', h.modelServer.url);
    const { runId } = await h.client.start(modelGuardian, input, { runId: 'my-guardian' });
    expect(await failureOf(runId)).toContain('runs as guardian:guarded-ids (one per model), not as my-guardian');

    const unsigned = await h.client.temporal.workflow.start('modelGuardian', {
      workflowId: 'guardian:guarded-unsigned',
      taskQueue: h.config.taskQueue,
      args: [guardianInput('guarded-unsigned', h.modelServer.url)],
    });
    expect(await failureOf(unsigned.workflowId)).toContain('the run was started without a signature');

    const carried = await h.client.temporal.workflow.start('modelGuardian', {
      workflowId: 'guardian:guarded-carried',
      taskQueue: h.config.taskQueue,
      args: [guardianInput('guarded-carried', h.modelServer.url), { forged: true }],
    });
    expect(await failureOf(carried.workflowId)).toContain(
      'carried guardian state is accepted only by a guardian run that continues',
    );
  });
});

describe('a retrain (`trainAndPromote` with `retrain`) runs only as the child of its model’s guardian', () => {
  it('is refused when started directly, even signed', async () => {
    const model = 'retrain-direct';
    const input = {
      ...churnInput({ serverUrl: h.modelServer.url, modelName: model }),
      retrain: trigger(`guardian:${model}`),
    };
    const { runId } = await h.client.start(trainAndPromote, input, { runId: `retrain:${model}` });
    expect(await failureOf(runId)).toContain(
      `\`retrain\` is set only by the model guardian on the retrain it starts (a child of guardian:${model}), but it has no parent`,
    );
  });

  it('is refused as the child of another workflow', async () => {
    const model = 'retrain-impostor';
    const input = {
      ...churnInput({ serverUrl: h.modelServer.url, modelName: model }),
      retrain: trigger(`guardian:${model}`),
    };
    const handle = await h.client.temporal.workflow.start('impostorParent', {
      workflowId: `guardian-impostor-${Date.now().toString(36)}`,
      taskQueue: h.config.taskQueue,
      args: [input],
    });
    const ended = await handle.result();
    expect(ended).toContain(`(a child of guardian:${model}), but its parent is ${handle.workflowId}`);
  });
});

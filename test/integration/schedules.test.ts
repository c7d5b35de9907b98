/**
 * Schedules against a real Temporal dev server, worker and model server: `slipway schedule create` resolves the
 * input (relative paths, the expectations file) at creation, a triggered run carries the creator's signed scheduled
 * start, verifies it, passes the gate and deploys; `list` shows next run times and the last run's status; a paused
 * schedule starts nothing; a deleted one is gone; and every forged scheduled start is refused by the run.
 */
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SigningDomain,
  SlipwayErrorType,
  SlipwaySearchAttribute,
  failureType,
  generateKeyPair,
  rootMessage,
  scheduledStartPayload,
  signPayload,
  startInputDigest,
  type ApprovalProof,
  type TrainAndPromoteInputRaw,
} from '@slipway/sdk';
import { ClientErrorCode, SlipwayClient, type ScheduleInfo } from '@slipway/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, churnInput } from '../../examples/churn/src/input.js';
import { cliSession, type CliSession } from '../support/cli-session.js';
import { clientError } from '../support/failures.js';
import { startHarness, type Harness } from '../support/harness.js';
import { SLIPWAY_CLI, spawnNode } from '../support/processes.js';
import { activityInputOf, startInputOf } from '../support/start-input.js';
import { eventually, waitForGate } from '../support/waits.js';

let h: Harness;
let cli: CliSession;

beforeAll(async () => {
  h = await startHarness({ name: 'schedules' });
  cli = await cliSession(h);
});
afterAll(async () => {
  await h?.stop();
});

const input = (modelName: string): TrainAndPromoteInputRaw =>
  churnInput({ serverUrl: h.modelServer.url, modelName, approvers: ['maria', 'lee'] });

/** `slipway <args>` run from `cwd`, pointed at the harness, as ci-bot. */
async function slipwayIn(cwd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const flags = ['--address', h.config.temporal.address, '--home', h.home, '--task-queue', h.config.taskQueue];
  const child = spawnNode(SLIPWAY_CLI, [...flags, ...args], { ...h.people!.env, SLIPWAY_IDENTITY: 'ci-bot' }, cwd);
  const code = await child.exited;
  return { code, output: child.output() };
}

/** The schedule's last run, once it has one. */
function lastRunOf(scheduleId: string, after = 0): Promise<NonNullable<ScheduleInfo['lastRun']>> {
  return eventually(`a run of ${scheduleId}`, async () => {
    const info = await h.client.schedules.describe(scheduleId);
    return info.runsStarted > after ? info.lastRun : undefined;
  });
}

/** How a run failed: its failure type and message. */
async function runFailure(runId: string): Promise<{ type: string | undefined; message: string }> {
  const err = await h.client.temporal.workflow
    .getHandle(runId)
    .result()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err, `run ${runId} should have failed`).toBeDefined();
  return { type: failureType(err), message: rootMessage(err) };
}

describe('a schedule made with the CLI', () => {
  it('resolves the input at creation, and a triggered run verifies its signed scheduled start, passes the gate and deploys', async () => {
    await cli.writeInput('weekly.json', { modelName: 'sched-churn', expectations: 'expectations.json' });
    // Created from the data folder with a relative path: nothing about it depends on the working directory later.
    const created = await slipwayIn(h.data, [
      'schedule',
      'create',
      'trainAndPromote',
      '--cron',
      '0 6 * * 1',
      '--input',
      'inputs/weekly.json',
      '--id',
      'weekly',
      '--note',
      'weekly retrain',
      '--json',
    ]);
    expect(created.code, created.output).toBe(0);
    const info = JSON.parse(created.output.slice(created.output.indexOf('{'))) as ScheduleInfo;
    const scheduleId = 'schedule:trainAndPromote:sched-churn:weekly';
    expect(info).toMatchObject({ scheduleId, pipeline: 'trainAndPromote', model: 'sched-churn', cron: '0 6 * * 1' });
    expect(info).toMatchObject({ overlap: 'skip', paused: false, createdBy: 'ci-bot', runsStarted: 0 });
    expect(info.nextRunTimes.length).toBeGreaterThan(0);
    expect(new Date(info.nextRunTimes[0]!).getUTCDay()).toBe(1);
    // The expectations file is read at creation: removing it now changes nothing for the runs.
    await rm(join(cli.inputs, 'expectations.json'));

    const listed = await eventually('the schedule in list', async () => {
      const { code, output } = await slipwayIn(h.home, ['schedule', 'list', '--json']);
      expect(code, output).toBe(0);
      return (JSON.parse(output) as ScheduleInfo[]).find((s) => s.scheduleId === scheduleId);
    });
    expect(listed.nextRunTimes.length).toBeGreaterThan(0);

    const triggered = await slipwayIn(h.home, ['schedule', 'trigger', scheduleId]);
    expect(triggered.code, triggered.output).toBe(0);
    const { runId } = await lastRunOf(scheduleId);
    expect(runId.startsWith(`${scheduleId}-`)).toBe(true);

    const started = await startInputOf(h.client, runId);
    expect((started.dataset as { uri: string }).uri).toBe(`file://${join(cli.inputs, 'data', 'churn.csv')}`);
    expect(typeof started.expectations).toBe('object');
    expect(started).toMatchObject({
      startedBy: 'ci-bot',
      scheduled: { signer: 'ci-bot', scheduleId, cron: '0 6 * * 1' },
    });
    expect(started.start).toBeUndefined();
    await copyFile(join(DATA_DIR, '..', 'expectations.json'), join(cli.inputs, 'expectations.json'));

    const gate = await waitForGate(h.client, runId);
    expect(gate.startedBy).toBe('ci-bot'); // the verified signer of the scheduled start
    await h.client.approve(runId, { as: 'maria' });
    const result = await h.client.result<{ status: string }>(runId);
    expect(result.status).toBe('deployed');
    // A scheduled start signs no policy digest: its proof carries the whole signed input, as before.
    const { proof } = (await activityInputOf(h.client, runId, 'slipway.deploy')) as { proof: ApprovalProof };
    expect(proof.start).toMatchObject({ schedule: { scheduleId } });
    expect(proof.start?.policyDigest).toBeUndefined();
    expect(proof.signedPolicy).toBeUndefined();
    expect(startInputDigest(proof.startInput ?? {})).toBe(proof.start?.inputDigest);

    const found = await eventually('the scheduled run by model', async () => {
      const query = `${SlipwaySearchAttribute.model} = "sched-churn" AND TemporalScheduledById = "${scheduleId}"`;
      for await (const run of h.client.temporal.workflow.list({ query })) return run.workflowId;
      return undefined;
    });
    expect(found).toBe(runId);
    const after = await eventually('the last run completed in list', async () => {
      const { output } = await slipwayIn(h.home, ['schedule', 'list', '--json']);
      const s = (JSON.parse(output) as ScheduleInfo[]).find((x) => x.scheduleId === scheduleId);
      return s?.lastRun?.status === 'COMPLETED' ? s : undefined;
    });
    expect(after.lastRun?.runId).toBe(runId);
    await h.client.schedules.delete(scheduleId);
  });

  it('refuses an unknown pipeline, a bad cron, an input that fails the contract, and an id that exists', async () => {
    const file = await cli.writeInput('refused.json', { modelName: 'sched-refused' });
    const unknown = await cli.slipway(['schedule', 'create', 'trainAndPromot', '--cron', '@daily', '--input', file]);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('unknown pipeline "trainAndPromot"');

    const cron = await cli.slipway(['schedule', 'create', 'trainAndPromote', '--cron', '0 25 * * *', '--input', file]);
    expect(cron.code).toBe(1);
    expect(cron.output).toContain('field hour "25": 25 is out of range 0-23');

    const bad = await cli.writeInput('bad.json', {
      modelName: 'sched-refused',
      approval: { approvers: ['maria'], quorum: 'two' },
    });
    const schema = await cli.slipway(['schedule', 'create', 'trainAndPromote', '--cron', '@daily', '--input', bad]);
    expect(schema.code).toBe(1);
    expect(schema.output).toContain(`${bad}: approval.quorum`);

    const first = await cli.slipway(['schedule', 'create', 'trainAndPromote', '--cron', '@daily', '--input', file]);
    expect(first.code, first.output).toBe(0);
    const again = await cli.slipway(['schedule', 'create', 'trainAndPromote', '--cron', '@weekly', '--input', file]);
    expect(again.code).toBe(1);
    expect(again.output).toContain(
      'a schedule with id "schedule:trainAndPromote:sched-refused:default" already exists',
    );
    const kept = await h.client.schedules.describe('schedule:trainAndPromote:sched-refused:default');
    expect(kept.cron).toBe('@daily');
    await h.client.schedules.delete(kept.scheduleId);

    const overlap = await clientError(
      h.client.schedules.create('trainAndPromote', {
        cron: '@daily',
        input: input('sched-x'),
        overlap: 'never' as 'skip',
      }),
    );
    expect(overlap.code).toBe(ClientErrorCode.InvalidInput);
    expect(overlap.message).toContain('overlap "never"');
    const fixed = await clientError(h.client.schedules.create('rollbackModel', { cron: '@daily', input: {} }));
    expect(fixed.message).toContain('cannot be scheduled');
  });
});

describe('pause, unpause, delete', () => {
  it('a paused schedule starts nothing and says why; unpaused it runs again; deleted it is gone', async () => {
    const info = await h.client.schedules.create('trainAndPromote', {
      cron: '30 2 * * *',
      input: input('sched-pause'),
      name: 'nightly',
      overlap: 'buffer-one',
    });
    expect(info).toMatchObject({ overlap: 'buffer-one', catchupWindowMs: 15 * 60_000 });
    const paused = await h.client.schedules.pause(info.scheduleId, 'data source migrating');
    expect(paused).toMatchObject({ paused: true, note: 'data source migrating', nextRunTimes: [] });
    const refused = await clientError(h.client.schedules.trigger(info.scheduleId));
    expect(refused.code).toBe(ClientErrorCode.SchedulePaused);
    expect(refused.message).toContain('data source migrating');
    expect((await h.client.schedules.describe(info.scheduleId)).runsStarted).toBe(0);

    const resumed = await h.client.schedules.unpause(info.scheduleId);
    expect(resumed.paused).toBe(false);
    expect(resumed.nextRunTimes.length).toBeGreaterThan(0);

    await h.client.schedules.delete(info.scheduleId);
    const gone = await clientError(h.client.schedules.describe(info.scheduleId));
    expect(gone.code).toBe(ClientErrorCode.UnknownSchedule);
    expect((await clientError(h.client.schedules.trigger(info.scheduleId))).code).toBe(ClientErrorCode.UnknownSchedule);
    const listed = await h.client.schedules.list();
    expect(listed.some((s) => s.scheduleId === info.scheduleId)).toBe(false);
  });
});

describe('forged scheduled starts are refused by the run', () => {
  /** A schedule's signed input, as Temporal holds it (and anyone with namespace access can read it). */
  async function signedInputOf(scheduleId: string): Promise<Record<string, unknown>> {
    const description = await h.client.temporal.schedule.getHandle(scheduleId).describe();
    if (description.action.type !== 'startWorkflow') throw new Error('not a workflow schedule');
    return description.action.args![0] as Record<string, unknown>;
  }

  it('a scheduled start copied onto a direct start is refused, even posing as the schedule’s run, and after the schedule is deleted', async () => {
    const info = await h.client.schedules.create('trainAndPromote', { cron: '@monthly', input: input('sched-copy') });
    const signed = await signedInputOf(info.scheduleId);
    const direct = await h.client.temporal.workflow.start('trainAndPromote', {
      workflowId: `direct-copy-${Date.now()}`,
      taskQueue: h.config.taskQueue,
      args: [signed],
    });
    const refused = await runFailure(direct.workflowId);
    expect(refused.type).toBe(SlipwayErrorType.UnverifiedStart);
    expect(refused.message).toContain('was not started by that schedule (no schedule started it)');

    const lookalike = await h.client.temporal.workflow.start('trainAndPromote', {
      workflowId: `${info.scheduleId}-2026-01-01T00:00:00Z`,
      taskQueue: h.config.taskQueue,
      args: [signed],
    });
    expect((await runFailure(lookalike.workflowId)).message).toContain('was not started by that schedule');

    // Temporal's own search attribute can be set on any start: the schedule's record says it did not start the run.
    const forged = (suffix: string) =>
      h.client.temporal.workflow.start('trainAndPromote', {
        workflowId: `${info.scheduleId}-${suffix}`,
        taskQueue: h.config.taskQueue,
        args: [signed],
        searchAttributes: { TemporalScheduledById: [info.scheduleId] },
      });
    const posing = await runFailure((await forged('2026-01-02T00:00:00Z')).workflowId);
    expect(posing.type).toBe(SlipwayErrorType.UnverifiedStart);
    expect(posing.message).toContain(`schedule ${info.scheduleId} did not start run ${info.scheduleId}-2026-01-02`);

    // A deleted schedule starts nothing, and its signed input starts nothing either.
    await h.client.schedules.delete(info.scheduleId);
    const afterDelete = await runFailure((await forged('2026-01-03T00:00:00Z')).workflowId);
    expect(afterDelete.type).toBe(SlipwayErrorType.UnverifiedStart);
    expect(afterDelete.message).toContain('which does not exist (it was deleted, or never made)');
    const status = await h.client.status(`${info.scheduleId}-2026-01-03T00:00:00Z`);
    expect(status.progress?.steps.every((step) => step.status === 'pending')).toBe(true);
  });

  it('a schedule signed by someone not in the directory starts runs that refuse to run', async () => {
    const outsider = SlipwayClient.fromClient(h.client.temporal, { user: 'outsider', taskQueue: h.config.taskQueue });
    const info = await outsider.schedules.create('trainAndPromote', {
      cron: '@monthly',
      input: input('sched-outsider'),
      key: { name: 'outsider', ...generateKeyPair() },
    });
    await outsider.schedules.trigger(info.scheduleId);
    const { runId } = await lastRunOf(info.scheduleId);
    const refused = await runFailure(runId);
    expect(refused.type).toBe(SlipwayErrorType.UnverifiedStart);
    expect(refused.message).toContain('signed by outsider, who has no public key');
    await outsider.schedules.delete(info.scheduleId);
  });

  it('a scheduled start past its signed expiry is refused', async () => {
    const scheduleId = 'schedule:trainAndPromote:sched-expired:default';
    const plain = { ...input('sched-expired'), startedBy: 'ci-bot' };
    const unsigned = {
      signer: 'ci-bot',
      scheduleId,
      cron: '@monthly',
      at: new Date(Date.now() - 3_600_000).toISOString(),
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    };
    const payload = scheduledStartPayload(unsigned, {
      pipeline: 'trainAndPromote',
      inputDigest: startInputDigest(plain),
    });
    const signature = signPayload(SigningDomain.scheduledStart, h.people!.keys['ci-bot']!.privateKey, payload);
    const handle = await h.client.temporal.schedule.create({
      scheduleId,
      spec: { cronExpressions: ['@monthly'] },
      action: {
        type: 'startWorkflow',
        workflowType: 'trainAndPromote',
        workflowId: scheduleId,
        taskQueue: h.config.taskQueue,
        args: [{ ...plain, scheduled: { ...unsigned, signature } }],
      },
    });
    await handle.trigger();
    const { runId } = await lastRunOf(scheduleId);
    const refused = await runFailure(runId);
    expect(refused.type).toBe(SlipwayErrorType.UnverifiedStart);
    expect(refused.message).toContain(`the schedule's signed start expired at ${unsigned.expiresAt}`);
    await handle.delete();
  });

  it('a schedule whose signed input was altered starts runs that refuse to run', async () => {
    const info = await h.client.schedules.create('trainAndPromote', {
      cron: '@monthly',
      input: input('sched-altered'),
    });
    const signed = await signedInputOf(info.scheduleId);
    await h.client.schedules.delete(info.scheduleId);
    // Same id, same signature, one field changed: made with Temporal directly, as anyone with namespace access could.
    const altered = { ...signed, approval: { ...(signed.approval as object), approvers: ['mallory'] } };
    const handle = await h.client.temporal.schedule.create({
      scheduleId: info.scheduleId,
      spec: { cronExpressions: ['@monthly'] },
      action: {
        type: 'startWorkflow',
        workflowType: 'trainAndPromote',
        workflowId: info.scheduleId,
        taskQueue: h.config.taskQueue,
        args: [altered],
      },
    });
    await handle.trigger();
    const { runId } = await lastRunOf(info.scheduleId);
    const refused = await runFailure(runId);
    expect(refused.type).toBe(SlipwayErrorType.UnverifiedStart);
    expect(refused.message).toContain('does not verify for pipeline trainAndPromote, schedule');
    await handle.delete();
  });
});

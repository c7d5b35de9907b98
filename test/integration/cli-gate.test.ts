/**
 * The `slipway` CLI with a directory of people, as a user runs it against the suite's dev server: `run` records
 * the caller's identity as `startedBy` (who then may not approve), groups come from the worker's directory and
 * never from `--group`, a misspelled pipeline fails `run` instead of hanging, and `cancel` / `terminate` end runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainAndPromoteResult } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { cliSession, startedRunId, type CliSession } from '../support/cli-session.js';
import { startHarness, type Harness } from '../support/harness.js';
import { type TestPeople } from '../support/people.js';
import { waitForGate } from '../support/waits.js';

let files: string;
let people: TestPeople;
let h: Harness;
let cli: CliSession;

beforeAll(async () => {
  files = await mkdtemp(join(tmpdir(), 'slipway-cli-people-'));
  // maria and sam in ml-leads, mallory in interns, lee and ci-bot in no group; keys for all, signed by the admin.
  h = await startHarness({ name: 'cli-gate' });
  people = h.people!;
  cli = await cliSession(h);
});
afterAll(async () => {
  await h?.stop();
  await rm(files, { recursive: true, force: true });
});

/** `slipway <args>` as the person `identity` (SLIPWAY_IDENTITY). */
const as = (identity: string, args: string[]) =>
  cli.slipway(args, { env: { ...people.env, SLIPWAY_IDENTITY: identity } });
const groupPolicy = { approvers: ['maria', 'lee'], approverGroups: ['ml-leads'], quorum: 1, timeout: '72h' };

describe('slipway run as an identity, with groups from the directory', () => {
  let runId: string;

  it('run records the caller as startedBy, and the starter may not approve', async () => {
    const input = await cli.writeInput('groups.json', { modelName: 'cli-groups', approval: groupPolicy });
    const run = await as('lee', ['run', 'trainAndPromote', '--input', input]);
    expect(run.code, run.output).toBe(0);
    runId = startedRunId(run.output);
    expect(run.output).toMatch(/waiting for approval: 0\/1 from maria, lee, sam \(ml-leads\)/);
    const status = await cli.statusJson(runId);
    expect(status.progress?.gate?.startedBy).toBe('lee');

    const self = await as('lee', await cli.decision('approve', runId, 'lee'));
    expect(self.code, self.output).toBe(1);
    expect(self.output).toContain('lee started this run and may not decide on it');
    expect(self.output).not.toContain('accepted');
  });

  it('approve refuses --group, and mallory is not allowed however she asks', async () => {
    const claimed = await as('mallory', ['approve', runId, '--as', 'mallory', '--group', 'ml-leads']);
    expect(claimed.code, claimed.output).toBe(1);
    expect(claimed.output).toContain(
      "--group is not accepted: the gate takes group membership from the worker's directory",
    );
    const plain = await as('mallory', await cli.decision('approve', runId, 'mallory'));
    expect(plain.code, plain.output).toBe(1);
    expect(plain.output).toContain(
      'mallory is not allowed to approve this promotion (allowed: maria, lee, sam (ml-leads))',
    );
    const status = await cli.statusJson(runId);
    expect(status.progress?.gate).toMatchObject({ status: 'pending', decisions: [] });
  });

  it('approvals and status say who may decide and through which group', async () => {
    const approvals = await cli.slipway(['approvals']);
    expect(approvals.code, approvals.output).toBe(0);
    expect(approvals.output).toContain(runId);
    expect(approvals.output).toContain('maria, lee, sam (groups ml-leads)');
    const status = await cli.slipway(['status', runId]);
    expect(status.output).toContain('who may decide: maria, lee, sam (ml-leads)');
    expect(status.output).toMatch(/directory sha256:[0-9a-f]{64}/);
  });

  it('a member of the group by the directory approves, and the model deploys', async () => {
    const approved = await as('sam', await cli.decision('approve', runId, 'sam'));
    expect(approved.code, approved.output).toBe(0);
    expect(approved.output).toContain('approval by sam accepted');
    const status = await cli.closedStatus(runId);
    expect(status.result as TrainAndPromoteResult).toMatchObject({
      status: 'deployed',
      decisions: [{ approver: 'sam' }],
    });
  });

  it('run refuses an input that says someone else started it, naming both', async () => {
    const input = await cli.writeInput('claims-starter.json', { modelName: 'cli-claims', startedBy: 'ci-bot' });
    const { code, output } = await as('lee', ['run', 'trainAndPromote', '--input', input]);
    expect(code, output).toBe(1);
    expect(output).toContain('the input says the run is started by "ci-bot", but the caller is "lee"');
    expect(output).not.toContain('started trainAndPromote');
  });
});

describe('stuck and unwanted runs', () => {
  it('run of a misspelled pipeline exits 1 naming the missing workflow; status shows it; terminate ends it', async () => {
    const input = await cli.writeInput('typo.json', { modelName: 'cli-typo' });
    const run = await cli.slipway(['run', 'trainAndPromot', '--input', input]);
    expect(run.code, run.output).toBe(1);
    const runId = startedRunId(run.output);
    expect(run.output).toContain(`has no workflow named "trainAndPromot"`);
    expect(run.output).toContain(`the run is still open; end it with: slipway terminate ${runId} --reason`);

    const status = await cli.slipway(['status', runId]);
    expect(status.code, status.output).toBe(0);
    expect(status.output).toContain(`${runId}  trainAndPromot  RUNNING`);
    expect(status.output).toMatch(
      /stuck: its workflow task fails \(attempt \d+\): .*no workflow named "trainAndPromot"/,
    );
    expect((await cli.statusJson(runId)).workflowTaskFailure?.message).toContain('no workflow named "trainAndPromot"');

    const noReason = await cli.slipway(['terminate', runId]);
    expect(noReason.code, noReason.output).toBe(1);
    expect(noReason.output).toContain("required option '--reason <text>' not specified");
    const ended = await cli.slipway(['terminate', runId, '--reason', 'typo in the pipeline name']);
    expect(ended.code, ended.output).toBe(0);
    expect(ended.output).toContain(`${runId} terminated: typo in the pipeline name`);
    expect((await cli.statusJson(runId)).status).toBe('TERMINATED');

    const again = await cli.slipway(['terminate', runId, '--reason', 'again']);
    expect(again.code, again.output).toBe(1);
    expect(again.output).toContain(`run ${runId} has already finished (TERMINATED); there is nothing to terminate`);
    const cancel = await cli.slipway(['cancel', runId]);
    expect(cancel.code, cancel.output).toBe(1);
    expect(cancel.output).toContain('there is nothing to cancel');
  });

  it('cancel stops a run waiting at its gate; nothing deploys', async () => {
    const { runId } = await h.client.start(
      'trainAndPromote',
      churnInput({ serverUrl: h.modelServer.url, modelName: 'cli-cancel' }),
    );
    await waitForGate(h.client, runId);
    const { code, output } = await cli.slipway(['cancel', runId]);
    expect(code, output).toBe(0);
    expect(output).toContain(`cancellation of ${runId} requested`);
    const status = await cli.closedStatus(runId);
    expect(status.status).toBe('CANCELLED');
    const steps = Object.fromEntries((status.progress?.steps ?? []).map((s) => [s.step, s.status]));
    expect(steps).toMatchObject({ register: 'completed', approval: 'failed', deploy: 'pending' });
  });

  it('cancel and terminate name an unknown run', async () => {
    for (const args of [
      ['cancel', 'no-such-run'],
      ['terminate', 'no-such-run', '--reason', 'x'],
    ]) {
      const { code, output } = await cli.slipway(args);
      expect(code, output).toBe(1);
      expect(output).toContain('no run with id "no-such-run" exists');
    }
  });
});

/**
 * The `slipway` CLI end to end, as a user runs it: the built `main.js` as a child process against the suite's
 * dev server, a harness worker serving the ready-made pipelines, and an input file next to its data. Covers
 * run → status → approvals → approve/reject, and the errors a user meets (unknown run, no server, bad input).
 */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TrainAndPromoteResult } from '@slipway/sdk';
import { readRunInput } from '@slipway/sdk/client';
import { LATEST_PATCH_GENERATION } from '../../packages/sdk/src/workflow/patches.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSession, startedRunId, type CliSession } from '../support/cli-session.js';
import { startHarness, type Harness } from '../support/harness.js';
import { eventually } from '../support/waits.js';

let h: Harness;
let cli: CliSession;
let inputs: string;

beforeAll(async () => {
  h = await startHarness({ name: 'cli' });
  cli = await cliSession(h);
  inputs = cli.inputs;
});
afterAll(async () => {
  await h?.stop();
});

/** Runs `slipway <args>` with the global flags that point it at this harness (or at `address`). */
function slipway(args: string[], address?: string) {
  return cli.slipway(args, address ? { address } : {});
}
const writeInput = (file: string, overrides?: Record<string, unknown>) => cli.writeInput(file, overrides);
const statusJson = (runId: string) => cli.statusJson(runId);
const closedStatus = (runId: string) => cli.closedStatus(runId);

/** Where the relative `data/churn.csv` of the input files must resolve to (not to the CLI's working directory). */
function datasetUri(): string {
  return pathToFileURL(join(inputs, 'data', 'churn.csv')).href;
}

/** A port on 127.0.0.1 where nothing listens. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe('slipway run, status, approvals, approve', () => {
  let runId: string;

  it('run starts the pipeline, prints each step as it completes, and says how to decide at the gate', async () => {
    const { code, output } = await slipway([
      'run',
      'trainAndPromote',
      '--input',
      await writeInput('pipeline.json', { modelName: 'cli-churn' }),
    ]);
    expect(code, output).toBe(0);
    runId = startedRunId(output);
    expect(runId).toMatch(/^trainAndPromote-/);
    expect(output).toMatch(/✔ validate\s+2000 rows, 0 bad; 4 expectations passed, 4 skipped; sha256:/);
    expect(output).toMatch(/✔ train\s+logistic-regression on \d+ rows, tested on \d+: .*auc 0\.\d{3}/);
    expect(output).toMatch(/✔ register\s+cli-churn v1/);
    expect(output).toContain('waiting for approval; decide with:');
    expect(output).toContain(`slipway approve ${runId} --as <name>`);
    expect(output).toContain(`slipway reject ${runId} --as <name>`);
    expect(output.indexOf('validate')).toBeLessThan(output.indexOf('register'));
  });

  it('status shows the steps with their summaries and the evidence table', async () => {
    const { code, output } = await slipway(['status', runId]);
    expect(code, output).toBe(0);
    expect(output).toContain(`${runId}  trainAndPromote  RUNNING`);
    expect(output).toMatch(/✔ validate\s+2000 rows, 0 bad/);
    expect(output).toMatch(/✔ register\s+cli-churn v1/);
    expect(output).toMatch(/▶ approval\s+waiting for approval: 0\/1 from maria, lee/);
    expect(output).toContain('gate for cli-churn v1: pending');
    expect(output).toMatch(/metric \(binary\)\s*│\s*candidate v1\s*│\s*champion\s*│\s*change/);
    expect(output).toMatch(/auc ↑\s*│\s*0\.\d{4}\s*│\s*—/);
    expect(output).toMatch(/evidence sha256:[0-9a-f]{64}/);
    expect(output).toContain(`(${datasetUri()})`);

    const status = await statusJson(runId);
    expect(status.status).toBe('RUNNING');
    expect(status.progress?.gate?.status).toBe('pending');
    expect(status.progress?.gate?.approvers).toEqual(['maria', 'lee']);
    expect(status.progress?.gate?.evidence.datasetUri, 'the relative path resolves against the input file').toBe(
      datasetUri(),
    );
  });

  it('approvals lists the waiting run with its model, as a table and as JSON', async () => {
    const listed = await eventually('the run in `slipway approvals`', async () => {
      const { code, output } = await slipway(['approvals']);
      expect(code, output).toBe(0);
      return output.includes(runId) ? output : undefined;
    });
    expect(listed).toMatch(new RegExp(`${runId}\\s*│\\s*cli-churn v1`));
    expect(listed).toContain('maria, lee');

    const { code, output } = await slipway(['approvals', '--json']);
    expect(code, output).toBe(0);
    const pending = JSON.parse(output) as { runId: string; listing: { model: string; version: number } }[];
    expect(pending.find((p) => p.runId === runId)?.listing).toMatchObject({ model: 'cli-churn', version: 1 });
  });

  it('approve refuses someone outside the policy and leaves the gate open', async () => {
    const { code, output } = await slipway(await cli.decision('approve', runId, 'mallory'));
    expect(code, output).toBe(1);
    expect(output).toContain('error:');
    expect(output).toContain('mallory is not allowed');
    expect(output).toContain('(allowed: maria, lee)');
    expect(output).not.toContain('accepted');
    const status = await statusJson(runId);
    expect(status.progress?.gate?.status).toBe('pending');
    expect(status.progress?.gate?.decisions).toEqual([]);
  });

  it('approve shows the evidence and signs nothing unless confirmed: --yes needs the digest reviewed', async () => {
    const digest = (await h.client.gate(runId)).evidence.digest;
    const unconfirmed = await slipway(['approve', runId, '--as', 'maria']);
    expect(unconfirmed.code, unconfirmed.output).toBe(1);
    expect(unconfirmed.output).toContain(`evidence ${digest}`);
    expect(unconfirmed.output).toContain(
      `not signed: approve asks for confirmation on a terminal; in a script pass --yes --evidence ${digest}`,
    );
    const blind = await slipway(['approve', runId, '--as', 'maria', '--yes']);
    expect(blind.output).toContain('--yes needs --evidence <digest>');
    const other = `sha256:${'0'.repeat(64)}`;
    const stale = await slipway(['approve', runId, '--as', 'maria', '--yes', '--evidence', other]);
    expect(stale.code, stale.output).toBe(1);
    expect(stale.output).toContain(`the gate's evidence is ${digest}, not ${other}`);
    for (const refused of [blind, stale]) expect(refused.output).not.toContain('accepted');
    const gate = await h.client.gate(runId);
    expect(gate).toMatchObject({ status: 'pending', decisions: [] });
    expect(gate.refused.filter((r) => r.approver === 'maria')).toEqual([]); // nothing was sent
  });

  it('approve by an allowed approver deploys the model; a second decision is refused', async () => {
    const approved = await slipway(
      await cli.decision('approve', runId, 'maria', ['--comment', 'AUC is fine for a first model']),
    );
    expect(approved.code, approved.output).toBe(0);
    expect(approved.output).toContain('approval by maria accepted');
    expect(approved.output).toContain('gate for cli-churn v1: approved');
    expect(approved.output).toContain('approved by maria');
    expect(approved.output).toContain('AUC is fine for a first model');

    const status = await closedStatus(runId);
    expect(status.status).toBe('COMPLETED');
    expect(status.result as TrainAndPromoteResult).toMatchObject({
      status: 'deployed',
      model: 'cli-churn',
      version: { version: 1 },
    });
    const text = await slipway(['status', runId]);
    expect(text.output).toMatch(/✔ deploy\s+v1 serving at http:\/\/127\.0\.0\.1:\d+/);

    const again = await slipway(await cli.decision('approve', runId, 'lee'));
    expect(again.code, again.output).toBe(1);
    expect(again.output).toMatch(/is closed: approved|has already finished/);
    expect(again.output).not.toContain('accepted');
  });

  it('reject closes the gate of another run without deploying', async () => {
    const run = await slipway([
      'run',
      'trainAndPromote',
      '--input',
      await writeInput('rejected.json', { modelName: 'cli-rejected' }),
    ]);
    expect(run.code, run.output).toBe(0);
    const rejectedRun = startedRunId(run.output);
    expect(run.output).toContain('waiting for approval; decide with:');

    const { code, output } = await slipway(
      await cli.decision('reject', rejectedRun, 'lee', ['--comment', 'not this one']),
    );
    expect(code, output).toBe(0);
    expect(output).toContain('rejection by lee accepted');
    expect(output).toContain('gate for cli-rejected v1: rejected');
    const status = await closedStatus(rejectedRun);
    expect(status.status).toBe('COMPLETED');
    expect(status.result as TrainAndPromoteResult).toMatchObject({ status: 'rejected', deployment: null });
    expect(status.progress?.steps.find((s) => s.step === 'deploy')?.status).toBe('skipped');
  });

  it('replay-check replays these runs, fetched from the namespace, against the pipelines about to run', async () => {
    const query = '(SlipwayModel = "cli-churn" OR SlipwayModel = "cli-rejected") AND ExecutionStatus = "Completed"';
    // Visibility lists a closed run shortly after it closed: check until both are listed.
    const checked = await eventually('both closed runs replayed', async () => {
      const result = await slipway(['replay-check', '--last', '10', '--query', query]);
      return result.output.includes('all 2 run(s) replay with this code') ? result : undefined;
    });
    expect(checked.code, checked.output).toBe(0);
    expect(checked.output).toContain(runId);
    // Today's runs record one patch marker for Slipway's newest patch generation, not one per patch id.
    const history = await h.client.temporal.workflow.getHandle(runId).fetchHistory();
    const patches = (history.events ?? []).flatMap((e) =>
      (e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).map(
        (p) => (JSON.parse(Buffer.from(p.data ?? []).toString()) as { id: string }).id,
      ),
    );
    expect(patches).toEqual([LATEST_PATCH_GENERATION]);
  });
});

describe('slipway errors', () => {
  it('status of an unknown run names the run', async () => {
    const { code, output } = await slipway(['status', 'no-such-run']);
    expect(code, output).toBe(1);
    expect(output).toContain('error:');
    expect(output).toContain('"no-such-run"');
  });

  it('fails fast with a hint when nothing listens at the address', async () => {
    const port = await freePort();
    const began = Date.now();
    const { code, output } = await slipway(['approvals'], `127.0.0.1:${port}`);
    expect(code, output).toBe(1);
    expect(output).toContain(`cannot reach Temporal at 127.0.0.1:${port}`);
    expect(output).toContain('slipway dev');
    expect(Date.now() - began).toBeLessThan(15_000);
  });

  it('names an input file that does not exist', async () => {
    const missing = join(inputs, 'missing.json');
    const { code, output } = await slipway(['run', 'trainAndPromote', '--input', missing]);
    expect(code, output).toBe(1);
    expect(output).toContain(`cannot read the input file ${missing}`);
    expect(output).not.toContain('started');
  });

  it('says when the input file is not JSON', async () => {
    const path = join(inputs, 'not-json.json');
    await writeFile(path, 'modelName: churn\n');
    const { code, output } = await slipway(['run', 'trainAndPromote', '--input', path]);
    expect(code, output).toBe(1);
    expect(output).toContain(`${path} is not valid JSON`);
    expect(output).not.toContain('started');
  });

  it('refuses an input file that breaks the pipeline schema before any run starts, naming the file and the field', async () => {
    const file = await writeInput('bad-name.json', { modelName: 'Bad Name' });
    const runId = `cli-bad-name-${Date.now().toString(36)}`;
    const run = await slipway(['run', 'trainAndPromote', '--input', file, '--run-id', runId]);
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain(`error: ${file}: modelName: `);
    expect(run.output).not.toContain('started');
    // No workflow execution was created under the run id it would have had.
    const { code, output } = await slipway(['status', runId]);
    expect(code, output).toBe(1);
    expect(output).toContain(`no run with id "${runId}" exists`);
  });

  it('a run started unchecked (by name, from app code) with that input fails, and status names the field', async () => {
    const file = await writeInput('bad-name-unchecked.json', { modelName: 'Bad Name' });
    const { runId } = await h.client.start('trainAndPromote', readRunInput(file));
    const { code, output } = await slipway(['status', runId]);
    expect(code, output).toBe(0);
    expect(output).toContain(`${runId}  trainAndPromote`);
    const status = await closedStatus(runId);
    expect(status.status).toBe('FAILED');
    expect(status.failure).toContain('modelName');
    const failed = await slipway(['status', runId]);
    expect(failed.output).toContain(`${runId}  trainAndPromote  FAILED`);
    expect(failed.output).toMatch(/failure: .*invalid input.*modelName/);
  });
});

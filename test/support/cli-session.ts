/**
 * Running the built `slipway` CLI against a test harness: the global flags that point it at the harness, input
 * files written next to a copy of the churn data, and the run id and status read back from its output.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunStatus } from '@slipway/sdk/client';
import { expect } from 'vitest';
import { DATA_DIR, PIPELINE_JSON } from '../../examples/churn/src/input.js';
import type { Harness } from './harness.js';
import { runCli } from './processes.js';
import { eventually } from './waits.js';

/** The CLI bound to one harness. */
export interface CliSession {
  /** Where input files are written (with `data/churn.csv` and `expectations.json` beside them). */
  inputs: string;
  /** Runs `slipway <args>` with the flags that point it at the harness (or at `address`), with extra `env`. */
  slipway(
    args: string[],
    options?: { address?: string; env?: NodeJS.ProcessEnv },
  ): Promise<{ code: number | null; output: string }>;
  /** Writes a run input next to `data/churn.csv`: `pipeline.json` with the dataset path left relative. */
  writeInput(file: string, overrides?: Record<string, unknown>): Promise<string>;
  /** `slipway status <runId> --json`, parsed. */
  statusJson(runId: string): Promise<RunStatus>;
  /** Polls `status --json` until the run has closed. */
  closedStatus(runId: string): Promise<RunStatus>;
  /**
   * `approve|reject <runId> --as <who> --yes --evidence <the gate's digest>` and `extra`: a script's decision,
   * naming the evidence it reviewed (read from the gate now).
   */
  decision(kind: 'approve' | 'reject', runId: string, who: string, extra?: string[]): Promise<string[]>;
}

/** Prepares `<data>/inputs` (the harness's dataset root) with the churn data and returns the CLI bound to the harness. */
export async function cliSession(h: Harness): Promise<CliSession> {
  const inputs = join(h.data, 'inputs');
  await mkdir(join(inputs, 'data'), { recursive: true });
  await copyFile(join(DATA_DIR, 'churn.csv'), join(inputs, 'data', 'churn.csv'));
  await copyFile(join(DATA_DIR, '..', 'expectations.json'), join(inputs, 'expectations.json'));
  const slipway: CliSession['slipway'] = (args, options = {}) =>
    runCli(
      [
        '--address',
        options.address ?? h.config.temporal.address,
        '--home',
        h.home,
        '--task-queue',
        h.config.taskQueue,
        ...args,
      ],
      // The CLI acts as ci-bot (the harness client's user) unless a test says otherwise.
      { ...h.people?.env, ...(h.people ? { SLIPWAY_IDENTITY: 'ci-bot' } : {}), ...options.env },
    );
  const statusJson = async (runId: string) => {
    const { code, output } = await slipway(['status', runId, '--json']);
    expect(code, output).toBe(0);
    return JSON.parse(output) as RunStatus;
  };
  return {
    inputs,
    slipway,
    statusJson,
    async writeInput(file, overrides = {}) {
      const base = JSON.parse(await readFile(PIPELINE_JSON, 'utf8')) as Record<string, unknown> & {
        deploy: object;
        approval: object;
      };
      const input = {
        ...base,
        dataset: { uri: 'data/churn.csv', format: 'csv' },
        approval: { ...base.approval, approvers: ['maria', 'lee'] },
        deploy: { ...base.deploy, serverUrl: h.modelServer.url },
        ...overrides,
      };
      const path = join(inputs, file);
      await writeFile(path, JSON.stringify(input, null, 2));
      return path;
    },
    async decision(kind, runId, who, extra = []) {
      const digest = (await h.client.gate(runId)).evidence.digest;
      return [kind, runId, '--as', who, '--yes', '--evidence', digest, ...extra];
    },
    closedStatus: (runId) =>
      eventually(`run ${runId} to close`, async () => {
        const status = await statusJson(runId);
        return status.status === 'RUNNING' ? undefined : status;
      }),
  };
}

/** The run id from `run`'s "started <runId>" line. */
export function startedRunId(output: string): string {
  const runId = /^started (\S+)$/m.exec(output)?.[1];
  expect(runId, `no "started <runId>" line in:\n${output}`).toBeDefined();
  return runId!;
}

/**
 * Cancelling a trainer process (cancel, heartbeat timeout, worker shutdown all abort the runner's signal): SIGTERM
 * to the process group, a grace period in which a last checkpoint is still stored, SIGKILL; and the stdin rule: a
 * trainer exits when its stdin closes, so a trainer never outlives a worker that was SIGKILLed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CancelledFailure } from '@temporalio/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  runTrainerProcess,
  type RunTrainerProcessOptions,
  type TrainerLogEntry,
} from '../../../packages/activities/src/train/process/index.js';
import { isProcessRunning } from '../../../packages/activities/src/util/process-alive.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const NODE_TRAINER = [process.execPath, join(FIXTURES, 'node-trainer.mjs')];
const PYTHON_TRAINER = ['python3', join(FIXTURES, 'python_trainer.py')];
const DIGEST = `sha256:${'0f'.repeat(32)}`;

let root: string;
let logs: TrainerLogEntry[];
let stored: { step: number; content: string }[];
let controller: AbortController;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-trainer-abort-'));
  logs = [];
  stored = [];
  controller = new AbortController();
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs a fixture and aborts once it reports progress (it is then past its set-up). */
function runAndAbort(command: readonly string[], extra: Partial<RunTrainerProcessOptions<string>> = {}) {
  const split = { path: join(root, 'train.csv'), format: 'csv' as const, digest: DIGEST, rows: 2 };
  return runTrainerProcess<string>({
    trainer: 'fixture',
    command,
    workRoot: join(root, 'work'),
    request: {
      task: 'multiclass',
      features: { numeric: ['x'], categorical: [], target: 'y' },
      params: {},
      seed: 7,
      splits: { train: split, heldout: split },
    },
    signal: controller.signal,
    onProgress: () => controller.abort(new CancelledFailure('HEARTBEAT_TIMEOUT')),
    onLog: (entry) => void logs.push(entry),
    storeCheckpoint: async (path, step) => {
      stored.push({ step, content: await readFile(path, 'utf8') });
      return `stored-${step}`;
    },
    ...extra,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the trainer run to fail');
}

function reportedPids(): number[] {
  const line = logs.find((entry) => entry.message.startsWith('pids '));
  expect(line, 'the fixture reports its pids').toBeDefined();
  return line!.message.split(' ').slice(1).map(Number);
}

describe('runTrainerProcess: abort', () => {
  it('sends SIGTERM, stores the checkpoint written in the grace period, then no process of the group is left', async () => {
    const err = await failureOf(runAndAbort([...NODE_TRAINER, 'checkpoint-on-term'], { graceMs: 60_000 }));
    expect(err).toBeInstanceOf(CancelledFailure);
    expect(err.message).toBe('HEARTBEAT_TIMEOUT');
    expect(stored).toEqual([{ step: 7, content: 'weights at step 7' }]);
    const [trainer, grandchild] = reportedPids();
    expect(isProcessRunning(trainer!)).toBe(false);
    expect(isProcessRunning(grandchild!), 'the grandchild ignored SIGTERM and was killed with its group').toBe(false);
  });

  it('a Python trainer writes its last checkpoint on SIGTERM, and it is stored', async () => {
    const err = await failureOf(runAndAbort([...PYTHON_TRAINER, 'checkpoint-on-term'], { graceMs: 60_000 }));
    expect(err.name).toBe('CancelledFailure');
    expect(stored).toEqual([{ step: 5, content: 'step 5' }]);
  });

  it('SIGKILLs a trainer that ignores SIGTERM once the grace period is over', async () => {
    const err = await failureOf(runAndAbort([...NODE_TRAINER, 'ignore-term'], { graceMs: 100 }));
    expect(err.name).toBe('CancelledFailure');
    for (const pid of reportedPids()) expect(isProcessRunning(pid), `pid ${pid}`).toBe(false);
  });

  it('an abort without a CancelledFailure reason becomes one that names the trainer', async () => {
    const err = await failureOf(
      runAndAbort([...NODE_TRAINER, 'checkpoint-on-term'], { onProgress: () => controller.abort('worker shutdown') }),
    );
    expect(err).toBeInstanceOf(CancelledFailure);
    expect(err.message).toBe('Trainer "fixture" was cancelled (worker shutdown)');
  });

  it('starts nothing when the signal is already aborted', async () => {
    controller.abort(new CancelledFailure('CANCELLED'));
    const err = await failureOf(runAndAbort([...NODE_TRAINER, 'success']));
    expect(err.message).toBe('CANCELLED');
    expect(logs).toEqual([]);
  });
});

describe('the stdin rule', () => {
  it.each([
    ['Node', [...NODE_TRAINER, 'watch-stdin']],
    ['Python', [...PYTHON_TRAINER, 'checkpoint-on-term']],
  ])('a %s trainer whose stdin closes exits', async (_language, command) => {
    const input = join(root, 'input.json');
    await writeFile(input, JSON.stringify({ resumeFrom: null, outputDir: root }));
    const [file, ...args] = command;
    const child = spawn(file!, args, { env: { ...process.env, SLIPWAY_TRAINER_INPUT: input }, cwd: root });
    const exited = once(child, 'exit');
    const firstLine = once(createInterface({ input: child.stdout }), 'line');
    await firstLine; // the trainer is running and watching stdin
    child.stdin.end();
    const [code] = (await exited) as [number | null];
    expect(code).toBe(3);
  });

  it('a trainer outlives no worker: SIGKILL the process running the runner, and the trainer exits', async () => {
    const supervisor = spawn(
      process.execPath,
      [join(FIXTURES, 'supervisor.mjs'), root, ...NODE_TRAINER, 'watch-stdin'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const [line] = (await once(createInterface({ input: supervisor.stdout }), 'line')) as [string];
    const trainer = Number((JSON.parse(line) as TrainerLogEntry).message.split(' ')[1]);
    expect(isProcessRunning(trainer)).toBe(true);
    supervisor.kill('SIGKILL');
    await once(supervisor, 'exit');
    await vi.waitFor(() => expect(isProcessRunning(trainer)).toBe(false), { timeout: 10_000, interval: 20 });
  });
});

/**
 * `runTrainerProcess` with real trainer processes (Node and Python 3 standard-library fixtures): the protocol's
 * files and stdout lines, its exit codes, and that no process of the trainer's group is ever left behind.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FinalErrorType, RetryableErrorType, failureType } from '../../../packages/sdk/src/index.js';
import {
  runTrainerProcess,
  type RunTrainerProcessOptions,
  type TrainerLogEntry,
  type TrainerRequest,
} from '../../../packages/activities/src/train/process/index.js';
import { isProcessRunning } from '../../../packages/activities/src/util/process-alive.js';
import type { TrainerInputFile, TrainerProgressMessage } from '../../../packages/sdk/src/index.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const NODE_TRAINER = [process.execPath, join(FIXTURES, 'node-trainer.mjs')];
const DIGEST = `sha256:${'0f'.repeat(32)}`;

let root: string;
let progress: TrainerProgressMessage[];
let logs: TrainerLogEntry[];
let stored: { step: number; content: string }[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-trainer-test-'));
  progress = [];
  logs = [];
  stored = [];
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function request(): TrainerRequest {
  const split = (name: string) => ({
    path: join(root, `${name}.csv`),
    format: 'csv' as const,
    digest: DIGEST,
    rows: 2,
  });
  return {
    task: 'binary',
    features: { numeric: ['tenure_months'], categorical: ['plan'], target: 'churned' },
    params: { max_depth: 3 },
    seed: 42,
    splits: { train: split('train'), heldout: split('heldout') },
  };
}

function run(command: readonly string[], extra: Partial<RunTrainerProcessOptions<string>> = {}) {
  return runTrainerProcess<string>({
    trainer: 'fixture',
    command,
    request: request(),
    workRoot: join(root, 'work'),
    onProgress: (p) => void progress.push(p),
    onLog: (entry) => void logs.push(entry),
    storeCheckpoint: async (path, step) => {
      stored.push({ step, content: await readFile(path, 'utf8') });
      return `stored-${step}`;
    },
    ...extra,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<Error & { nonRetryable?: boolean }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { nonRetryable?: boolean };
  }
  throw new Error('expected the trainer run to fail');
}

/** The pids a fixture reported with its `pids <trainer> <grandchild>` log line. */
function reportedPids(): number[] {
  const line = logs.find((entry) => entry.message.startsWith('pids '));
  expect(line, 'the fixture reports its pids').toBeDefined();
  return line!.message.split(' ').slice(1).map(Number);
}

/** What the `success` fixture saw: its cwd, input.json and environment. */
interface Seen {
  cwd: string;
  input: unknown;
  env: Record<string, string | undefined>;
}

async function seenBy(outputDir: string): Promise<Seen> {
  return JSON.parse(await readFile(join(outputDir, 'seen.json'), 'utf8')) as Seen;
}

async function workDirsLeft(): Promise<string[]> {
  return readdir(join(root, 'work')).catch(() => []);
}

describe('runTrainerProcess: a successful trainer', () => {
  it('gets input.json (absolute paths) in a fresh working directory and turns its stdout into calls', async () => {
    const result = await run([...NODE_TRAINER, 'success'], { env: { ACME_FLAG: 'on' } });
    const seen = await seenBy(result.outputDir);
    expect(seen.cwd).toBe(result.workDir);
    expect(seen.env.SLIPWAY_TRAINER_INPUT).toBe(join(result.workDir, 'input.json'));
    expect(seen.env.ACME_FLAG).toBe('on');
    expect(seen.input).toEqual({ protocol: 1, ...request(), outputDir: result.outputDir, resumeFrom: null });
    expect(progress.map((p) => [p.step, p.epoch, p.metrics])).toEqual([
      [1, 0, { loss: 0.9 }],
      [2, 1, { loss: 0.5 }],
    ]);
    expect(stored).toEqual([
      { step: 1, content: 'weights at step 1' },
      { step: 2, content: 'weights at step 2' },
    ]);
    expect(result.lastCheckpoint).toEqual({
      step: 2,
      path: join(result.workDir, 'ckpt', 'step-2.bin'),
      stored: 'stored-2',
    });
    expect(logs.map((l) => [l.level, l.message, l.line])).toEqual([
      ['info', 'a library printing a plain line', 1],
      ['warn', 'almost done', 6],
    ]);
    expect(result.result.model).toEqual({ path: 'model.onnx', format: 'onnx' });
    expect(result.modelPath).toBe(join(result.outputDir, 'model.onnx'));
    expect(result.result.metrics).toEqual({ auc: 0.8 });
    await result.dispose();
    expect(await workDirsLeft()).toEqual([]);
  });

  it('does not pass on the worker environment beyond the inherited few (no cloud keys)', async () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'worker-secret';
    try {
      const result = await run([...NODE_TRAINER, 'success']);
      const seen = await seenBy(result.outputDir);
      expect(seen.env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
      expect(seen.env.PATH).toBe(process.env.PATH);
      await result.dispose();
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('runs a Python standard-library trainer, resuming from a checkpoint copied into its working directory', async () => {
    const checkpoint = join(root, 'stored-checkpoint.txt');
    await writeFile(checkpoint, 'step 4');
    const result = await run(['python3', join(FIXTURES, 'python_trainer.py'), 'success'], {
      resumeFrom: { path: checkpoint, step: 4 },
    });
    const input = JSON.parse(await readFile(join(result.workDir, 'input.json'), 'utf8')) as TrainerInputFile;
    expect(input.resumeFrom).toEqual({ path: join(result.workDir, 'resume', 'stored-checkpoint.txt'), step: 4 });
    expect(progress.map((p) => p.step)).toEqual([5, 6]);
    expect(stored.map((s) => s.step)).toEqual([5, 6]);
    expect(result.result.model.format).toBe('slipway-json');
    expect(result.result.metrics).toEqual({ rmse: 0.5 });
    await result.dispose();
  });
});

describe('runTrainerProcess: exit codes', () => {
  it('exit 2 is a final SlipwayTrainerFailed carrying the last non-empty stderr lines', async () => {
    const err = await failureOf(run([...NODE_TRAINER, 'exit-2']));
    expect(failureType(err)).toBe(FinalErrorType.TrainerFailed);
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toBe(
      'Trainer "fixture" failed (exit code 2):\nloading params\nbad params: max_depth must be at least 1',
    );
    expect(await workDirsLeft()).toEqual([]);
  });

  it('exit 2 from a Python trainer is final with its message', async () => {
    const err = await failureOf(run(['python3', join(FIXTURES, 'python_trainer.py'), 'exit-2']));
    expect(failureType(err)).toBe(FinalErrorType.TrainerFailed);
    expect(err.message).toContain("ValueError: column 'plan' is missing");
  });

  it('exit 1 is a retryable SlipwayTrainerCrashed with the last 20 stderr lines', async () => {
    const err = await failureOf(run([...NODE_TRAINER, 'exit-1']));
    expect(failureType(err)).toBe(RetryableErrorType.TrainerCrashed);
    expect(err.nonRetryable).toBe(false);
    const lines = Array.from({ length: 20 }, (_, i) => `trace line ${i + 31}`);
    expect(err.message).toBe(`Trainer "fixture" exited with code 1:\n${lines.join('\n')}`);
  });

  it('a signal the runner did not send is a retryable SlipwayTrainerCrashed naming it', async () => {
    const err = await failureOf(run([...NODE_TRAINER, 'killed']));
    expect(failureType(err)).toBe(RetryableErrorType.TrainerCrashed);
    expect(err.message).toBe('Trainer "fixture" was killed by SIGKILL:\nout of memory, probably');
  });

  it('a command that cannot be started is a final failure naming it', async () => {
    const err = await failureOf(run([join(root, 'no-such-trainer')]));
    expect(failureType(err)).toBe(FinalErrorType.TrainerFailed);
    expect(err.message).toContain(`Trainer "fixture" could not be started: ["${join(root, 'no-such-trainer')}"]`);
  });
});

describe('runTrainerProcess: protocol violations are final, and leave no process behind', () => {
  it('a malformed progress line fails naming the line and the field', async () => {
    const err = await failureOf(run([...NODE_TRAINER, 'malformed-progress']));
    expect(failureType(err)).toBe(FinalErrorType.TrainerFailed);
    expect(err.message).toMatch(/^Trainer "fixture" stdout line 2 is an invalid progress message: step: /);
    expect(err.message).toContain('(the line: {"type":"progress","epoch":3})');
    expect(progress.map((p) => p.step)).toEqual([1]);
  });

  it('a progress line with NaN (not JSON) fails naming the line', async () => {
    const err = await failureOf(run(['python3', join(FIXTURES, 'python_trainer.py'), 'nan-progress']));
    expect(failureType(err)).toBe(FinalErrorType.TrainerFailed);
    expect(err.message).toContain('stdout line 1 looks like a progress message but is not JSON');
  });

  it('an invalid result.json fails naming the file and the field', async () => {
    const err = await failureOf(run([...NODE_TRAINER, 'invalid-result']));
    expect(failureType(err)).toBe(FinalErrorType.TrainerFailed);
    expect(err.message).toMatch(/exited 0, but \/.*\/out\/result\.json is invalid: signature\.inputs\.0\.type: /);
  });

  it('a missing result.json fails naming the file', async () => {
    const err = await failureOf(run([...NODE_TRAINER, 'missing-result']));
    expect(err.message).toMatch(/exited 0, but \/.*\/out\/result\.json does not exist/);
  });

  it.each([
    ['an absolute path outside', '/etc/hostname'],
    ['a relative path escaping', '../escape.bin'],
  ])('a checkpoint at %s the working directory is refused, and the group is killed', async (_what, path) => {
    await writeFile(join(root, 'escape.bin'), 'not the trainer’s');
    const err = await failureOf(run([...NODE_TRAINER, 'checkpoint-outside', path]));
    expect(failureType(err)).toBe(FinalErrorType.TrainerFailed);
    expect(err.message).toContain(`stdout line 2: checkpoint path "${path}"`);
    expect(err.message).toContain('a checkpoint must be a file inside the working directory');
    expect(stored).toEqual([]);
    for (const pid of reportedPids()) expect(isProcessRunning(pid), `pid ${pid}`).toBe(false);
  });

  it('a stdout line over the bound fails naming the line, and the group is killed', async () => {
    const err = await failureOf(run([...NODE_TRAINER, 'checkpoint-outside', 'x'.repeat(2000)], { maxLineBytes: 1000 }));
    expect(err.message).toContain('Trainer "fixture" wrote stdout line 2 longer than 1000 bytes');
    for (const pid of reportedPids()) expect(isProcessRunning(pid), `pid ${pid}`).toBe(false);
  });

  it('a handler that throws (a refused heartbeat) fails the attempt with its error, and the group is killed', async () => {
    const err = await failureOf(
      run([...NODE_TRAINER, 'checkpoint-on-term'], {
        onProgress: () => {
          throw new Error('heartbeat refused');
        },
      }),
    );
    expect(err.message).toBe('heartbeat refused');
    for (const pid of reportedPids()) expect(isProcessRunning(pid), `pid ${pid}`).toBe(false);
    expect(await workDirsLeft()).toEqual([]);
  });
});

/**
 * Resource-class workers, the refusals: `slipway worker --steps` with a step that does not exist, a pipeline input
 * routing a step that the pipeline does not have or to a malformed queue, and a shutdown grace that is not a
 * duration (flag, configuration, environment). The happy paths run against a real server in
 * `test/integration/resource-class-workers.test.ts`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StepQueues,
  checkDrift,
  describeIssues,
  pipelineStepNames,
  rolloutVersion,
  trainAndPromote,
  withStepQueues,
} from '@slipway/sdk';
import { SlipwayClient } from '@slipway/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../../examples/churn/src/input.js';
import { CONFIG_FILE_NAME, DEFAULT_SHUTDOWN_GRACE, loadConfig } from '../../../packages/worker/src/config/index.js';
import { createSlipwayWorker } from '../../../packages/worker/src/worker/create-worker.js';
import { builtinStepActivityNames, selectActivities } from '../../../packages/worker/src/worker/step-selection.js';
import { runCli } from '../../support/processes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-resource-class-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Nothing listens here: a command that got past its checks would fail to connect, not with the refusal. */
const NOWHERE = ['--address', '127.0.0.1:1'];

describe('the steps a worker serves', () => {
  it('takes short names and contract names, once each', () => {
    expect(builtinStepActivityNames(['train'])).toEqual(['slipway.train']);
    expect(builtinStepActivityNames(['train', 'slipway.train', ' register '])).toEqual([
      'slipway.train',
      'slipway.register',
    ]);
    const activities = { 'slipway.train': () => Promise.resolve(1), 'slipway.validate': () => Promise.resolve(2) };
    expect(Object.keys(selectActivities(activities, ['slipway.train']))).toEqual(['slipway.train']);
  });

  it('refuses an unknown step, naming it and listing the known ones, and an empty list', () => {
    expect(() => builtinStepActivityNames(['train', 'trian', 'gpu'])).toThrow(
      /unknown steps "trian", "gpu": the built-in steps are validate, train, register, .*rolloutStage/,
    );
    expect(() => builtinStepActivityNames([' ', ''])).toThrow(/no step named: name at least one of .*validate, train/);
  });

  it('createSlipwayWorker refuses an unknown step before it connects', async () => {
    const config = loadConfig({ cwd: dir, env: {}, overrides: { home: dir, temporal: { address: '127.0.0.1:1' } } });
    await expect(createSlipwayWorker({ config, steps: ['gpuTrain'] })).rejects.toThrow(/unknown step "gpuTrain"/);
  });

  it('slipway worker --steps refuses an unknown step and exits 1 without connecting', async () => {
    const { code, output } = await runCli([...NOWHERE, 'worker', '--steps', 'train,trian']);
    expect(code).toBe(1);
    expect(output).toMatch(/unknown step "trian": the built-in steps are validate, train, register/);
    expect(output).not.toMatch(/cannot reach/);
  });
});

describe('routing steps to task queues from the pipeline input', () => {
  const input = churnInput({ serverUrl: 'http://127.0.0.1:8765', modelName: 'routed' });
  const parse = (stepOptions: unknown) => trainAndPromote.input.safeParse({ ...input, stepOptions });

  it('takes a queue per step', () => {
    const parsed = parse({ train: { taskQueue: 'slipway-gpu' } });
    expect(parsed.success && parsed.data.stepOptions).toEqual({ train: { taskQueue: 'slipway-gpu' } });
  });

  it("refuses a step the pipeline does not have, naming it and listing the pipeline's steps", () => {
    const parsed = parse({ gpuTrain: { taskQueue: 'slipway-gpu' } });
    expect(parsed.success).toBe(false);
    expect(describeIssues(parsed.error!)).toMatch(
      /stepOptions: unknown step "gpuTrain": this pipeline's steps are validate, train, register/,
    );
    const rollout = rolloutVersion.input.safeParse({ stepOptions: { train: { taskQueue: 'q' } } });
    expect(describeIssues(rollout.error!)).toMatch(/unknown step "train": this pipeline's steps are stage, traffic/);
  });

  it('refuses a malformed queue name, naming the step', () => {
    for (const [queue, reason] of [
      ['', /not empty/],
      ['slipway gpu', /no whitespace/],
      ['gpu\n', /no whitespace/],
      ['/_sys/gpu', /reserved by Temporal/],
      ['q'.repeat(1001), /at most 1000 characters/],
    ] as const) {
      const parsed = parse({ train: { taskQueue: queue } });
      expect(parsed.success, queue).toBe(false);
      expect(describeIssues(parsed.error!)).toMatch(/stepOptions\.train\.taskQueue/);
      expect(describeIssues(parsed.error!)).toMatch(reason);
    }
  });

  it('a worker refuses a malformed queue name of its own', () => {
    expect(() => loadConfig({ cwd: dir, env: { SLIPWAY_TASK_QUEUE: 'slipway gpu' } })).toThrow(
      /taskQueue: a task queue name has no whitespace.*SLIPWAY_TASK_QUEUE/,
    );
  });
});

describe('default step queues (client option, `stepQueues` in slipway.config.json)', () => {
  const input = churnInput({ serverUrl: 'http://127.0.0.1:8765', modelName: 'routed' });

  it("are written into the steps of the pipeline that the input does not route; the input's own route wins", () => {
    expect(pipelineStepNames(trainAndPromote)).toContain('train');
    expect(pipelineStepNames(checkDrift)).toEqual([]);
    const routed = withStepQueues(trainAndPromote, input, { train: 'slipway-gpu', stage: 'slipway-cpu' });
    expect((routed as typeof input).stepOptions).toEqual({ train: { taskQueue: 'slipway-gpu' } });
    const own = { ...input, stepOptions: { train: { taskQueue: 'gpu-a100', heartbeatTimeout: '1m' }, deploy: {} } };
    expect(
      (withStepQueues(trainAndPromote, own, { train: 'slipway-gpu', deploy: 'slipway-cpu' }) as typeof own).stepOptions,
    ).toEqual({
      train: { taskQueue: 'gpu-a100', heartbeatTimeout: '1m' },
      deploy: { taskQueue: 'slipway-cpu' },
    });
    expect(withStepQueues(rolloutVersion, { model: 'm' }, { train: 'slipway-gpu' })).toEqual({ model: 'm' });
  });

  it('refuse a step no pipeline has, naming it and listing the steps, and a malformed queue', () => {
    const unknown = StepQueues.safeParse({ gpuTrain: 'slipway-gpu' });
    expect(describeIssues(unknown.error!)).toMatch(
      /gpuTrain: unknown step "gpuTrain": the steps Slipway's pipelines route are .*train/,
    );
    expect(describeIssues(StepQueues.safeParse({ train: 'slipway gpu' }).error!)).toMatch(
      /train: a task queue name has no whitespace/,
    );
  });

  it('the client refuses malformed defaults before it starts anything', async () => {
    const client = SlipwayClient.fromClient({} as never, { user: 'ci-bot', stepQueues: { gpuTrain: 'q' } });
    await expect(client.start(trainAndPromote, input)).rejects.toThrow(/stepQueues: gpuTrain: unknown step "gpuTrain"/);
  });

  it('a configuration file with an unknown step is refused, naming the file and the field', async () => {
    const cwd = await mkdtemp(join(dir, 'config-'));
    await writeFile(join(cwd, CONFIG_FILE_NAME), JSON.stringify({ stepQueues: { trian: 'slipway-gpu' } }));
    expect(() => loadConfig({ cwd, env: {} })).toThrow(
      /slipway\.config\.json: stepQueues\.trian: unknown step "trian"/,
    );
    await writeFile(join(cwd, CONFIG_FILE_NAME), JSON.stringify({ stepQueues: { train: 'slipway-gpu' } }));
    expect(loadConfig({ cwd, env: {} }).stepQueues).toEqual({ train: 'slipway-gpu' });
  });
});

describe('the shutdown grace', () => {
  it('is 30s unless configured', () => {
    expect(DEFAULT_SHUTDOWN_GRACE).toBe('30s');
    expect(loadConfig({ cwd: dir, env: {} }).shutdownGrace).toBe('30s');
    expect(loadConfig({ cwd: dir, env: { SLIPWAY_SHUTDOWN_GRACE: '5m' } }).shutdownGrace).toBe('5m');
  });

  it('refuses a value that is not a duration: configuration, environment and flag', async () => {
    expect(() => loadConfig({ cwd: dir, env: { SLIPWAY_SHUTDOWN_GRACE: 'soon' } })).toThrow(
      /shutdownGrace: expected a duration like "30s".*SLIPWAY_SHUTDOWN_GRACE/,
    );
    const { code, output } = await runCli([...NOWHERE, 'worker', '--shutdown-grace', 'soon']);
    expect(code).toBe(1);
    expect(output).toMatch(/--shutdown-grace.*expected a duration like "30s", "2m" or "1h", got "soon"/s);
    expect(output).not.toMatch(/cannot reach/);
  });
});

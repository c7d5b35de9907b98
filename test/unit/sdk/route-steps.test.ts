/**
 * The client's default step queues (`stepQueues`) on every kind of start: a pipeline named by its built-in
 * contract or by its name, the guardian (its own steps and the retrain it carries), deploy and rollback inputs, a
 * custom pipeline named without a contract (left alone), and a run's own route winning. The starts themselves run
 * against a real server in `test/integration/resource-class-workers.test.ts`.
 */
import {
  builtinPipeline,
  deployVersion,
  modelGuardian,
  rollbackModel,
  trainAndPromote,
  type ModelGuardianInputRaw,
} from '@slipway/sdk';
import { SlipwayClient } from '@slipway/sdk/client';
import { describe, expect, it } from 'vitest';
import { churnInput } from '../../../examples/churn/src/input.js';
import { routedInput } from '../../../packages/sdk/src/client/route-steps.js';

const SERVER = 'http://127.0.0.1:8765';
const QUEUES = { train: 'q-gpu', deploy: 'q-deploy', rollback: 'q-rollback', guardCheck: 'q-guard' };
const { start: _s, startedBy: _b, retrain: _r, ...retrainInput } = churnInput({ serverUrl: SERVER, modelName: 'm' });
const guardian = {
  model: 'm',
  every: '1h',
  source: { kind: 'model-server', serverUrl: SERVER },
  retrain: { input: { ...retrainInput, stepOptions: { deploy: { taskQueue: 'own-deploy' } } } },
} satisfies ModelGuardianInputRaw;

type Routed = { stepOptions?: Record<string, { taskQueue?: string }> };
const queuesOf = (input: unknown) =>
  Object.fromEntries(Object.entries((input as Routed).stepOptions ?? {}).map(([step, o]) => [step, o.taskQueue]));

describe('default step queues on every start', () => {
  it('route a built-in pipeline named by its name as they route its contract', () => {
    const input = churnInput({ serverUrl: SERVER, modelName: 'm' });
    expect(builtinPipeline('trainAndPromote')).toBe(trainAndPromote);
    const byName = routedInput('trainAndPromote', input, QUEUES);
    expect(byName).toEqual(routedInput(trainAndPromote, input, QUEUES));
    expect(queuesOf(byName)).toEqual({ train: 'q-gpu', deploy: 'q-deploy' });
  });

  it("leave a custom pipeline's input as given: its steps are unknown to the client", () => {
    const input = { stepOptions: { train: {} }, anything: 1 };
    expect(builtinPipeline('scoreNightly')).toBeUndefined();
    expect(builtinPipeline('toString')).toBeUndefined();
    expect(routedInput('scoreNightly', input, QUEUES)).toBe(input);
  });

  it('route the deploy and the rollback pipelines by their own steps', () => {
    const deploy = { model: 'm', version: 3, deploy: { serverUrl: SERVER } };
    expect(queuesOf(routedInput(deployVersion, deploy, QUEUES))).toEqual({ deploy: 'q-deploy' });
    const rollback = { model: 'm', reason: 'bad', deploy: { serverUrl: SERVER } };
    expect(queuesOf(routedInput(rollbackModel, rollback, QUEUES))).toEqual({ rollback: 'q-rollback' });
  });

  it("route the guardian's steps and the retrain it carries; the retrain's own route wins", () => {
    const routed = routedInput(modelGuardian, guardian, QUEUES) as typeof guardian;
    expect(queuesOf(routed)).toEqual({ guardCheck: 'q-guard' });
    expect(queuesOf(routed.retrain.input)).toEqual({ train: 'q-gpu', deploy: 'own-deploy' });
    expect(modelGuardian.input.safeParse(routed).success).toBe(true);
    // The caller's input is not changed.
    expect(guardian.retrain.input.stepOptions).toEqual({ deploy: { taskQueue: 'own-deploy' } });
  });

  it("leave a guardian input whose retrain is not an object to the contract's refusal", () => {
    const bad = { ...guardian, retrain: 'retrain.json' };
    expect((routedInput(modelGuardian, bad, QUEUES) as typeof bad).retrain).toBe('retrain.json');
  });

  it('refuse malformed defaults on every start, before anything is sent', async () => {
    expect(() => routedInput('scoreNightly', {}, { gpuTrain: 'q' })).toThrow(/stepQueues: gpuTrain: unknown step/);
    const client = SlipwayClient.fromClient({} as never, { user: 'ci-bot', stepQueues: { gpuTrain: 'q' } });
    const refused = /stepQueues: gpuTrain: unknown step "gpuTrain"/;
    await expect(client.start('trainAndPromote', {})).rejects.toThrow(refused);
    await expect(client.deploy({ model: 'm', version: 1, deploy: { serverUrl: SERVER } })).rejects.toThrow(refused);
    await expect(client.rollback('m', { as: 'maria', reason: 'bad', serverUrl: SERVER })).rejects.toThrow(refused);
    await expect(client.guard.start(guardian)).rejects.toThrow(refused);
  });
});

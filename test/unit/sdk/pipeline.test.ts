/**
 * Pipeline contracts: `definePipeline` refuses names a worker could not register and steps its progress could
 * not show; the built-in contracts are what their workflow functions are registered as, and accept the inputs
 * the project ships.
 */
import {
  TRAIN_AND_PROMOTE_STEPS,
  builtinPipelines,
  checkDrift,
  definePipeline,
  trainAndPromote,
  type PipelineInput,
  type PipelineOutput,
} from '@slipway/sdk';
import * as workflows from '@slipway/sdk/pipelines';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { churnInput } from '../../../examples/churn/src/input.js';
import { churnPipeline } from '../../../examples/churn/src/steps.js';

const score = definePipeline({
  name: 'scorePipeline',
  input: z.object({ threshold: z.number().min(0).max(1).default(0.5) }),
  output: z.object({ positives: z.number().int() }),
  steps: ['validate', 'score'],
});

describe('definePipeline', () => {
  it('makes a frozen contract with its name, schemas, steps and a default description', () => {
    expect(score).toMatchObject({ name: 'scorePipeline', description: 'scorePipeline', steps: ['validate', 'score'] });
    expect(Object.isFrozen(score)).toBe(true);
    expect(Object.isFrozen(score.steps)).toBe(true);
    expect(score.input.parse({})).toEqual({ threshold: 0.5 });
    expectTypeOf<PipelineInput<typeof score>>().toEqualTypeOf<{ threshold?: number | undefined }>();
    expectTypeOf<PipelineOutput<typeof score>>().toEqualTypeOf<{ positives: number }>();
  });

  it('keeps its own copy of the steps', () => {
    const steps = ['a', 'b'];
    const contract = definePipeline({ name: 'p', input: z.object({}), output: z.object({}), steps });
    steps.push('c');
    expect(contract.steps).toEqual(['a', 'b']);
  });

  it('refuses a name that cannot be a workflow function, saying why', () => {
    for (const name of ['train-and-promote', '1pipeline', 'my pipeline', 'acme.score', '']) {
      expect(() => definePipeline({ name, input: z.object({}), output: z.object({}), steps: [] }), name).toThrow(
        `definePipeline: invalid pipeline name "${name}": it is the name of the workflow function`,
      );
    }
  });

  it('refuses a step listed twice, or an empty step name', () => {
    const define = (steps: string[]) =>
      definePipeline({ name: 'twice', input: z.object({}), output: z.object({}), steps });
    expect(() => define(['train', 'deploy', 'train'])).toThrow(
      'definePipeline: pipeline "twice" lists the step "train" twice',
    );
    expect(() => define(['train', ' '])).toThrow('definePipeline: pipeline "twice" lists an empty step name');
  });
});

describe('the built-in pipeline contracts', () => {
  it('each names a workflow function exported by @slipway/sdk/pipelines, and nothing else is exported there', () => {
    const contracts = Object.values(builtinPipelines);
    expect(contracts.map((c) => c.name).sort()).toEqual([
      'checkDrift',
      'deployVersion',
      'modelGuardian',
      'promoteVersion',
      'rollbackModel',
      'rolloutVersion',
      'trainAndPromote',
    ]);
    for (const contract of contracts) {
      expect(builtinPipelines[contract.name]).toBe(contract);
      expect(typeof (workflows as Record<string, unknown>)[contract.name], contract.name).toBe('function');
    }
    expect(Object.keys(workflows).sort()).toEqual(contracts.map((c) => c.name).sort());
  });

  it('trainAndPromote shows the steps its progress has always shown, and accepts the example input', () => {
    expect(trainAndPromote.steps).toEqual([...TRAIN_AND_PROMOTE_STEPS]);
    const parsed = trainAndPromote.input.parse(churnInput({ serverUrl: 'http://127.0.0.1:8765' }));
    expect(parsed).toMatchObject({ modelName: 'churn', approval: { quorum: 1 }, trainer: 'logistic-regression' });
  });

  it('checkDrift takes the monitor step input and returns a drift report', () => {
    expect(checkDrift.steps).toEqual(['monitor']);
    expect(checkDrift.input.parse({ model: 'churn', serverUrl: 'http://127.0.0.1:8765' })).toMatchObject({
      alias: 'champion',
      psiThreshold: 0.2,
      minSamples: 50,
    });
    expect(checkDrift.output.safeParse({ model: 'churn' }).success).toBe(false);
  });

  it("the churn example's contract extends trainAndPromote's input with the segment check", () => {
    const parsed = churnPipeline.input.parse(churnInput({ serverUrl: 'http://127.0.0.1:8765' }));
    expect(parsed).toMatchObject({ modelName: 'churn', segmentColumn: 'plan', minSegmentAuc: 0.7 });
    expect(churnPipeline.steps).toEqual(['validate', 'train', 'segments', 'register', 'approval', 'deploy']);
  });
});

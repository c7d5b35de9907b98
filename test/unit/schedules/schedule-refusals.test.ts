/**
 * `SlipwayClient.schedules.create` refuses before Temporal is asked: an unknown pipeline, a pipeline that runs under
 * one fixed id, a bad cron, an input that fails the pipeline's contract (naming the field), and an input that names
 * someone else as its starter. The Temporal client here throws on any use, so a refusal that reached it would fail.
 */
import type { Client } from '@temporalio/client';
import { ClientErrorCode, SlipwayClient, type SlipwayClientError } from '@slipway/sdk/client';
import { checkDrift, generateKeyPair } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const untouchable = new Proxy({} as Client, {
  get(_target, property) {
    throw new Error(`Temporal was asked (${String(property)}) before the schedule was checked`);
  },
});
const slipway = SlipwayClient.fromClient(untouchable, { user: 'ci-bot' });
const key = { name: 'ci-bot', ...generateKeyPair() };
const driftInput = { model: 'churn', serverUrl: 'http://127.0.0.1:8765' };

async function refusal(promise: Promise<unknown>): Promise<SlipwayClientError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the call should have been refused').toBeDefined();
  return err as SlipwayClientError;
}

describe('schedules.create refuses before Temporal is asked', () => {
  it('an unknown pipeline, naming the built-in ones', async () => {
    const err = await refusal(slipway.schedules.create('checkDrfit', { cron: '@daily', input: driftInput, key }));
    expect(err.code).toBe(ClientErrorCode.UnknownPipeline);
    expect(err.message).toContain(
      'unknown pipeline "checkDrfit": the built-in pipelines are trainAndPromote, checkDrift',
    );
  });

  it.each(['deployVersion', 'rolloutVersion', 'rollbackModel'])('%s, which runs under one fixed id', async (name) => {
    const err = await refusal(slipway.schedules.create(name, { cron: '@daily', input: {}, key }));
    expect(err.code).toBe(ClientErrorCode.InvalidInput);
    expect(err.message).toContain(`pipeline "${name}" cannot be scheduled`);
  });

  it('a bad cron, naming the field', async () => {
    const err = await refusal(slipway.schedules.create(checkDrift, { cron: '0 6 * * 9', input: driftInput, key }));
    expect(err.code).toBe(ClientErrorCode.InvalidInput);
    expect(err.message).toContain('field day-of-week "9": 9 is out of range 0-7');
  });

  it('an input that fails the contract, naming the field', async () => {
    const input = { ...driftInput, serverUrl: 42 } as unknown as typeof driftInput;
    const err = await refusal(slipway.schedules.create(checkDrift, { cron: '@daily', input, key }));
    expect(err.code).toBe(ClientErrorCode.InvalidInput);
    expect(err.issues?.map((i) => i.path.join('.'))).toContain('serverUrl');
  });

  it('an input that names another starter', async () => {
    const input = { ...driftInput, startedBy: 'maria' };
    const err = await refusal(slipway.schedules.create(checkDrift, { cron: '@daily', input, key }));
    expect(err.code).toBe(ClientErrorCode.InvalidInput);
    expect(err.message).toContain('the input says the run is started by "maria", but the caller is "ci-bot"');
  });
});

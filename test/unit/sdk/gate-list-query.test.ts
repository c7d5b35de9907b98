/**
 * `listGates` asks the visibility store one query: pending gates of running runs, closed gates, or both, optionally
 * of one model; a bad option is refused before anything is asked.
 */
import { ClientErrorCode, gateListQuery, type SlipwayClientError } from '@slipway/sdk/client';
import { listGates } from '../../../packages/sdk/src/client/gates.js';
import { describe, expect, it } from 'vitest';

describe('the gate list query', () => {
  it('names the gate status search attribute, and the model when asked', () => {
    expect(gateListQuery({ status: 'pending' })).toBe('ExecutionStatus = "Running" AND SlipwayGateStatus = "pending"');
    expect(gateListQuery({ status: 'closed', model: 'churn' })).toBe(
      'SlipwayGateStatus IN ("approved", "rejected", "expired") AND SlipwayModel = "churn"',
    );
    expect(gateListQuery({})).toBe('SlipwayGateStatus IN ("pending", "approved", "rejected", "expired")');
  });

  it('refuses a model that is not a model name, an unknown status and a bad limit, asking nothing', async () => {
    const unused = {} as Parameters<typeof listGates>[0]; // never reached: the options are checked first
    const refusal = (options: Parameters<typeof listGates>[1]) =>
      listGates(unused, options).then(
        () => expect.fail('expected a refusal'),
        (err: unknown) => err as SlipwayClientError,
      );
    const quoted = await refusal({ model: 'churn" OR 1=1' });
    expect(quoted.code).toBe(ClientErrorCode.InvalidInput);
    expect(quoted.message).toContain('is not a model name');
    expect((await refusal({ status: 'open' as never })).message).toContain('status must be "pending" or "closed"');
    expect((await refusal({ limit: 0 })).message).toContain('limit must be a positive whole number');
  });
});

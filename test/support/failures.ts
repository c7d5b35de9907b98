/**
 * Expecting a call to fail: the error it rejected with (the test fails when it resolved instead), as is or as a
 * `SlipwayClientError` for client calls.
 */
import type { SlipwayClientError } from '@slipway/sdk/client';
import { expect } from 'vitest';

/** The error `promise` rejects with; fails the test when it resolves. */
export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the call should have failed').toBeDefined();
  return err;
}

/** The `SlipwayClientError` a client call rejects with; fails the test when it resolves. */
export async function clientError(promise: Promise<unknown>): Promise<SlipwayClientError> {
  return (await failureOf(promise)) as SlipwayClientError;
}

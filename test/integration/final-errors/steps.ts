/** A user step whose implementation raises a Slipway final type retryable, and the raw activity that does too. */
import { defineStep } from '@slipway/sdk';
import { z } from 'zod';

/** A step with a final type of its own; three attempts, so a failure that is retried shows in the history. */
export const acmeCheckStep = defineStep({
  name: 'acme.check',
  input: z.object({ threshold: z.number() }),
  output: z.object({ ok: z.boolean() }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 3, initialInterval: '100ms' } },
  finalErrors: ['AcmeBadModel'],
});

/** A raw activity (no step contract), called with the same three attempts. */
export interface AcmeRawActivities {
  acmeLookup(name: string): Promise<string>;
}

/** Workflows that call an activity which raises a Slipway final type retryable: by its step, and raw. */
import { useStep } from '@slipway/sdk/workflow';
import { proxyActivities } from '@temporalio/workflow';
import { acmeCheckStep, type AcmeRawActivities } from './steps.js';

/** Calls `acme.check` through `useStep`. */
export async function checkOnce(threshold: number): Promise<boolean> {
  const check = useStep(acmeCheckStep);
  return (await check({ threshold })).ok;
}

/** Calls the raw `acmeLookup` activity with up to three attempts. */
export async function lookupOnce(name: string): Promise<string> {
  const { acmeLookup } = proxyActivities<AcmeRawActivities>({
    startToCloseTimeout: '1m',
    retry: { maximumAttempts: 3, initialInterval: '100ms' },
  });
  return acmeLookup(name);
}

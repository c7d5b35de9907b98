/**
 * The serving health of a check's window (model-server source): the requests the version answered, their errors
 * and p99 latency as the model server counted them, judged against the policy's health limits.
 */
import type { CheckWindow, DriftPolicy, ServingHealth, VersionHealthAnswer } from '@slipway/sdk';
import type { ModelServerClient } from '../model-server/client.js';

/** The health of the window and, when the server's record does not cover all of it, a note saying so. */
export interface HealthReading {
  health: ServingHealth;
  /** Set when the server's in-memory record starts after the window does (it restarted, or dropped old requests). */
  note?: string;
}

/**
 * Reads the version's requests in the window from the model server and judges them: `breached` when the error rate
 * exceeds `maxErrorRate` or the p99 latency exceeds `maxP99Ms` (a limit the policy does not set is not checked).
 */
export async function servingHealth(
  client: Pick<ModelServerClient, 'health'>,
  record: { name: string; version: number },
  window: Pick<CheckWindow, 'from' | 'to'>,
  limits: DriftPolicy['health'],
): Promise<HealthReading> {
  const answer = await client.health(record.name, record.version, { from: window.from, to: window.to });
  const health = judgeHealth(answer, limits);
  const starts = window.from === undefined ? Number.NEGATIVE_INFINITY : Date.parse(window.from);
  if (Date.parse(answer.since) <= starts) return { health };
  return {
    health,
    note:
      `the model server's request record starts at ${answer.since}, after the window does: requests before then ` +
      '(before a restart of the server, or dropped as old) are not counted',
  };
}

/** Judges a version's requests against the health limits. */
export function judgeHealth(
  answer: Pick<VersionHealthAnswer, 'requests' | 'errors' | 'p99Ms'>,
  limits: DriftPolicy['health'],
): ServingHealth {
  const errorRate = answer.requests === 0 ? 0 : answer.errors / answer.requests;
  const errorBreach = limits.maxErrorRate !== undefined && errorRate > limits.maxErrorRate;
  const latencyBreach = limits.maxP99Ms !== undefined && answer.p99Ms !== null && answer.p99Ms > limits.maxP99Ms;
  return {
    requests: answer.requests,
    errors: answer.errors,
    errorRate,
    p99Ms: answer.p99Ms,
    breached: errorBreach || latencyBreach,
  };
}

/**
 * A notifier that fails outright never holds up or fails an approval gate (real dev server, worker, model server).
 * The worker's notifier throws on every event, as a notifier whose dead-letter log cannot be written would: the
 * `slipway.notify` activity fails after its retries for the gate's `gate_opened` and `gate_decided` notices, the
 * gate opens and takes the approval all the same, and the run deploys. The failures are in the run's history,
 * each naming the notifier's error. The gate also publishes its policy's `allowSelfApproval`.
 */
import type { TrainAndPromoteResult } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { startHarness, type Harness } from '../support/harness.js';
import { waitForGate } from '../support/waits.js';

const MODEL = 'notify-fails-churn';
const NOTIFIER_ERROR = 'cannot write the dead-letter log: no space left on device';

let h: Harness;
const attempted: string[] = [];

beforeAll(async () => {
  h = await startHarness({
    name: 'gate-notify-failure',
    deps: () => ({
      notifier: {
        notify: (event) => {
          attempted.push(event.kind);
          return Promise.reject(new Error(NOTIFIER_ERROR));
        },
      },
    }),
  });
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

describe('an approval gate whose notifier fails', () => {
  it('opens, takes the approval and deploys; each failed notice is in the history', async () => {
    const input = churnInput({ serverUrl: h.modelServer.url, modelName: MODEL });
    const { runId } = await h.client.start('trainAndPromote', {
      ...input,
      approval: { approverGroups: ['ml-leads'], quorum: 1, timeout: '10m', allowSelfApproval: true },
    });
    const gate = await waitForGate(h.client, runId);
    expect(gate.status).toBe('pending');
    // The gate publishes that its policy lets the starter decide (the approvals page reads it).
    expect(gate.allowSelfApproval).toBe(true);

    const closed = await h.client.approve(runId, { as: 'maria', comment: 'the notifier is down; approve anyway' });
    expect(closed.status).toBe('approved');
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result).toMatchObject({ status: 'deployed', deployment: { version: 1 } });

    // Every notify activity failed after its attempts, and the run went on regardless.
    const history = await h.client.temporal.workflow.getHandle(runId).fetchHistory();
    const events = history.events ?? [];
    const notifyIds = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'slipway.notify')
        .map((e) => String(e.eventId)),
    );
    const failures = events.filter(
      (e) =>
        e.activityTaskFailedEventAttributes &&
        notifyIds.has(String(e.activityTaskFailedEventAttributes.scheduledEventId)),
    );
    expect(notifyIds.size).toBeGreaterThanOrEqual(2);
    expect(failures).toHaveLength(notifyIds.size);
    for (const failure of failures) {
      expect(JSON.stringify(failure.activityTaskFailedEventAttributes?.failure)).toContain(NOTIFIER_ERROR);
    }
    expect(attempted).toEqual(expect.arrayContaining(['gate_opened', 'gate_decided']));
  });
});

/**
 * The `slipway.notify` activity: without a configured notifier nothing is sent and the outcome has no deliveries;
 * with one, the event goes to it as the step parsed it (details defaulted) and its outcome comes back as it is.
 */
import { describe, expect, it } from 'vitest';
import { notifyStep, type NotificationEventInput } from '@slipway/sdk';
import { createFanOutNotifier, type Notifier } from '../../../packages/activities/src/index.js';
import { createNotifyActivity } from '../../../packages/activities/src/steps/notify.js';

const event = notifyStep.input.parse({
  id: 'retrain:churn:2:gate_opened',
  kind: 'gate_opened',
  model: 'churn',
  version: 2,
  summary: 'churn v2 waits for approval',
  at: '2026-12-03T08:00:00.000Z',
} satisfies NotificationEventInput);

describe('the notify activity', () => {
  it('sends nothing when no notifier is configured', async () => {
    expect(await createNotifyActivity({})(event)).toEqual({ eventId: event.id, deliveries: [] });
  });

  it('hands the event to the configured notifier and answers its outcome', async () => {
    const seen: unknown[] = [];
    const receiver: Notifier = {
      notify: (e) => {
        seen.push(e);
        return Promise.resolve({ eventId: e.id, deliveries: [{ target: 'r', status: 'delivered', attempts: 1 }] });
      },
    };
    const notifier = createFanOutNotifier([{ notifier: receiver, name: 'r' }]);
    const outcome = await createNotifyActivity({ notifier })(event);
    expect(outcome).toEqual({ eventId: event.id, deliveries: [{ target: 'r', status: 'delivered', attempts: 1 }] });
    expect(seen).toEqual([{ ...event, details: {} }]);
  });
});

/**
 * The fan-out notifier and the last line of defence of the port's promise (never reject because of a receiver): a
 * notifier that throws anyway is a `failed` delivery while the others deliver; a dead-letter log that cannot be
 * written makes the delivery `failed`, with both reasons, and `notify` still resolves.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFanOutNotifier, createWebhookNotifier, type Notifier } from '../../../packages/activities/src/index.js';
import type { NotificationEventInput } from '../../../packages/sdk/src/index.js';

const EVENT: NotificationEventInput = {
  id: 'gate:churn:7:opened',
  kind: 'gate_opened',
  model: 'churn',
  version: 7,
  summary: 'churn v7 waits for approval',
  at: '2026-12-03T06:00:00.000Z',
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-fan-out-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createFanOutNotifier', () => {
  it('reports a notifier that throws as failed and still delivers to the others', async () => {
    const seen: string[] = [];
    const ok: Notifier = {
      notify: (event) => {
        seen.push(event.id);
        return Promise.resolve({ eventId: event.id, deliveries: [{ target: 'ok', status: 'delivered', attempts: 1 }] });
      },
    };
    const broken: Notifier = { notify: () => Promise.reject(new Error('disk on fire')) };
    const fanOut = createFanOutNotifier([
      { name: 'notifiers[0] (broken)', notifier: broken },
      { name: 'notifiers[1] (ok)', notifier: ok },
      { name: 'notifiers[2] (drift only)', notifier: ok, events: ['drift_detected'] },
    ]);
    const outcome = await fanOut.notify(EVENT);
    expect(outcome).toEqual({
      eventId: EVENT.id,
      deliveries: [
        { target: 'notifiers[0] (broken)', status: 'failed', attempts: 0, error: 'the notifier threw: disk on fire' },
        { target: 'ok', status: 'delivered', attempts: 1 },
      ],
    });
    expect(seen).toEqual([EVENT.id]);
  });

  it('refuses an invalid event, naming the field', async () => {
    await expect(createFanOutNotifier([]).notify({ ...EVENT, model: 'Churn Model' })).rejects.toThrow(/model:/);
  });
});

describe('a dead-letter log that cannot be written', () => {
  it('makes the delivery failed with both reasons, and notify still resolves', async () => {
    const blocker = join(dir, 'not-a-directory');
    await writeFile(blocker, '');
    const refused = () => Promise.resolve(new Response('no', { status: 403 }));
    const notifier = createWebhookNotifier({
      url: 'https://hooks.example.com/slipway',
      secret: 'a-secret-0123456789',
      deadLetterPath: join(blocker, 'dead-letter.jsonl'),
      fetch: refused,
    });
    const outcome = await notifier.notify(EVENT);
    expect(outcome.deliveries).toEqual([
      {
        target: 'https://hooks.example.com/slipway',
        status: 'failed',
        attempts: 1,
        httpStatus: 403,
        error: expect.stringMatching(/^answered 403: "no"; and the dead-letter log .* could not be written: .*/),
      },
    ]);
  });
});

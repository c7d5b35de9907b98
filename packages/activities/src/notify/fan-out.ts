/**
 * One {@link Notifier} over several: each event goes to every notifier whose `events` list takes its kind (all
 * kinds when it has none), at the same time, and the outcome lists every delivery. A notifier that throws anyway (a
 * custom one) is reported as a `failed` delivery: the others still deliver and the caller still goes on.
 */
import {
  NotificationEvent,
  parseOrFail,
  type NotificationEventInput,
  type NotificationKind,
  type NotifyDelivery,
} from '@slipway/sdk';
import type { Notifier } from '../ports.js';

/** One receiver of a fan-out: its notifier, a name for outcomes, and the kinds it takes (all when absent). */
export interface FanOutEntry {
  readonly notifier: Notifier;
  /** How a failed delivery names this receiver, e.g. `notifiers[1] (https://hooks.example.com/slipway)`. */
  readonly name: string;
  readonly events?: readonly NotificationKind[];
}

/** A notifier that hands each event to every entry that takes its kind. With no entries, it delivers nowhere. */
export function createFanOutNotifier(entries: readonly FanOutEntry[]): Notifier {
  return {
    async notify(input: NotificationEventInput) {
      const event = parseOrFail(NotificationEvent, input, 'A notification is not valid');
      const takers = entries.filter((entry) => entry.events === undefined || entry.events.includes(event.kind));
      const outcomes = await Promise.all(takers.map((entry) => deliverTo(entry, event)));
      return { eventId: event.id, deliveries: outcomes.flat() };
    },
  };
}

async function deliverTo(entry: FanOutEntry, event: NotificationEvent): Promise<NotifyDelivery[]> {
  try {
    return (await entry.notifier.notify(event)).deliveries;
  } catch (err) {
    const error = `the notifier threw: ${err instanceof Error ? err.message : String(err)}`;
    return [{ target: entry.name, status: 'failed', attempts: 0, error }];
  }
}

/**
 * The `slipway.notify` activity: hands an event to the worker's configured notifiers (see `Notifier`). With none
 * configured nothing is sent and the outcome lists no deliveries; a receiver that is down or refuses never fails the
 * activity (the notifier dead-letters the event and the outcome says so), so the run that notifies goes on.
 */
import type { NotifyOutcome, StepParsedInput, notifyStep } from '@slipway/sdk';
import type { Notifier } from '../ports.js';

/** What the activity needs: the worker's notifier, if one is configured. */
export interface NotifyActivityDeps {
  notifier?: Notifier | undefined;
}

/** Creates the activity. A retried attempt sends the same event id, which receivers drop when they have it. */
export function createNotifyActivity(deps: NotifyActivityDeps) {
  return async (event: StepParsedInput<typeof notifyStep>): Promise<NotifyOutcome> => {
    if (deps.notifier === undefined) return { eventId: event.id, deliveries: [] };
    return deps.notifier.notify(event);
  };
}

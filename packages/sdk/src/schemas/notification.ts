/**
 * Notifications: what Slipway tells people and systems outside it (a chat channel, an incident tool, a page) when
 * something happens to a model — drift found, a retrain started, a gate opened or decided, a rollout finished or
 * rolled back. An event is small and self-contained; its `id` is chosen by the caller and stays the same when an
 * activity is retried, so a receiver can drop a repeated delivery.
 */
import { z } from 'zod';
import { JsonRecord } from './json-record.js';
import { ModelName } from './model.js';

/** What happened. */
export const NotificationKind = z.enum([
  'drift_detected',
  'retrain_started',
  'gate_opened',
  'gate_escalated',
  'gate_decided',
  'gate_expired',
  'rollout_finished',
  'rollout_rolled_back',
]);
/** What happened. */
export type NotificationKind = z.infer<typeof NotificationKind>;

/** The most bytes an event's `details` may take as JSON: a notification carries a summary, not a report. */
export const MAX_NOTIFICATION_DETAILS_BYTES = 8192;

/**
 * A notification's delivery id: letters, digits and `._:@/+=-`, at most 200 characters, e.g.
 * `guardian:churn:check-17:drift_detected`. It goes into a header and into the signed string `<id>.<timestamp>.<body>`;
 * it never holds `{` or whitespace, so that string splits one way only (the body is a JSON object).
 */
export const NotificationId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,199}$/,
    'expected letters, digits and "._:@/+=-" (at most 200, starting with a letter or digit)',
  );
/** A notification's delivery id. */
export type NotificationId = z.infer<typeof NotificationId>;

/** A small JSON object of facts about the event (scores, thresholds, links, who decided). */
export const NotificationDetails = JsonRecord.refine(
  (details) => new TextEncoder().encode(JSON.stringify(details)).length <= MAX_NOTIFICATION_DETAILS_BYTES,
  {
    message: `must take at most ${MAX_NOTIFICATION_DETAILS_BYTES} bytes as JSON`,
  },
);
/** A small JSON object of facts about the event. */
export type NotificationDetails = z.infer<typeof NotificationDetails>;

/** One notification, as the `Notifier` port takes it and a JSON webhook receives it. */
export const NotificationEvent = z.strictObject({
  /** Chosen by the caller, stable under retry: the receiver's key for dropping a repeated delivery. */
  id: NotificationId,
  kind: NotificationKind,
  model: ModelName,
  /** The model version the event is about, when there is one. */
  version: z.number().int().positive().optional(),
  /** The workflow id of the run (or guardian) the event comes from. */
  runId: z.string().min(1).max(500).optional(),
  /** One line for people, e.g. `churn: 6 of 10 features drifted (share 0.6 ≥ 0.5)`. */
  summary: z.string().trim().min(1).max(1000),
  /** When it happened (ISO 8601 UTC). */
  at: z.iso.datetime({ offset: false, message: 'expected an ISO 8601 UTC time, e.g. 2026-12-02T10:00:00.000Z' }),
  details: NotificationDetails.default({}),
});
/** One notification. */
export type NotificationEvent = z.infer<typeof NotificationEvent>;
/** One notification, as a caller writes it (`details` may be left out). */
export type NotificationEventInput = z.input<typeof NotificationEvent>;

/** How one delivery of a notification ended. */
export const NotifyDeliveryStatus = z.enum(['delivered', 'dead_lettered', 'failed']);
/** How one delivery of a notification ended. */
export type NotifyDeliveryStatus = z.infer<typeof NotifyDeliveryStatus>;

/**
 * One delivery: to whom (a URL without credentials, query or long path tokens), how it ended, after how many
 * attempts, the last HTTP status and error, and where a dead-lettered event was written (or why it could not be).
 * `failed` means the notifier itself broke (it could not even dead-letter).
 */
export const NotifyDelivery = z.object({
  target: z.string(),
  status: NotifyDeliveryStatus,
  attempts: z.number().int().min(0),
  httpStatus: z.number().int().optional(),
  error: z.string().optional(),
  deadLetterPath: z.string().optional(),
});
/** One delivery of a notification. */
export type NotifyDelivery = z.infer<typeof NotifyDelivery>;

/**
 * What `Notifier.notify` resolves with: the event's id and one entry per receiver it was meant for (none when no
 * receiver takes its kind). A notifier never throws because a receiver is down: look here instead.
 */
export const NotifyOutcome = z.object({
  eventId: z.string(),
  deliveries: z.array(NotifyDelivery),
});
/** What `Notifier.notify` resolves with. */
export type NotifyOutcome = z.infer<typeof NotifyOutcome>;

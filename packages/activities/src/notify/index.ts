/**
 * Notifications: the webhook adapter of the `Notifier` port (JSON or Slack-compatible, HMAC-signed, retried with
 * backoff, dead-lettered when the receiver never takes it), the helper receivers verify its signature with, and a
 * fan-out over several notifiers.
 *
 * ```ts
 * const notifier = createWebhookNotifier({ url, secret, format: 'slack', deadLetterPath: '.slipway/notifications/dead-letter.jsonl' });
 * const outcome = await notifier.notify({ id: 'guardian:churn:17:drift', kind: 'drift_detected', model: 'churn',
 *   summary: '6 of 10 features drifted', at: new Date().toISOString() });
 * ```
 *
 * @packageDocumentation
 */
export {
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_NOTIFY_RETRY,
  createWebhookNotifier,
  type NotifyRetry,
  type WebhookNotifierOptions,
} from './webhook.js';
export {
  DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
  DELIVERY_ID_HEADER,
  SIGNATURE_HEADER,
  SignatureProblem,
  TIMESTAMP_HEADER,
  signWebhook,
  verifyWebhookSignature,
  type WebhookHeaderValue,
  type SignatureVerdict,
  type SignedParts,
  type VerifyWebhookSignatureInput,
} from './signature.js';
export {
  NotificationFormat,
  escapeSlack,
  notificationBody,
  slackMessage,
  type SlackBlock,
  type SlackMessage,
} from './payload.js';
export { appendDeadLetter, redactedTarget, type DeadLetterEntry } from './dead-letter.js';
export { createFanOutNotifier, type FanOutEntry } from './fan-out.js';

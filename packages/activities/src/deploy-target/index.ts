/**
 * Deploy targets other than the local model server: the webhook target, which speaks the HTTP contract of
 * `docs/deploy-target-webhook.md` for external serving platforms, and how a step's `serverUrl` is matched to the
 * configured targets.
 *
 * ```ts
 * const target = createWebhookDeployTarget('https://serving.example.com/slipway', { token });
 * await target.health();
 * ```
 *
 * @packageDocumentation
 */
export {
  REDIRECT_REFUSED,
  WEBHOOK_CONTRACT_HEADER,
  WEBHOOK_CONTRACT_VERSION,
  createWebhookDeployTarget,
  type WebhookDeployTarget,
} from './webhook.js';
export { configuredTargetFor, targetUrlKey } from './configured.js';

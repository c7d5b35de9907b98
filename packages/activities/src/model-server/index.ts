/**
 * The Slipway model server's HTTP client (`slipway serve`): a typed client for the server's protocol, how
 * activities reach the configured server's control plane (its token goes to its own origin only), and the deploy
 * smoke check's helpers (typical features from a training profile, checking the answer).
 *
 * ```ts
 * const client = createModelServerClient('http://127.0.0.1:8080', { token });
 * const { predictions } = await client.predict('churn', [{ tenure: 12, plan: 'pro' }]);
 * ```
 *
 * @packageDocumentation
 */
export { smokeFeaturesFromProfile, checkSmokeAnswer, type SmokeExpectation } from './smoke.js';
export { clientOptionsFor } from './access.js';
export {
  createModelServerClient,
  modelServerFailureDetail,
  ModelServerFailureType,
  ServedDeployment,
  StageAnswer,
  CommitAnswer,
  DiscardAnswer,
  RollbackAnswer,
  PredictAnswer,
  ServedAnswer,
  ModelStatusAnswer,
  type ModelServerClient,
  type ModelServerClientOptions,
  type ModelServerFailureDetail,
} from './client.js';

/**
 * Deploying model versions to the Slipway model server: the `slipway.deploy` activity and a typed HTTP client
 * for the server's protocol.
 *
 * ```ts
 * const deploy = createDeployActivity({ artifacts, registry, modelServer: { url, token: async () => token } });
 * const client = createModelServerClient('http://127.0.0.1:8080', { token });
 * const { predictions } = await client.predict('churn', [{ tenure: 12, plan: 'pro' }]);
 * ```
 *
 * @packageDocumentation
 */
export {
  aliasMoveKey,
  createDeployActivity,
  deploymentIdFor,
  type DeployActivityDeps,
  type DeployInput,
  type DeployOutput,
} from './deploy-activity.js';
export { smokeFeaturesFromProfile, checkSmokeAnswer, type SmokeExpectation } from './smoke.js';
export { clientOptionsFor } from './model-server-access.js';
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
} from './model-server-client.js';

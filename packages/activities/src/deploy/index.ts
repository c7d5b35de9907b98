/**
 * Deploying model versions to the Slipway model server: the `slipway.deploy` activity and a typed HTTP client
 * for the server's protocol.
 *
 * ```ts
 * const deploy = createDeployActivity({ artifacts, registry });
 * const client = createModelServerClient('http://127.0.0.1:8080');
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
export {
  createModelServerClient,
  modelServerFailureDetail,
  ModelServerFailureType,
  ServedDeployment,
  DeployAnswer,
  RollbackAnswer,
  PredictAnswer,
  ServedAnswer,
  ModelStatusAnswer,
  type ModelServerClient,
  type ModelServerClientOptions,
  type ModelServerFailureDetail,
} from './model-server-client.js';

/**
 * The local model server that `slipway serve` runs: a multi-model HTTP server on 127.0.0.1 that loads model
 * versions from the artifact store, swaps them in atomically, rolls them back, scores rows and logs the served
 * features for the drift monitor. State lives under `<home>/serving/` and survives restarts.
 *
 * ```ts
 * const running = await startModelServer({ home: '.slipway', artifacts, predictors, port: 8080 });
 * // PUT  {url}/v1/models/churn/deployment  { deploymentId, version, artifact }
 * // POST {url}/v1/models/churn/predict     { instances: [{ tenure: 12, plan: 'pro' }] }
 * await running.close();
 * ```
 *
 * @packageDocumentation
 */
export { createModelServer, MAX_BODY_BYTES, type ModelServer, type ModelServerOptions } from './app.js';
export {
  startModelServer,
  LOOPBACK_HOSTS,
  type LoopbackHost,
  type RunningModelServer,
  type StartModelServerOptions,
} from './start.js';
export type { Deployments, LiveDeployment, ModelStatus } from './deployments.js';
export { ServeError, ServeErrorCode, isServeError } from './protocol.js';
// The request and answer bodies are defined once, in `@slipway/sdk`; re-exported here for server code.
export {
  DeployRequest,
  RollbackRequest,
  PredictRequest,
  MAX_INSTANCES,
  type DeployAnswer,
  type RollbackAnswer,
  type PredictAnswer,
  type Prediction,
  type ServedAnswer,
  type ServedDeployment,
  type ServedRow,
} from '@slipway/sdk';
export { servedLogPath } from './served-log.js';

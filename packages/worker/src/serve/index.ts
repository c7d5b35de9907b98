/**
 * `@slipway/worker/serve` — the local model server that `slipway serve` runs: a multi-model HTTP server on 127.0.0.1 that loads model
 * versions from the artifact store, stages them for a smoke check, commits them atomically, rolls them back, splits
 * a model's traffic between its stable version and a rollout's candidate (weighted, sticky by route key, or as
 * shadow copies), promotes or aborts the candidate, measures each version over the windows a rollout step opens,
 * exposes Prometheus counters at `/metrics`, scores rows and logs the served features for the drift monitor. State
 * (including the split) lives under `<home>/serving/` and survives restarts; the control plane needs the token
 * `resolveModelServerToken` gives.
 *
 * ```ts
 * import { loadConfig, openConfiguredArtifacts, resolveModelServerToken } from '@slipway/worker';
 * import { startModelServer } from '@slipway/worker/serve';
 * import { builtinPredictors as predictors } from '@slipway/activities';
 * const config = loadConfig();
 * const artifacts = openConfiguredArtifacts(config);
 * const token = await resolveModelServerToken(config);
 * const running = await startModelServer({ home: '.slipway', artifacts, predictors, token, port: 8080 });
 * // PUT  {url}/v1/models/churn/deployments/d1         { version, artifact }   (Authorization: Bearer <token>)
 * // POST {url}/v1/models/churn/deployments/d1/predict { instances }           (smoke check, not logged)
 * // POST {url}/v1/models/churn/deployments/d1/commit  {}
 * // POST {url}/v1/models/churn/predict                { instances: [{ tenure: 12, plan: 'pro' }] }
 * // A canary instead of the commit: 10 % of the traffic to the staged d2, then promote (or abort) it.
 * // PUT  {url}/v1/models/churn/traffic                { candidate: 'd2', weights: { stable: 90, candidate: 10 } }
 * // POST {url}/v1/models/churn/deployments/d2/promote {}
 * await running.close();
 * ```
 *
 * @packageDocumentation
 */
export { createModelServer, MAX_BODY_BYTES, type ModelServer, type ModelServerOptions } from './app.js';
export {
  startModelServer,
  LOOPBACK_HOSTS,
  isLoopbackHost,
  type LoopbackHost,
  type RunningModelServer,
  type StartModelServerOptions,
} from './start.js';
export type { Deployments, LiveDeployment, ModelSplit, ModelStatus, ServableEntry } from './deployments.js';
export { ROUTE_BUCKETS, routeBucket } from './routing.js';
export { MAX_WINDOWS_PER_MODEL } from './windows.js';
export { ServeError, ServeErrorCode, isServeError } from './protocol.js';
// The request and answer bodies are defined once, in `@slipway/sdk`; re-exported here for server code.
export {
  StageRequest,
  CommitRequest,
  DiscardRequest,
  RollbackRequest,
  PredictRequest,
  MAX_INSTANCES,
  type StageAnswer,
  type CommitAnswer,
  type DiscardAnswer,
  type RollbackAnswer,
  type PredictAnswer,
  type Prediction,
  type ServedAnswer,
  type ServedDeployment,
  type ServedRow,
  type ServedPrediction,
  SetTrafficRequest,
  AbortCandidateRequest,
  WindowId,
  ROUTE_KEY_HEADER,
  type TrafficAnswer,
  type PromoteCandidateAnswer,
  type AbortCandidateAnswer,
  type WindowAnswer,
  type VersionWindowReading,
} from '@slipway/sdk';
export { servedLogDir, DEFAULT_SERVED_FILE_BYTES, FROM_START } from './served-log.js';

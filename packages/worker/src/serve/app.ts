/**
 * The model server's HTTP routes (hono). See {@link createModelServer} for the API.
 */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import type { ArtifactStore, PredictorLoader } from '@slipway/activities';
import {
  CommitRequest,
  DiscardRequest,
  PredictRequest,
  ROUTE_KEY_HEADER,
  RollbackRequest,
  StageRequest,
  rootMessage,
  type CommitAnswer,
  type DiscardAnswer,
  type HealthAnswer,
  type ModelListAnswer,
  type ModelStatusAnswer,
  type RollbackAnswer,
  type ServeErrorBody,
  type ServedAnswer,
  type StageAnswer,
  type VersionHealthAnswer,
} from '@slipway/sdk';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ModelServerToken } from '../config/model-server-token.js';
import { checkTokenValue } from '../config/token-setting.js';
import { openDeployments, type Deployments } from './deployments.js';
import { bearerToken, jsonOnly, sameOriginOnly } from './guards.js';
import { createServerMetrics } from './metrics.js';
import { createShadowQueue, predictRoute, type PredictContext } from './predict-route.js';
import { HealthQuery, ServeError, ServeErrorCode, ServedQuery, VersionParam, isServeError } from './protocol.js';
import { createRequestHealth, type RequestHealth } from './request-health.js';
import { deploymentParam, modelParam, parseOrThrow, readBody } from './route-helpers.js';
import { scoreAll, predictAnswer } from './scoring.js';
import { createServedLog, type ServedLog, type ServedLogOptions } from './served-log.js';
import { addTrafficRoutes } from './traffic-routes.js';
import { createWindows } from './windows.js';

/** The largest request body the server reads (10 MiB). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Options of {@link createModelServer}. */
export interface ModelServerOptions {
  /** The Slipway home folder; the server keeps its state under `<home>/serving/`. */
  home: string;
  /** Where model artifacts are read from (digest verified). */
  artifacts: ArtifactStore;
  /** Model loaders by serialized model `kind`. */
  predictors: Readonly<Record<string, PredictorLoader>>;
  /** The control-plane token (see `resolveModelServerToken`); at least 16 characters. */
  token: ModelServerToken;
  /**
   * The served-row log: the size past which a log file is closed and a new one started (default 32 MiB; a new
   * file starts every UTC day too) and the clock that stamps rows and the request record behind version health
   * (default the system clock).
   */
  servedLog?: Pick<ServedLogOptions, 'maxFileBytes' | 'now'>;
  /**
   * Draws the route of a predict request without a route key while a candidate holds a share (numbers in [0, 1);
   * default `Math.random`). Tests pass a seeded generator.
   */
  random?: () => number;
  /**
   * Every route needs the token, predict, status, health and metrics included: the bind mode for a non-loopback
   * address (see `startModelServer`), where anyone who can reach the port is not to be trusted. Default false.
   */
  tokenEverywhere?: boolean;
}

/** A model server: its hono app and the state behind it. */
export interface ModelServer {
  /** The HTTP routes; serve with `@hono/node-server` or call `app.request()` in tests. */
  readonly app: Hono;
  /** The deployments the app serves. */
  readonly deployments: Deployments;
  /** Waits for pending deploys, rollbacks, shadow copies and served-row writes. */
  flush(): Promise<void>;
}

/**
 * Creates the multi-model server, restoring the deployments persisted under `<home>/serving/state.json` (a
 * deployment staged when the last process stopped is reported as abandoned; the stable version serves, and a
 * rollout's candidate gets its share of the traffic again, as the file says).
 *
 * Routes (JSON in and out, bodies as the serving and traffic schemas of `@slipway/sdk` define them; errors are
 * `{ error: { code, message } }`). Deploying is two-phase: stage, smoke-check the staged version, commit — or, for
 * a rollout, give the staged version a share of the traffic, then promote or abort it.
 * - `PUT /v1/models/:name/deployments/:id` `{ version, artifact }` → `{ model, version, deploymentId, status, stable }`:
 *   loads the version and stages it (no traffic); idempotent by id; an id abandoned at a restart may be staged again
 * - `POST /v1/models/:name/deployments/:id/predict` `{ instances }` → a prediction answer from that deployment
 *   (staged, candidate or stable); never logged as served traffic, and ordinary predictions never reach a staged version
 * - `POST /v1/models/:name/deployments/:id/commit` `{}` → `{ model, version, deploymentId, previous }`: the staged
 *   deployment becomes stable (persisted first, then swapped in); a repeat for the stable id answers the same;
 *   an abandoned id is `409 StagedAbandoned`, a discarded one `409 DeploymentDiscarded`, an unknown one `404`;
 *   while a candidate holds a split, `409 CandidateConflict`
 * - `POST /v1/models/:name/deployments/:id/discard` `{ reason }` → the ended deployment: drops a staged deployment
 * - `POST /v1/models/:name/rollback` `{ deploymentId }` → `{ model, rolledBack, current }`: restores the stable
 *   deployment before it (`409 CandidateConflict` while a candidate holds a split: abort it first)
 * - `PUT /v1/models/:name/traffic` `{ candidate, weights, mode }` → `{ model, stable, candidate, weights, mode }`:
 *   the staged deployment becomes the candidate (or the candidate gets new weights or mode); persisted and
 *   restored at a restart; the same body again changes nothing; a second candidate while one is set is
 *   `409 CandidateConflict`, a deployment neither staged nor the candidate `409 NotCandidate`, a split that leaves
 *   stable a share when nothing is stable `409 NoStable`; `GET /v1/models/:name/traffic` → the split
 * - `POST /v1/models/:name/deployments/:id/promote` `{}` → `{ model, stable, previous }`: the candidate becomes
 *   stable with all the traffic, the old stable goes to the history (a rollback restores it); a repeat answers the same
 * - `POST /v1/models/:name/deployments/:id/abort` `{ reason }` → `{ model, rolledBack, stable }`: all traffic back to
 *   stable, the candidate (or staged deployment) recorded as rolled back with the reason; a repeat answers the same
 * - `PUT /v1/models/:name/windows/:windowId` `{}`, `GET …/windows/:windowId`, `POST …/windows/:windowId/close` `{}`
 *   → `{ model, windowId, openedAt, closedAt, stable, candidate }`: a measurement window counting, per version,
 *   requests, errors (500s), rejected requests (400s), rows, p50/p99 latency (t-digest) and a sample of scores
 *   between its open and its close; in memory only (after a restart `404 UnknownWindow`); a bad id is a 400
 * - `POST /v1/models/:name/predict` `{ instances }` → `{ model, version, deploymentId, task, classes?,
 *   predictions }` (by task: `{ score, label, scores }`, `{ label, scores }` or `{ value }`, plus `imputed?`): the
 *   stable version, or while a candidate holds a split the version the request is routed to (`weights.candidate`
 *   percent to the candidate; sticky by the `x-slipway-route-key` header; in `shadow` mode stable answers and the
 *   candidate scores a copy after the answer, logged as shadow, never failing the request); every row must carry
 *   exactly the model's features (unless the model declares an imputation value for a missing one: then
 *   `imputed` names it), each of a type the model takes, else 400 naming each bad row and feature; a model that
 *   fails is a 500; rows are logged as the answering version's served traffic (features and prediction)
 * - `GET /v1/models`, `GET /v1/models/:name` (stable, candidate, weights, mode, staged, ended stagings with when
 *   and why), `GET /health`, `GET /metrics` (Prometheus text: requests, errors, rejected, rows and latency per
 *   model, version and role)
 * - `GET /v1/models/:name/versions/:version/served?limit=N[&after=<cursor>]` → `{ total, rows, cursor }`: the
 *   newest N served rows, or with `after` (a cursor an earlier answer gave, or `start`) up to N rows after it; a
 *   cursor this server did not give out for this model and version is a 400
 * - `GET /v1/models/:name/versions/:version/health?to=<time>[&from=<time>]` → `{ since, requests, errors, p99Ms }`:
 *   the requests the version answered in the window (in memory: `since` is when the record starts)
 * - `PUT /v1/models/:name/deployment` (the one-step deploy of earlier versions) → `410 Gone`
 *
 * Guards: stage, deployment predict, commit, discard, rollback, traffic, promote, abort, windows, served rows and version health
 * need `Authorization: Bearer <token>` (401); every POST and PUT must be `content-type: application/json` (415);
 * browser cross-origin requests to those routes and to predict are refused (403). Status, list, health and
 * metrics are open, except with `tokenEverywhere` (the bind mode for non-loopback addresses): then every route needs
 * the token.
 */
export async function createModelServer(options: ModelServerOptions): Promise<ModelServer> {
  checkTokenValue(options.token.value, `The model server token from ${options.token.source}`);
  const servingDir = join(options.home, 'serving');
  const deployments = await openDeployments({
    statePath: join(servingDir, 'state.json'),
    artifacts: options.artifacts,
    predictors: options.predictors,
  });
  const log = createServedLog(servingDir, { ...options.servedLog, cursorKey: cursorKeyOf(options.token) });
  const predict: PredictContext = {
    deployments,
    log,
    windows: createWindows(),
    metrics: createServerMetrics(),
    health: createRequestHealth(options.servedLog?.now),
    shadow: createShadowQueue(),
    random: options.random ?? Math.random,
  };
  const app = new Hono();
  if (options.tokenEverywhere) app.use('*', bearerToken(options.token));
  app.use('*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge }));
  app.onError((err, c) => errorAnswer(c, err));
  app.notFound((c) =>
    errorAnswer(c, new ServeError(404, ServeErrorCode.NotFound, `No route for ${c.req.method} ${c.req.path}`)),
  );
  addRoutes(app, predict);
  addControlRoutes(app, deployments, log, options.token);
  addHealthRoute(app, predict.health, options.token);
  addTrafficRoutes(app, { ...predict, token: options.token });
  return {
    app,
    deployments,
    flush: async () => {
      await deployments.idle();
      await predict.shadow.idle();
      await log.flush();
    },
  };
}

function addRoutes(app: Hono, predict: PredictContext): void {
  const { deployments } = predict;
  /** The status of every model ever deployed; a listed model always has one. */
  const statuses = (): ModelStatusAnswer[] => deployments.models().flatMap((m) => deployments.status(m) ?? []);
  app.get('/health', (c) => c.json({ status: 'ok', models: statuses() } satisfies HealthAnswer));
  app.get('/metrics', async (c) => {
    const text = await predict.metrics.text();
    return c.body(text, 200, { 'content-type': predict.metrics.contentType });
  });
  app.get('/v1/models', (c) => c.json({ models: statuses() } satisfies ModelListAnswer));
  app.get('/v1/models/:name', (c) => {
    const model = modelParam(c);
    const status: ModelStatusAnswer | undefined = deployments.status(model);
    if (!status)
      throw new ServeError(404, ServeErrorCode.UnknownModel, `Model "${model}" has never been deployed here`);
    return c.json(status);
  });
  app.post('/v1/models/:name/predict', sameOriginOnly, jsonOnly, async (c) => {
    const model = modelParam(c);
    const { instances } = await readBody(c, PredictRequest);
    const routeKey = c.req.header(ROUTE_KEY_HEADER);
    return c.json(await predictRoute(predict, model, instances, routeKey === '' ? undefined : routeKey));
  });
}

/** The control plane: every route needs the token; those that change state need JSON; no cross-origin browser. */
function addControlRoutes(app: Hono, deployments: Deployments, log: ServedLog, token: ModelServerToken): void {
  const auth = bearerToken(token);
  const deployment = '/v1/models/:name/deployments/:id';
  app.put(deployment, sameOriginOnly, jsonOnly, auth, async (c) => {
    const body = await readBody(c, StageRequest);
    const answer: StageAnswer = await deployments.stage(modelParam(c), deploymentParam(c), body);
    return c.json(answer);
  });
  app.post(`${deployment}/predict`, sameOriginOnly, jsonOnly, auth, async (c) => {
    const model = modelParam(c);
    const { instances } = await readBody(c, PredictRequest);
    const target = deployments.deployment(model, deploymentParam(c));
    return c.json(predictAnswer(model, target, await scoreAll(target, instances)));
  });
  app.post(`${deployment}/commit`, sameOriginOnly, jsonOnly, auth, async (c) => {
    await readBody(c, CommitRequest);
    const answer: CommitAnswer = await deployments.commit(modelParam(c), deploymentParam(c));
    return c.json(answer);
  });
  app.post(`${deployment}/discard`, sameOriginOnly, jsonOnly, auth, async (c) => {
    const { reason } = await readBody(c, DiscardRequest);
    const answer: DiscardAnswer = await deployments.discard(modelParam(c), deploymentParam(c), reason);
    return c.json(answer);
  });
  app.post('/v1/models/:name/rollback', sameOriginOnly, jsonOnly, auth, async (c) => {
    const model = modelParam(c);
    const { deploymentId } = await readBody(c, RollbackRequest);
    const answer: RollbackAnswer = await deployments.rollback(model, deploymentId);
    return c.json(answer);
  });
  app.get('/v1/models/:name/versions/:version/served', sameOriginOnly, auth, async (c) => {
    const model = modelParam(c);
    const version = parseOrThrow(VersionParam, c.req.param('version'), 'version');
    const { limit, after } = parseOrThrow(ServedQuery, c.req.query(), 'query');
    const page = await readServed(log, model, version, limit, after);
    const answer: ServedAnswer = { model, version, ...page };
    return c.json(answer);
  });
  app.put('/v1/models/:name/deployment', sameOriginOnly, jsonOnly, auth, () => {
    throw new ServeError(
      410,
      ServeErrorCode.Gone,
      'One-step deploys are gone: stage with PUT /v1/models/:name/deployments/:id, smoke-check with ' +
        'POST …/deployments/:id/predict, then POST …/deployments/:id/commit',
    );
  });
}

/** The serving health of a version over a window; needs the token. */
function addHealthRoute(app: Hono, health: RequestHealth, token: ModelServerToken): void {
  app.get('/v1/models/:name/versions/:version/health', sameOriginOnly, bearerToken(token), (c) => {
    const model = modelParam(c);
    const version = parseOrThrow(VersionParam, c.req.param('version'), 'version');
    const { from, to } = parseOrThrow(HealthQuery, c.req.query(), 'query');
    const answer: VersionHealthAnswer = health.read(
      model,
      version,
      from === undefined ? undefined : Date.parse(from),
      Date.parse(to),
    );
    return c.json(answer);
  });
}

/** The newest rows, or with `after` the rows after that cursor; a refused cursor is a 400 saying why. */
async function readServed(log: ServedLog, model: string, version: number, limit: number, after: string | undefined) {
  try {
    return after === undefined ? await log.tail(model, version, limit) : await log.after(model, version, after, limit);
  } catch (err) {
    if (err instanceof Error && err.name === 'CursorRefused') {
      throw new ServeError(400, ServeErrorCode.InvalidRequest, `Invalid query: after: ${err.message}`);
    }
    throw err;
  }
}

/** The key served-log cursors are sealed with: derived from the control-plane token (a new token voids them). */
function cursorKeyOf(token: ModelServerToken): Buffer {
  return createHmac('sha256', token.value).update('slipway served-log cursor v1').digest();
}

function errorAnswer(c: Context, err: unknown): Response {
  if (isServeError(err)) {
    const body: ServeErrorBody = { error: { code: err.code, message: err.message } };
    return c.json(body, err.status as ContentfulStatusCode);
  }
  const body: ServeErrorBody = {
    error: { code: ServeErrorCode.Internal, message: `Internal error: ${rootMessage(err)}` },
  };
  return c.json(body, 500);
}

function tooLarge(c: Context): Response {
  return errorAnswer(
    c,
    new ServeError(413, ServeErrorCode.InvalidRequest, `Request body is larger than ${MAX_BODY_BYTES} bytes`),
  );
}

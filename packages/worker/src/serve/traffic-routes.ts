/**
 * The model server's rollout routes: the traffic split, promote, abort, and measurement windows. Every one needs
 * the control-plane token, those that change state a JSON body, and browser cross-origin requests are refused.
 */
import {
  AbortCandidateRequest,
  OpenWindowRequest,
  PromoteCandidateRequest,
  SetTrafficRequest,
  type AbortCandidateAnswer,
  type PromoteCandidateAnswer,
  type TrafficAnswer,
  type WindowAnswer,
} from '@slipway/sdk';
import type { Hono } from 'hono';
import type { ModelServerToken } from '../config/model-server-token.js';
import type { Deployments } from './deployments.js';
import { bearerToken, jsonOnly, sameOriginOnly } from './guards.js';
import type { ShadowQueue } from './predict-route.js';
import { ServeError, ServeErrorCode } from './protocol.js';
import { deploymentParam, modelParam, readBody, windowParam } from './route-helpers.js';
import type { MeasurementWindows } from './windows.js';

/** What the rollout routes act on. */
export interface TrafficRouteContext {
  deployments: Deployments;
  windows: MeasurementWindows;
  shadow: ShadowQueue;
  token: ModelServerToken;
}

/** Adds the split, promote, abort and window routes. */
export function addTrafficRoutes(app: Hono, ctx: TrafficRouteContext): void {
  const { deployments, windows } = ctx;
  const auth = bearerToken(ctx.token);
  const traffic = '/v1/models/:name/traffic';
  app.put(traffic, sameOriginOnly, jsonOnly, auth, async (c) => {
    const body = await readBody(c, SetTrafficRequest);
    const answer: TrafficAnswer = await deployments.setTraffic(modelParam(c), body);
    return c.json(answer);
  });
  app.get(traffic, sameOriginOnly, auth, (c) => c.json(deployments.traffic(modelParam(c)) satisfies TrafficAnswer));
  const deployment = '/v1/models/:name/deployments/:id';
  app.post(`${deployment}/promote`, sameOriginOnly, jsonOnly, auth, async (c) => {
    await readBody(c, PromoteCandidateRequest);
    const answer: PromoteCandidateAnswer = await deployments.promote(modelParam(c), deploymentParam(c));
    return c.json(answer);
  });
  app.post(`${deployment}/abort`, sameOriginOnly, jsonOnly, auth, async (c) => {
    const { reason } = await readBody(c, AbortCandidateRequest);
    const answer: AbortCandidateAnswer = await deployments.abort(modelParam(c), deploymentParam(c), reason);
    return c.json(answer);
  });
  const window = '/v1/models/:name/windows/:windowId';
  /** The model of the path, which must have been deployed here. */
  const deployedModel = (model: string): string => {
    if (deployments.status(model)) return model;
    throw new ServeError(404, ServeErrorCode.UnknownModel, `Model "${model}" has never been deployed here`);
  };
  app.put(window, sameOriginOnly, jsonOnly, auth, async (c) => {
    await readBody(c, OpenWindowRequest);
    const answer: WindowAnswer = windows.open(deployedModel(modelParam(c)), windowParam(c));
    return c.json(answer);
  });
  app.get(window, sameOriginOnly, auth, async (c) => {
    const [model, windowId] = [modelParam(c), windowParam(c)];
    await ctx.shadow.idle();
    return c.json(windows.read(model, windowId) satisfies WindowAnswer);
  });
  app.post(`${window}/close`, sameOriginOnly, jsonOnly, auth, async (c) => {
    const [model, windowId] = [modelParam(c), windowParam(c)];
    await readBody(c, OpenWindowRequest);
    await ctx.shadow.idle();
    return c.json(windows.close(model, windowId) satisfies WindowAnswer);
  });
}

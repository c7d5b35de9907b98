/**
 * Where a rollout step acts: the deploy target at the step's `serverUrl`. By default the local Slipway model server
 * (its client implements `DeployTarget`); the configured model server's token goes to its own origin only.
 */
import { clientOptionsFor } from '../model-server/access.js';
import { createModelServerClient } from '../model-server/client.js';
import type { DeployTarget, DeployTargetFactory, ModelServerAccess } from '../ports.js';
import { currentActivityHooks } from '../data/activity-context.js';

/** What the rollout steps need to reach their target. */
export interface RolloutTargetDeps {
  /**
   * The configured model server and its control-plane token: a step naming another `serverUrl` fails (the token
   * is never sent elsewhere); without it, requests carry no token, which a Slipway model server refuses.
   */
  modelServer?: ModelServerAccess | undefined;
  /** Builds the target; by default the local model server's client ({@link createModelServerClient}). */
  target?: DeployTargetFactory | undefined;
}

/**
 * The deploy target at `serverUrl`, its requests cancelled with the current activity.
 *
 * @throws a final `SlipwayInvalidInput` failure when a model server is configured and `serverUrl` is not its origin.
 */
export async function rolloutTarget(deps: RolloutTargetDeps, serverUrl: string): Promise<DeployTarget> {
  const options = await clientOptionsFor(deps.modelServer, serverUrl, currentActivityHooks().signal);
  return (deps.target ?? createModelServerClient)(serverUrl, options);
}

/**
 * The deploy targets a worker may roll models out to besides its model server: `deployTargets` in
 * `slipway.config.json`, each a serving platform that implements the webhook contract
 * (`docs/deploy-target-webhook.md`):
 *
 * ```json
 * "deployTargets": [{ "url": "https://serving.example.com/slipway", "kind": "webhook", "tokenFile": "/etc/slipway/serving.token" }]
 * ```
 *
 * A rollout whose `serverUrl` is one of these URLs acts on that target, with its token; the token is read from its
 * file (owner-only, outside every dataset root) when first needed, sent to that origin only, and never appears in a
 * run's input or history. Any other URL is refused, as before.
 */
import { isAbsolute, resolve } from 'node:path';
import {
  readSecretFile,
  targetUrlKey,
  type DeployTargetAccess,
  type SecretFileOptions,
} from '@slipway/activities/settings';
import { z } from 'zod';
import { checkTokenValue } from './token-setting.js';
import { checkOutboundUrl } from './outbound-url.js';
import { checkSecretOutsideRoots } from './secret-placement.js';

/** Hosts a target may be reached at over plain `http` (the token never crosses a network unencrypted). */

/** One configured deploy target, as `slipway.config.json` writes it. */
export const DeployTargetSettingInput = z
  .object({
    /**
     * The target's base URL (`https://…`, or `http://` on a loopback address); a path prefix is kept. No query,
     * fragment or credentials.
     */
    url: z
      .url()
      .superRefine(
        checkOutboundUrl({ sent: 'the token', secretFrom: 'the token comes from tokenFile', noQuery: true }),
      ),
    /** The adapter: `webhook` (the HTTP contract of `docs/deploy-target-webhook.md`). */
    kind: z.literal('webhook'),
    /**
     * The file holding the bearer token the target expects (relative paths resolve against the working directory):
     * a regular file only its owner may read, outside every dataset root (the Slipway home is fine).
     */
    tokenFile: z.string().min(1),
  })
  .strict();
/** One configured deploy target, as written. */
export type DeployTargetSettingInput = z.infer<typeof DeployTargetSettingInput>;

/** The `deployTargets` setting: targets with distinct URLs. */
export const DeployTargetsSetting = z.array(DeployTargetSettingInput).superRefine((targets, ctx) => {
  const seen = new Map<string, number>();
  targets.forEach((target, index) => {
    const key = safeKey(target.url);
    const first = key === undefined ? undefined : seen.get(key);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: [index, 'url'], message: `the same URL as deployTargets[${first}]` });
    } else if (key !== undefined) seen.set(key, index);
  });
});

/** A resolved deploy target: its URL without a trailing slash, its adapter, and its token file (absolute). */
export interface DeployTargetSpec {
  url: string;
  kind: 'webhook';
  tokenFile: string;
}

/** What {@link resolveDeployTargets} checks the targets against. */
export interface DeployTargetContext {
  /** The working directory relative token files resolve against. */
  cwd: string;
  /** Slipway's state directory: never read as a dataset, so a token file may live there. */
  home: string;
  /** The resolved dataset roots (absolute directories and `s3://` locations). */
  roots: readonly string[];
  /** The model server's URL: a deploy target must not share its origin (each token goes to its own origin). */
  modelServerUrl: string;
}

/**
 * The configured targets, resolved.
 *
 * @throws Error naming the setting (`deployTargets[i].url` or `.tokenFile`) when a target has the model server's
 *   origin, or its token file lies inside a dataset root (outside the Slipway home), where a run could read it.
 */
export function resolveDeployTargets(
  input: readonly DeployTargetSettingInput[] | undefined,
  context: DeployTargetContext,
): DeployTargetSpec[] {
  return (input ?? []).map((target, index) => {
    const url = targetUrlKey(target.url);
    const field = `deployTargets[${index}]`;
    if (new URL(url).origin === new URL(context.modelServerUrl).origin) {
      throw new Error(
        `invalid Slipway configuration: ${field}.url ${url} has the origin of the model server ` +
          `(${context.modelServerUrl}): give each token its own origin`,
      );
    }
    const tokenFile = isAbsolute(target.tokenFile) ? target.tokenFile : resolve(context.cwd, target.tokenFile);
    checkSecretOutsideRoots(tokenFile, `${field}.tokenFile`, context);
    return { url, kind: target.kind, tokenFile };
  });
}

/** The token files of the configured targets: secrets no dataset read may touch. */
export function deployTargetTokenFiles(config: { deployTargets: readonly DeployTargetSpec[] }): string[] {
  return config.deployTargets.map((target) => target.tokenFile);
}

/**
 * How the worker's activities reach the configured targets: each URL with its token, read from its file on first use
 * (a failure is retried on the next use).
 */
export function deployTargetsAccess(config: { deployTargets: readonly DeployTargetSpec[] }): DeployTargetAccess[] {
  return config.deployTargets.map((target, index) => {
    let token: Promise<string> | undefined;
    return {
      kind: target.kind,
      url: target.url,
      token: () => {
        token ??= readTargetToken(target, index).catch((err: unknown) => {
          token = undefined;
          throw err;
        });
        return token;
      },
    };
  });
}

/**
 * The token of a target, from its file.
 *
 * @throws Error naming the file, the setting and the target when the file is missing, unsafe (see
 *   `readSecretFile`), or holds no valid token; never the token.
 */
export async function readTargetToken(target: DeployTargetSpec, index: number): Promise<string> {
  const options: SecretFileOptions = {
    what: `The ${target.kind} deploy target token file`,
    exposure: `anyone who reads it can move the traffic of ${target.url}`,
  };
  const setting = `deployTargets[${index}].tokenFile, for ${target.url}`;
  const named = `${options.what} ${target.tokenFile} (${setting})`;
  const text = await readSecretFile(target.tokenFile, options).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)} (${setting})`, { cause: err });
  });
  if (text === undefined) {
    throw new Error(`${named} does not exist: write the token the target issued for Slipway into it (mode 0600)`);
  }
  return checkTokenValue(text.endsWith('\n') ? text.slice(0, -1) : text, named, 'deploy target token');
}

/** How long a start-up health check waits for a target's answer. */
const HEALTH_TIMEOUT_MS = 10_000;

/**
 * Checks each configured target before a worker polls: its token file is readable and valid, and the target answers
 * its health check (`GET {url}/health`) with that token.
 *
 * @throws Error naming the target (`deployTargets[i]` and its URL) and what failed.
 */
export async function checkDeployTargets(targets: readonly DeployTargetAccess[]): Promise<void> {
  // The adapter loads here, when a worker starts, not when a command reads its configuration.
  const { createWebhookDeployTarget } = await import('@slipway/activities');
  for (const [index, target] of targets.entries()) {
    try {
      const token = await target.token();
      await createWebhookDeployTarget(target.url, { token, timeoutMs: HEALTH_TIMEOUT_MS }).health();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`the configured deployTargets[${index}] (${target.url}) cannot be used: ${reason}`, {
        cause: err,
      });
    }
  }
}

function safeKey(url: string): string | undefined {
  try {
    return targetUrlKey(url);
  } catch {
    return undefined;
  }
}

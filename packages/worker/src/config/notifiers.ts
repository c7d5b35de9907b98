/**
 * The receivers a worker notifies (drift, retrains, gates, rollouts): `notifiers` in `slipway.config.json`, each a
 * webhook signed with a secret read from its own file:
 *
 * ```json
 * "notifiers": [
 *   { "kind": "webhook", "url": "https://ops.example.com/slipway", "secretFile": "/etc/slipway/notify.secret" },
 *   { "kind": "webhook", "url": "https://hooks.slack.com/services/T0/B0/XXXX", "secretFile": "/etc/slipway/slack.secret",
 *     "format": "slack", "events": ["drift_detected", "rollout_rolled_back"] }
 * ]
 * ```
 *
 * The secret file must be owner-only, not empty, and outside every dataset root (the Slipway home is fine); it is
 * never read as a dataset. Events no receiver takes are dropped; events a receiver never takes are appended to
 * `<home>/notifications/dead-letter.jsonl`.
 */
import { isAbsolute, join, resolve } from 'node:path';
import type { Notifier } from '@slipway/activities';
import { isPathWithin, readSecretFile, redactedTarget, type NotifyRetry } from '@slipway/activities/settings';
import { NotificationKind } from '@slipway/sdk';
import { z } from 'zod';
import { checkOutboundUrl } from './outbound-url.js';

/** Hosts a receiver may be reached at over plain `http`. */

/** One configured notifier, as `slipway.config.json` writes it. */
export const NotifierSettingInput = z
  .object({
    /** The adapter: `webhook`. */
    kind: z.literal('webhook'),
    /** The receiver: `https://…`, or `http://` on a loopback address. No credentials (the secret is `secretFile`). */
    url: z
      .url()
      .superRefine(
        checkOutboundUrl({ sent: 'a notification', secretFrom: 'the signing secret comes from secretFile' }),
      ),
    /**
     * The file holding the signing secret (relative paths resolve against the working directory): owner-only, not
     * empty, outside every dataset root.
     */
    secretFile: z.string().min(1),
    /** `json` (the event, the default) or `slack` (a Slack-compatible `{ text, blocks }`). */
    format: z.enum(['json', 'slack']).default('json'),
    /** The kinds this receiver takes (default: all). */
    events: z.array(NotificationKind).min(1).optional(),
    /** Attempts and backoff (default 5 attempts, 1 s doubling up to 30 s). */
    retry: z
      .object({
        attempts: z.number().int().min(1).max(20),
        initialMs: z.number().int().min(0),
        maxMs: z.number().int().min(0),
      })
      .strict()
      .optional(),
  })
  .strict();
/** One configured notifier, as written. */
export type NotifierSettingInput = z.input<typeof NotifierSettingInput>;

/** The `notifiers` setting. */
export const NotifiersSetting = z.array(NotifierSettingInput);

/** A resolved notifier: its receiver, its secret file (absolute), its format, the kinds it takes, its retry. */
export interface NotifierSpec {
  kind: 'webhook';
  url: string;
  secretFile: string;
  format: 'json' | 'slack';
  events?: NotificationKind[];
  retry?: NotifyRetry;
}

/** What {@link resolveNotifiers} checks the notifiers against. */
export interface NotifierContext {
  /** The working directory relative secret files resolve against. */
  cwd: string;
  /** Slipway's state directory: never read as a dataset, so a secret file may live there. */
  home: string;
  /** The resolved dataset roots (absolute directories and `s3://` locations). */
  roots: readonly string[];
  /** Where the setting came from, for messages (the configuration file, or the environment). */
  source: string;
}

/**
 * The configured notifiers, resolved.
 *
 * @throws Error naming the configuration and the setting (`notifiers[i].secretFile`) when a secret file lies inside
 *   a dataset root (outside the Slipway home), where a run could read it.
 */
export function resolveNotifiers(
  input: readonly z.output<typeof NotifierSettingInput>[] | undefined,
  context: NotifierContext,
): NotifierSpec[] {
  return (input ?? []).map((notifier, index) => {
    const secretFile = isAbsolute(notifier.secretFile)
      ? notifier.secretFile
      : resolve(context.cwd, notifier.secretFile);
    const root = context.roots.find(
      (r) => !r.startsWith('s3://') && isPathWithin(r, secretFile) && !isPathWithin(context.home, secretFile),
    );
    if (root !== undefined) {
      throw new Error(
        `invalid Slipway configuration in ${context.source}: notifiers[${index}].secretFile ${secretFile} lies ` +
          `inside the dataset root ${root}, where a run could read it: keep it outside every dataset root (the ` +
          `Slipway home ${context.home} is never read as a dataset)`,
      );
    }
    return {
      kind: notifier.kind,
      url: notifier.url,
      secretFile,
      format: notifier.format,
      ...(notifier.events ? { events: [...new Set(notifier.events)] } : {}),
      ...(notifier.retry ? { retry: notifier.retry } : {}),
    };
  });
}

/** The secret files of the configured notifiers: secrets no dataset read may touch. */
export function notifierSecretFiles(config: { notifiers: readonly NotifierSpec[] }): string[] {
  return config.notifiers.map((notifier) => notifier.secretFile);
}

/** The dead-letter log of notifications: `<home>/notifications/dead-letter.jsonl`. */
export function notificationDeadLetterPath(config: { home: string }): string {
  return join(config.home, 'notifications', 'dead-letter.jsonl');
}

/**
 * The secret of the notifier `notifiers[index]`, from its file.
 *
 * @throws Error naming the file and the setting when the file is missing, unsafe (see `readSecretFile`) or empty;
 *   never the secret.
 */
export async function readNotifierSecret(notifier: NotifierSpec, index: number): Promise<string> {
  const target = redactedTarget(notifier.url);
  const what = 'The notifier secret file';
  const setting = `notifiers[${index}].secretFile, for ${target}`;
  const text = await readSecretFile(notifier.secretFile, {
    what,
    exposure: `anyone who reads it can sign notifications ${target} will trust`,
  }).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)} (${setting})`, { cause: err });
  });
  if (text === undefined) {
    throw new Error(`${what} ${notifier.secretFile} (${setting}) does not exist: write the shared secret into it`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret.trim() === '') {
    throw new Error(`${what} ${notifier.secretFile} (${setting}) is empty: write the shared secret into it`);
  }
  return secret;
}

/**
 * One notifier over the configured ones: each event goes to every notifier whose `events` take its kind; events a
 * receiver never takes go to {@link notificationDeadLetterPath}. Reads every secret now, so a missing or empty one
 * fails here (at worker start), naming the setting. With no notifiers configured, it delivers nowhere.
 */
export async function configuredNotifiers(
  config: { home: string; notifiers: readonly NotifierSpec[] },
  options: { fetch?: typeof fetch } = {},
): Promise<Notifier> {
  // The adapters load here, when a worker opens them, not when a command reads its configuration.
  const { createFanOutNotifier, createWebhookNotifier } = await import('@slipway/activities');
  const deadLetterPath = notificationDeadLetterPath(config);
  const entries = await Promise.all(
    config.notifiers.map(async (spec, index) => ({
      name: `notifiers[${index}] (${redactedTarget(spec.url)})`,
      ...(spec.events ? { events: spec.events } : {}),
      notifier: createWebhookNotifier({
        url: spec.url,
        secret: await readNotifierSecret(spec, index),
        format: spec.format,
        deadLetterPath,
        ...(spec.retry ? { retry: spec.retry } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    })),
  );
  return createFanOutNotifier(entries);
}

/**
 * The dead-letter log of notifications: one JSON line per event a receiver never took, so nothing is lost when a
 * receiver is down and an operator can re-send it. A line holds the event, where it was going (without secrets),
 * how many attempts were made and the last error: never the signing secret, never URL credentials or queries.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { NotificationEvent } from '@slipway/sdk';
import { runSerially } from '../util/serial-queue.js';

/** One line of the dead-letter log. */
export interface DeadLetterEntry {
  /** When the event was given up on (ISO 8601 UTC). */
  readonly at: string;
  readonly event: NotificationEvent;
  /** The receiver, as {@link redactedTarget} writes it. */
  readonly target: string;
  readonly format: string;
  readonly attempts: number;
  /** The last HTTP status, when the receiver answered. */
  readonly httpStatus?: number;
  readonly error: string;
}

/** Path segments at least this long are treated as tokens (a Slack webhook URL carries its secret in the path). */
const TOKEN_SEGMENT_LENGTH = 16;

/**
 * A receiver URL safe to write down: the origin and path, without credentials, query or fragment, with every path
 * segment of 16 characters or more (a token, as in Slack's `/services/T…/B…/<token>`) replaced by `***`.
 */
export function redactedTarget(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(an invalid URL)';
  }
  const path = parsed.pathname
    .split('/')
    .map((segment) => (segment.length >= TOKEN_SEGMENT_LENGTH ? '***' : segment))
    .join('/');
  return `${parsed.origin}${path}`;
}

/**
 * Appends `entry` to the dead-letter log at `path` as one JSON line (the directory is created with mode 0700, the
 * file with 0600); appends from one process never interleave.
 */
export async function appendDeadLetter(path: string, entry: DeadLetterEntry): Promise<void> {
  const line = `${JSON.stringify(entry)}\n`;
  await runSerially(`notify-dead-letter:${path}`, async () => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await appendFile(path, line, { encoding: 'utf8', mode: 0o600, flag: 'a' });
  });
}

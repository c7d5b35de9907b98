/**
 * A thin guard around `@temporalio/activity`'s `Context`, so the data and training activities also run as plain
 * async functions (unit use, scripts): outside an activity, heartbeats go nowhere, the abort signal never fires
 * and there are no details from a previous attempt.
 */
import { Context } from '@temporalio/activity';

/** What an activity body needs from Temporal, whether or not it runs inside an activity. */
export interface ActivityHooks {
  /** True when running inside a Temporal activity (or a `MockActivityEnvironment`). */
  readonly inActivity: boolean;
  /** Sends a heartbeat; a no-op outside an activity. */
  heartbeat(details: unknown): void;
  /** Aborted when the activity is cancelled; never aborted outside an activity. */
  readonly signal: AbortSignal;
  /** The details of the last heartbeat of a previous attempt, if any. */
  readonly heartbeatDetails: unknown;
  /** The activity's heartbeat timeout in ms, when it has one (never outside an activity). */
  readonly heartbeatTimeoutMs?: number | undefined;
}

/** The hooks of the current activity, or inert hooks when called outside one. */
export function currentActivityHooks(): ActivityHooks {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    context = undefined;
  }
  if (context === undefined) {
    return {
      inActivity: false,
      heartbeat: () => undefined,
      signal: new AbortController().signal,
      heartbeatDetails: undefined,
    };
  }
  const active = context;
  return {
    inActivity: true,
    heartbeat: (details) => active.heartbeat(details),
    signal: active.cancellationSignal,
    heartbeatDetails: active.info.heartbeatDetails,
    heartbeatTimeoutMs: active.info.heartbeatTimeoutMs,
  };
}

/** Throws the abort reason (a `CancelledFailure` inside an activity) when the signal has fired. */
export function throwIfAborted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  throw reason instanceof Error ? reason : new Error(`aborted: ${String(reason)}`);
}

/**
 * A time-based throttle: `ready()` is true at most once per `intervalMs` (and on the first call). Temporal
 * throttles heartbeats too, but converting details to a payload on every row or epoch is wasted work.
 */
export function createThrottle(intervalMs: number, now: () => number = Date.now): { ready(): boolean } {
  let last = Number.NEGATIVE_INFINITY;
  return {
    ready() {
      const t = now();
      if (t - last < intervalMs) return false;
      last = t;
      return true;
    },
  };
}

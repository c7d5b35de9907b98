/**
 * The heartbeat timeout, seen from the worker: a trainer process that has said nothing (no progress, no
 * checkpoint) for a whole heartbeat timeout has lost its attempt on the server (Temporal times it out and retries
 * it elsewhere), but the server cannot tell this worker so until the activity heartbeats again, which a silent
 * trainer never makes it do. The watchdog aborts the attempt itself, so the trainer gets SIGTERM, its grace
 * period and SIGKILL, and nothing keeps running for an attempt that is over.
 */

/** Aborts when `parent` does, or when {@link SilenceWatchdog.alive} was not called for `timeoutMs`. */
export interface SilenceWatchdog {
  readonly signal: AbortSignal;
  /** The trainer said something: the silence starts again. */
  alive(): void;
  /** Stops the timer (the attempt ended). */
  stop(): void;
}

/** The `name` of the reason a watchdog aborts with (compare names, not classes). */
export const HEARTBEAT_SILENCE = 'HeartbeatSilence';

/** The reason a watchdog aborts with. */
export class HeartbeatSilence extends Error {
  constructor(
    readonly trainer: string,
    readonly timeoutMs: number,
  ) {
    super(
      `trainer "${trainer}" reported no progress for the heartbeat timeout (${timeoutMs} ms): the attempt timed out`,
    );
    this.name = HEARTBEAT_SILENCE;
  }
}

/**
 * A watchdog over `parent` (the activity's cancellation signal). Without a timeout (outside an activity, or an
 * activity without a heartbeat timeout) it only follows `parent`.
 */
export function createSilenceWatchdog(
  parent: AbortSignal,
  trainer: string,
  timeoutMs: number | undefined,
): SilenceWatchdog {
  const controller = new AbortController();
  const follow = () => controller.abort(parent.reason);
  if (parent.aborted) follow();
  else parent.addEventListener('abort', follow, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (timeoutMs === undefined || timeoutMs <= 0 || controller.signal.aborted) return;
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new HeartbeatSilence(trainer, timeoutMs)), timeoutMs);
    timer.unref();
  };
  arm();
  return {
    signal: controller.signal,
    alive: arm,
    stop() {
      clearTimeout(timer);
      parent.removeEventListener('abort', follow);
    },
  };
}

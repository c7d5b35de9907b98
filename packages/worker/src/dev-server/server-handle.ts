import type { TemporalCliResolution } from './install-cli.js';
import type { ResolvedDevServerOptions } from './options.js';
import { removePidfileSync } from './pidfile.js';
import { guardServer, releaseServer, type GuardedServer } from './process-guard.js';
import type { DevServer } from './types.js';

/** How to end one started server, whichever way it was started. */
export interface ServerControl {
  pid: number | undefined;
  cli: TemporalCliResolution;
  outputTail: () => string;
  /** Kills the server at once (used when this process exits without `stop()`). */
  killNow: () => void;
  /** Stops the server gracefully; resolves once it has gone. */
  terminate: () => Promise<void>;
}

/**
 * The `DevServer` handle of a started server: guarded so it dies with this process, its pidfile removed when
 * it stops, `stop()` idempotent.
 */
export function devServerHandle(resolved: ResolvedDevServerOptions, control: ServerControl): DevServer {
  const { pid } = control;
  let stopping: Promise<void> | undefined;
  const guarded: GuardedServer = {
    pid,
    port: resolved.port,
    dbFile: resolved.dbFile,
    killNow: () => {
      control.killNow();
      removePidfileSync(resolved.home, resolved.port, pid);
    },
    stop: () =>
      (stopping ??= control.terminate().finally(() => {
        removePidfileSync(resolved.home, resolved.port, pid);
        releaseServer(guarded);
      })),
  };
  guardServer(guarded);
  return {
    address: `${resolved.ip}:${resolved.port}`,
    namespace: resolved.namespace,
    port: resolved.port,
    ...(resolved.uiPort === undefined ? {} : { uiUrl: `http://${resolved.ip}:${resolved.uiPort}` }),
    pid,
    dbFile: resolved.dbFile,
    cli: control.cli,
    outputTail: control.outputTail,
    stop: () => guarded.stop(),
  };
}

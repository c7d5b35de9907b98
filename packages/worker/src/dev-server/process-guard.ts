import { constants } from 'node:os';

/** A running server the guard must not leave behind. */
export interface GuardedServer {
  /** Process id of the server, when known. */
  readonly pid: number | undefined;
  /** Port the server listens on. */
  readonly port: number;
  /** Its SQLite file, or null for in-memory. */
  readonly dbFile: string | null;
  /** Kills the server at once, synchronously (used when this process is about to die). */
  killNow(): void;
  /** Stops the server gracefully. */
  stop(): Promise<void>;
}

const HANDLED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type HandledSignal = (typeof HANDLED_SIGNALS)[number];

const live = new Set<GuardedServer>();
let installed = false;
let shuttingDown = false;

/**
 * Registers a running server so it dies with this process: killed synchronously (SIGKILL) on `exit`,
 * which Node.js also emits when an uncaught exception or unhandled rejection crashes the process;
 * stopped gracefully on SIGINT/SIGTERM/SIGHUP, after which the process exits with 128 + the signal
 * number unless the application has its own handler for that signal.
 */
export function guardServer(server: GuardedServer): void {
  live.add(server);
  if (!installed) install();
}

/** Forgets a server once it has stopped; the process handlers are removed with the last one. */
export function releaseServer(server: GuardedServer): void {
  live.delete(server);
  if (live.size === 0 && installed) uninstall();
}

/** The servers this process is running right now. */
export function guardedServers(): readonly GuardedServer[] {
  return [...live];
}

function killAll(): void {
  for (const server of live) {
    try {
      server.killNow();
    } catch {
      // best effort: the process is going away
    }
  }
}

function onExit(): void {
  killAll();
}

function onSignal(signal: HandledSignal): void {
  const exitCode = 128 + (constants.signals[signal] ?? 0);
  if (shuttingDown) {
    // Second signal while stopping: stop waiting.
    killAll();
    process.exit(exitCode);
  }
  shuttingDown = true;
  void Promise.allSettled([...live].map((server) => server.stop())).then(() => {
    shuttingDown = false;
    // Every server released itself on stop, so our listeners are gone: if nobody else handles this
    // signal, behave like the default action would have.
    if (process.listenerCount(signal) === 0) process.exit(exitCode);
  });
}

const signalListeners = new Map<HandledSignal, () => void>(
  HANDLED_SIGNALS.map((signal) => [signal, () => onSignal(signal)]),
);

function install(): void {
  installed = true;
  process.on('exit', onExit);
  for (const [signal, listener] of signalListeners) process.on(signal, listener);
}

function uninstall(): void {
  installed = false;
  process.off('exit', onExit);
  for (const [signal, listener] of signalListeners) process.off(signal, listener);
}

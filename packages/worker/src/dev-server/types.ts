import type { TemporalCliResolution } from './install-cli.js';

/** Types a search attribute can be registered with (`--search-attribute Name=Type`). */
export const SearchAttributeKind = {
  text: 'Text',
  keyword: 'Keyword',
  int: 'Int',
  double: 'Double',
  bool: 'Bool',
  datetime: 'Datetime',
  keywordList: 'KeywordList',
} as const;

/** One of the {@link SearchAttributeKind} values. */
export type SearchAttributeKind = (typeof SearchAttributeKind)[keyof typeof SearchAttributeKind];

/** Options of `startDevServer`. */
export interface StartDevServerOptions {
  /** The project's `.slipway` directory: tools, pidfiles and the default database live here. */
  readonly home: string;
  /** Address the server binds to (default `127.0.0.1`; keep it on loopback: the dev server has no auth). */
  readonly ip?: string;
  /** Frontend gRPC port (default 7233); 0 picks a free port. */
  readonly port?: number;
  /** Serve the Web UI (default false: `--headless`). Setting `uiPort` turns it on. */
  readonly ui?: boolean;
  /** Web UI port (default `port + 1000`, or a free port when `port` is 0). */
  readonly uiPort?: number;
  /** SQLite file (default `<home>/temporal.db`); `null` keeps state in memory only. */
  readonly dbFile?: string | null;
  /** Namespace to create and check (default `default`). */
  readonly namespace?: string;
  /** Search attributes to register besides Slipway's own (`SlipwayGateStatus`, `SlipwayModel`). */
  readonly extraSearchAttributes?: Readonly<Record<string, SearchAttributeKind>>;
  /** Further arguments appended to `temporal server start-dev` (e.g. `--dynamic-config-value`). */
  readonly extraArgs?: readonly string[];
  /** Receives human-readable progress messages (install, stale clean-up, ready). */
  readonly onProgress?: (message: string) => void;
  /** Receives the server's own output as it arrives (it is always kept for error messages). */
  readonly onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** How long to wait for the server to answer (default 60 000 ms). */
  readonly readyTimeoutMs?: number;
  /** Environment for the CLI lookup and install (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Python used to install the CLI when it is missing (default `python3`). */
  readonly python?: string;
}

/** A running embedded Temporal dev server. */
export interface DevServer {
  /** gRPC address for `Connection.connect` / `NativeConnection.connect`, e.g. `127.0.0.1:7233`. */
  readonly address: string;
  /** The namespace it was started with. */
  readonly namespace: string;
  /** Frontend gRPC port. */
  readonly port: number;
  /** Web UI address, when the UI is on. */
  readonly uiUrl?: string;
  /**
   * Process id of the server. Undefined only with the `@temporalio/testing` download fallback on a
   * platform where the process cannot be identified.
   */
  readonly pid: number | undefined;
  /** Absolute path of the SQLite file, or null when state is in memory. */
  readonly dbFile: string | null;
  /** Which Temporal CLI runs it. */
  readonly cli: TemporalCliResolution;
  /** The recent output of the server (for diagnostics). */
  outputTail(): string;
  /**
   * Stops the server: SIGTERM, SIGKILL after about 10 s; resolves once the process has exited and the
   * pidfile is removed. Idempotent.
   */
  stop(): Promise<void>;
}

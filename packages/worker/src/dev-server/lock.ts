/**
 * The cross-process lock that guards installs into the tools directory (the Temporal CLI's virtualenv): the
 * project's one lock file mechanism (`withLockFile`), with waits sized for installs that take minutes.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isLockHeld, withLockFile, type LockFileOwner } from '@slipway/activities';
import { DevServerError, DevServerErrorCode } from './errors.js';

/** Options of {@link withInstallLock}. */
export interface InstallLockOptions {
  /** Give up waiting after this long (default 10 minutes). */
  readonly timeoutMs?: number;
  /** A lock held from another host is considered abandoned after this long (default 10 minutes). */
  readonly staleMs?: number;
  /** Called once when the lock is held by someone else and we start waiting. */
  readonly onWait?: (owner: LockFileOwner | undefined) => void;
}

/**
 * Runs `fn` while holding the lock file `lockPath` (its directory is created). A lock left by a process that
 * died on this host, or held from another host for longer than `staleMs`, is broken and retaken; a wait longer
 * than `timeoutMs` fails with `DevServerError` `LOCK_TIMEOUT`.
 */
export async function withInstallLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: InstallLockOptions = {},
): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  return withLockFile(lockPath, fn, {
    timeoutMs: options.timeoutMs ?? 600_000,
    staleMs: options.staleMs ?? 600_000,
    maxPollMs: 200,
    ...(options.onWait ? { onWait: options.onWait } : {}),
    timeoutError: (message) => new DevServerError(DevServerErrorCode.lockTimeout, message),
  });
}

/** True when the lock is held (or was left by a holder that crashed). */
export const isLocked = isLockHeld;

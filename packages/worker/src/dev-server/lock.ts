import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { DevServerError, DevServerErrorCode } from './errors.js';
import { isProcessRunning } from './process-util.js';

/** Options of {@link withDirectoryLock}. */
export interface DirectoryLockOptions {
  /** Give up waiting after this long (default 10 minutes). */
  readonly timeoutMs?: number;
  /** A lock whose owner cannot be checked is considered abandoned after this long (default 10 minutes). */
  readonly staleMs?: number;
  /** Called once when the lock is held by someone else and we start waiting. */
  readonly onWait?: (owner: LockOwner | undefined) => void;
}

/** Who holds a lock: written to `owner.json` inside the lock directory. */
export interface LockOwner {
  /** Process id of the holder. */
  readonly pid: number;
  /** Host name of the holder (the pid means nothing on another host). */
  readonly host: string;
  /** Random token, so a holder only ever removes its own lock. */
  readonly token: string;
  /** When the lock was taken (ISO 8601). */
  readonly acquiredAt: string;
}

/** Grace period for a lock directory whose `owner.json` has not been written yet. */
const OWNERLESS_GRACE_MS = 30_000;

/**
 * Runs `fn` while holding a cross-process lock: the atomic creation of directory `lockDir`. A lock
 * left by a process that died (same host, pid gone) or older than `staleMs` is broken and retaken.
 */
export async function withDirectoryLock<T>(
  lockDir: string,
  fn: () => Promise<T>,
  options: DirectoryLockOptions = {},
): Promise<T> {
  const owner = await acquire(lockDir, options);
  try {
    return await fn();
  } finally {
    await release(lockDir, owner);
  }
}

async function acquire(lockDir: string, options: DirectoryLockOptions): Promise<LockOwner> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const staleMs = options.staleMs ?? 600_000;
  const deadline = Date.now() + timeoutMs;
  let waiting = false;
  await mkdir(dirname(lockDir), { recursive: true });
  for (;;) {
    const owner = await tryCreate(lockDir);
    if (owner !== undefined) return owner;
    const current = await readOwner(lockDir);
    if (await isStale(lockDir, current, staleMs)) {
      await breakLock(lockDir);
      continue;
    }
    if (!waiting) {
      waiting = true;
      options.onWait?.(current);
    }
    if (Date.now() >= deadline) {
      const who = current ? `process ${current.pid} on ${current.host} since ${current.acquiredAt}` : 'another process';
      throw new DevServerError(
        DevServerErrorCode.lockTimeout,
        `timed out after ${timeoutMs} ms waiting for the lock ${lockDir}, held by ${who}; ` +
          `if no such process is running, remove that directory`,
      );
    }
    await sleep(200);
  }
}

async function tryCreate(lockDir: string): Promise<LockOwner | undefined> {
  try {
    await mkdir(lockDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomUUID(),
    acquiredAt: new Date().toISOString(),
  };
  await writeFile(join(lockDir, 'owner.json'), JSON.stringify(owner));
  return owner;
}

async function readOwner(lockDir: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(lockDir, 'owner.json'), 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string' || typeof parsed.token !== 'string') {
      return undefined;
    }
    return parsed as LockOwner;
  } catch {
    return undefined;
  }
}

async function isStale(lockDir: string, owner: LockOwner | undefined, staleMs: number): Promise<boolean> {
  let ageMs: number;
  try {
    ageMs = Date.now() - (await stat(lockDir)).mtimeMs;
  } catch {
    return false; // vanished meanwhile: the next mkdir decides
  }
  if (owner === undefined) return ageMs > OWNERLESS_GRACE_MS;
  if (owner.host === hostname()) return !isProcessRunning(owner.pid);
  return ageMs > staleMs;
}

/** Moves the stale lock aside first (atomic), so two processes breaking it at once cannot both win. */
async function breakLock(lockDir: string): Promise<void> {
  const aside = `${lockDir}.stale-${process.pid}-${randomUUID()}`;
  try {
    await rename(lockDir, aside);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw err;
  }
  await rm(aside, { recursive: true, force: true });
}

async function release(lockDir: string, owner: LockOwner): Promise<void> {
  const current = await readOwner(lockDir);
  if (current?.token !== owner.token) return; // broken and retaken by someone else: not ours any more
  await rm(lockDir, { recursive: true, force: true });
}

/** True when the lock directory exists (someone holds the lock, or a crashed holder left it). */
export async function isLocked(lockDir: string): Promise<boolean> {
  try {
    return (await stat(lockDir)).isDirectory();
  } catch {
    return false;
  }
}

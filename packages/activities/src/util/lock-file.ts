/**
 * A cross-process lock held as a lock file next to the file it guards. The lock file is written complete under
 * a unique temporary name and then hard-linked into place (`link` fails with `EEXIST` atomically when the lock is
 * held), so the owner it names is always readable. A lock left by a process that died on this host is broken;
 * so is one from another host older than `staleMs`.
 */
import { randomUUID } from 'node:crypto';
import { link, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessRunning } from './process-alive.js';

/** Options of {@link withLockFile}. */
export interface LockFileOptions {
  /** Give up waiting after this long (default 30 s). */
  timeoutMs?: number;
  /** A lock held by another host (whose process cannot be checked) is abandoned after this long (default 60 s). */
  staleMs?: number;
  /** The longest pause between two attempts (default 50 ms: holders usually keep the lock for milliseconds). */
  maxPollMs?: number;
  /** Called once, when the lock is held by someone else and the wait begins. */
  onWait?: (owner: LockFileOwner | undefined) => void;
  /** Makes the error thrown when the wait times out (default a plain `Error` with `message`). */
  timeoutError?: (message: string) => Error;
}

/** Who holds a lock file. */
export interface LockFileOwner {
  pid: number;
  host: string;
  /** A random token, so that a holder only ever removes its own lock. */
  token: string;
  acquiredAt: string;
}

/** A lock file whose content cannot be read as an owner is treated as abandoned after this long. */
const UNREADABLE_GRACE_MS = 10_000;

/** True when the lock file exists: someone holds the lock, or a holder that crashed left it. */
export async function isLockHeld(lockPath: string): Promise<boolean> {
  try {
    await stat(lockPath);
    return true;
  } catch {
    return false;
  }
}

/** Runs `fn` while holding the lock file `lockPath`; the lock is released however `fn` ends. */
export async function withLockFile<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: LockFileOptions = {},
): Promise<T> {
  const owner = await acquire(lockPath, options);
  try {
    return await fn();
  } finally {
    await release(lockPath, owner);
  }
}

async function acquire(lockPath: string, options: LockFileOptions): Promise<LockFileOwner> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const staleMs = options.staleMs ?? 60_000;
  let waiting = false;
  for (let attempt = 0; ; attempt++) {
    const owner = await tryCreate(lockPath);
    if (owner !== undefined) return owner;
    const current = await readOwner(lockPath);
    if (await isStale(lockPath, current, staleMs)) {
      await breakLock(lockPath, current);
      continue;
    }
    if (!waiting) {
      waiting = true;
      options.onWait?.(current);
    }
    if (Date.now() >= deadline) throw lockTimeout(lockPath, current, timeoutMs, options);
    // Short, growing, jittered waits.
    await sleep(Math.min(options.maxPollMs ?? 50, 2 + attempt) * (0.5 + Math.random()));
  }
}

function lockTimeout(
  lockPath: string,
  owner: LockFileOwner | undefined,
  timeoutMs: number,
  options: LockFileOptions,
): Error {
  const who = owner ? `process ${owner.pid} on ${owner.host} since ${owner.acquiredAt}` : 'an unknown owner';
  const message =
    `timed out after ${timeoutMs} ms waiting for the lock ${lockPath}, held by ${who}; ` +
    'if no such process is running, delete that file';
  return options.timeoutError?.(message) ?? new Error(message);
}

async function tryCreate(lockPath: string): Promise<LockFileOwner | undefined> {
  const owner: LockFileOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomUUID(),
    acquiredAt: new Date().toISOString(),
  };
  const temp = `${lockPath}.${process.pid}.${owner.token}`;
  await writeFile(temp, JSON.stringify(owner), { flag: 'wx' });
  try {
    await link(temp, lockPath);
    return owner;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function readOwner(path: string): Promise<LockFileOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockFileOwner>;
    const valid = typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.token === 'string';
    return valid ? (parsed as LockFileOwner) : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(lockPath: string, owner: LockFileOwner | undefined, staleMs: number): Promise<boolean> {
  let ageMs: number;
  try {
    ageMs = Date.now() - (await stat(lockPath)).mtimeMs;
  } catch {
    return false; // released meanwhile: the next attempt decides
  }
  if (owner === undefined) return ageMs > UNREADABLE_GRACE_MS;
  if (owner.host === hostname()) return !isProcessRunning(owner.pid);
  return ageMs > staleMs;
}

/**
 * Moves the stale lock aside (atomic), then checks that what was moved is the lock judged stale: when another
 * process broke it and took the lock meanwhile, that live lock is put back.
 */
async function breakLock(lockPath: string, stale: LockFileOwner | undefined): Promise<void> {
  const aside = `${lockPath}.stale.${process.pid}.${randomUUID()}`;
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readOwner(aside);
  if (moved !== undefined && moved.token !== stale?.token) {
    await link(aside, lockPath).catch(() => undefined);
  }
  // rm, not unlink: a lock left as a directory by an earlier version is cleared the same way.
  await rm(aside, { recursive: true, force: true });
}

async function release(lockPath: string, owner: LockFileOwner): Promise<void> {
  const current = await readOwner(lockPath);
  if (current?.token !== owner.token) return; // broken and retaken by someone else: not ours any more
  await unlink(lockPath).catch(() => undefined);
}

/**
 * A cross-process lock held as a lock file next to the file it guards. The lock file is written complete under
 * a unique temporary name and then hard-linked into place (`link` fails with `EEXIST` atomically when the lock is
 * held), so the owner it names is always readable. A lock left by a process that died on this host is broken;
 * so is one from another host older than `staleMs`.
 */
import { randomUUID } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link withLockFile}. */
export interface LockFileOptions {
  /** Give up waiting after this long (default 30 s). */
  timeoutMs?: number;
  /** A lock held by another host (whose process cannot be checked) is abandoned after this long (default 60 s). */
  staleMs?: number;
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
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const staleMs = options.staleMs ?? 60_000;
  for (let attempt = 0; ; attempt++) {
    const owner = await tryCreate(lockPath);
    if (owner !== undefined) return owner;
    const current = await readOwner(lockPath);
    if (await isStale(lockPath, current, staleMs)) {
      await breakLock(lockPath, current);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = current
        ? `process ${current.pid} on ${current.host} since ${current.acquiredAt}`
        : 'an unknown owner';
      throw new Error(
        `timed out waiting for the lock ${lockPath}, held by ${who}; if no such process is running, delete that file`,
      );
    }
    // Short, growing, jittered waits: holders keep the lock for milliseconds.
    await sleep(Math.min(50, 2 + attempt) * (0.5 + Math.random()));
  }
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
  if (owner.host === hostname()) return !isProcessAlive(owner.pid);
  return ageMs > staleMs;
}

/** True when a process with this id exists on this host. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
  await unlink(aside).catch(() => undefined);
}

async function release(lockPath: string, owner: LockFileOwner): Promise<void> {
  const current = await readOwner(lockPath);
  if (current?.token !== owner.token) return; // broken and retaken by someone else: not ours any more
  await unlink(lockPath).catch(() => undefined);
}

import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** How long {@link killProcessGroup} waits for a killed group's processes to be gone (a bound, not a timing). */
const GROUP_EXIT_WAIT_MS = 10_000;

/** Sends a signal to a whole process group; a group that is gone already is not an error. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * SIGKILLs a process group and waits until none of its processes is running (exited processes that their new
 * parent has not reaped yet count as gone). Returns false if some were still running after the wait's bound.
 */
export async function killProcessGroup(pgid: number): Promise<boolean> {
  signalProcessGroup(pgid, 'SIGKILL');
  const deadline = Date.now() + GROUP_EXIT_WAIT_MS;
  while (groupIsRunning(pgid)) {
    if (Date.now() > deadline) return false;
    await delay(10);
  }
  return true;
}

/** True while a process of the group runs: from `/proc` where there is one (zombies do not count), else `kill 0`. */
export function groupIsRunning(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  return entries.some((pid) => runsInGroup(pid, pgid));
}

function runsInGroup(pid: string, pgid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false; // exited while we looked
  }
  // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so parse after the last ')'.
  const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(pgrp) === pgid && state !== 'Z' && state !== 'X';
}

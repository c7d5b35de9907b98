import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessRunning } from '@slipway/activities';

/** Whether a pid is a live process (zombies count as exited): the one check every lock and pidfile uses. */
export { isProcessRunning };

/**
 * Keeps the last `limit` characters written to it: the tail of a child process's output, for error
 * messages.
 */
export class OutputTail {
  private text = '';

  /** @param limit - how many characters to keep (the oldest are dropped first) */
  constructor(private readonly limit = 16_384) {}

  /** Appends a chunk of output. */
  append(chunk: string | Buffer): void {
    this.text += chunk.toString();
    if (this.text.length > this.limit) this.text = this.text.slice(this.text.length - this.limit);
  }

  /** The last `maxLines` non-empty lines kept so far, joined by newlines. */
  lines(maxLines = 30): string {
    const lines = this.text.split(/\r?\n/).filter((line) => line.trim() !== '');
    return lines.slice(-maxLines).join('\n');
  }

  /** Everything kept so far. */
  toString(): string {
    return this.text;
  }
}

/**
 * The argument vector of a running process: `/proc/<pid>/cmdline` on Linux, `ps -o args=` elsewhere
 * (split on whitespace). Undefined when the process does not exist or cannot be inspected.
 */
export function readProcessCommandLine(pid: number): string[] | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (existsSync('/proc/self/cmdline')) {
    try {
      const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const args = raw.split('\0').filter((arg) => arg !== '');
      return args.length > 0 ? args : undefined;
    } catch {
      return undefined;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    const args = out
      .trim()
      .split(/\s+/)
      .filter((arg) => arg !== '');
    return args.length > 0 ? args : undefined;
  } catch {
    return undefined;
  }
}

/** Polls until the process has exited; resolves true if it did within `timeoutMs`. */
export async function waitForProcessExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessRunning(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Sends a signal, ignoring "no such process". */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Stops a process that is not our child: SIGTERM, then SIGKILL after `graceMs`. Resolves once it has
 * exited; throws when it survives SIGKILL for 5 s.
 */
export async function terminateProcess(pid: number, graceMs = 10_000): Promise<void> {
  if (!isProcessRunning(pid)) return;
  signalProcess(pid, 'SIGTERM');
  if (await waitForProcessExit(pid, graceMs)) return;
  signalProcess(pid, 'SIGKILL');
  if (await waitForProcessExit(pid, 5_000)) return;
  throw new Error(`process ${pid} is still running 5 s after SIGKILL`);
}

/** What {@link runCommand} observed. */
export interface CommandResult {
  /** Exit code, or null when the process was killed by a signal. */
  readonly code: number | null;
  /** The signal that killed the process, if any. */
  readonly signal: NodeJS.Signals | null;
  /** Standard output (the last 64 KiB). */
  readonly stdout: string;
  /** Tail of standard error, for error messages. */
  readonly stderr: OutputTail;
}

/**
 * Runs a command to completion and collects its output. Rejects only when the command cannot be
 * spawned at all (the error's `code` is e.g. `ENOENT`); a non-zero exit resolves with that code.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = new OutputTail(65_536);
    const stderr = new OutputTail(16_384);
    child.stdout.on('data', (chunk: Buffer) => stdout.append(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.append(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout: stdout.toString(), stderr }));
  });
}

/** Renders a command line for humans, quoting arguments that contain spaces or quotes. */
export function formatCommandLine(file: string, args: readonly string[]): string {
  return [file, ...args]
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

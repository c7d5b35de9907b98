// The processes bench/gates starts and measures: long-running ones in their own process group (stopped with the
// group, on success, failure and Ctrl-C), one-shot commands timed from spawn to exit, and a process's resident
// memory read from /proc.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MB = 2 ** 20;
const STOP_GRACE_MS = 15_000;

/**
 * Starts a long-running process in its own group and resolves once a line of its output matches `ready`.
 * `stop()` ends the whole group (SIGTERM, then SIGKILL after a grace period); the group is also killed when this
 * process exits.
 */
export async function startProcess(label, command, args, { cwd, env, ready, timeoutMs = 120_000 }) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output = [];
  let seen = '';
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // the group is gone already
    }
  };
  const killNow = () => signal('SIGKILL');
  process.once('exit', killNow);
  const isReady = new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${label} did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    const onData = (chunk) => {
      output.push(chunk);
      if (output.length > 400) output.splice(0, output.length - 200);
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (ready.test(seen)) {
        clearTimeout(timer);
        done();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(({ code, signal: by }) => {
      clearTimeout(timer);
      fail(new Error(`${label} exited (${by ?? `code ${code}`}) before it was ready`));
    });
  });
  const tail = () => Buffer.concat(output).toString('utf8').trim().split('\n').slice(-30).join('\n');
  let stopping;
  const handle = {
    label,
    pid: child.pid,
    tail,
    /** The last few KB of its output. */
    output: () => seen,
    /** Rejects when the process exits before `stop()`, with the tail of its output. */
    died: exited.then(({ code, signal: by }) => {
      if (stopping === undefined) throw new Error(`${label} exited (${by ?? `code ${code}`}):\n${tail()}`);
    }),
    stop: () =>
      (stopping ??= (async () => {
        signal('SIGTERM');
        const timer = setTimeout(killNow, STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
        killNow();
        process.off('exit', killNow);
      })()),
  };
  handle.died.catch(() => undefined);
  try {
    await isReady;
  } catch (error) {
    await handle.stop();
    throw new Error(`${error.message}:\n${tail()}`);
  }
  return handle;
}

/**
 * Runs a command to completion and times it from spawn to exit (process start-up included, as a person running
 * it waits for it), with `input` on its stdin. Resolves to its stdout and the seconds it took; rejects with the tail of
 * its output.
 */
export function runTimed(label, command, args, { cwd, env, input, timeoutMs = 600_000 }) {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin.end(input);
    const out = [];
    const err = [];
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    const timer = setTimeout(kill, timeoutMs);
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', (error) => fail(new Error(`could not run ${label}: ${error.message}`)));
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      clearTimeout(timer);
      process.off('exit', kill);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) return done({ stdout, seconds });
      const text = `${stdout}\n${Buffer.concat(err).toString('utf8')}`.trim().split('\n').slice(-20).join('\n');
      fail(new Error(`${label} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}:\n${text}`));
    });
  });
}

/** A process's resident memory now (`VmRSS`) and its peak so far (`VmHWM`), in MB (2^20 bytes). */
export function residentMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]);
  };
  return { rssMb: (kb('VmRSS') * 1024) / MB, peakMb: (kb('VmHWM') * 1024) / MB };
}

/**
 * Samples a process's resident memory every `everyMs` until `stop()`, which returns the highest sample and the
 * kernel's own peak (`VmHWM`, which also catches what fell between samples).
 */
export function sampleMemory(pid, everyMs = 500) {
  let highest = 0;
  const take = () => {
    try {
      highest = Math.max(highest, residentMemory(pid).rssMb);
    } catch {
      // the process ended; the last samples stand
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take();
      const { peakMb } = residentMemory(pid);
      return { sampledPeakMb: highest, peakMb };
    },
  };
}

/** The median of some numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

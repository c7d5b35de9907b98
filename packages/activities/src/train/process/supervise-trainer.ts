import { setTimeout as delay } from 'node:timers/promises';
import { CancelledFailure } from '@temporalio/common';
import {
  FinalErrorType,
  RetryableErrorType,
  finalFailure,
  retryableFailure,
  type TrainerCheckpointMessage,
  type TrainerLogLevel,
  type TrainerProgressMessage,
} from '@slipway/sdk';
import { shortValue } from '../../util/bounded-sample.js';
import { createStderrTail } from './stderr-tail.js';
import { classifyTrainerLine, stdoutLines, type StdoutLine } from './stdout-lines.js';
import type { TrainerChild, TrainerExit } from './trainer-child.js';
import { fileInside } from './work-dir.js';

/** The exit code with which a trainer reports a final error (bad params or data). */
export const TRAINER_FINAL_EXIT_CODE = 2;
/** The longest log message passed on from a trainer's stdout. */
const MAX_LOG_CHARS = 4096;
/**
 * How long stdout may stay open and silent after the trainer's process group was killed (a process that left the
 * group can hold the pipe); then it is closed. A bound on a pathological case, not a timing the protocol relies on:
 * lines already written are all read, and a checkpoint being stored is waited for, however long it takes.
 */
const STDOUT_DRAIN_MS = 5_000;
const DRAIN_POLL_MS = 250;

/** A log line of a trainer: a `log` message, or other text it printed on stdout. */
export interface TrainerLogEntry {
  level: TrainerLogLevel;
  message: string;
  /** The stdout line number. */
  line: number;
}

/** The last checkpoint a trainer announced and `storeCheckpoint` stored. */
export interface StoredTrainerCheckpoint<C> {
  step: number;
  /** The checkpoint file (absolute, inside the working directory). */
  path: string;
  /** What `storeCheckpoint` returned for it. */
  stored: C;
}

/** What the supervisor does with a trainer's messages. */
export interface TrainerHandlers<C> {
  onProgress?: ((progress: TrainerProgressMessage) => void | Promise<void>) | undefined;
  onLog?: ((entry: TrainerLogEntry) => void) | undefined;
  storeCheckpoint: (path: string, step: number) => Promise<C>;
}

/** How one supervised run of a trainer ended well (exit 0). */
export interface SupervisedExit<C> {
  lastCheckpoint: StoredTrainerCheckpoint<C> | undefined;
  stderrTail: string;
}

interface Supervision<C> {
  trainer: string;
  child: TrainerChild;
  workDir: string;
  graceMs: number;
  signal: AbortSignal | undefined;
  handlers: TrainerHandlers<C>;
  maxLineBytes: number;
}

/**
 * Supervises a started trainer until its leading process has exited and its stdout is read to the end: messages
 * go to the handlers (one at a time, in order); an abort sends SIGTERM to the group, still accepts checkpoints for
 * `graceMs`, then sends SIGKILL. Whatever happens, the process group is killed before this returns. Exit 0
 * resolves; everything else throws (see `runTrainerProcess` for the failures).
 */
export async function superviseTrainer<C>(s: Supervision<C>): Promise<SupervisedExit<C>> {
  const { child, trainer } = s;
  const tail = createStderrTail();
  child.stderr.on('data', (chunk: Buffer) => tail.push(chunk));
  let failure: Error | undefined;
  let cancelled = false;
  let killTimer: NodeJS.Timeout | undefined;
  let last: StoredTrainerCheckpoint<C> | undefined;
  const fail = (err: unknown) => {
    failure ??= err instanceof Error ? err : new Error(String(err));
    child.signalGroup('SIGKILL');
  };
  const onAbort = () => {
    if (cancelled) return;
    cancelled = true;
    child.signalGroup('SIGTERM');
    killTimer = setTimeout(() => child.signalGroup('SIGKILL'), s.graceMs);
  };
  s.signal?.addEventListener('abort', onAbort, { once: true });
  if (s.signal?.aborted) onAbort();
  let readErrorsCount = true; // not once stdout was closed on purpose (see below)
  const idle: ReadState = { waitingSince: Date.now() };
  const reading = readMessages(s, idle, (stored) => (last = stored)).catch((err: unknown) => {
    if (readErrorsCount) fail(err);
  });
  try {
    const exit = await child.exited;
    child.signalGroup('SIGKILL'); // what the trainer left behind in its group
    if (!(await readToTheEnd(reading, idle))) {
      readErrorsCount = false;
      child.stdout.destroy();
      await reading;
    }
    await stderrClosed(child);
    if (failure !== undefined) throw failure;
    if (cancelled) throw cancellation(trainer, s.signal?.reason, tail.text());
    checkExit(trainer, exit, tail.text());
    return { lastCheckpoint: last, stderrTail: tail.text() };
  } finally {
    clearTimeout(killTimer);
    s.signal?.removeEventListener('abort', onAbort);
    await child.killGroup();
    child.closeStdin();
  }
}

/** When the stdout reader started waiting for the next line; undefined while it handles one. */
interface ReadState {
  waitingSince: number | undefined;
}

/**
 * Waits for the reader to reach the end of stdout; false when it has waited for a next line longer than
 * {@link STDOUT_DRAIN_MS} (someone outside the killed group holds the pipe open).
 */
async function readToTheEnd(reading: Promise<void>, state: ReadState): Promise<boolean> {
  const exitedAt = Date.now();
  for (;;) {
    if (await Promise.race([reading.then(() => true), delay(DRAIN_POLL_MS, false)])) return true;
    const waiting = state.waitingSince;
    if (waiting !== undefined && Date.now() - Math.max(waiting, exitedAt) > STDOUT_DRAIN_MS) return false;
  }
}

async function readMessages<C>(
  s: Supervision<C>,
  state: ReadState,
  stored: (c: StoredTrainerCheckpoint<C>) => void,
): Promise<void> {
  for await (const line of stdoutLines(s.child.stdout, s.trainer, s.maxLineBytes)) {
    state.waitingSince = undefined;
    await handleLine(s, line, stored);
    state.waitingSince = Date.now();
  }
}

async function handleLine<C>(
  s: Supervision<C>,
  line: StdoutLine,
  stored: (c: StoredTrainerCheckpoint<C>) => void,
): Promise<void> {
  const item = classifyTrainerLine(line, s.trainer);
  if (item.kind === 'text') {
    if (item.text.trim() !== '') s.handlers.onLog?.(logEntry('info', item.text, line));
    return;
  }
  const message = item.message;
  switch (message.type) {
    case 'progress':
      await s.handlers.onProgress?.(message);
      break;
    case 'checkpoint':
      stored(await storeCheckpointLine(s, message, line));
      break;
    case 'log':
      s.handlers.onLog?.(logEntry(message.level, message.message, line));
      break;
  }
}

async function storeCheckpointLine<C>(
  s: Supervision<C>,
  message: TrainerCheckpointMessage,
  line: StdoutLine,
): Promise<StoredTrainerCheckpoint<C>> {
  const found = await fileInside(s.workDir, message.path);
  if (!found.ok) {
    throw finalFailure(
      FinalErrorType.TrainerFailed,
      `Trainer "${s.trainer}" stdout line ${line.number}: checkpoint path "${shortValue(message.path, 200)}" ` +
        `${found.problem}; a checkpoint must be a file inside the working directory ${s.workDir}`,
      { trainer: s.trainer, line: line.number, path: message.path },
    );
  }
  const stored = await s.handlers.storeCheckpoint(found.path, message.step);
  return { step: message.step, path: found.path, stored };
}

function logEntry(level: TrainerLogLevel, message: string, line: StdoutLine): TrainerLogEntry {
  return { level, message: shortValue(message, MAX_LOG_CHARS), line: line.number };
}

function stderrClosed(child: TrainerChild): Promise<void> {
  if (child.stderr.readableEnded || child.stderr.destroyed) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => {
      child.stderr.destroy();
      done();
    }, STDOUT_DRAIN_MS);
    child.stderr.once('close', () => {
      clearTimeout(timer);
      done();
    });
  });
}

/** Throws the failure an exit other than 0 means: 2 is final, any other code or a signal is retryable. */
function checkExit(trainer: string, exit: TrainerExit, stderrTail: string): void {
  if (exit.code === 0) return;
  const details = { trainer, exitCode: exit.code, signal: exit.signal, stderrTail };
  const said = stderrTail === '' ? ' (nothing on stderr)' : `:\n${stderrTail}`;
  if (exit.code === TRAINER_FINAL_EXIT_CODE) {
    throw finalFailure(FinalErrorType.TrainerFailed, `Trainer "${trainer}" failed (exit code 2)${said}`, details);
  }
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  throw retryableFailure(RetryableErrorType.TrainerCrashed, `Trainer "${trainer}" ${how}${said}`, details);
}

/**
 * The failure of a cancelled run: the abort's reason when it is a `CancelledFailure` (as inside an activity:
 * cancel, heartbeat timeout, worker shutdown), else a new `CancelledFailure` caused by it.
 */
export function cancellation(trainer: string, reason: unknown, stderrTail = ''): Error {
  if (reason instanceof Error && reason.name === 'CancelledFailure') return reason;
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  const cause = reason instanceof Error ? reason : undefined;
  return new CancelledFailure(`Trainer "${trainer}" was cancelled (${why})`, [{ trainer, stderrTail }], cause);
}

/**
 * Trainer processes: one attempt of a trainer that speaks the trainer protocol (`docs/trainer-protocol.md`), run in
 * a fresh working directory as the leader of its own process group, supervised line by line, and never left behind.
 *
 * ```ts
 * const run = await runTrainerProcess({
 *   trainer: 'sklearn-churn', command: ['python3', '/srv/trainers/churn/train.py'], request, signal,
 *   onProgress: (p) => heartbeats.progress(p), storeCheckpoint: (path, step) => store.putFile(path),
 * });
 * // upload run.modelPath, then: await run.dispose();
 * ```
 *
 * @module
 */
export {
  DEFAULT_TRAINER_GRACE_MS,
  runTrainerProcess,
  type RunTrainerProcessOptions,
  type TrainerProcessResult,
  type TrainerRequest,
} from './run-trainer-process.js';
export {
  TRAINER_FINAL_EXIT_CODE,
  type StoredTrainerCheckpoint,
  type TrainerHandlers,
  type TrainerLogEntry,
} from './supervise-trainer.js';
export { TRAINER_INPUT_ENV, trainerEnvironment, type TrainerExit } from './trainer-child.js';
export {
  MAX_STDOUT_LINE_BYTES,
  classifyTrainerLine,
  stdoutLines,
  type StdoutLine,
  type TrainerLine,
} from './stdout-lines.js';
export { STDERR_TAIL_BYTES, STDERR_TAIL_LINES, createStderrTail, type StderrTail } from './stderr-tail.js';
export {
  MAX_RESULT_FILE_BYTES,
  TRAINER_RESULT_FILE_NAME,
  readTrainerOutput,
  type TrainerOutput,
} from './trainer-result.js';
export {
  TRAINER_INPUT_FILE_NAME,
  TRAINER_OUTPUT_DIR_NAME,
  TRAINER_RESUME_DIR_NAME,
  fileInside,
  type FileInside,
} from './work-dir.js';

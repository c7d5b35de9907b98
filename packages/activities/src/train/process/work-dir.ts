import { copyFile, mkdir, mkdtemp, realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';

/** The file the worker writes for a trainer in its working directory; `SLIPWAY_TRAINER_INPUT` names it. */
export const TRAINER_INPUT_FILE_NAME = 'input.json';
/** The output directory inside the working directory, where the trainer writes its model and `result.json`. */
export const TRAINER_OUTPUT_DIR_NAME = 'out';
/** Where a checkpoint to resume from is placed inside the working directory. */
export const TRAINER_RESUME_DIR_NAME = 'resume';

/** The fresh working directory of one trainer attempt (absolute, symbolic links resolved). */
export interface TrainerWorkDir {
  workDir: string;
  outputDir: string;
  inputPath: string;
}

/** Makes a fresh, empty working directory under `root` (default: the system's temporary directory), with `out/`. */
export async function createTrainerWorkDir(root: string = tmpdir()): Promise<TrainerWorkDir> {
  await mkdir(root, { recursive: true });
  const workDir = await realpath(await mkdtemp(join(root, 'slipway-trainer-')));
  const outputDir = join(workDir, TRAINER_OUTPUT_DIR_NAME);
  await mkdir(outputDir);
  return { workDir, outputDir, inputPath: join(workDir, TRAINER_INPUT_FILE_NAME) };
}

/** Copies a checkpoint file into `<workDir>/resume/` and returns its absolute path there. */
export async function placeResumeCheckpoint(workDir: string, file: string): Promise<string> {
  const dir = join(workDir, TRAINER_RESUME_DIR_NAME);
  await mkdir(dir, { recursive: true });
  const target = join(dir, basename(file));
  await copyFile(file, target);
  return target;
}

/** A path resolved to a regular file inside a directory, or why it is not one. */
export type FileInside = { ok: true; path: string } | { ok: false; problem: string };

/**
 * Resolves `path` (relative to `dir`, or absolute) to a regular file inside `dir`, following symbolic links: a
 * link inside `dir` that points outside it is outside. `dir` must itself be a resolved path.
 */
export async function fileInside(dir: string, path: string): Promise<FileInside> {
  let real: string;
  try {
    real = await realpath(isAbsolute(path) ? path : resolve(dir, path));
  } catch {
    return { ok: false, problem: 'does not exist' };
  }
  const rel = relative(dir, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    return { ok: false, problem: `is outside ${dir}` };
  }
  if (!(await stat(real)).isFile()) return { ok: false, problem: 'is not a regular file' };
  return { ok: true, path: real };
}

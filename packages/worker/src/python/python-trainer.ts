/**
 * A trainer written in Python, ready to configure: its pinned `requirements.txt` installed into the project's
 * Python environment on first use, and its command pointing at that environment's interpreter.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_TRAINER_GRACE_SECONDS, type ProcessTrainerSpec } from '../config/trainers-setting.js';
import { ensurePythonEnv, PythonEnvError } from './python-env.js';
import { readRequirementsFile, type EditablePackage } from './requirements.js';

/** Options of {@link preparePythonTrainer}. */
export interface PythonTrainerOptions {
  /** The trainer's name, which run inputs use (`"trainer": "<name>"`). */
  readonly name: string;
  /** The trainer's code directory: it holds the script and `requirements.txt`. */
  readonly dir: string;
  /** The script, in `dir` (default `train.py`). */
  readonly script?: string;
  /** The pinned requirements file, in `dir` (default `requirements.txt`). */
  readonly requirements?: string;
  /** The Python environment's directory, e.g. `<project>/.slipway/tools/py`. */
  readonly envDir: string;
  /** Local packages to install editable, e.g. the `slipway-trainer` package of a checkout. */
  readonly editable?: readonly EditablePackage[];
  /** Seconds between SIGTERM and SIGKILL (default 30). */
  readonly graceSeconds?: number;
  /** Environment variables for the trainer. */
  readonly env?: Readonly<Record<string, string>>;
  /** Receives progress of the first install. */
  readonly onProgress?: (message: string) => void;
}

/**
 * Installs what the trainer needs (its `requirements.txt` of exact pins and the `editable` packages) into the
 * project's Python environment ({@link ensurePythonEnv}: nothing when it is there already) and returns the trainer
 * as the worker configuration's `trainers` holds it: `[<environment's python>, <dir>/<script>]`.
 *
 * @throws PythonEnvError when the script or requirements file is missing, a requirement is not an exact pin
 *   (naming the file and line), or the install fails.
 */
export async function preparePythonTrainer(options: PythonTrainerOptions): Promise<ProcessTrainerSpec> {
  const dir = resolve(options.dir);
  const script = join(dir, options.script ?? 'train.py');
  const requirementsFile = join(dir, options.requirements ?? 'requirements.txt');
  for (const file of [script, requirementsFile]) {
    if (!existsSync(file)) throw new PythonEnvError(`the Python trainer ${options.name} has no ${file}`);
  }
  let requirements: string[];
  try {
    requirements = readRequirementsFile(requirementsFile);
  } catch (err) {
    throw new PythonEnvError(err instanceof Error ? err.message : String(err));
  }
  const python = await ensurePythonEnv({
    dir: options.envDir,
    requirements,
    ...(options.editable ? { editable: options.editable } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return {
    name: options.name,
    command: [python, script],
    dir,
    graceMs: (options.graceSeconds ?? DEFAULT_TRAINER_GRACE_SECONDS) * 1000,
    env: { ...options.env },
  };
}

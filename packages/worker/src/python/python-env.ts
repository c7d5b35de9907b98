/**
 * One project-local Python virtualenv shared by its consumers (the trainer package's tests, the examples' trainers,
 * the test oracles), made on first use and grown as consumers add their pinned requirements.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withInstallLock } from '../dev-server/lock.js';
import { runCommand } from '../dev-server/process-util.js';
import {
  contentsOf,
  covers,
  markerText,
  merge,
  normalizePackageName,
  parseMarker,
  pipInstallArgs,
  type EditablePackage,
  type PythonEnvContents,
} from './requirements.js';

/** A failure to make or grow the virtualenv (the failing command and the tail of its output). */
export class PythonEnvError extends Error {
  /** Always `'PythonEnvError'`: match on this, not on `instanceof`. */
  readonly type = 'PythonEnvError';
  override readonly name = 'PythonEnvError';
}

/** Options of {@link ensurePythonEnv}. */
export interface PythonEnvOptions {
  /** The virtualenv's directory, e.g. `<project>/.slipway/tools/py`. Its lock is `<dir>.lock`. */
  readonly dir: string;
  /** Exact pins (`name==version`), e.g. from {@link readRequirementsFile}. */
  readonly requirements: readonly string[];
  /** Local packages to install editable (their source changes need no reinstall; a changed `pyproject.toml` does). */
  readonly editable?: readonly EditablePackage[];
  /** The Python that creates the virtualenv (default `python3`). */
  readonly python?: string;
  /** Receives human-readable progress (the first install takes a minute or so). */
  readonly onProgress?: (message: string) => void;
}

/** The file a successful install writes last: what the virtualenv holds. */
export const PYTHON_ENV_MARKER = 'slipway-requirements.txt';

/** The virtualenv's Python interpreter. */
export function venvPython(dir: string): string {
  return join(dir, ...(process.platform === 'win32' ? ['Scripts', 'python.exe'] : ['bin', 'python']));
}

/**
 * Returns the virtualenv's Python interpreter once the virtualenv holds `requirements` and the `editable` packages,
 * installing what is missing first. What is installed is recorded in a marker written last, so a half-made
 * virtualenv (an interrupted install) has none and is rebuilt; installs are serialised across processes by a lock
 * file. Consumers share the virtualenv: a consumer whose pins the marker already lists installs nothing, one with
 * new pins adds them (pip gets the whole merged set, so earlier pins stay satisfied), and a pin of a package at
 * another version replaces the older one.
 *
 * @throws PythonEnvError with the failing command and the tail of its output when `python3` or `pip` fails.
 */
export async function ensurePythonEnv(options: PythonEnvOptions): Promise<string> {
  const wanted = wantedContents(options);
  const python = venvPython(options.dir);
  if ((await heldContents(options.dir)).some((held) => covers(held, wanted))) return python;
  return withInstallLock(`${options.dir}.lock`, async () => {
    const held = await heldContents(options.dir);
    if (held.some((h) => covers(h, wanted))) return python;
    const progress = options.onProgress ?? (() => undefined);
    const marker = join(options.dir, PYTHON_ENV_MARKER);
    let contents = wanted;
    if (held[0] === undefined) {
      progress(`creating the Python environment ${options.dir}`);
      await rm(options.dir, { recursive: true, force: true }); // a half-made one
      await step(options.python ?? 'python3', ['-m', 'venv', options.dir]);
    } else {
      contents = merge(held[0], wanted, pythonPackageNameAt);
      await rm(marker, { force: true }); // until pip is done, the virtualenv is half-made
    }
    const args = pipInstallArgs(contents);
    progress(`pip install ${args.filter((a) => a !== '-e').join(' ')}`);
    await step(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...args]);
    await writeFile(`${marker}.tmp`, markerText(contents));
    await rename(`${marker}.tmp`, marker);
    return python;
  });
}

function wantedContents(options: PythonEnvOptions): PythonEnvContents {
  const editable = (options.editable ?? []).map((e) => {
    const pyproject = join(e.path, 'pyproject.toml');
    if (!existsSync(pyproject)) throw new PythonEnvError(`${e.path} is not a Python package: it has no pyproject.toml`);
    return { ...e, digest: `sha256:${createHash('sha256').update(readFileSync(pyproject)).digest('hex')}` };
  });
  return contentsOf(options.requirements, editable, 'requirements');
}

/** The normalized name in the `pyproject.toml` at `path`; undefined when there is none (the path is gone). */
export function pythonPackageNameAt(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(path, 'pyproject.toml'), 'utf8');
  } catch {
    return undefined;
  }
  const project = text.split(/^\[project\]\s*$/m)[1]?.split(/^\[/m)[0] ?? '';
  const name = /^\s*name\s*=\s*["']([^"']+)["']/m.exec(project)?.[1];
  return name === undefined ? undefined : normalizePackageName(name);
}

/** What the virtualenv holds (one element), or nothing when it is missing, half-made or its marker unreadable. */
async function heldContents(dir: string): Promise<PythonEnvContents[]> {
  if (!existsSync(venvPython(dir))) return [];
  const text = await readFile(join(dir, PYTHON_ENV_MARKER), 'utf8').catch(() => undefined);
  const held = text === undefined ? undefined : parseMarker(text);
  return held ? [held] : [];
}

async function step(file: string, args: readonly string[]): Promise<void> {
  const what = `${file} ${args.slice(0, 3).join(' ')}`;
  const result = await runCommand(file, args).catch((err: unknown) => {
    throw new PythonEnvError(`could not run ${what}: ${err instanceof Error ? err.message : String(err)}`);
  });
  if (result.code === 0) return;
  const how = result.code === null ? `was killed by ${String(result.signal)}` : `exited with code ${result.code}`;
  const tail = result.stderr.lines(20) || result.stdout.trim().split('\n').slice(-20).join('\n');
  throw new PythonEnvError(`${what} … ${how}:\n${tail}`);
}

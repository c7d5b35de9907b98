/**
 * Python for tests: scipy as a test oracle, the official Temporal Python SDK as a client Slipway does not
 * control, and the `slipway-trainer` package (`python/slipway-trainer`) with what its tests need (pandas, pyarrow,
 * scikit-learn, skl2onnx, onnx, onnxruntime, pytest). {@link runPython} runs a Python snippet in a project-local
 * virtualenv, `<repo>/.slipway/tools/py`, with pinned versions from PyPI and the trainer package installed editable.
 * The virtualenv is created on first use (`python3 -m venv`, then `pip install`: about 25–40 s and 740 MB, most
 * of it scikit-learn, pyarrow, onnxruntime and pandas) and reused afterwards; concurrent test processes wait for
 * one another on a lock directory, and a half-made virtualenv (an interrupted install) is rebuilt. A change to the
 * requirements or to the trainer package's `pyproject.toml` rebuilds it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { withInstallLock } from '../../packages/worker/src/dev-server/lock.js';

/** The repository root. */
const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** Where the virtualenv lives. */
export const PYTHON_VENV = join(REPO_ROOT, '.slipway', 'tools', 'py');

/** What is installed into it: exact versions, so the oracle's numbers do not move under the tests. */
export const PYTHON_REQUIREMENTS: readonly string[] = [
  'numpy==2.4.6',
  'scipy==1.17.1',
  'temporalio==1.35.0',
  'pandas==3.1.1',
  'pyarrow==26.0.1',
  'scikit-learn==1.9.1',
  'skl2onnx==1.20.0',
  'onnx==1.23.2',
  'onnxruntime==1.31.1',
  'pytest==9.2.0',
];

/** The trainer package's directory, installed editable (its source changes need no reinstall). */
export const TRAINER_PACKAGE = join(REPO_ROOT, 'python', 'slipway-trainer');

/**
 * What the marker records: the requirements, then the trainer package with the digest of its `pyproject.toml` (a
 * changed dependency list or build setting reinstalls).
 */
function installed(): string {
  const pyproject = createHash('sha256')
    .update(readFileSync(join(TRAINER_PACKAGE, 'pyproject.toml')))
    .digest('hex');
  return [...PYTHON_REQUIREMENTS, `-e python/slipway-trainer sha256:${pyproject}`].join('\n');
}

/** Written last by a successful install; the virtualenv is ready when it lists exactly the requirements. */
const MARKER = join(PYTHON_VENV, 'slipway-requirements.txt');
const LOCK = join(REPO_ROOT, '.slipway', 'tools', 'py.lock');

const venvPython = join(PYTHON_VENV, ...(process.platform === 'win32' ? ['Scripts', 'python.exe'] : ['bin', 'python']));

let ready: Promise<string> | undefined;

/**
 * The virtualenv's Python interpreter, creating the virtualenv first when needed (once per process; across
 * processes under a lock).
 *
 * @throws Error with the failing command and the tail of its output when `python3` or `pip` fails.
 */
export function ensurePythonTools(): Promise<string> {
  ready ??= prepare().catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  return ready;
}

async function isReady(): Promise<boolean> {
  if (!existsSync(venvPython)) return false;
  const marker = await readFile(MARKER, 'utf8').catch(() => '');
  return marker === installed();
}

async function prepare(): Promise<string> {
  if (await isReady()) return venvPython;
  return withInstallLock(LOCK, async () => {
    if (await isReady()) return venvPython;
    await rm(PYTHON_VENV, { recursive: true, force: true });
    await run('python3', ['-m', 'venv', PYTHON_VENV], '', 120_000);
    const expected = installed();
    const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...PYTHON_REQUIREMENTS];
    await run(venvPython, [...pip, '-e', `${TRAINER_PACKAGE}[onnx,test]`], '', 900_000);
    await writeFile(`${MARKER}.tmp`, expected);
    await rename(`${MARKER}.tmp`, MARKER);
    return venvPython;
  });
}

/** Runs a command to completion with `stdin` as its input; resolves to its stdout, rejects on failure. */
function run(
  command: string,
  args: readonly string[],
  stdin: string,
  timeoutMs: number,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(new Error(`could not run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return done(Buffer.concat(out).toString('utf8'));
      const tail = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-20).join('\n');
      const how = signal ? `was killed by ${signal} (timeout ${timeoutMs} ms?)` : `exited with code ${code}`;
      fail(new Error(`${command} ${args.slice(0, 3).join(' ')} … ${how}:\n${tail}`));
    });
    child.stdin.end(stdin);
  });
}

/** Reads the input into `data` before the snippet; writes `result` as JSON after it (numpy values included). */
const PRELUDE = 'import json, sys\ndata = json.load(sys.stdin)\n';
const EPILOGUE =
  '\ndef _plain(o):\n    return o.tolist() if hasattr(o, "tolist") else str(o)\n' +
  'json.dump(result, sys.stdout, default=_plain, allow_nan=False)\n';

/**
 * Runs a Python snippet with numpy, scipy and temporalio available: `input` is serialized to JSON and bound to `data`; the
 * snippet assigns `result`, which comes back parsed from JSON (numpy scalars and arrays are converted; NaN and
 * infinities are refused, so convert them explicitly).
 *
 * @throws Error with Python's traceback when the snippet fails.
 */
export async function runPython<T>(script: string, input: unknown, timeoutMs = 120_000): Promise<T> {
  return runPythonIn<T>(await ensurePythonTools(), script, input, { timeoutMs });
}

/**
 * {@link runPython} with another interpreter (e.g. the MLflow virtualenv's) and environment variables added to
 * the process's own.
 */
export async function runPythonIn<T>(
  python: string,
  script: string,
  input: unknown,
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<T> {
  const env = options.env ? { ...process.env, ...options.env } : undefined;
  const output = await run(
    python,
    ['-c', PRELUDE + script + EPILOGUE],
    JSON.stringify(input),
    options.timeoutMs ?? 120_000,
    env,
  );
  return JSON.parse(output) as T;
}

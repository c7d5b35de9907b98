/**
 * Python for tests: scipy as a test oracle, the official Temporal Python SDK as a client Slipway does not
 * control, and the `slipway-trainer` package (`python/slipway-trainer`) with what its tests need (pandas, pyarrow,
 * scikit-learn, skl2onnx, onnx, onnxruntime, xgboost-cpu, lightgbm, onnxmltools, pytest). {@link runPython} runs a
 * Python snippet in the project-local virtualenv `<repo>/.slipway/tools/py`, which the examples' trainers share
 * (`ensurePythonEnv` of `@slipway/worker/python`: made on first use, grown by each consumer's pins, rebuilt when
 * half-made, serialised by a lock). The first install takes about 30–40 s and 770 MB (most of it scikit-learn,
 * pyarrow, onnxruntime and pandas; xgboost-cpu and onnxmltools add 22 MB, a 5.9 MB download of about 3 s; lightgbm
 * adds 10 MB, a 3.5 MB download of under 1 s, and loads the system's OpenMP runtime, libgomp).
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ensurePythonEnv } from '../../packages/worker/src/python/index.js';

/** The repository root. */
const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** Where the virtualenv lives: the project's one Python environment. */
export const PYTHON_VENV = join(REPO_ROOT, '.slipway', 'tools', 'py');

/**
 * What the tests install into it: exact versions, so the oracle's numbers do not move under the tests. The
 * examples' `requirements.txt` pin the same versions of the packages they share (a unit test checks).
 */
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
  'xgboost-cpu==3.2.0',
  'onnxmltools==1.16.0',
  'lightgbm==4.7.0',
  'pytest==9.2.0',
];

/** The trainer package's directory, installed editable (its source changes need no reinstall). */
export const TRAINER_PACKAGE = join(REPO_ROOT, 'python', 'slipway-trainer');

let ready: Promise<string> | undefined;

/**
 * The virtualenv's Python interpreter, installing what the tests need first when it is missing (once per
 * process; across processes under a lock).
 *
 * @throws PythonEnvError with the failing command and the tail of its output when `python3` or `pip` fails.
 */
export function ensurePythonTools(): Promise<string> {
  ready ??= ensurePythonEnv({
    dir: PYTHON_VENV,
    requirements: PYTHON_REQUIREMENTS,
    editable: [{ path: TRAINER_PACKAGE, extras: ['onnx', 'xgboost', 'lightgbm', 'test'] }],
  }).catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  return ready;
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

/**
 * Reads the input into `data` before the snippet; writes `result` as JSON after it (numpy values included), then
 * leaves without the interpreter's teardown. The Temporal Python SDK's Rust threads can outlive the event loop and
 * abort that teardown ("PyGILState_Release: thread state … must be current", temporalio/sdk-python#300) after the
 * snippet has done its work; `os._exit` after flushing keeps the result and skips the crash.
 */
const PRELUDE = 'import json, sys\ndata = json.load(sys.stdin)\n';
const EPILOGUE =
  '\ndef _plain(o):\n    return o.tolist() if hasattr(o, "tolist") else str(o)\n' +
  'json.dump(result, sys.stdout, default=_plain, allow_nan=False)\n' +
  'import os as _os\nsys.stdout.flush()\nsys.stderr.flush()\n_os._exit(0)\n';

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

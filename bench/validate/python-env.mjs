// The benchmark's Python: a project-local virtualenv, `<repo>/.slipway/tools/bench-py`, with pinned pandas and
// pandera from PyPI. It is created on first use (`python3 -m venv`, then `pip install`; about a minute) and
// reused afterwards. Concurrent runs wait for one another on a lock directory (a lock left by a process that
// died is broken), and a half-made virtualenv (an interrupted install) is rebuilt.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Exact versions, so the baseline does not move under the benchmark. */
export const BENCH_PYTHON_REQUIREMENTS = ['numpy==2.4.6', 'pandas==3.1.1', 'pandera==0.35.0'];

const LOCK_TIMEOUT_MS = 15 * 60_000;
const OWNERLESS_GRACE_MS = 30_000;

/** Where the virtualenv of a repository lives, and its interpreter. */
export function benchPythonPaths(repoRoot) {
  const venv = join(repoRoot, '.slipway', 'tools', 'bench-py');
  const bin = process.platform === 'win32' ? ['Scripts', 'python.exe'] : ['bin', 'python'];
  return {
    venv,
    python: join(venv, ...bin),
    marker: join(venv, 'slipway-requirements.txt'),
    lock: join(repoRoot, '.slipway', 'tools', 'bench-py.lock'),
  };
}

async function isReady(paths) {
  if (!existsSync(paths.python)) return false;
  const marker = await readFile(paths.marker, 'utf8').catch(() => '');
  return marker === BENCH_PYTHON_REQUIREMENTS.join('\n');
}

/**
 * The interpreter of the benchmark's virtualenv, creating it first when needed.
 *
 * @throws Error with the failing command and the tail of its output when `python3` or `pip` fails.
 */
export async function ensureBenchPython(repoRoot, log) {
  const paths = benchPythonPaths(repoRoot);
  if (await isReady(paths)) return paths.python;
  return withLock(paths.lock, log, async () => {
    if (await isReady(paths)) return paths.python;
    log(`creating ${paths.venv} with ${BENCH_PYTHON_REQUIREMENTS.join(', ')} …`);
    await rm(paths.venv, { recursive: true, force: true });
    await run('python3', ['-m', 'venv', paths.venv], 120_000);
    const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...BENCH_PYTHON_REQUIREMENTS];
    await run(paths.python, pip, 900_000);
    await writeFile(`${paths.marker}.tmp`, BENCH_PYTHON_REQUIREMENTS.join('\n'));
    await rename(`${paths.marker}.tmp`, paths.marker);
    return paths.python;
  });
}

/** Runs a command to completion, rejecting with the tail of its output when it fails. */
function run(command, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command}: ${err.message} (the benchmark needs python3 with venv and pip)`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const tail = Buffer.concat(output).toString('utf8').trim().split('\n').slice(-20).join('\n');
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new Error(`${command} ${args.slice(0, 3).join(' ')} … ${how}:\n${tail}`));
    });
  });
}

/** Runs `fn` holding the lock directory `dir` (atomic mkdir; its owner's pid and host are written inside). */
async function withLock(dir, log, fn) {
  const token = randomUUID();
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let told = false;
  for (;;) {
    if (await tryLock(dir, token)) break;
    if (await isStale(dir)) {
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${dir}; remove it if no benchmark is running`);
    if (!told) log(`waiting for another run to finish setting up Python (${dir}) …`);
    told = true;
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    const owner = await readOwner(dir);
    if (owner?.token === token) await rm(dir, { recursive: true, force: true });
  }
}

async function tryLock(dir, token) {
  await mkdir(join(dir, '..'), { recursive: true });
  try {
    await mkdir(dir);
  } catch (err) {
    if (err.code === 'EEXIST') return false;
    throw err;
  }
  await writeFile(join(dir, 'owner.json'), JSON.stringify({ pid: process.pid, host: hostname(), token }));
  return true;
}

async function readOwner(dir) {
  return readFile(join(dir, 'owner.json'), 'utf8')
    .then((text) => JSON.parse(text))
    .catch(() => undefined);
}

/** A lock is stale when its owner on this host is gone, or when it has had no owner for a while. */
async function isStale(dir) {
  const owner = await readOwner(dir);
  if (owner === undefined) {
    const age = await stat(dir).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    return age > OWNERLESS_GRACE_MS;
  }
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return err.code === 'ESRCH';
  }
}

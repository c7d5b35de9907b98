#!/usr/bin/env node
// bench/serve: the Slipway model server serving the ONNX churn model against `mlflow models serve --env-manager
// local` of the same MLflow Model (the directory Slipway writes for an ONNX version on an MLflow registry), both on
// 127.0.0.1, each in its own process, with the same single-row requests from examples/churn/data/serving.csv.
// Before timing, both servers score the same rows and must agree within 1e-5. Ends with one JSON line (see
// bench/README.md).
//
//   npm run bench:serve                              2,000 requests per server, 8 at a time, 1 row each
//   npm run bench:serve -- --requests 5000 --concurrency 16 --batch 10
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DEFAULT_MLFLOW_ONNX_ENVIRONMENT,
  createFsArtifactStore,
  createLocalMlflowModelStore,
  writeMlflowOnnxModel,
} from '@slipway/activities';
import { onnxManifestFor } from '@slipway/activities/train';

const HERE = import.meta.dirname;
const REPO_ROOT = resolve(HERE, '..', '..');
const CHURN_DATA = join(REPO_ROOT, 'examples', 'churn', 'data');
const NUMERIC = ['tenure_months', 'monthly_charges', 'support_calls'];
const CATEGORICAL = ['plan', 'contract', 'paperless'];
/** skl2onnx (pure Python) goes into a folder on the MLflow virtualenv's path: it has scikit-learn and onnx already. */
const SKL2ONNX = 'skl2onnx==1.20.0';
const SITE = join(REPO_ROOT, '.slipway', 'tools', 'bench-serve-site');
const READY_TIMEOUT_MS = 180_000;
const TOLERANCE = 1e-5;

const USAGE = 'usage: node bench/serve/run.mjs [--requests N] [--concurrency C] [--batch B] [--warmup W] [--rounds R]';

function options() {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '8' },
      batch: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '4' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer\n${USAGE}`);
    return n;
  };
  return {
    requests: positive('requests'),
    concurrency: positive('concurrency'),
    batch: positive('batch'),
    warmup: positive('warmup'),
    rounds: positive('rounds'),
  };
}

function log(message) {
  process.stderr.write(`[bench:serve] ${message}\n`);
}

/** Runs a command to completion; resolves to its stdout, rejects with the tail of its output. */
function run(command, args, { env, timeoutMs = 900_000 } = {}) {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const out = [];
    const err = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(new Error(`could not run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return done(Buffer.concat(out).toString('utf8'));
      const tail = Buffer.concat([...out, ...err])
        .toString('utf8')
        .trim()
        .split('\n')
        .slice(-20)
        .join('\n');
      fail(new Error(`${command} ${args.slice(0, 3).join(' ')} … ${signal ?? `exit ${code}`}:\n${tail}`));
    });
  });
}

/** The MLflow virtualenv (scripts/install-mlflow.sh) and skl2onnx next to it. */
async function ensurePython() {
  const installed = await run('bash', [join(REPO_ROOT, 'scripts', 'install-mlflow.sh')]);
  const mlflow = installed.trim().split('\n').at(-1);
  const python = join(dirname(mlflow), 'python');
  const marker = join(SITE, 'slipway-requirements.txt');
  if (!existsSync(marker) || (await readFile(marker, 'utf8')) !== SKL2ONNX) {
    log(`installing ${SKL2ONNX} into ${SITE}`);
    await rm(SITE, { recursive: true, force: true });
    const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '--no-deps'];
    await run(python, [...pip, '--target', SITE, SKL2ONNX]);
    await writeFile(marker, SKL2ONNX);
  }
  const version = (await run(python, ['-c', 'import mlflow; print(mlflow.__version__)'])).trim();
  return { mlflow, python, version };
}

/** Trains the churn model, stores it as Slipway stores an ONNX model, and writes its MLflow Model directory. */
async function prepareModel(work, tools) {
  const onnxPath = join(work, 'churn.onnx');
  const made = await run(tools.python, [join(HERE, 'make-model.py'), join(CHURN_DATA, 'churn.csv'), onnxPath], {
    env: { PYTHONPATH: SITE },
  });
  const { classes } = JSON.parse(made.trim().split('\n').at(-1));
  const artifactsDir = join(work, 'artifacts');
  const artifacts = createFsArtifactStore(artifactsDir);
  const model = await artifacts.putFile(onnxPath, { mediaType: 'application/octet-stream', extension: '.onnx' });
  const entry = (name, type) => ({ name, type });
  const manifest = onnxManifestFor({
    task: 'binary',
    features: { numeric: NUMERIC, categorical: CATEGORICAL, target: 'churned' },
    signature: {
      inputs: [...NUMERIC.map((n) => entry(n, 'float')), ...CATEGORICAL.map((n) => entry(n, 'string'))],
      outputs: [entry('label', 'int'), entry('probabilities', 'float')],
    },
    classes,
    model,
  });
  const ref = await artifacts.putJson(manifest);
  const environment = { ...DEFAULT_MLFLOW_ONNX_ENVIRONMENT, mlflow: tools.version };
  const store = createLocalMlflowModelStore(join(work, 'mlflow-models'));
  const directory = await writeMlflowOnnxModel({ artifacts, store, manifest: ref, environment });
  return { artifactsDir, ref, mlflowModel: fileURLToPath(directory) };
}

/** The serving rows: numbers for numeric features, strings for categorical ones (the target left out). */
async function servingRows() {
  const [header, ...lines] = (await readFile(join(CHURN_DATA, 'serving.csv'), 'utf8')).trim().split('\n');
  const columns = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const value = (name) => cells[columns.indexOf(name)];
    return Object.fromEntries([...NUMERIC.map((n) => [n, Number(value(n))]), ...CATEGORICAL.map((n) => [n, value(n)])]);
  });
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Starts a process in its own group; `stop()` ends the whole group (SIGTERM, then SIGKILL). */
function startProcess(command, args, { stdin = 'ignore', env = {} } = {}) {
  const child = spawn(command, args, {
    stdio: [stdin, 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...env },
  });
  const output = [];
  child.stdout.on('data', (c) => output.push(c));
  child.stderr.on('data', (c) => output.push(c));
  const exited = new Promise((done) => child.once('exit', done));
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  return {
    child,
    tail: () => Buffer.concat(output).toString('utf8').split('\n').slice(-20).join('\n'),
    stop: async () => {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      signal('SIGKILL');
    },
  };
}

async function startSlipway(work, artifactsDir, ref, token) {
  // SLIPWAY_BENCH_PROFILE_DIR=<dir>: a CPU profile of the Slipway server goes there when it stops.
  const profile = process.env.SLIPWAY_BENCH_PROFILE_DIR;
  const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profile)}`] : [];
  const script = [join(HERE, 'slipway-server.mjs'), join(work, 'home'), artifactsDir];
  const proc = startProcess(process.execPath, [...flags, ...script], {
    stdin: 'pipe',
  });
  proc.child.stdin.write(`${token}\n`);
  const first = await createInterface({ input: proc.child.stdout })[Symbol.asyncIterator]().next();
  if (first.done) throw new Error(`the Slipway model server did not start:\n${proc.tail()}`);
  const { url } = JSON.parse(first.value);
  const control = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const deployment = `${url}/v1/models/churn/deployments/bench-1`;
  await call(`${deployment}`, { method: 'PUT', headers: control, body: JSON.stringify({ version: 1, artifact: ref }) });
  await call(`${deployment}/commit`, { method: 'POST', headers: control, body: '{}' });
  return { ...proc, url };
}

async function startMlflow(tools, mlflowModel) {
  const port = await freePort();
  const args = ['models', 'serve', '-m', mlflowModel, '--env-manager', 'local', '-h', '127.0.0.1', '-p', String(port)];
  // MLflow starts its scoring server as `uvicorn …` through a shell: the virtualenv's bin goes first on the PATH.
  const path = [dirname(tools.mlflow), process.env.PATH].filter(Boolean).join(':');
  const proc = startProcess(tools.mlflow, args, { env: { PATH: path } });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) break;
    const ok = await fetch(`${url}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { ...proc, url };
    await sleep(250);
  }
  await proc.stop();
  throw new Error(`mlflow models serve did not answer at ${url}/ping:\n${proc.tail()}`);
}

async function call(url, init) {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method} ${url} answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** How each server is asked for predictions of some rows, and where its positive-class probabilities are. */
const CLIENTS = {
  slipway: {
    request: (url, rows) => [`${url}/v1/models/churn/predict`, { instances: rows }],
    positive: (answer) => answer.predictions.map((p) => p.score),
  },
  mlflow: {
    request: (url, rows) => [`${url}/invocations`, { dataframe_records: rows }],
    positive: (answer) => answer.predictions.probabilities.map((p) => p[1]),
  },
};

async function predict(name, url, rows) {
  const [target, body] = CLIENTS[name].request(url, rows);
  const answer = await call(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return CLIENTS[name].positive(answer);
}

/** Both servers must give the same probabilities for the same rows before anything is timed. */
async function checkAgreement(slipwayUrl, mlflowUrl, rows) {
  const [ours, theirs] = await Promise.all([predict('slipway', slipwayUrl, rows), predict('mlflow', mlflowUrl, rows)]);
  if (ours.length !== rows.length || theirs.length !== rows.length) throw new Error('a server left out rows');
  const worst = Math.max(...ours.map((p, i) => Math.abs(p - theirs[i])));
  if (!(worst <= TOLERANCE)) throw new Error(`the servers disagree: largest difference ${worst} > ${TOLERANCE}`);
  return worst;
}

/** Sends `count` requests of `batch` rows, `concurrency` at a time; per-request latency and the wall time. */
async function load(name, url, rows, { count, batch, concurrency }) {
  const latencies = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const start = (i * batch) % rows.length;
      const chunk = Array.from({ length: batch }, (_, k) => rows[(start + k) % rows.length]);
      const begin = performance.now();
      await predict(name, url, chunk);
      latencies.push(performance.now() - begin);
    }
  };
  const begin = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { wallMs: performance.now() - begin, latencies };
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * Warms both servers up, then times them in alternating rounds (Slipway, MLflow, Slipway, …), so that a change in
 * the machine's load during the run falls on both.
 */
async function measureBoth(urls, rows, opts) {
  const names = ['slipway', 'mlflow'];
  for (const name of names) await load(name, urls[name], rows, { ...opts, count: opts.warmup });
  const totals = Object.fromEntries(names.map((n) => [n, { wallMs: 0, latencies: [] }]));
  const perRound = Math.ceil(opts.requests / opts.rounds);
  for (let round = 0; round < opts.rounds; round++) {
    for (const name of names) {
      const { wallMs, latencies } = await load(name, urls[name], rows, { ...opts, count: perRound });
      totals[name].wallMs += wallMs;
      totals[name].latencies.push(...latencies);
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const { wallMs, latencies } = totals[name];
      const sorted = latencies.sort((a, b) => a - b);
      const result = {
        rps: (sorted.length * opts.batch) / (wallMs / 1000),
        p50: quantile(sorted, 0.5),
        p99: quantile(sorted, 0.99),
      };
      log(
        `${name}: ${result.rps.toFixed(0)} predictions/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`,
      );
      return [name, result];
    }),
  );
}

async function main() {
  const opts = options();
  const work = await mkdtemp(join(tmpdir(), 'slipway-bench-serve-'));
  const running = [];
  try {
    log('preparing the MLflow virtualenv and skl2onnx');
    const tools = await ensurePython();
    log('training the churn model and writing it as Slipway and as an MLflow Model');
    const model = await prepareModel(work, tools);
    await mkdir(join(work, 'home'));
    const token = randomBytes(24).toString('hex');
    const slipway = await startSlipway(work, model.artifactsDir, model.ref, token);
    running.push(slipway);
    log(`Slipway model server at ${slipway.url}; starting mlflow models serve (MLflow ${tools.version})`);
    const mlflow = await startMlflow(tools, model.mlflowModel);
    running.push(mlflow);
    const rows = await servingRows();
    const worst = await checkAgreement(slipway.url, mlflow.url, rows);
    log(
      `both servers give the same probabilities for ${rows.length} rows (largest difference ${worst.toExponential(2)})`,
    );
    const measured = await measureBoth({ slipway: slipway.url, mlflow: mlflow.url }, rows, opts);
    const [ours, theirs] = [measured.slipway, measured.mlflow];
    const round = (n, digits = 2) => Number(n.toFixed(digits));
    const line = {
      bench: 'serve',
      slipway_rps: round(ours.rps, 1),
      mlflow_rps: round(theirs.rps, 1),
      ratio: round(ours.rps / theirs.rps),
      slipway_p50_ms: round(ours.p50),
      mlflow_p50_ms: round(theirs.p50),
      slipway_p99_ms: round(ours.p99),
      mlflow_p99_ms: round(theirs.p99),
      requests: opts.rounds * Math.ceil(opts.requests / opts.rounds),
      concurrency: opts.concurrency,
      batch: opts.batch,
    };
    console.log(JSON.stringify(line));
  } finally {
    await Promise.all(running.map((p) => p.stop()));
    await rm(work, { recursive: true, force: true });
  }
}

await main();

// What bench/overhead and bench/approve share: the embedded Temporal dev server (127.0.0.1, started and stopped by
// the script), the bench/gates directory of people (keys for the starter and the approvers, signed by an
// administrator), two workers in this process with the same options and the same no-op activities — one running
// Slipway's built-in workflows on one task queue, one running the hand-written baseline on another — and clients
// whose every Update is time-stamped as it is sent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { churnInput } from '@slipway/example-churn/input';
import { SlipwayClient } from '@slipway/sdk/client';
import { builtinWorkflowsPath, ensureSearchAttributes, loadWorkflowBundle, writeWorkflowBundle } from '@slipway/worker';
import { APPROVERS, STARTER, writePeople } from '../gates/gates.mjs';
import { noopActivities } from './noop-activities.mjs';
import { cleanupStack } from '../cleanup-stack.mjs';
import { startBenchServer } from '../bench-server.mjs';

const RAW_WORKFLOWS = join(import.meta.dirname, 'raw-workflow.mjs');
/** The task queues of the two workers. */
export const QUEUES = { slipway: 'bench-overhead-slipway', raw: 'bench-overhead-raw' };
/** The same worker options on every side (Slipway's worker caches 64 runs by default; so does the baseline's). */
const WORKER_OPTIONS = { maxCachedWorkflows: 64 };
/** Who decides at every gate (the directory's first approver). */
export const APPROVER = APPROVERS[0];

/** A logger writing `[name] message` lines to stderr (stdout carries only the JSON line). */
export function logger(name) {
  return (message) => process.stderr.write(`[${name}] ${message}\n`);
}

/**
 * The command line's integer options: `spec` maps each option to its default and its minimum. `--help` prints
 * `usage`; a value that is not an integer at least its minimum throws, naming the option. Names come back in
 * camelCase (`--settle-ms` → `settleMs`).
 */
export function integerOptions(spec, usage) {
  const options = Object.fromEntries(
    Object.entries(spec).map(([name, [value]]) => [name, { type: 'string', default: String(value) }]),
  );
  const { values } = parseArgs({ options: { ...options, help: { type: 'boolean', default: false } } });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const parsed = {};
  for (const [name, [, min]] of Object.entries(spec)) {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}\n${usage}`);
    parsed[name.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = n;
  }
  return parsed;
}

/**
 * Runs a benchmark's `main(cleanups)`: a failure is logged with `log` (exit code 1, no JSON line), and everything
 * registered with `cleanups` is stopped at the end, on failure and on Ctrl-C.
 */
export async function runBench(log, main) {
  const cleanups = cleanupStack(log);
  try {
    await main(cleanups);
  } catch (error) {
    log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await cleanups.cleanUp();
  }
}

/**
 * Starts the dev server, writes the people, bundles both workflow modules, starts both workers and connects the
 * clients. Resolves to what the measurements need; everything is registered with `cleanups`.
 */
export async function startBench({ log, cleanups, name }) {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed already
  }
  const work = await mkdtemp(join(tmpdir(), `slipway-bench-${name}-`));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  const people = await writePeople(work);
  const { server, cpuMs: serverCpuMs } = await startBenchServer({ log, cleanups, work });
  log('bundling both workflow modules (webpack, about 20 s)');
  const [slipwayBundle, rawBundle] = await Promise.all([
    bundle(builtinWorkflowsPath(), join(work, 'slipway.bundle.js')),
    bundle(RAW_WORKFLOWS, join(work, 'raw.bundle.js')),
  ]);
  const connection = await NativeConnection.connect({ address: server.address });
  cleanups.push(() => connection.close());
  await ensureSearchAttributes(connection, server.namespace);
  const noop = noopActivities(people);
  const workers = await Promise.all([
    startWorker(connection, server.namespace, QUEUES.slipway, slipwayBundle, noop.activities),
    startWorker(connection, server.namespace, QUEUES.raw, rawBundle, noop.activities),
  ]);
  for (const worker of workers) cleanups.push(worker.stop);
  const clients = await connectClients(server, people, cleanups);
  log(`workers polling ${QUEUES.slipway} (Slipway's built-in workflows) and ${QUEUES.raw} (the baseline)`);
  return {
    server,
    serverCpuMs,
    people,
    noop,
    ...clients,
    input: benchInput(),
    workers,
    bundles: { slipway: slipwayBundle, raw: rawBundle },
  };
}

/** The pipeline input every side gets: the churn example's, with the bench's approvers (never read: no-op steps). */
function benchInput() {
  return churnInput({ serverUrl: 'http://127.0.0.1:8765', approvers: APPROVERS, timeout: '72h', modelName: 'bench' });
}

async function startWorker(connection, namespace, taskQueue, workflowBundle, activities) {
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowBundle,
    activities,
    ...WORKER_OPTIONS,
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

/**
 * One Temporal client (whose Update calls record when they are sent, by workflow id) and the Slipway client over
 * it, acting for the directory's starter with the bench's keys.
 */
async function connectClients(server, people, cleanups) {
  const updateSent = new Map();
  const stampUpdates = {
    async startUpdate(input, next) {
      updateSent.set(input.workflowExecution.workflowId, performance.now());
      return next(input);
    },
  };
  const connection = await Connection.connect({ address: server.address });
  cleanups.push(() => connection.close());
  const temporal = new Client({
    connection,
    namespace: server.namespace,
    identity: 'bench',
    interceptors: { workflow: [stampUpdates] },
  });
  const slipway = SlipwayClient.fromClient(temporal, {
    taskQueue: QUEUES.slipway,
    identity: 'bench',
    user: STARTER,
    keys: people.keys,
  });
  return { temporal, slipway, updateSent };
}

/** Bundles a workflows module as `slipway bundle` does (webpack, once) and loads the bundle as a worker does. */
async function bundle(workflowsPath, out) {
  await writeWorkflowBundle({ workflowsPath, out });
  return loadWorkflowBundle(out);
}

#!/usr/bin/env node
// bench/gates: 1,000 pending approval gates held by one Slipway worker process, on the embedded Temporal dev
// server (127.0.0.1). Measures the worker's resident memory and how long listing the pending gates takes — with
// `slipway approvals --json` (the CLI, a fresh process each time), `SlipwayClient.pendingApprovals()` (and
// `listGates`, where the client has it) in this process, and the approvals page's pending list over HTTP, where
// there is a page. Every listing must name exactly the open gates. Ends with one JSON line (see README.md here).
//
//   npm run bench:gates                      1,000 gates
//   npm run bench:gates -- --gates 50        a quick run
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DATA_DIR } from '@slipway/example-churn/input';
import { SlipwayClient } from '@slipway/sdk/client';
import { APPROVERS, PENDING_QUERY, STARTER, openFirstGate, openGates, writePeople } from './gates.mjs';
import {
  cliListing,
  cliStartupSeconds,
  clientListGatesListing,
  clientPendingListing,
  timeListings,
} from './listings.mjs';
import { givePassword, hasPage, pageListing, signIn, startPage } from './page.mjs';
import { residentMemory, runTimed, sampleMemory, startProcess } from './processes.mjs';
import { cleanupStack } from '../cleanup-stack.mjs';
import { startBenchServer } from '../bench-server.mjs';

const CLI = fileURLToPath(new URL('../../packages/worker/bin/slipway.js', import.meta.url));
const TASK_QUEUE = 'slipway-bench-gates';
/** The targets. */
const TARGET = { rssMb: 1024, listS: 3 };

const USAGE =
  'usage: node bench/gates/run.mjs [--gates N] [--repeat R] [--concurrency C] [--settle S] [--max-cached M]\n       [--worker-heap-mb H] [--bundle]';

function options() {
  const { values } = parseArgs({
    options: {
      gates: { type: 'string', default: '1000' },
      repeat: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '8' },
      settle: { type: 'string', default: '10' },
      'max-cached': { type: 'string' },
      'worker-heap-mb': { type: 'string' },
      bundle: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name) => {
    const n = Number(values[name].replaceAll('_', ''));
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer\n${USAGE}`);
    return n;
  };
  return {
    gates: positive('gates'),
    repeat: positive('repeat'),
    concurrency: positive('concurrency'),
    settleS: positive('settle'),
    maxCached: values['max-cached'],
    workerHeapMb: values['worker-heap-mb'],
    bundle: values.bundle,
  };
}

function log(message) {
  process.stderr.write(`[bench:gates] ${message}\n`);
}

const round = (n, digits = 2) => (n === undefined || n === null ? null : Number(n.toFixed(digits)));

/** The environment of the worker and the CLI: this one without Slipway or Temporal settings, plus the bench's. */
function slipwayEnv(settings) {
  const inherited = Object.entries(process.env).filter(([name]) => !/^(SLIPWAY|TEMPORAL)_/.test(name));
  return { ...Object.fromEntries(inherited), ...settings };
}

/** Everything started, stopped in reverse order: at the end, on failure and on Ctrl-C. */
const { push: cleanupLater, cleanUp } = cleanupStack(log);

async function main() {
  const opts = options();
  const work = await mkdtemp(join(tmpdir(), 'slipway-bench-gates-'));
  cleanupLater(() => rm(work, { recursive: true, force: true }));
  const people = await writePeople(work);
  const { server } = await startBenchServer({ log, cleanups: { push: cleanupLater }, work });
  const env = slipwayEnv({
    SLIPWAY_HOME: join(work, 'home'),
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    SLIPWAY_TASK_QUEUE: TASK_QUEUE,
    SLIPWAY_DIRECTORY: people.directoryPath,
    SLIPWAY_DIRECTORY_ADMIN_KEY: people.adminPublicKey,
    SLIPWAY_DATA_ROOTS: DATA_DIR,
    SLIPWAY_KEYS_DIR: people.keys.keysDir,
    SLIPWAY_IDENTITY: STARTER,
  });
  await mkdir(env.SLIPWAY_HOME);
  const page = hasPage(CLI) ? { person: APPROVERS[0] } : undefined;
  if (page) {
    const given = { env, cwd: work, directoryPath: people.directoryPath, person: page.person, admin: people.admin };
    page.password = await givePassword(CLI, given);
  }
  const worker = await startWorker(opts, work, env);
  const client = await SlipwayClient.connect({
    address: server.address,
    namespace: server.namespace,
    taskQueue: TASK_QUEUE,
    identity: 'bench-gates',
    user: STARTER,
    keys: people.keys,
  });
  cleanupLater(() => client.close());
  // A worker that dies (out of memory, say) fails the benchmark at once instead of leaving it waiting.
  const line = await Promise.race([measure(opts, { work, env, worker, client, page }), worker.died]);
  summarize(line);
  console.log(JSON.stringify(line));
}

/** `slipway worker`: the built-in pipelines and steps, as an operator runs it. */
async function startWorker(opts, work, env) {
  const cache = opts.maxCached === undefined ? [] : ['--max-cached-workflows', opts.maxCached];
  const heap = opts.workerHeapMb === undefined ? {} : { NODE_OPTIONS: `--max-old-space-size=${opts.workerHeapMb}` };
  const bundle = opts.bundle ? ['--workflow-bundle', await writeBundle(work, env)] : [];
  const worker = await startProcess('the worker', process.execPath, [CLI, 'worker', ...cache, ...bundle], {
    cwd: work,
    env: { ...env, ...heap },
    ready: /worker polling/,
  });
  cleanupLater(() => worker.stop());
  return worker;
}

/** `slipway ui` on a free port, signed in as the approver given a password. */
async function servePage(env, work, page) {
  const served = await startPage(CLI, { env, cwd: work });
  cleanupLater(() => served.stop());
  log(`approvals page at ${served.url}; signing in as ${page.person}`);
  return { ...served, cookie: await signIn(served.url, page.person, page.password) };
}

/** `slipway bundle`: the workflow code bundled once, so the worker runs no webpack at start. */
async function writeBundle(work, env) {
  const out = join(work, 'workflows.bundle.js');
  await runTimed('slipway bundle', process.execPath, [CLI, 'bundle', '--out', out], { cwd: work, env });
  return out;
}

/** Opens the gates, lets the worker settle, times the listings; resolves to the JSON line. */
async function measure(opts, { work, env, worker, client, page }) {
  const idle = residentMemory(worker.pid);
  log(`worker (pid ${worker.pid}) polling ${TASK_QUEUE}: ${idle.rssMb.toFixed(0)} MB resident`);
  const memory = sampleMemory(worker.pid);
  const opening = performance.now();
  const showVersion = async (ref) => {
    const shown = await runTimed('slipway models show', process.execPath, [CLI, 'models', 'show', ref, '--json'], {
      cwd: work,
      env,
    });
    return JSON.parse(shown.stdout);
  };
  const version = await openFirstGate(client, { showVersion, log });
  log(`gate 1 open on ${version.name} v${version.version}; starting ${opts.gates - 1} promoteVersion runs of it`);
  await openGates(client, { version, count: opts.gates - 1, total: opts.gates, concurrency: opts.concurrency, log });
  const openS = (performance.now() - opening) / 1000;
  log(`${opts.gates} gates pending after ${openS.toFixed(1)} s; letting the worker settle for ${opts.settleS} s`);
  await sleep(opts.settleS * 1000);
  const settled = residentMemory(worker.pid);
  log(
    `worker: ${settled.rssMb.toFixed(0)} MB resident holding ${opts.gates} gates (peak ${settled.peakMb.toFixed(0)} MB)`,
  );

  const expected = await openRunIds(client);
  if (expected.length !== opts.gates) throw new Error(`${expected.length} gates are pending, not ${opts.gates}`);
  const listings = [cliListing(CLI, env, work), clientPendingListing(client), clientListGatesListing(client)];
  const served = page ? await servePage(env, work, page) : undefined;
  if (served) listings.push(pageListing(served.url, served.cookie));
  const { medians } = await timeListings(listings.filter(Boolean), { expected, repeat: opts.repeat, log });
  const cliStartupS = await cliStartupSeconds(CLI, env, work, opts.repeat);
  const afterLists = residentMemory(worker.pid);
  const pageRss = served ? residentMemory(served.pid) : undefined;
  const peaks = memory.stop();
  return {
    bench: 'gates',
    gates: opts.gates,
    worker_rss_mb: round(settled.rssMb, 1),
    worker_peak_rss_mb: round(Math.max(peaks.peakMb, peaks.sampledPeakMb), 1),
    worker_idle_rss_mb: round(idle.rssMb, 1),
    worker_rss_after_lists_mb: round(afterLists.rssMb, 1),
    cli_list_s: round(medians.cli),
    client_list_s: round(medians.client),
    client_list_gates_s: round(medians.client_list_gates),
    page_list_s: round(medians.page),
    page_rss_mb: round(pageRss?.rssMb, 1),
    cli_startup_s: round(cliStartupS),
    open_s: round(openS, 1),
    repeat: opts.repeat,
    ...(opts.maxCached === undefined ? {} : { max_cached_workflows: Number(opts.maxCached) }),
    ...(opts.workerHeapMb === undefined ? {} : { worker_heap_mb: Number(opts.workerHeapMb) }),
    prebuilt_bundle: opts.bundle,
  };
}

/** The run ids of the open gates, from the visibility store (what every listing must name). */
async function openRunIds(client) {
  const ids = [];
  for await (const execution of client.temporal.workflow.list({ query: PENDING_QUERY })) ids.push(execution.workflowId);
  return ids;
}

function summarize(line) {
  const verdict = (ok) => (ok ? 'meets' : 'MISSES');
  const listed = [
    ['slipway approvals --json', line.cli_list_s],
    ['SlipwayClient.pendingApprovals()', line.client_list_s],
    ['SlipwayClient.listGates()', line.client_list_gates_s],
    ['the approvals page', line.page_list_s],
  ];
  log('');
  log(`${line.gates} pending gates, one worker:`);
  log(
    `  worker RSS ${line.worker_rss_mb} MB holding them (idle ${line.worker_idle_rss_mb} MB, after the listings ${line.worker_rss_after_lists_mb} MB, peak ${line.worker_peak_rss_mb} MB): ${verdict(line.worker_peak_rss_mb < TARGET.rssMb)} the < ${TARGET.rssMb} MB target`,
  );
  for (const [what, seconds] of listed) {
    if (seconds === null) log(`  ${what}: not measured (not on this branch)`);
    else
      log(
        `  ${what}: ${seconds} s (median of ${line.repeat}): ${verdict(seconds < TARGET.listS)} the < ${TARGET.listS} s target`,
      );
  }
  log(`  (the CLI alone starts and exits in ${line.cli_startup_s} s; opening the gates took ${line.open_s} s)`);
}

try {
  await main();
} catch (error) {
  log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

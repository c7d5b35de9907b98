/**
 * The Slipway demo: a whole churn pipeline on the embedded defaults, from nothing, on one machine.
 *
 *   npm ci && npm run demo
 *
 * It starts a Temporal dev server, the model server (its own process) and a worker; runs the churn
 * pipeline (validate → train → segment check → register → approval gate → deploy) started with a signed
 * start; approves the promotion as a named approver with a signed decision through the client (keys and a
 * signed directory of people made on the fly); sends the serving traffic; checks drift; starts the model guardian,
 * which catches the drift while customers are served and retrains on the newest recent data (`guardian.ts`); the
 * second approver approves the retrain, which rolls out as a canary 10 → 50 → 100 (`canary.ts`), the old version
 * retired after the drain; shuts everything down; and prints one JSON summary as its last line.
 *
 * It uses the example as an app would, through the package's exports (`@slipway/example-churn/steps`, `/input`,
 * `/churn-worker`), `@slipway/worker` only to run things (the dev server, the worker, their configuration), and
 * prints the run with its own rendering (`demo-output.ts`).
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultAuditLogPath } from '@slipway/activities';
import { createChurnWorker } from '@slipway/example-churn/churn-worker';
import { churnInput, DATA_DIR, pipelineJson } from '@slipway/example-churn/input';
import { churnPipeline } from '@slipway/example-churn/steps';
import { checkDrift } from '@slipway/sdk';
import { SlipwayClient } from '@slipway/sdk/client';
import {
  loadConfig,
  openConfiguredRegistry,
  verifyConfiguredAuditLog,
  writeLocalDirectory,
  type SlipwayConfig,
} from '@slipway/worker';
import { freePort, startDevServer } from '@slipway/worker/dev-server';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { rollOutRetrain } from './canary.js';
import { finishGuardian, guardUntilRetrain, statusPrinter } from './guardian.js';
import { printDrift, printEvidence, printStep, section } from './demo-output.js';
import { startModelServerProcess } from './model-server-process.js';
import { readServingRows, sendTraffic } from './traffic.js';

const APPROVER = 'maria';
/** The second approver: approves the retrain the guardian starts. */
const SECOND_APPROVER = 'lee';
const projectHome = resolve(process.env.SLIPWAY_HOME ?? '.slipway');
const demoHome = join(projectHome, 'demo');
const cleanups: (() => Promise<void>)[] = [];

async function main(): Promise<Record<string, unknown>> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  section('1. Temporal dev server, model server and worker');
  const server = await startDevServer({
    home: projectHome,
    port: 0,
    dbFile: join(demoHome, 'temporal.db'),
    onProgress: (m) => console.log(`  ${m}`),
  });
  cleanups.push(() => server.stop());
  console.log(`  Temporal dev server on ${server.address}`);
  const modelServer = await startModelServerProcess({ home: demoHome, port: await freePort() });
  cleanups.push(() => modelServer.stop());
  console.log(`  model server (pid ${modelServer.pid}) on ${modelServer.url}`);
  // People made on the fly: a key each (kept in the demo's home, reused on the next run) and a directory of
  // people signed by an administrator key the worker trusts. The client signs the start and maria's approval.
  const keys = { keysDir: join(demoHome, 'keys') };
  const people = await writeLocalDirectory({
    directoryPath: join(demoHome, 'people.json'),
    admin: 'demo-admin',
    people: { demo: [], [APPROVER]: ['ml-leads'], [SECOND_APPROVER]: ['ml-leads'] },
    keys,
  });
  console.log(
    `  people: demo starts the runs, ${APPROVER} and ${SECOND_APPROVER} may approve; keys in ${keys.keysDir}`,
  );
  // The worker deploys to this model server only, with the token both read from the demo's home.
  const config = loadConfig({
    env: {},
    overrides: {
      home: demoHome,
      taskQueue: 'slipway-demo',
      temporal: { address: server.address, namespace: server.namespace },
      // The worker reads datasets only below its roots: the example's data folder, wherever the demo is started.
      data: { roots: [DATA_DIR] },
      modelServer: { url: modelServer.url },
      directory: people.directoryPath,
      directoryAdminKey: people.adminPublicKey,
    },
  });
  const worker = await createChurnWorker(config, { workerOptions: { shutdownGraceTime: '2s' } });
  const running = worker.run();
  cleanups.push(async () => {
    worker.shutdown();
    await running;
  });
  console.log(`  worker polling ${config.taskQueue}`);
  const client = await SlipwayClient.connect({
    address: server.address,
    namespace: server.namespace,
    taskQueue: config.taskQueue,
    identity: 'slipway-demo',
    user: 'demo',
    keys,
  });
  cleanups.push(() => client.close());

  section('2. churn pipeline: validate → train → segments → register → approval → deploy');
  const { runId } = await client.start(
    churnPipeline,
    churnInput({ serverUrl: modelServer.url, approvers: [APPROVER, SECOND_APPROVER] }),
  );
  console.log(`  run ${runId}`);
  const atGate = await client.follow(runId, {
    until: 'gate',
    onStep: (step, progress) => printStep(step, progress.gate),
  });
  const gate = atGate.progress?.gate;
  if (gate?.status !== 'pending') throw new Error(`the run ended before its gate opened: ${atGate.status}`);

  section(`3. approval: ${APPROVER} reviews the evidence and approves`);
  printEvidence(gate);
  await client.approve(runId, { as: APPROVER, comment: 'metrics hold up in every segment' });
  await client.follow(runId, {
    until: 'end',
    seen: atGate.seen,
    onStep: (step, progress) => printStep(step, progress.gate),
  });
  const result = await client.result(runId, churnPipeline);
  if (result.status !== 'deployed') throw new Error(`the model was not deployed: ${result.status}`);
  console.log(`  ${result.model} v${result.version} is the champion, serving at ${modelServer.url}`);

  section('4. serving: 400 customers from data/serving.csv');
  const pipeline = pipelineJson();
  const columns = [...(pipeline.features.numeric ?? []), ...(pipeline.features.categorical ?? [])];
  const rows = await readServingRows(
    pathToFileURL(join(DATA_DIR, 'serving.csv')).href,
    pipeline.expectations.schema,
    columns,
  );
  const scored = await sendTraffic(modelServer.url, result.model, rows);
  const first = scored[0];
  const atRisk = scored.filter((s) => s.label === 1).length;
  console.log(
    `  scored ${scored.length} customers; ${atRisk} predicted to churn; e.g. ${first?.customer}: ${first?.score.toFixed(3)}`,
  );

  section('5. monitor: served features vs the training profile (PSI)');
  const monitorInput = { model: result.model, serverUrl: modelServer.url, psiThreshold: 0.2, minSamples: 100 };
  const { runId: driftRunId } = await client.start(checkDrift, monitorInput, { runId: `${runId}-drift` });
  const drift = await client.result(driftRunId, checkDrift);
  printDrift(drift);
  const worst = [...drift.features].sort((a, b) => b.psi - a.psi)[0];

  section('6. guardian: watches what churn serves, catches the drift, retrains on the newest data');
  const printer = statusPrinter();
  const approvers = [APPROVER, SECOND_APPROVER];
  const guarded = await guardUntilRetrain({ client, serverUrl: modelServer.url, rows, approvers }, printer);

  section(`7. retrain: ${SECOND_APPROVER} approves; v${result.version + 1} rolls out as a canary 10 → 50 → 100`);
  const registry = openConfiguredRegistry(config);
  cleanups.push(() => registry.close());
  const canary = await rollOutRetrain(
    {
      client,
      model: guarded.model,
      serverUrl: modelServer.url,
      registry,
      auditLogPath: defaultAuditLogPath(config.home),
      rows,
      approver: SECOND_APPROVER,
    },
    guarded.retrainRunId,
  );
  const guardian = await finishGuardian(client, guarded.model, APPROVER, printer);
  const audit = await printAuditTrail(config, result.model);
  return {
    status: 'completed',
    model: result.model,
    version: result.version,
    approvedBy: result.approvedBy.join(','),
    prediction: first ?? null,
    drift: {
      drifted: drift.drifted,
      samples: drift.samples,
      maxPsi: worst ? Number(worst.psi.toFixed(4)) : 0,
      feature: worst?.feature ?? null,
    },
    guardian,
    rollout: canary,
    audit,
  };
}

/** Verifies the audit trail the run wrote and tells how to see the champion's lineage. */
async function printAuditTrail(config: SlipwayConfig, model: string): Promise<{ intact: boolean; entries: number }> {
  const { home } = config;
  const path = defaultAuditLogPath(home);
  const audit = await verifyConfiguredAuditLog(config, path);
  const state = audit.ok ? `intact, ${audit.entries} entries` : `broken at line ${audit.line}: ${audit.message}`;
  // The CLI checks the decisions' signatures against the demo's directory of people, trusted by its admin key.
  const people = `SLIPWAY_DIRECTORY=${config.directory ?? ''} SLIPWAY_DIRECTORY_ADMIN_KEY=${config.directoryAdminKey ?? ''}`;
  console.log(`\n  audit trail ${path}: ${state}`);
  console.log(`  lineage of the champion: npx slipway --home ${home} models show ${model}@champion`);
  console.log(`  the version it replaced, retired: npx slipway --home ${home} models show ${model}@v1`);
  console.log(`  check the trail and the signed decisions again:`);
  console.log(`    ${people} npx slipway --home ${home} audit verify`);
  return { intact: audit.ok, entries: audit.ok ? audit.entries : audit.line - 1 };
}

async function shutdown(): Promise<void> {
  for (const cleanup of cleanups.reverse())
    await cleanup().catch((err: unknown) => console.error(`  cleanup: ${String(err)}`));
}

try {
  const summary = await main();
  section('8. shutting down');
  await shutdown();
  console.log(JSON.stringify(summary));
} catch (err) {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown();
  console.log(JSON.stringify({ status: 'failed', error: err instanceof Error ? err.message : String(err) }));
  process.exitCode = 1;
}

/**
 * Metrics and traces of a real worker process (`slipway worker --metrics-port 0` with `OTEL_EXPORTER_OTLP_ENDPOINT`
 * set, loading a prebuilt bundle written for tracing): `/healthz` answers 200 while it runs; after one trainAndPromote run,
 * `/metrics` carries Slipway's step series for the steps that ran, the gate's wait and a Temporal core metric; and
 * an OTLP receiver in the test holds one trace from the client's start span to the run's last activity.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TrainAndPromoteResult } from '@slipway/sdk';
import { SlipwayClient } from '@slipway/sdk/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { churnInput, DATA_DIR } from '../../examples/churn/src/input.js';
import { cliSession, startedRunId } from '../support/cli-session.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { runCli, SLIPWAY_CLI, spawnNode, type Child } from '../support/processes.js';
import { eventually, waitForGate } from '../support/waits.js';
import { startTracing, type Tracing } from '../../packages/worker/src/worker/tracing.js';
import { builtinWorkflowsPath } from '../../packages/worker/src/worker/create-worker.js';
import { writeWorkflowBundle } from '../../packages/worker/src/worker/workflow-bundle.js';

let h: Harness;
let receiver: OtlpReceiver;
let worker: Child;
let metricsUrl: string;
let tracing: Tracing;
let client: SlipwayClient;
let runId: string;

beforeAll(async () => {
  h = await startHarness({ name: 'telemetry', worker: false });
  receiver = await startOtlpReceiver();
  const { config } = h;
  // The built-in workflows bundled for tracing, as `slipway bundle --tracing` writes them.
  const bundle = join(h.home, 'traced.bundle.js');
  await writeWorkflowBundle({ workflowsPath: builtinWorkflowsPath(), out: bundle, tracing: true });
  worker = spawnNode(
    SLIPWAY_CLI,
    [
      ...['--address', config.temporal.address, '--home', config.home, '--task-queue', config.taskQueue],
      ...['worker', '--workflow-bundle', bundle, '--metrics-port', '0'],
    ],
    {
      SLIPWAY_DATA_ROOTS: config.data.roots.join(','),
      SLIPWAY_MODEL_SERVER: config.modelServer.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'slipway-worker-under-test',
      ...h.people!.env,
    },
  );
  const base = await eventually('the worker to print its metrics address', () =>
    Promise.resolve(/metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(worker.output())?.[1]),
  );
  metricsUrl = base;
  // The client side of the trace: this process's tracing, to the same receiver.
  tracing = startTracing({ endpoint: `${receiver.url}/v1/traces`, serviceName: 'slipway-client-under-test' });
  client = await SlipwayClient.connect({
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    user: 'ci-bot',
    keys: { keysDir: h.people!.keysDir },
    interceptors: tracing.clientInterceptors,
  });
});

afterAll(async () => {
  worker?.process.kill('SIGTERM');
  await worker?.exited;
  await client?.close();
  await tracing?.shutdown();
  await receiver?.close();
  await h?.stop();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${metricsUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

/** The value of one sample line, e.g. `slipway_step_duration_seconds_count{step="slipway.train",outcome="completed"}`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.slice(0, l.indexOf('}') + 1).includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

it('/healthz answers 200 while the worker runs; other paths 404', async () => {
  const health = await eventually('a healthy worker', async () => {
    const response = await fetch(`${metricsUrl}/healthz`);
    return response.status === 200 ? ((await response.json()) as { status: string; worker: string }) : undefined;
  });
  expect(health).toEqual({ status: 'ok', worker: 'RUNNING' });
  expect((await fetch(`${metricsUrl}/nothing`)).status).toBe(404);
});

it('a run shows in /metrics (steps by outcome, the gate wait, Temporal core metrics) and in one trace', async () => {
  const input = churnInput({ serverUrl: h.modelServer.url, modelName: 'observed' });
  ({ runId } = await client.start('trainAndPromote', {
    ...input,
    dataset: { uri: pathToFileURL(`${DATA_DIR}churn.csv`).href },
  }));
  await waitForGate(client, runId);
  // The waiting gate, read from Temporal at the scrape.
  const pending = await scrape();
  expect(sample(pending, 'slipway_gates_pending', { model: 'observed' })).toBe(1);
  expect(sample(pending, 'slipway_gate_oldest_pending_seconds', { model: 'observed' })).toBeGreaterThanOrEqual(0);
  await client.approve(runId, { as: 'maria' });
  const result = await client.result<TrainAndPromoteResult>(runId);
  expect(result.status).toBe('deployed');

  const ran = (await client.status(runId)).progress?.steps.map((s) => s.step) ?? [];
  const activities = await activityTypes(runId);
  expect(activities).toEqual(expect.arrayContaining(['slipway.validate', 'slipway.train', 'slipway.deploy']));
  const text = await eventually('the gate wait in /metrics', async () => {
    const t = await scrape();
    return sample(t, 'slipway_gate_wait_seconds_count', { model: 'observed', outcome: 'approved' }) === 1
      ? t
      : undefined;
  });
  for (const step of new Set(activities)) {
    const count = activities.filter((a) => a === step).length;
    expect(
      sample(text, 'slipway_step_duration_seconds_count', { step, outcome: 'completed' }),
      `${step} (steps ${ran.join(', ')})`,
    ).toBe(count);
  }
  expect(sample(text, 'slipway_step_duration_seconds_count', { step: 'slipway.train', outcome: 'failed' })).toBe(
    undefined,
  );
  // The Temporal runtime's own series, from the core exporter, on the same endpoint.
  expect(text).toMatch(/^temporal_\w+/m);
  expect(text).toMatch(/^temporal_activity_execution_latency\w*\{/m);

  await tracing.shutdown();
  const last = activities.at(-1)!;
  // The worker exports its spans in batches: the workflow's span (ended when the run completed) may come after its
  // last activity's.
  const trace = await eventually(`the spans of ${runId}: its workflow and its last activity (${last})`, () => {
    const spans = receiver.spans();
    const start = spans.find(
      (s) => s.name === 'StartWorkflow:trainAndPromote' && s.attributes.temporalWorkflowId === runId,
    );
    const inTrace = start ? spans.filter((s) => s.traceId === start.traceId) : [];
    const done =
      start &&
      inTrace.some((s) => s.name === `RunActivity:${last}`) &&
      inTrace.some((s) => s.name === 'RunWorkflow:trainAndPromote');
    return Promise.resolve(done ? { start, inTrace } : undefined);
  });
  expect(trace.start.service).toBe('slipway-client-under-test');
  const names = new Set(trace.inTrace.map((s) => s.name));
  // The workflow's span (made in the sandbox, sent through the sink) is the child of the client's start span.
  const runWorkflow = trace.inTrace.find((s) => s.name === 'RunWorkflow:trainAndPromote');
  expect(runWorkflow?.parentSpanId).toBe(trace.start.spanId);
  for (const activity of activities) expect(names).toContain(`RunActivity:${activity}`);
  expect(
    trace.inTrace
      .filter((s) => s.name.startsWith('RunActivity:'))
      .every((s) => s.service === 'slipway-worker-under-test'),
  ).toBe(true);
  // Every span of the run's activities is in that one trace.
  const runSpans = receiver
    .spans()
    .filter((s) => s.name.startsWith('RunActivity:') && s.attributes.temporalWorkflowId === runId);
  expect(runSpans.length).toBe(activities.length);
  expect(new Set(runSpans.map((s) => s.traceId))).toEqual(new Set([trace.start.traceId]));
});

it('slipway run starts the trace when OTEL_EXPORTER_OTLP_ENDPOINT is set: the worker continues it', async () => {
  const cli = await cliSession(h);
  const input = await cli.writeInput('traced.json', { modelName: 'traced-from-cli' });
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'slipway-cli-under-test' };
  const run = await cli.slipway(['run', 'trainAndPromote', '--input', input, '--no-wait'], { env });
  expect(run.code, run.output).toBe(0);
  const cliRun = startedRunId(run.output);
  try {
    const spans = await eventually(`the CLI's start span and the first activity of ${cliRun}`, () => {
      const all = receiver.spans();
      const start = all.find(
        (s) => s.name === 'StartWorkflow:trainAndPromote' && s.attributes.temporalWorkflowId === cliRun,
      );
      const activity = all.find((s) => s.name.startsWith('RunActivity:') && s.attributes.temporalWorkflowId === cliRun);
      return Promise.resolve(start && activity ? { start, activity } : undefined);
    });
    expect(spans.start.service).toBe('slipway-cli-under-test');
    expect(spans.activity.service).toBe('slipway-worker-under-test');
    expect(spans.activity.traceId).toBe(spans.start.traceId);
  } finally {
    await client.temporal.workflow.getHandle(cliRun).terminate('test over');
  }
});

it('refuses a bad port, a host without a port, a host off loopback without a token, and a port already taken (and exits)', async () => {
  const { config } = h;
  const worker = (...args: string[]) =>
    runCli([
      ...['--address', config.temporal.address, '--home', config.home, '--task-queue', `${config.taskQueue}-refused`],
      ...['worker', '--workflow-bundle', inject('builtinBundlePath'), ...args],
    ]);
  const badPort = await worker('--metrics-port', 'http');
  expect(badPort.code).not.toBe(0);
  expect(badPort.output).toContain('--metrics-port <n>');
  expect(badPort.output).toContain('expected a port number from 0 to 65535, got "http"');
  expect((await worker('--metrics-port', '65536')).output).toContain('got "65536"');
  const hostAlone = await worker('--metrics-host', '0.0.0.0');
  expect(hostAlone.code).not.toBe(0);
  expect(hostAlone.output).toContain('--metrics-host needs a port');
  // Refused before it listens: nothing is bound on 0.0.0.0.
  const openToAll = await worker('--metrics-port', '0', '--metrics-host', '0.0.0.0');
  expect(openToAll.code).not.toBe(0);
  expect(openToAll.output).toContain('the metrics endpoint on 0.0.0.0 (not a loopback address) needs a token');
  expect(openToAll.output).toContain('SLIPWAY_METRICS_TOKEN');
  const taken = Number(new URL(metricsUrl).port);
  const busy = await worker('--metrics-port', String(taken));
  expect(busy.code).not.toBe(0);
  expect(busy.output).toContain(`cannot serve metrics on 127.0.0.1:${taken}: EADDRINUSE`);
});

/** The activity types a run scheduled, in order, from its history. */
async function activityTypes(id: string): Promise<string[]> {
  const history = await client.temporal.workflow.getHandle(id).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

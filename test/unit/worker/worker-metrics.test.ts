/**
 * The worker's metrics endpoint and Slipway's series without a server: `/healthz` follows the worker's state,
 * `/metrics` joins its sources (one that fails is a comment, not a failed scrape) and, with a token, answers only
 * a scrape that carries it (any address but loopback needs one), and the rollout and drift series
 * follow what the rollout and drift steps report (a model shows its current state only).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startMetricsServer, type MetricsServer } from '../../../packages/worker/src/worker/metrics-server.js';
import { observeStep } from '../../../packages/worker/src/worker/step-observations.js';
import { createWorkerMetrics } from '../../../packages/worker/src/worker/worker-metrics.js';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const version = { name: 'churn', version: 3, digest: `sha256:${'a'.repeat(64)}` };
const serverUrl = 'http://127.0.0.1:1';

describe('the metrics endpoint', () => {
  it('answers /healthz 503 until the worker runs, 200 while it runs, 503 when it drains', async () => {
    let state: string | undefined;
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, sources: [], state: () => state });
    const health = async () => {
      const response = await fetch(`${server!.url}/healthz`);
      return [response.status, await response.json()] as const;
    };
    expect(await health()).toEqual([503, { status: 'unavailable', worker: 'STARTING' }]);
    state = 'RUNNING';
    expect(await health()).toEqual([200, { status: 'ok', worker: 'RUNNING' }]);
    state = 'DRAINING';
    expect(await health()).toEqual([503, { status: 'unavailable', worker: 'DRAINING' }]);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('joins its sources; one that fails is reported in a comment', async () => {
    server = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      state: () => 'RUNNING',
      sources: [
        { name: 'core', read: () => Promise.reject(new Error('connection\nrefused')) },
        { name: 'slipway', read: () => Promise.resolve('a_total 1') },
      ],
    });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('# core unavailable: connection refused\n\na_total 1\n');
  });

  it('with a token, answers /metrics only to a scrape that carries it; /healthz stays open for probes', async () => {
    const token = 'metrics-token-0123456789';
    server = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      token,
      state: () => 'RUNNING',
      sources: [{ name: 'slipway', read: () => Promise.resolve('a_total 1') }],
    });
    const scrape = (authorization?: string) =>
      fetch(`${server!.url}/metrics`, authorization ? { headers: { authorization } } : {});
    const anonymous = await scrape();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="slipway-worker-metrics"');
    expect(await anonymous.text()).toMatch(/^\/metrics needs the metrics token .*SLIPWAY_METRICS_TOKEN/);
    const wrong = await scrape(`Bearer ${token}x`);
    expect(wrong.status).toBe(401);
    const wrongText = await wrong.text();
    expect(wrongText).toMatch(/^\/metrics did not get the metrics token/);
    expect(wrongText).not.toContain(token);
    expect((await scrape(token)).status).toBe(401);
    const scraped = await scrape(`Bearer ${token}`);
    expect([scraped.status, await scraped.text()]).toEqual([200, 'a_total 1\n']);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('refuses to serve on an address other than loopback without a token, before it listens', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10']) {
      await expect(startMetricsServer({ host, port: 0, sources: [], state: () => undefined })).rejects.toThrow(
        `the metrics endpoint on ${host} (not a loopback address) needs a token`,
      );
    }
  });

  it('refuses a port already taken, naming the address', async () => {
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, sources: [], state: () => undefined });
    await expect(
      startMetricsServer({ host: '127.0.0.1', port: server.port, sources: [], state: () => undefined }),
    ).rejects.toThrow(`cannot serve metrics on 127.0.0.1:${server.port}: EADDRINUSE`);
  });
});

describe("Slipway's series", () => {
  it('follow a rollout: staged, in progress at a share, then promoted (one state per model)', async () => {
    const metrics = createWorkerMetrics();
    const context = { metrics };
    await observeStep('slipway.rollout.stage', context, { version, serverUrl }, {});
    await observeStep(
      'slipway.rollout.traffic',
      context,
      { version, serverUrl, deploymentId: 'd', percent: 10, mode: 'split', windowId: 'w-1' },
      {},
    );
    let text = await metrics.text();
    expect(text).toContain('slipway_rollout_state{model="churn",version="3",state="in_progress"} 1');
    expect(text).not.toContain('state="staged"');
    expect(text).toContain('slipway_rollout_traffic_percent{model="churn",version="3",mode="split"} 10');
    await observeStep('slipway.rollout.promote', context, { version, serverUrl, deploymentId: 'd' }, {});
    text = await metrics.text();
    expect(text).toContain('slipway_rollout_state{model="churn",version="3",state="promoted"} 1');
    expect(text).not.toContain('state="in_progress"');
    expect(text).not.toMatch(/^slipway_rollout_traffic_percent\{/m);
  });

  it("show each feature's drift at the model's last check", async () => {
    const metrics = createWorkerMetrics();
    const feature = (name: string, psi: number, drifted: boolean) => ({
      feature: name,
      kind: 'numeric',
      psi,
      drifted,
      expected: [0.5, 0.5],
      actual: [0.5, 0.5],
    });
    const report = {
      model: 'churn',
      version: 3,
      samples: 500,
      threshold: 0.2,
      enoughSamples: true,
      drifted: true,
      features: [feature('tenure', 0.31, true), feature('charges', 0.02, false)],
    };
    await observeStep('slipway.monitor', { metrics }, {}, report);
    const text = await metrics.text();
    expect(text).toContain('slipway_drift_psi{model="churn",feature="tenure"} 0.31');
    expect(text).toContain('slipway_feature_drifted{model="churn",feature="tenure"} 1');
    expect(text).toContain('slipway_feature_drifted{model="churn",feature="charges"} 0');
    expect(text).toContain('slipway_drift_share{model="churn"} 0.5');
    // A report that does not parse is not observed, and never throws.
    await observeStep('slipway.monitor', { metrics }, {}, { model: 'churn' });
    expect(await metrics.text()).toBe(text);
  });

  it('count pending gates from the reader at each scrape, and show none when it fails', async () => {
    let read = () => Promise.resolve([{ model: 'churn', openedAt: new Date(Date.now() - 60_000).toISOString() }]);
    const metrics = createWorkerMetrics({ pendingGates: () => read() });
    const text = await metrics.text();
    expect(text).toContain('slipway_gates_pending{model="churn"} 1');
    const age = Number(/slipway_gate_oldest_pending_seconds\{model="churn"\} (\S+)/.exec(text)?.[1]);
    expect(age).toBeGreaterThanOrEqual(60);
    read = () => Promise.reject(new Error('visibility down'));
    expect(await metrics.text()).not.toMatch(/^slipway_gates_pending\{/m);
  });
});

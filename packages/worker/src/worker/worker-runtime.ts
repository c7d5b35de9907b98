/**
 * The Temporal runtime of a worker process with its Prometheus exporter on. `Runtime.install()` may run once per
 * process and before any connection, so the worker CLI calls this first. The Rust core serves its metrics on an
 * internal loopback port of its own; the worker's `/metrics` endpoint reads them from there and adds Slipway's.
 */
import { createServer } from 'node:net';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { MetricsSource } from './metrics-server.js';

/** Installs the runtime with the core's Prometheus exporter on a free loopback port; returns that source. */
export async function installWorkerRuntime(): Promise<MetricsSource> {
  const port = await freeLoopbackPort();
  const bindAddress = `127.0.0.1:${port}`;
  try {
    Runtime.install({
      logger: new DefaultLogger('INFO'),
      telemetryOptions: { metrics: { prometheus: { bindAddress, useSecondsForDurations: true } } },
    });
  } catch (err) {
    throw new Error(
      `cannot turn on Temporal's metrics: the runtime was already installed in this process (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  return coreMetricsSource(`http://${bindAddress}/metrics`);
}

/** The Temporal runtime's metrics, read from the core exporter's URL. */
export function coreMetricsSource(url: string): MetricsSource {
  return {
    name: 'temporal runtime metrics',
    async read() {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`the core exporter answered ${response.status}`);
      return response.text();
    },
  };
}

/** A port that was free on 127.0.0.1 a moment ago (the core exporter binds it next). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The `metrics` and `tracing` settings: off unless configured, loopback unless another host is named, the
 * standard OpenTelemetry variables honoured, and every bad value refused naming where it came from.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAME, loadConfig } from '../../../packages/worker/src/config/index.js';
import { metricsEndpoint, metricsPortOption } from '../../../packages/worker/src/cli/worker-telemetry-options.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-telemetry-setting-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the metrics setting', () => {
  it('is off by default, and binds 127.0.0.1 unless a host is configured', async () => {
    expect(loadConfig({ cwd: dir, env: {} }).metrics).toBeUndefined();
    expect(loadConfig({ cwd: dir, env: { SLIPWAY_METRICS_PORT: '9464' } }).metrics).toEqual({
      port: 9464,
      host: '127.0.0.1',
    });
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ metrics: { port: 9000, host: '0.0.0.0' } }));
    expect(loadConfig({ cwd: dir, env: {} }).metrics).toEqual({ port: 9000, host: '0.0.0.0' });
  });

  it('takes the metrics token from SLIPWAY_METRICS_TOKEN or the file, and refuses a short one', async () => {
    const token = 'scrape-token-0123456789';
    expect(
      loadConfig({ cwd: dir, env: { SLIPWAY_METRICS_PORT: '9464', SLIPWAY_METRICS_TOKEN: token } }).metrics,
    ).toEqual({ port: 9464, host: '127.0.0.1', token });
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ metrics: { port: 9000, host: '0.0.0.0', token } }));
    expect(metricsEndpoint(loadConfig({ cwd: dir, env: {} }), {})).toEqual({ port: 9000, host: '0.0.0.0', token });
    expect(() => loadConfig({ cwd: dir, env: { SLIPWAY_METRICS_TOKEN: 'short' } })).toThrow(
      /metrics\.token.*at least 16 characters.*SLIPWAY_METRICS_TOKEN/,
    );
  });

  it('refuses a port that is not a port, naming the variable or the file', async () => {
    expect(() => loadConfig({ cwd: dir, env: { SLIPWAY_METRICS_PORT: 'nine' } })).toThrow(
      /the environment: metrics\.port.*expected a port number.*SLIPWAY_METRICS_PORT/,
    );
    expect(() => loadConfig({ cwd: dir, env: { SLIPWAY_METRICS_PORT: '70000' } })).toThrow(
      /metrics\.port.*from 0 to 65535/,
    );
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ metrics: { port: 1.5, host: 'a b' } }));
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(
      new RegExp(
        `${CONFIG_FILE_NAME}: .*metrics\\.port.*whole port number.*metrics\\.host.*host name or an IP address`,
      ),
    );
  });

  it('takes --metrics-port and --metrics-host over the setting; a host alone is refused', () => {
    expect(metricsPortOption('0')).toBe(0);
    expect(() => metricsPortOption('80a')).toThrow('expected a port number from 0 to 65535, got "80a"');
    expect(() => metricsPortOption('-1')).toThrow('got "-1"');
    expect(metricsEndpoint({ metrics: { port: 1, host: '0.0.0.0' } }, { metricsPort: 2 })).toEqual({
      port: 2,
      host: '0.0.0.0',
    });
    expect(metricsEndpoint({}, {})).toBeUndefined();
    expect(() => metricsEndpoint({}, { metricsHost: '0.0.0.0' })).toThrow('--metrics-host needs a port');
  });
});

describe('the tracing setting', () => {
  it('is off unless an endpoint is configured', () => {
    expect(loadConfig({ cwd: dir, env: { OTEL_SERVICE_NAME: 'x' } }).tracing).toBeUndefined();
  });

  it('reads the standard variables: the traces URL as it is, else the base URL with /v1/traces', () => {
    expect(loadConfig({ cwd: dir, env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' } }).tracing).toEqual({
      endpoint: 'http://collector:4318/v1/traces',
      serviceName: 'slipway',
    });
    const both = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/ingest',
      OTEL_SERVICE_NAME: 'slipway-gpu',
    };
    expect(loadConfig({ cwd: dir, env: both }).tracing).toEqual({
      endpoint: 'https://traces.example.com/ingest',
      serviceName: 'slipway-gpu',
    });
  });

  it('refuses an endpoint that is not an http(s) URL, naming the variables', () => {
    expect(() => loadConfig({ cwd: dir, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4317' } })).toThrow(
      /tracing\.endpoint.*http\(s\) URL.*OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/,
    );
    expect(() => loadConfig({ cwd: dir, env: {}, overrides: { tracing: { endpoint: 'grpc://c:4317' } } })).toThrow(
      /the given options: tracing\.endpoint/,
    );
  });
});

/**
 * The model server's Prometheus counters (prom-client, one registry per server): per model, version and role
 * (`stable`, `candidate`, or `shadow` for the candidate's shadow copies) the predict requests a version scored or
 * failed, the failures (500s), the requests refused for their input (400s), the rows scored, and a histogram of
 * the scoring latency; and the shadow copies dropped because too many were pending. `GET /metrics` serves them.
 * The rollout's guards do not read these (histogram buckets are too coarse for a p99): they read windows.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { ScoringOutcome } from './window-reading.js';

/** The role label of a request: the version's role, or `shadow` for a copy the candidate scored. */
export type MetricsRole = 'stable' | 'candidate' | 'shadow';

/** The latency buckets, in seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The server's counters. */
export interface ServerMetrics {
  /** Counts one request's outcome. */
  observe(labels: { model: string; version: number; role: MetricsRole }, outcome: ScoringOutcome): void;
  /** Counts a shadow copy that was dropped. */
  shadowDropped(model: string): void;
  /** The Prometheus text exposition. */
  text(): Promise<string>;
  /** The media type of {@link ServerMetrics.text}. */
  readonly contentType: string;
}

/** Creates the counters of one server in a registry of its own. */
export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  const labelNames = ['model', 'version', 'role'] as const;
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames, registers: [registry] });
  const requests = counter('slipway_model_requests_total', 'Predict requests a model version scored or failed');
  const errors = counter('slipway_model_errors_total', 'Predict requests a model version failed (HTTP 500)');
  const rejected = counter('slipway_model_rejected_total', 'Predict requests refused for their input (HTTP 400)');
  const rows = counter('slipway_model_rows_total', 'Rows a model version scored');
  const latency = new Histogram({
    name: 'slipway_model_latency_seconds',
    help: 'Time a model version took to score a predict request',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'slipway_model_shadow_dropped_total',
    help: 'Shadow copies not scored because too many were pending',
    labelNames: ['model'] as const,
    registers: [registry],
  });
  return {
    observe({ model, version, role }, outcome) {
      const labels = { model, version: String(version), role };
      if (outcome.kind === 'rejected') {
        rejected.inc(labels);
        return;
      }
      requests.inc(labels);
      latency.observe(labels, outcome.ms / 1000);
      if (outcome.kind === 'failed') errors.inc(labels);
      else rows.inc(labels, outcome.rows);
    },
    shadowDropped: (model) => dropped.inc({ model }),
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

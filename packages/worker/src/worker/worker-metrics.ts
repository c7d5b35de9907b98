/**
 * Slipway's own Prometheus series on a worker (prom-client, one registry per worker), recorded on the activity
 * side only (workflow code stays free of side effects):
 *
 * - `slipway_step_duration_seconds{step,outcome}`: a histogram of each step (activity) execution, by outcome
 *   (`completed`, `failed`, `cancelled`); its `_count` is the number of executions.
 * - `slipway_gate_wait_seconds{model,outcome}`: from a gate's opening to its decision, observed when the decision is
 *   recorded (`slipway.recordApproval`).
 * - `slipway_gates_pending{model}` and `slipway_gate_oldest_pending_seconds{model}`: read from Temporal's
 *   visibility store at each scrape (the gates of the whole namespace, not only this worker's).
 * - `slipway_rollout_state{model,version,state}` (1 for the state a model's rollout is in: `staged`, `in_progress`,
 *   `promoted`, `rolled_back`) and `slipway_rollout_traffic_percent{model,version,mode}`.
 * - `slipway_drift_psi{model,feature}`, `slipway_feature_drifted{model,feature}` (0 or 1) and
 *   `slipway_drift_share{model}`: the last drift check of each model.
 */
import { Gauge, Histogram, Registry } from 'prom-client';

/** How a step execution ended. */
export const StepOutcome = { completed: 'completed', failed: 'failed', cancelled: 'cancelled' } as const;
/** How a step execution ended. */
export type StepOutcome = (typeof StepOutcome)[keyof typeof StepOutcome];

/** Where a model's rollout stands. */
export type RolloutStateName = 'staged' | 'in_progress' | 'promoted' | 'rolled_back';

/** The step duration buckets, in seconds: from a registry write to an hour of training. */
export const STEP_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600];

/** The gate wait buckets, in seconds: from an auto-approval to a week. */
export const GATE_WAIT_BUCKETS = [1, 10, 60, 300, 900, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400];

/** One pending gate, as the visibility store lists it. */
export interface PendingGate {
  model: string;
  /** When it opened (ISO 8601). */
  openedAt?: string;
}

/** Slipway's series of one worker. */
export interface WorkerMetrics {
  readonly registry: Registry;
  /** Counts one step execution and its duration. */
  stepFinished(step: string, outcome: StepOutcome, seconds: number): void;
  /** A gate's wait, from its opening to its decision. */
  gateDecided(model: string, outcome: string, seconds: number): void;
  /** The state a model's rollout is now in (replaces the state it was in). */
  rolloutState(model: string, version: number, state: RolloutStateName): void;
  /** The candidate's share of a model's traffic. */
  rolloutTraffic(model: string, version: number, mode: string, percent: number): void;
  /** One drift check's verdict per feature (replaces the model's previous features). */
  drift(model: string, features: readonly { feature: string; psi?: number; drifted: boolean }[], share: number): void;
  /** The Prometheus text of every series. */
  text(): Promise<string>;
}

/** Creates Slipway's series; `pendingGates` is read at each scrape (a failing read leaves the gauges unset). */
export function createWorkerMetrics(options: { pendingGates?: () => Promise<PendingGate[]> } = {}): WorkerMetrics {
  const registry = new Registry();
  const registers = [registry];
  const steps = new Histogram({
    name: 'slipway_step_duration_seconds',
    help: 'Duration of each Slipway step (activity) execution, by step and outcome',
    labelNames: ['step', 'outcome'] as const,
    buckets: STEP_DURATION_BUCKETS,
    registers,
  });
  const gateWait = new Histogram({
    name: 'slipway_gate_wait_seconds',
    help: "Time from an approval gate's opening to its decision, by model and outcome",
    labelNames: ['model', 'outcome'] as const,
    buckets: GATE_WAIT_BUCKETS,
    registers,
  });
  pendingGateGauges(registry, options.pendingGates);
  const rollouts = rolloutSeries(registry);
  const drifts = driftSeries(registry);
  return {
    registry,
    stepFinished: (step, outcome, seconds) => steps.observe({ step, outcome }, seconds),
    gateDecided: (model, outcome, seconds) => gateWait.observe({ model, outcome }, Math.max(0, seconds)),
    rolloutState: rollouts.state,
    rolloutTraffic: rollouts.traffic,
    drift: drifts,
    text: () => registry.metrics(),
  };
}

function pendingGateGauges(registry: Registry, read: (() => Promise<PendingGate[]>) | undefined): void {
  if (!read) return;
  const labelNames = ['model'] as const;
  // Both gauges are collected at once (prom-client collects concurrently): one read per scrape sets both.
  let reading: Promise<void> | undefined;
  const refresh = () =>
    (reading ??= (async () => {
      const gates = await read().catch(() => undefined);
      pending.reset();
      oldest.reset();
      const now = Date.now();
      const ages = new Map<string, number>();
      for (const gate of gates ?? []) {
        pending.inc({ model: gate.model });
        const opened = gate.openedAt ? Date.parse(gate.openedAt) : Number.NaN;
        if (!Number.isNaN(opened)) ages.set(gate.model, Math.max(ages.get(gate.model) ?? 0, (now - opened) / 1000));
      }
      for (const [model, age] of ages) oldest.set({ model }, Math.max(0, age));
    })().finally(() => (reading = undefined)));
  const pending = new Gauge({
    name: 'slipway_gates_pending',
    help: 'Approval gates waiting for a decision, by model (read from Temporal at each scrape)',
    labelNames,
    registers: [registry],
    collect: refresh,
  });
  const oldest = new Gauge({
    name: 'slipway_gate_oldest_pending_seconds',
    help: 'Age of the oldest approval gate waiting for a decision, by model (read from Temporal at each scrape)',
    labelNames,
    registers: [registry],
    collect: refresh,
  });
}

function rolloutSeries(registry: Registry) {
  const state = new Gauge({
    name: 'slipway_rollout_state',
    help: "1 for the state a model's rollout is in (staged, in_progress, promoted, rolled_back), by model and version",
    labelNames: ['model', 'version', 'state'] as const,
    registers: [registry],
  });
  const traffic = new Gauge({
    name: 'slipway_rollout_traffic_percent',
    help: "The rollout candidate's share of a model's traffic, by model, version and mode (split or shadow)",
    labelNames: ['model', 'version', 'mode'] as const,
    registers: [registry],
  });
  const current = new Map<string, { version: string; state: RolloutStateName }>();
  const trafficOf = new Map<string, { version: string; mode: string }>();
  return {
    state: (model: string, version: number, name: RolloutStateName) => {
      const before = current.get(model);
      if (before) state.remove({ model, ...before });
      current.set(model, { version: String(version), state: name });
      state.set({ model, version: String(version), state: name }, 1);
      if (name === 'promoted' || name === 'rolled_back') {
        const shown = trafficOf.get(model);
        if (shown) traffic.remove({ model, ...shown });
        trafficOf.delete(model);
      }
    },
    traffic: (model: string, version: number, mode: string, percent: number) => {
      const before = trafficOf.get(model);
      if (before) traffic.remove({ model, ...before });
      trafficOf.set(model, { version: String(version), mode });
      traffic.set({ model, version: String(version), mode }, percent);
    },
  };
}

function driftSeries(registry: Registry): WorkerMetrics['drift'] {
  const registers = [registry];
  const labelNames = ['model', 'feature'] as const;
  const psi = new Gauge({
    name: 'slipway_drift_psi',
    help: "The population stability index of each feature at a model's last drift check",
    labelNames,
    registers,
  });
  const drifted = new Gauge({
    name: 'slipway_feature_drifted',
    help: "1 when a feature drifted at the model's last drift check, else 0",
    labelNames,
    registers,
  });
  const share = new Gauge({
    name: 'slipway_drift_share',
    help: "The share of a model's features that drifted at its last drift check",
    labelNames: ['model'] as const,
    registers,
  });
  const featuresOf = new Map<string, string[]>();
  return (model, features, driftShare) => {
    for (const feature of featuresOf.get(model) ?? []) {
      psi.remove({ model, feature });
      drifted.remove({ model, feature });
    }
    featuresOf.set(
      model,
      features.map((f) => f.feature),
    );
    for (const f of features) {
      if (f.psi !== undefined) psi.set({ model, feature: f.feature }, f.psi);
      drifted.set({ model, feature: f.feature }, f.drifted ? 1 : 0);
    }
    share.set({ model }, driftShare);
  };
}

/**
 * A scripted deploy target for the rollout saga's workflow tests: the rollout steps implemented against an
 * in-memory record of what each rollout asked for, with the readings of each window given by a script and judged
 * by the contract's own `judgeStep`. It tests the saga's decisions (which step runs, what it reads, when it holds,
 * breaches, pauses, promotes or compensates), not a serving platform: the real activities are tested against a
 * real model server.
 */
/* eslint-disable @typescript-eslint/require-await -- the scripted target answers at once; steps are async */
import { createActivities, implementStep } from '@slipway/activities';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import {
  judgeStep,
  rolloutCompensateStep,
  rolloutPromoteStep,
  rolloutReadStep,
  rolloutRetireStep,
  rolloutStageStep,
  rolloutTrafficStep,
  type GuardReadings,
  type StepInput,
  type VersionReading,
} from '@slipway/sdk';
import { embeddedDeps } from '../../packages/worker/src/worker/create-worker.js';
import { ensureSearchAttributes } from '../../packages/worker/src/worker/search-attributes.js';
import type { Harness } from './harness.js';

/** What the candidate and stable did in a window, as the script says. */
export interface ScriptedWindow {
  candidate: Partial<VersionReading> & { requests: number };
  stable?: Partial<VersionReading> & { requests: number };
  /** The target lost the window (it restarted). */
  lost?: boolean;
}

/** Gives a window's readings from its step (0-based), its attempt and how often it was read before. */
export type WindowScript = (at: {
  version: number;
  step: number;
  attempt: number;
  read: number;
  close: boolean;
}) => ScriptedWindow;

/** Every call one model's rollouts made, in order. */
export interface TargetLog {
  stages: StepInput<typeof rolloutStageStep>[];
  traffic: StepInput<typeof rolloutTrafficStep>[];
  reads: StepInput<typeof rolloutReadStep>[];
  promotes: StepInput<typeof rolloutPromoteStep>[];
  compensations: StepInput<typeof rolloutCompensateStep>[];
  retires: StepInput<typeof rolloutRetireStep>[];
}

const STABLE = { version: 1, deploymentId: 'stable-d1' };

/**
 * The scripted target: `script(model, fn)` sets a model's windows; `firstDeployment(model)` makes the model serve
 * nothing before its candidate (else v1 `stable-d1` serves); `failRetire(model)` makes its retire step fail for
 * good; `log(model)` reads what it was asked.
 */
export function scriptedRollout() {
  const scripts = new Map<string, WindowScript>();
  const firsts = new Set<string>();
  const failingRetires = new Set<string>();
  const logs = new Map<string, TargetLog>();
  const readsOf = new Map<string, number>();
  const log = (model: string): TargetLog => {
    let entry = logs.get(model);
    if (!entry) {
      entry = { stages: [], traffic: [], reads: [], promotes: [], compensations: [], retires: [] };
      logs.set(model, entry);
    }
    return entry;
  };
  const activities = {
    ...implementStep(rolloutStageStep, async (input) => {
      log(input.version.name).stages.push(input);
      return {
        deploymentId: `${input.version.name}-v${input.version.version}`,
        stable: firsts.has(input.version.name) ? null : STABLE,
        smokePrediction: { score: 0.7, label: 1 },
      };
    }),
    ...implementStep(rolloutTrafficStep, async (input) => {
      log(input.version.name).traffic.push(input);
      const candidate = { version: input.version.version, deploymentId: input.deploymentId };
      return {
        traffic: {
          model: input.version.name,
          stable: STABLE,
          candidate,
          weights: { stable: 100 - input.percent, candidate: input.percent },
          mode: input.mode,
        },
        windowOpenedAt: new Date().toISOString(),
      };
    }),
    ...implementStep(rolloutReadStep, async (input) => {
      log(input.version.name).reads.push(input);
      const script = scripts.get(input.version.name);
      if (!script) throw new Error(`no window script for ${input.version.name}`);
      const match = /-s(\d+)-(\d+)$/.exec(input.windowId);
      if (!match) throw new Error(`unexpected window id ${input.windowId}`);
      const read = readsOf.get(input.windowId) ?? 0;
      readsOf.set(input.windowId, read + 1);
      const window = script({
        version: input.version.version,
        step: Number(match[1]),
        attempt: Number(match[2]),
        read,
        close: input.close,
      });
      if (window.lost) return { lost: true as const, reason: `window ${input.windowId} is unknown (restarted)` };
      const readings = readingsOf(input.windowId, input.version.version, window);
      return { lost: false as const, readings, verdict: judgeStep(input.guards, readings) };
    }),
    ...implementStep(rolloutPromoteStep, async (input) => {
      log(input.version.name).promotes.push(input);
      return {
        previousVersion: STABLE.version,
        live: { version: input.version.version, deploymentId: input.deploymentId },
      };
    }),
    ...implementStep(rolloutCompensateStep, async (input) => {
      log(input.version.name).compensations.push(input);
      return { live: STABLE, aliasVersion: STABLE.version };
    }),
    ...implementStep(rolloutRetireStep, async (input) => {
      log(input.version.name).retires.push(input);
      if (failingRetires.has(input.version.name)) {
        throw ApplicationFailure.nonRetryable(`the registry refused the record of ${input.retire.deploymentId}`);
      }
      return { retired: input.retire, kept: null };
    }),
  };
  return {
    activities,
    script: (model: string, fn: WindowScript) => scripts.set(model, fn),
    firstDeployment: (model: string) => firsts.add(model),
    failRetire: (model: string) => failingRetires.add(model),
    log,
  };
}

function reading(version: number, r: Partial<VersionReading> & { requests: number }): VersionReading {
  const errors = r.errors ?? 0;
  return {
    version,
    requests: r.requests,
    errors,
    errorRate: r.requests === 0 ? null : errors / r.requests,
    p99Ms: r.p99Ms ?? (r.requests === 0 ? null : 5),
  };
}

function readingsOf(windowId: string, version: number, window: ScriptedWindow): GuardReadings {
  const candidate = reading(version, window.candidate);
  const stable = window.stable ? reading(STABLE.version, window.stable) : null;
  const ratio = stable?.p99Ms && candidate.p99Ms !== null ? candidate.p99Ms / stable.p99Ms : null;
  return {
    windowId,
    readAt: new Date().toISOString(),
    candidate,
    stable,
    baseline: stable,
    p99Ratio: ratio,
    scorePsi: null,
  };
}

/**
 * Runs a worker on the harness's task queue (start the harness with `worker: false`) whose rollout steps are
 * the scripted target's and every other step the real one (a Slipway worker refuses to replace built-in steps, so
 * this one is a plain Temporal worker). Returns its stop.
 */
export async function startScriptedWorker(
  h: Harness,
  workflowBundle: { code: string },
  scripted: ReturnType<typeof scriptedRollout>,
): Promise<() => Promise<void>> {
  const deps = embeddedDeps(h.config);
  const connection = await NativeConnection.connect({ address: h.config.temporal.address });
  await ensureSearchAttributes(connection, h.config.temporal.namespace);
  const worker = await Worker.create({
    connection,
    namespace: h.config.temporal.namespace,
    taskQueue: h.config.taskQueue,
    workflowBundle,
    activities: { ...createActivities(deps), ...scripted.activities },
    shutdownGraceTime: '1s',
  });
  const running = worker.run();
  return async () => {
    worker.shutdown();
    await running;
    await deps.registry.close();
    await connection.close();
  };
}

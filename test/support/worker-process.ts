/**
 * A `slipway worker` child process for a harness (its home, task queue, dataset roots, model server and people),
 * running the suite's prebuilt bundle of the built-in workflows: what the crash tests kill with SIGKILL.
 */
import { inject } from 'vitest';
import type { Harness } from './harness.js';
import { SLIPWAY_CLI, spawnNode, type Child } from './processes.js';
import { eventually } from './waits.js';

/** Starts `slipway worker` for `h` (with `env` added); it is killed if the test process exits. */
export function startWorkerProcess(h: Harness, env: NodeJS.ProcessEnv = {}): Child {
  const { config } = h;
  return spawnNode(
    SLIPWAY_CLI,
    [
      ...['--address', config.temporal.address, '--home', config.home, '--task-queue', config.taskQueue],
      // The run's prebuilt bundle, as `slipway bundle` writes it: no webpack at each (re)start.
      ...['worker', '--workflow-bundle', inject('builtinBundlePath')],
    ],
    // The harness's dataset roots, and its model server: the worker deploys there (and nowhere else) with the
    // home's token. The harness's signed directory of people verifies the runs' signed starts.
    {
      SLIPWAY_DATA_ROOTS: config.data.roots.join(','),
      SLIPWAY_MODEL_SERVER: config.modelServer.url,
      ...h.people?.env,
      ...env,
    },
  );
}

/** Waits until the worker says it polls its task queue; fails with its output if it exits first. */
export async function workerPolling(worker: Child, timeoutMs = 60_000): Promise<void> {
  await eventually(
    'the worker polling',
    () => {
      if (worker.process.exitCode !== null || worker.process.signalCode !== null) {
        throw new Error(`the worker exited:\n${worker.output().slice(-4000)}`);
      }
      return Promise.resolve(worker.output().includes('worker polling') ? true : undefined);
    },
    timeoutMs,
  );
}

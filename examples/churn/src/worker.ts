/**
 * Runs a worker for the churn example until Ctrl-C: `npm run worker` in `examples/churn`, where `slipway dev` and
 * `slipway serve` run too (they share its `.slipway` state and the model server token; see README.md). It reads
 * its configuration as `slipway worker` does: `slipway.config.json` in the working directory, then the environment.
 */
import { loadConfig } from '@slipway/worker';
import { createChurnWorker } from './churn-worker.js';

const config = loadConfig();
const worker = await createChurnWorker(config);
console.log(`churn worker polling ${config.taskQueue} on ${config.temporal.address}; Ctrl-C to stop`);
await worker.run();

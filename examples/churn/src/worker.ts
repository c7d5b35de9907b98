/**
 * Runs a worker for the churn example until Ctrl-C: `npm run worker -w examples/churn` (after
 * `slipway dev` has started a Temporal dev server).
 */
import { loadConfig } from '@slipway/worker';
import { createChurnWorker } from './churn-worker.js';

const config = loadConfig();
const worker = await createChurnWorker(config);
console.log(`churn worker polling ${config.taskQueue} on ${config.temporal.address}; Ctrl-C to stop`);
await worker.run();

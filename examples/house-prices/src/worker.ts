/**
 * Runs a worker for the house-prices example until Ctrl-C: `npm run worker` in `examples/house-prices`, where
 * `slipway dev` and `slipway serve` run too (they share its `.slipway` state and the model server token; see
 * README.md). It reads its configuration as `slipway worker` does (`slipway.config.json` in the working directory,
 * then the environment) and adds the Python trainer.
 */
import { loadConfig } from '@slipway/worker';
import { createHousePricesWorker, TRAINER_NAME } from './house-prices-worker.js';

const config = loadConfig();
const worker = await createHousePricesWorker(config, { onProgress: (message) => console.log(message) });
console.log(
  `worker with trainer ${TRAINER_NAME} polling ${config.taskQueue} on ${config.temporal.address}; Ctrl-C to stop`,
);
await worker.run();

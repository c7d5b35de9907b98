/**
 * Runs a worker for the scikit-learn churn example until Ctrl-C: `npm run worker` in `examples/sklearn-churn`, where
 * `slipway dev` and `slipway serve` run too (they share its `.slipway` state and the model server token; see
 * README.md). It reads its configuration as `slipway worker` does (`slipway.config.json` in the working directory,
 * then the environment) and adds the Python trainer.
 */
import { loadConfig } from '@slipway/worker';
import { createSklearnChurnWorker, TRAINER_NAME } from './sklearn-churn-worker.js';

const config = loadConfig();
const worker = await createSklearnChurnWorker(config, { onProgress: (message) => console.log(message) });
console.log(
  `worker with trainer ${TRAINER_NAME} polling ${config.taskQueue} on ${config.temporal.address}; Ctrl-C to stop`,
);
await worker.run();

/**
 * The custom train step's implementation, as user code writes it with `defineActivities`: reads the pinned
 * dataset below the worker's dataset roots, holds out a split, trains (the logistic regression stands in for the
 * team's own code), records its epochs and scores the held-out rows, all inside `trackTraining`.
 */
import {
  builtinTrainers,
  datasetSourceOpener,
  defineActivities,
  implementStep,
  trackTraining,
  type TypedRow,
} from '@slipway/activities';
import { readCsvRows } from '@slipway/activities/data';
import {
  binaryClassificationMetrics,
  builtinPredictors,
  labelsOf,
  resolveBinaryTarget,
  splitRows,
} from '@slipway/activities/train';
import { acmeTrainStep } from './steps.js';

/** The activities of the custom pipeline (the built-in validate and register come with the worker). */
export const acmeActivities = defineActivities((deps) => {
  const openSource = datasetSourceOpener(deps);
  return implementStep(acmeTrainStep, async (input) => {
    const rows: TypedRow[] = [];
    for await (const event of readCsvRows(input.dataset.uri, { schema: input.schema, openSource })) {
      if (event.ok && event.row[input.features.target] !== null) rows.push(event.row);
    }
    const tracking = { codeVersion: 'acme-train 1.0' };
    return trackTraining(
      deps.registry,
      input,
      async (run) => {
        const { train, test } = splitRows(rows, input.testFraction, input.seed);
        const trainer = builtinTrainers['logistic-regression'];
        if (!trainer) throw new Error('no logistic-regression trainer');
        const signal = new AbortController().signal;
        const context = { checkpoint: undefined, progress: () => undefined, signal, epochs: run.epochs };
        const result = await trainer.train(
          { rows: train, features: input.features, params: input.params, seed: input.seed },
          context,
        );
        const predictor = await builtinPredictors[result.model.kind]!(result.model, { artifacts: deps.artifacts });
        const target = resolveBinaryTarget(
          input.features.target,
          rows.map((row) => row[input.features.target]),
        );
        const outputs = await predictor.predict(test);
        const scores = outputs.map((o) => ('probabilities' in o ? (o.probabilities[1] ?? Number.NaN) : Number.NaN));
        const metrics = binaryClassificationMetrics(labelsOf(target, test), scores);
        return {
          model: await deps.artifacts.putJson(result.model),
          trainer: input.trainer,
          params: result.params,
          metrics,
          trainRows: train.length,
          testRows: test.length,
          resumedFromEpoch: 0,
          codeVersion: tracking.codeVersion,
        };
      },
      tracking,
    );
  });
});

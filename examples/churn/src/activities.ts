import { ApplicationFailure } from '@temporalio/common';
import {
  builtinPredictors,
  implementStep,
  type ArtifactStore,
  type SerializedModel,
  type SourceOpener,
  type TypedRow,
} from '@slipway/activities';
import { readCsvRows } from '@slipway/activities/data';
import { auc, labelsOf, resolveBinaryTarget } from '@slipway/activities/train';
import { SlipwayErrorType, finalFailure, type StepParsedInput } from '@slipway/sdk';
import { SEGMENT_BELOW_THRESHOLD, segmentAucStep } from './steps.js';

/**
 * The example's activities: its one custom step, bound to its implementation. It reads its dataset through
 * `openSource`, as the built-in steps do: pass `datasetSourceOpener(deps)` so it reads only below the dataset roots.
 */
export function createChurnActivities(deps: { artifacts: ArtifactStore; openSource: SourceOpener }) {
  return implementStep(segmentAucStep, (input) => segmentAuc(deps, input));
}

async function segmentAuc(
  { artifacts, openSource }: { artifacts: ArtifactStore; openSource: SourceOpener },
  input: StepParsedInput<typeof segmentAucStep>,
) {
  const model = await artifacts.getJson<SerializedModel>(input.model);
  const load = builtinPredictors[model.kind];
  if (!load) throw finalFailure(SlipwayErrorType.NotFound, `no predictor for model kind "${model.kind}"`);
  const predictor = await load(model, { artifacts });
  const bySegment = await readSegments(input, openSource);
  const all = [...bySegment.values()].flat();
  const target = resolveBinaryTarget(
    input.target,
    all.map((row) => row[input.target]),
  );
  const segments: { segment: string; rows: number; auc: number }[] = [];
  for (const [segment, rows] of bySegment.entries()) {
    if (rows.length < input.minSegmentRows) continue;
    const outputs = await predictor.predict(rows);
    const scores = outputs.map((o) => ('probabilities' in o ? (o.probabilities[1] ?? Number.NaN) : Number.NaN));
    const value = auc(labelsOf(target, rows), scores);
    if (value !== undefined) segments.push({ segment, rows: rows.length, auc: value });
  }
  segments.sort((a, b) => a.auc - b.auc);
  const worst = segments[0];
  if (!worst)
    throw finalFailure(
      SlipwayErrorType.ValidationFailed,
      `no segment of ${input.segmentColumn} has ${input.minSegmentRows} rows`,
    );
  if (worst.auc < input.minSegmentAuc) {
    throw ApplicationFailure.nonRetryable(
      `segment ${input.segmentColumn}=${worst.segment} has AUC ${worst.auc.toFixed(3)}, below the bar of ${input.minSegmentAuc}`,
      SEGMENT_BELOW_THRESHOLD,
      { segments },
    );
  }
  return { segments, worst: { segment: worst.segment, auc: worst.auc } };
}

async function readSegments(
  input: StepParsedInput<typeof segmentAucStep>,
  openSource: SourceOpener,
): Promise<Map<string, TypedRow[]>> {
  const bySegment = new Map<string, TypedRow[]>();
  for await (const event of readCsvRows(input.dataset.uri, { schema: input.schema, openSource })) {
    if (!event.ok || event.row[input.target] === null) continue;
    const segment = String(event.row[input.segmentColumn]);
    const rows = bySegment.get(segment) ?? [];
    rows.push(event.row);
    bySegment.set(segment, rows);
  }
  return bySegment;
}

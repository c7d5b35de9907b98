import { createModelServerClient, type TypedRow } from '@slipway/activities';
import { readCsvRows } from '@slipway/activities/data';
import { RowSchema, type FeatureRow, type PredictAnswer } from '@slipway/sdk';

/** One scored customer. */
export interface ScoredCustomer {
  customer: string;
  /** The probability that the customer churns. */
  score: number;
  /** The class predicted at threshold 0.5, as the target column holds it. */
  label: string | number | boolean;
}

/** The churn score and label of one prediction; the churn model is a binary classifier, anything else is refused. */
function churnScore(answer: PredictAnswer, i: number): { score: number; label: string | number | boolean } {
  const p = answer.predictions[i];
  if (answer.task !== 'binary' || p?.score === undefined || p.label === undefined) {
    throw new Error(
      `model ${answer.model} v${answer.version} answered as a ${answer.task} model; the churn demo needs a binary one`,
    );
  }
  return { score: p.score, label: p.label };
}

/** Reads the serving dataset's feature rows (the columns the model uses, plus the customer id). */
export async function readServingRows(uri: string, schema: unknown, columns: readonly string[]): Promise<TypedRow[]> {
  const rows: TypedRow[] = [];
  for await (const event of readCsvRows(uri, { schema: RowSchema.parse(schema) })) {
    if (event.ok) rows.push(Object.fromEntries(['customer_id', ...columns].map((c) => [c, event.row[c] ?? null])));
  }
  return rows;
}

/**
 * Sends rows to the model server's predict endpoint in batches (logged as served traffic); returns every
 * prediction. A refused request or an unexpected answer throws the typed client's failure.
 */
export async function sendTraffic(
  serverUrl: string,
  model: string,
  rows: readonly TypedRow[],
  batchSize = 50,
): Promise<ScoredCustomer[]> {
  const client = createModelServerClient(serverUrl);
  const scored: ScoredCustomer[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const instances: FeatureRow[] = batch.map(({ customer_id: _id, ...features }) => features);
    const answer = await client.predict(model, instances);
    batch.forEach((row, i) => scored.push({ customer: String(row.customer_id), ...churnScore(answer, i) }));
  }
  return scored;
}

/** Requests sent while a rollout ran, those that failed, and the answers by the version that gave them. */
export interface TrafficTally {
  sent: number;
  failed: number;
  byVersion: Map<number, number>;
}

/**
 * Sends one customer at a time (the serving rows in turn) every `intervalMs` (about 50 requests a second by
 * default) until `done` settles: bounded traffic for a rollout to measure. A failed request is counted, not thrown.
 */
export async function sendTrafficUntil(
  serverUrl: string,
  model: string,
  rows: readonly TypedRow[],
  done: Promise<unknown>,
  intervalMs = 20,
): Promise<TrafficTally> {
  if (rows.length === 0) throw new Error('no serving rows to send: the serving dataset is empty');
  const client = createModelServerClient(serverUrl);
  const tally: TrafficTally = { sent: 0, failed: 0, byVersion: new Map<number, number>() };
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  while (!finished) {
    const { customer_id: _id, ...features } = rows[tally.sent % rows.length] as TypedRow;
    tally.sent += 1;
    try {
      const answer = await client.predict(model, [features]);
      tally.byVersion.set(answer.version, (tally.byVersion.get(answer.version) ?? 0) + 1);
    } catch {
      tally.failed += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return tally;
}

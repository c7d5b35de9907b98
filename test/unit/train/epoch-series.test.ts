import { describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import type { TrainingProgress } from '../../../packages/activities/src/ports.js';
import {
  MAX_EPOCH_METRICS,
  TRAIN_LOSS_METRIC,
  createEpochSeries,
  createLogisticRegressionTrainer,
  type EpochSeries,
} from '../../../packages/activities/src/train/index.js';
import { customerRows, customerFeatures, customers } from './synthetic.js';

/** Records `loss = 1 / (epoch + 1)` for the epochs the series wants, from `from` to `to`, and always `to`. */
function feed(series: EpochSeries, from: number, to: number): number {
  let wanted = 0;
  for (let epoch = from; epoch < to; epoch++) {
    if (!series.wants(epoch)) continue;
    wanted++;
    series.record(epoch, { loss: 1 / (epoch + 1) });
  }
  series.record(to, { loss: 1 / (to + 1) });
  return wanted;
}

const stepsOf = (series: EpochSeries, key = 'loss') => (series.points().get(key) ?? []).map((p) => p.step);

describe('epoch series', () => {
  it('keeps every epoch while the series fits its budget', () => {
    const series = createEpochSeries({ maxPoints: 500 });
    feed(series, 0, 300);
    expect(stepsOf(series)).toEqual(Array.from({ length: 301 }, (_, i) => i));
    expect(series.points().get('loss')?.[10]).toEqual({ step: 10, value: 1 / 11 });
  });

  it('stays within its budget over 100,000 epochs: evenly spaced points, the last epoch included', () => {
    const series = createEpochSeries({ maxPoints: 500 });
    const wanted = feed(series, 0, 100_000);
    const steps = stepsOf(series);
    expect(steps.length).toBeLessThanOrEqual(501);
    expect(steps.length).toBeGreaterThan(250);
    expect(steps.at(-1)).toBe(100_000);
    const gaps = new Set(steps.slice(1, -1).map((s, i) => s - (steps[i] as number)));
    expect(gaps.size).toBe(1); // one stride between all points but the last
    // Only the epochs the series keeps get computed: a few thousand of 100,000.
    expect(wanted).toBeLessThan(3000);
    expect(JSON.stringify(series.state()).length).toBeLessThan(20_000);
  });

  it('shares the budget between metrics', () => {
    const series = createEpochSeries({ maxPoints: 100 });
    for (let epoch = 0; epoch <= 1000; epoch++) series.record(epoch, { a: epoch, b: -epoch });
    const total = [...series.points().values()].reduce((n, points) => n + points.length, 0);
    expect(total).toBeLessThanOrEqual(102);
    expect(stepsOf(series, 'a')).toEqual(stepsOf(series, 'b'));
  });

  it('continues from a heartbeated state exactly as an uninterrupted series would', () => {
    const uninterrupted = createEpochSeries({ maxPoints: 64 });
    feed(uninterrupted, 0, 5000);
    for (const crashAt of [0, 63, 64, 65, 777, 4096]) {
      const before = createEpochSeries({ maxPoints: 64 });
      for (let epoch = 0; epoch < crashAt; epoch++)
        if (before.wants(epoch)) before.record(epoch, { loss: 1 / (epoch + 1) });
      const state = JSON.parse(JSON.stringify(before.state() ?? null)) as unknown;
      const resumed = createEpochSeries({ maxPoints: 64, resume: state });
      feed(resumed, crashAt, 5000);
      expect(resumed.points(), `crash at epoch ${crashAt}`).toEqual(uninterrupted.points());
    }
  });

  it('starts again from an epoch recorded a second time (a run restarted from an earlier checkpoint)', () => {
    const series = createEpochSeries({ maxPoints: 8 });
    feed(series, 0, 100);
    series.record(40, { loss: 7 });
    expect(stepsOf(series).at(-1)).toBe(40);
    expect(series.points().get('loss')?.at(-1)).toEqual({ step: 40, value: 7 });
    series.record(0, { loss: 1 });
    expect(series.state()).toEqual({ stride: 1, series: { loss: [[0, 1]] } });
  });

  it('skips non-finite values and refuses bad metric names, too many metrics and bad epochs', () => {
    const series = createEpochSeries();
    series.record(1, { loss: Number.NaN, other: Number.POSITIVE_INFINITY });
    expect(series.state()).toBeUndefined();
    expect(() => series.record(2, { 'bad name!': 1 })).toThrow(/"bad name!" is not a valid metric name/);
    expect(() => series.record(-1, { loss: 1 })).toThrow(/epoch must be an integer/);
    const many = Object.fromEntries(Array.from({ length: MAX_EPOCH_METRICS + 1 }, (_, i) => [`m${i}`, i]));
    try {
      series.record(3, many);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ type: SlipwayErrorType.InvalidInput, nonRetryable: true });
      expect((err as Error).message).toContain(`at most ${MAX_EPOCH_METRICS} metrics`);
    }
  });

  it('starts empty from a state it cannot take', () => {
    for (const resume of [
      undefined,
      'x',
      { stride: 0, series: {} },
      { stride: 2, series: { 'bad name!': [[2, 1]] } },
    ]) {
      expect(createEpochSeries({ resume }).state()).toBeUndefined();
    }
  });
});

describe('logistic-regression trainer: epoch metrics', () => {
  it('records the training loss of every epoch, equal bit for bit to the loss it reports as progress', async () => {
    const trainer = createLogisticRegressionTrainer({ progressIntervalMs: 0 });
    const series = createEpochSeries();
    const progress: TrainingProgress[] = [];
    const rows = customerRows(customers(300));
    const context = {
      checkpoint: undefined,
      progress: (p: TrainingProgress) => progress.push(p),
      signal: new AbortController().signal,
      epochs: series,
    };
    await trainer.train({ rows, features: { ...customerFeatures }, params: { epochs: 40 }, seed: 1 }, context);
    const points = series.points().get(TRAIN_LOSS_METRIC) ?? [];
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 41 }, (_, i) => i));
    expect(points[0]?.value).toBeCloseTo(Math.LN2, 12);
    // Progress reports the loss after epochs 1 … 40; the series has the same values at the same epochs.
    const reported = new Map(progress.map((p) => [p.epoch, p.loss]));
    for (const point of points.slice(1)) expect(point.value).toBe(reported.get(point.step));
  });

  it('computes the loss only for the epochs the series wants, and always for the last one', async () => {
    const recorded: number[] = [];
    const epochs = { wants: (epoch: number) => epoch % 10 === 0, record: (epoch: number) => recorded.push(epoch) };
    const rows = customerRows(customers(100));
    const context = { checkpoint: undefined, progress: () => undefined, signal: new AbortController().signal, epochs };
    await createLogisticRegressionTrainer().train(
      { rows, features: { ...customerFeatures }, params: { epochs: 35 }, seed: 1 },
      context,
    );
    expect(recorded).toEqual([0, 10, 20, 30, 35]);
  });
});

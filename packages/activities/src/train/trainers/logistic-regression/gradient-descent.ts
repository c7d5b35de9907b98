/**
 * Full-batch gradient descent for L2-regularized logistic regression on typed arrays. Each epoch is a pure
 * function of the weights before it, so a run resumed from a checkpoint (epoch + weights) ends with exactly
 * the weights of an uninterrupted run.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { throwIfAborted } from '../../../data/activity-context.js';
import { dot, sigmoid } from './model.js';

/** The training data: encoded rows (bias in column 0) and 0/1 labels. */
export interface GradientDescentData {
  x: Float64Array;
  y: Uint8Array;
  rows: number;
  dimension: number;
}

/** Hyper-parameters of the descent. */
export interface GradientDescentParams {
  epochs: number;
  learningRate: number;
  l2: number;
}

/** Called with the state after `epoch` epochs; `weights` is a copy the callee may keep. */
export type EpochReporter = (epoch: number, weights: number[], loss: number) => void;

/**
 * Where the descent records the loss after each epoch it is asked for: `wants(epoch)` before the pass over the
 * data that starts from the weights after `epoch` epochs; when true, that pass also computes their loss
 * (nearly free) and gives it to `record`. The loss after the last epoch is always recorded.
 */
export interface EpochLossRecorder {
  wants(epoch: number): boolean;
  record(epoch: number, loss: number): void;
}

/** How the descent runs alongside everything else in the process. */
export interface DescentControl {
  signal: AbortSignal;
  report: EpochReporter;
  /** Report at most this often (ms); the final state is always reported. */
  reportIntervalMs: number;
  /** Yield to the event loop at least this often (ms), so heartbeats and cancellation get through. */
  yieldIntervalMs: number;
  /** Records the loss per epoch (sampled by the recorder); nothing is computed for it when absent. */
  epochLoss?: EpochLossRecorder;
  now?: () => number;
}

/** The loss of one example with logit `z` and label `y`: `log(1 + e^z) − y·z`, computed stably. */
function exampleLoss(z: number, y: number): number {
  return (z >= 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y * z;
}

function penalty(weights: ArrayLike<number>, l2: number): number {
  let sum = 0;
  for (let j = 1; j < weights.length; j++) sum += (weights[j] as number) ** 2;
  return (l2 / 2) * sum;
}

/** Mean log loss plus the L2 penalty (the bias is not penalized) at the given weights. */
export function regularizedLoss(data: GradientDescentData, weights: ArrayLike<number>, l2: number): number {
  let loss = 0;
  for (let i = 0; i < data.rows; i++)
    loss += exampleLoss(dot(weights, data.x, i * data.dimension), data.y[i] as number);
  return loss / data.rows + penalty(weights, l2);
}

/**
 * One epoch: computes the gradient at `weights` into `grad` and takes one step, in place. With `withLoss`,
 * the same pass also sums the loss, and the step returns {@link regularizedLoss} at the weights it started
 * from (bit for bit); otherwise it returns `NaN`.
 */
export function descentStep(
  data: GradientDescentData,
  weights: Float64Array,
  grad: Float64Array,
  params: GradientDescentParams,
  withLoss = false,
): number {
  const { x, y, rows, dimension } = data;
  grad.fill(0);
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const offset = i * dimension;
    const z = dot(weights, x, offset);
    const label = y[i] as number;
    if (withLoss) loss += exampleLoss(z, label);
    const error = sigmoid(z) - label;
    for (let j = 0; j < dimension; j++) grad[j] = (grad[j] as number) + error * (x[offset + j] as number);
  }
  const before = withLoss ? loss / rows + penalty(weights, params.l2) : Number.NaN;
  for (let j = 0; j < dimension; j++) {
    const regularization = j === 0 ? 0 : params.l2 * (weights[j] as number);
    weights[j] = (weights[j] as number) - params.learningRate * ((grad[j] as number) / rows + regularization);
  }
  return before;
}

/**
 * Runs epochs `startEpoch … params.epochs` from `startWeights`, reporting progress every
 * `reportIntervalMs` and once at the end (after the last epoch), recording the loss of the epochs
 * `epochLoss` wants, and yielding to the event loop every `yieldIntervalMs`. Throws the abort reason when
 * `signal` aborts.
 */
export async function runGradientDescent(
  data: GradientDescentData,
  params: GradientDescentParams,
  start: { epoch: number; weights: readonly number[] },
  control: DescentControl,
): Promise<{ weights: number[]; loss: number }> {
  const now = control.now ?? Date.now;
  const weights = Float64Array.from(start.weights);
  const grad = new Float64Array(data.dimension);
  let lastYield = now();
  let lastReport = lastYield;
  for (let epoch = start.epoch; epoch < params.epochs;) {
    throwIfAborted(control.signal);
    const withLoss = control.epochLoss?.wants(epoch) ?? false;
    const lossBefore = descentStep(data, weights, grad, params, withLoss);
    if (withLoss) control.epochLoss?.record(epoch, lossBefore);
    epoch++;
    const t = now();
    if (t - lastYield >= control.yieldIntervalMs) {
      await yieldToEventLoop();
      lastYield = now();
    }
    if (t - lastReport >= control.reportIntervalMs && epoch < params.epochs) {
      control.report(epoch, Array.from(weights), regularizedLoss(data, weights, params.l2));
      lastReport = t;
    }
  }
  throwIfAborted(control.signal);
  const loss = regularizedLoss(data, weights, params.l2);
  const last = Math.max(start.epoch, params.epochs);
  control.epochLoss?.record(last, loss);
  control.report(last, Array.from(weights), loss);
  return { weights: Array.from(weights), loss };
}

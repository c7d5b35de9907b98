/**
 * What each metric Slipway computes is for: whether higher or lower is better, and which metrics belong to a task.
 * The one place the evidence packet, the approval gate's auto-approve rule, the acting activities and the CLI read
 * a metric's direction from. Pure: safe in workflow code.
 */
import type { AutoApproveRule, EvidencePacket, MetricComparison } from './schemas/approval.js';
import type { Metrics, ModelTask } from './schemas/model.js';

/** Whether a higher or a lower value of a metric is better. */
export const MetricGoal = { higher: 'higher', lower: 'lower' } as const;
/** Whether a higher or a lower value of a metric is better. */
export type MetricGoal = (typeof MetricGoal)[keyof typeof MetricGoal];

/** The goal of every metric Slipway knows, by its name in `Metrics`. */
export const METRIC_GOALS: Readonly<Record<string, MetricGoal>> = Object.freeze({
  auc: MetricGoal.higher,
  accuracy: MetricGoal.higher,
  f1: MetricGoal.higher,
  precision: MetricGoal.higher,
  recall: MetricGoal.higher,
  macroF1: MetricGoal.higher,
  r2: MetricGoal.higher,
  logLoss: MetricGoal.lower,
  rmse: MetricGoal.lower,
  mae: MetricGoal.lower,
  mape: MetricGoal.lower,
});

/** The held-out metrics Slipway computes for each task, the headline metric first. */
export const TASK_METRICS: Readonly<Record<ModelTask, readonly string[]>> = Object.freeze({
  binary: ['auc', 'accuracy', 'logLoss', 'f1', 'precision', 'recall'],
  multiclass: ['accuracy', 'macroF1', 'logLoss'],
  regression: ['rmse', 'mae', 'r2', 'mape'],
});

/** The goal of a metric, or undefined when Slipway does not know the metric. */
export function metricGoal(metric: string): MetricGoal | undefined {
  return Object.hasOwn(METRIC_GOALS, metric) ? METRIC_GOALS[metric] : undefined;
}

/** The metric names Slipway knows, sorted: for messages. */
export function knownMetrics(): string[] {
  return Object.keys(METRIC_GOALS).sort();
}

/**
 * How much better `candidate` is than `champion` on a metric of the given goal: positive when better, negative
 * when worse (for a lower-is-better metric, `champion − candidate`).
 */
export function improvementOf(goal: MetricGoal, candidate: number, champion: number): number {
  return goal === MetricGoal.lower ? champion - candidate : candidate - champion;
}

/** One metric of the candidate next to the champion's: the change and whether it is better or worse. */
export function compareMetric(
  metric: string,
  goal: MetricGoal,
  candidate: number | undefined,
  champion: number | undefined,
): MetricComparison {
  const both = candidate !== undefined && champion !== undefined;
  const delta = both ? candidate - champion : null;
  const improvement = both ? improvementOf(goal, candidate, champion) : null;
  const verdict = improvement === null ? null : improvement > 0 ? 'better' : improvement < 0 ? 'worse' : 'same';
  return { metric, goal, candidate: candidate ?? null, champion: champion ?? null, delta, verdict };
}

/**
 * The candidate next to the champion on the metrics of the task, in the task's order: every metric of the task
 * that either side has (a side without it shows `null`, and no verdict). Metrics outside the task are left out.
 */
export function compareTaskMetrics(task: ModelTask, candidate: Metrics, champion: Metrics | null): MetricComparison[] {
  const theirs = champion ?? {};
  return TASK_METRICS[task]
    .filter((metric) => metric in candidate || metric in theirs)
    .map((metric) =>
      compareMetric(metric, METRIC_GOALS[metric] ?? MetricGoal.higher, candidate[metric], theirs[metric]),
    );
}

/**
 * What is wrong with an auto-approve rule, or undefined when it is sound: the metric must be one Slipway knows
 * (its direction comes from {@link METRIC_GOALS}), and `lowerIsBetter: true` on a higher-is-better metric is a
 * contradiction. Checked when the policy is (client start, and the gate's `checkPolicy`).
 */
export function autoApproveRuleProblem(rule: Pick<AutoApproveRule, 'metric' | 'lowerIsBetter'>): string | undefined {
  const goal = metricGoal(rule.metric);
  if (goal === undefined) {
    return `approval.autoApprove.metric: "${rule.metric}" is not a metric Slipway knows the direction of (known: ${knownMetrics().join(', ')})`;
  }
  if (rule.lowerIsBetter === true && goal === MetricGoal.higher) {
    return `approval.autoApprove.lowerIsBetter: ${rule.metric} is a higher-is-better metric, so lowerIsBetter cannot be true (leave it out: the direction comes from the metric)`;
  }
  return undefined;
}

/**
 * The task's metrics of an evidence packet, candidate next to champion: the packet's own `comparison`, or (for a
 * packet built before tasks) the same comparison made from its metrics as a binary classifier's.
 */
export function evidenceComparison(
  evidence: Pick<EvidencePacket, 'candidate' | 'champion' | 'task' | 'comparison'>,
): MetricComparison[] {
  return (
    evidence.comparison ??
    compareTaskMetrics(evidence.task ?? 'binary', evidence.candidate.metrics, evidence.champion?.metrics ?? null)
  );
}

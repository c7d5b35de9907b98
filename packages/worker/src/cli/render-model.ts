/**
 * Terminal rendering of registered models, their lineage and the audit trail (`slipway models …`,
 * `slipway audit …`).
 */
import type {
  ApprovalRecord,
  AuditEntry,
  DeploymentRecord,
  ModelSummary,
  ModelVersionRecord,
} from '@slipway/activities';
import type { ArtifactRef } from '@slipway/sdk';
import Table from 'cli-table3';
import pc from 'picocolors';
import { TABLE_STYLE } from './render.js';

/** Registered models as a table: name, latest version, number of versions, aliases. */
export function renderModelList(models: readonly ModelSummary[]): string {
  if (models.length === 0) return 'No models are registered yet.';
  const table = new Table({ style: TABLE_STYLE, head: ['model', 'latest', 'versions', 'aliases'] });
  for (const model of models) {
    const aliases = Object.entries(model.aliases)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([alias, version]) => `${alias} → v${version}`)
      .join(', ');
    table.push([model.name, `v${model.latestVersion}`, String(model.versions), aliases || '—']);
  }
  return table.toString();
}

/** What {@link renderModelVersion} shows besides the record. */
export interface ModelVersionExtras {
  /** The version's audit entries, oldest first. */
  history?: readonly AuditEntry[];
  /** The model card stored when the version was registered. */
  modelCard?: ArtifactRef;
}

/**
 * One version with its whole lineage: artifact, dataset and digest, validation report, profile, features,
 * trainer and parameters, code version, workflow and run, metrics, approvals with every decision, deployments
 * and rollbacks, then its audit trail.
 */
export function renderModelVersion(record: ModelVersionRecord, extras: ModelVersionExtras = {}): string {
  const aliases = record.aliases.length > 0 ? `  ${pc.green(record.aliases.join(', '))}` : '';
  return [
    `${pc.bold(`${record.name} v${record.version}`)}${aliases}  registered ${record.createdAt}`,
    fields([
      ['artifact', artifactLine(record.artifact)],
      ...(extras.modelCard ? ([['model card', artifactLine(extras.modelCard)]] as const) : []),
    ]),
    section('lineage', lineageFields(record)),
    section('metrics', metricsTable(record.metrics)),
    section('approvals', renderApprovals(record.approvals)),
    section('deployments', renderDeployments(record.deployments)),
    ...(extras.history ? [section('audit trail', renderAuditTrail(extras.history))] : []),
  ].join('\n');
}

function metricsLine(metrics: Record<string, number>): string {
  const entries = Object.entries(metrics);
  return entries.length === 0 ? 'none reported' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}

function lineageFields(record: ModelVersionRecord): string {
  const { lineage } = record;
  const { features } = lineage;
  return fields([
    ['dataset', lineage.datasetUri],
    ['digest', lineage.datasetDigest],
    ['validation', artifactLine(lineage.validationReport)],
    ['profile', artifactLine(lineage.profile)],
    ['trainer', lineage.trainer],
    ['params', paramsLine(lineage.params)],
    [
      'features',
      `target ${features.target}; numeric ${features.numeric.join(', ') || '—'}; categorical ${features.categorical.join(', ') || '—'}`,
    ],
    ['code', lineage.codeVersion],
    ...(lineage.external
      ? ([
          ['workflow', 'none: trained outside Slipway, imported'],
          [
            'onnx',
            lineage.external.fileName === undefined
              ? lineage.external.onnxDigest
              : `${lineage.external.fileName} (${lineage.external.onnxDigest})`,
          ],
          ['trainer metrics', metricsLine(lineage.external.trainerMetrics)],
          ['unknown', lineage.external.unknown.join(', ')],
        ] as const)
      : ([
          ['workflow', lineage.workflowId],
          ['run', lineage.temporalRunId],
        ] as const)),
    ...(record.trackingRunId ? ([['training', `tracking run ${record.trackingRunId}`]] as const) : []),
  ]);
}

function paramsLine(params: Record<string, unknown>): string {
  const entries = Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length > 0 ? entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') : '—';
}

function metricsTable(metrics: Record<string, number>): string {
  const entries = Object.entries(metrics).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '  none recorded';
  const width = Math.max(...entries.map(([name]) => name.length));
  return entries.map(([name, value]) => `  ${name.padEnd(width)}  ${value.toFixed(4)}`).join('\n');
}

/** Approvals: outcome, evidence and every decision with its approver and comment. */
export function renderApprovals(approvals: readonly ApprovalRecord[]): string {
  if (approvals.length === 0) return '  none recorded';
  return approvals
    .map((approval) => {
      const head = `  ${colourOutcome(approval.outcome)} ${approval.recordedAt}  evidence ${approval.evidenceDigest}`;
      const decisions = approval.decisions.map(
        (d) =>
          `    ${d.decision === 'approve' ? pc.green('✔ approved') : pc.red('✖ rejected')} by ${d.approver} (${d.via}) at ${d.at}${d.comment ? `: "${d.comment}"` : ''}`,
      );
      return [head, ...decisions, pc.dim(`    workflow ${approval.workflowId} run ${approval.runId}`)].join('\n');
    })
    .join('\n');
}

/** How each deployment status is coloured: serving green, a normal end (retired) yellow, a failure red. */
const DEPLOYMENT_COLOUR = {
  deployed: pc.green,
  retired: pc.yellow,
  failed: pc.red,
  rolled_back: pc.red,
} as const satisfies Record<DeploymentRecord['status'], (text: string) => string>;

/**
 * Deployments, rollbacks and retirements, oldest first. A retired record says what replaced the version in its
 * detail; the others name the version that served before.
 */
export function renderDeployments(deployments: readonly DeploymentRecord[]): string {
  if (deployments.length === 0) return '  not deployed';
  return deployments
    .map((d) => {
      const status = DEPLOYMENT_COLOUR[d.status](d.status.replace('_', ' '));
      const previous =
        d.status === 'retired'
          ? 'no longer live'
          : d.previousVersion === null
            ? 'none before'
            : `previous v${d.previousVersion}`;
      const detail = d.detail ? `: ${d.detail}` : '';
      return `  ${status} ${d.recordedAt}  ${d.alias} at ${d.serverUrl} (${previous})  ${pc.dim(d.deploymentId)}${detail}`;
    })
    .join('\n');
}

/** Audit entries as a table: line, time, kind, model and version, actor, what changed. */
export function renderAuditTrail(entries: readonly AuditEntry[]): string {
  if (entries.length === 0) return '  no entries';
  const table = new Table({ style: TABLE_STYLE, head: ['#', 'at', 'kind', 'model', 'actor', 'change'] });
  for (const entry of entries) {
    table.push([
      String(entry.seq),
      entry.at,
      entry.kind,
      entry.model === undefined ? '—' : `${entry.model} v${entry.version ?? '?'}`,
      entry.actor ?? '—',
      describeAuditEntry(entry),
    ]);
  }
  return table.toString();
}

/** What an audit entry changed, in a few words. */
export function describeAuditEntry(entry: AuditEntry): string {
  const data = entry.data;
  const str = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const version = (value: unknown) => (typeof value === 'number' ? `v${value}` : 'none');
  switch (entry.kind) {
    case 'register':
      return `registered, artifact ${short(str((data.artifact as { digest?: unknown } | undefined)?.digest))}`;
    case 'alias':
      return `${str(data.alias)} → v${entry.version} (was ${version(data.previous)})${data.reconciled ? ', reconciled' : ''}`;
    case 'approval':
      return `${str(data.outcome)}, evidence ${short(str(data.evidenceDigest))}`;
    case 'deployment':
      return `${str(data.status)} as ${str(data.alias)} at ${str(data.serverUrl)} (previous ${version(data.previousVersion)})${data.detail ? `: ${str(data.detail)}` : ''}`;
    case 'rollback':
      return `rolled back ${str(data.alias)} at ${str(data.serverUrl)} (previous ${version(data.previousVersion)})`;
    case 'repair':
      return `set aside a torn last line (${str(data.bytes)} bytes, ${short(str(data.digest))}) into ${str(data.file)}`;
    case 'guardian':
      return `${str(data.decision)} after ${str(data.checkId)}: ${str(data.reason)}`;
  }
}

function short(digest: string): string {
  return digest.startsWith('sha256:') ? `${digest.slice(0, 19)}…` : digest;
}

function artifactLine(ref: ArtifactRef): string {
  return `${ref.digest}  ${ref.uri} (${ref.size} bytes)`;
}

function section(title: string, body: string): string {
  return `\n${pc.bold(title)}\n${body}`;
}

function fields(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `  ${pc.dim(name.padEnd(width))}  ${value}`).join('\n');
}

function colourOutcome(outcome: ApprovalRecord['outcome']): string {
  return outcome === 'approved' ? pc.green(outcome) : pc.red(outcome);
}

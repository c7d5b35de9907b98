/**
 * Markdown model cards: everything the registry knows about one version, for people (reviewers, auditors) and
 * for version control or a wiki.
 */
import type { ArtifactRef, ExternalTraining } from '@slipway/sdk';
import type { ApprovalRecord, DeploymentRecord, ModelVersionRecord } from '../ports.js';

/** The media type model cards are stored with. */
export const MODEL_CARD_MEDIA_TYPE = 'text/markdown; charset=utf-8';

/**
 * Renders a version's model card as markdown: summary, training data (dataset and digest, validation report,
 * profile), features, training (trainer, parameters, code version, workflow and run), metrics, approvals with
 * every decision, and deployments with rollbacks. A version trained outside Slipway (`slipway models import`) says
 * so instead: the reference dataset Slipway evaluated it on, the imported file and its digest, the trainer's own
 * metrics apart from Slipway's, and what is not known of its training. The same record always gives the same text
 * (no clock), so storing a card twice stores one artifact. Every value from the record is escaped: a comment cannot
 * break the layout or inject HTML.
 */
export function renderModelCard(record: ModelVersionRecord): string {
  return (
    [
      `# Model card: ${text(record.name)} v${record.version}`,
      summarySection(record),
      dataSection(record),
      trainingSection(record),
      metricsSection(record),
      approvalsSection(record.approvals),
      deploymentsSection(record.deployments),
    ].join('\n\n') + '\n'
  );
}

function summarySection(record: ModelVersionRecord): string {
  return table(
    ['Field', 'Value'],
    [
      ['Model', text(record.name)],
      ['Version', String(record.version)],
      ['Aliases', record.aliases.length > 0 ? record.aliases.map(code).join(', ') : 'none'],
      ['Registered', text(record.createdAt)],
      ['Artifact', artifact(record.artifact)],
      ['Status', status(record)],
    ],
  );
}

function dataSection(record: ModelVersionRecord): string {
  const { lineage } = record;
  const features = lineage.features;
  const imported = lineage.external !== undefined;
  return [
    imported ? '## Reference data' : '## Training data',
    ...(imported ? ['Not its training data: the dataset Slipway evaluated and profiled the imported model on.'] : []),
    bullets([
      `${imported ? 'Reference dataset' : 'Dataset'}: ${code(lineage.datasetUri)}`,
      `${imported ? 'Reference' : 'Dataset'} digest: ${code(lineage.datasetDigest)}`,
      `Validation report: ${artifact(lineage.validationReport)}`,
      `Profile: ${artifact(lineage.profile)}`,
      `Target: ${code(features.target)}`,
      `Numeric features: ${list(features.numeric)}`,
      `Categorical features: ${list(features.categorical)}`,
    ]),
  ].join('\n\n');
}

function trainingSection(record: ModelVersionRecord): string {
  const { lineage } = record;
  if (lineage.external !== undefined) return importedSection(lineage.trainer, lineage.external);
  const params = sortedEntries(lineage.params);
  return [
    '## Training',
    bullets([
      `Trainer: ${code(lineage.trainer)}`,
      `Code version: ${code(lineage.codeVersion)}`,
      `Workflow: ${code(lineage.workflowId)}, run ${code(lineage.temporalRunId)}`,
    ]),
    params.length > 0
      ? table(
          ['Parameter', 'Value'],
          params.map(([name, value]) => [text(name), code(JSON.stringify(value) ?? 'undefined')]),
        )
      : 'No parameters were recorded.',
  ].join('\n\n');
}

/** Where an imported version came from, and what is not known of its training (no workflow, run or code). */
function importedSection(trainer: string, external: ExternalTraining): string {
  const file = external.fileName === undefined ? 'an ONNX file' : code(external.fileName);
  const reported = sortedEntries(external.trainerMetrics);
  return [
    '## Training',
    `Trained outside Slipway and imported with \`slipway models import\`: no Slipway workflow trained it.`,
    bullets([
      `Imported from: ${file} (${code(external.onnxDigest)})`,
      `Trainer: ${code(trainer)}`,
      `Not known: ${external.unknown.length > 0 ? external.unknown.map(text).join(', ') : 'none listed'}`,
    ]),
    reported.length > 0
      ? `The trainer's own metrics, as it reported them (not checked by Slipway):\n\n${metricsTable(reported)}`
      : 'The trainer reported no metrics of its own.',
  ].join('\n\n');
}

function metricsSection(record: ModelVersionRecord): string {
  const metrics = sortedEntries(record.metrics);
  if (metrics.length === 0) return '## Metrics\n\nNo metrics were recorded.';
  const computed = record.lineage.external ? 'Computed by Slipway on the reference dataset.\n\n' : '';
  return `## Metrics\n\n${computed}${metricsTable(metrics)}`;
}

function metricsTable(metrics: readonly [string, number][]): string {
  return table(
    ['Metric', 'Value'],
    metrics.map(([name, value]) => [text(name), formatNumber(value)]),
  );
}

function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function approvalsSection(approvals: readonly ApprovalRecord[]): string {
  if (approvals.length === 0) return '## Approvals\n\nNo approval has been recorded.';
  const blocks = approvals.map((approval) => {
    const head = `**${approval.outcome}** at ${text(approval.recordedAt)}, evidence ${code(approval.evidenceDigest)} (workflow ${code(approval.workflowId)}, run ${code(approval.runId)})`;
    if (approval.decisions.length === 0) return `${head}\n\nNo decisions (the gate ${approval.outcome}).`;
    const rows = approval.decisions.map((d) => [
      d.decision,
      text(d.approver),
      d.via,
      text(d.at),
      d.comment === undefined ? '' : text(d.comment),
    ]);
    return `${head}\n\n${table(['Decision', 'Approver', 'Via', 'At', 'Comment'], rows)}`;
  });
  return ['## Approvals', ...blocks].join('\n\n');
}

function deploymentsSection(deployments: readonly DeploymentRecord[]): string {
  if (deployments.length === 0) return '## Deployments\n\nThis version has not been deployed.';
  const rows = deployments.map((d) => [
    text(d.recordedAt),
    d.status === 'rolled_back' ? '**rolled back**' : d.status,
    code(d.deploymentId),
    code(d.alias),
    d.previousVersion === null ? 'none' : `v${d.previousVersion}`,
    text(d.serverUrl),
    d.detail === undefined ? '' : text(d.detail),
  ]);
  const rollbacks = deployments.filter((d) => d.status === 'rolled_back').length;
  return [
    '## Deployments',
    table(['At', 'Status', 'Deployment', 'Alias', 'Previous', 'Server', 'Detail'], rows),
    rollbacks > 0 ? `Rolled back ${rollbacks} time${rollbacks === 1 ? '' : 's'}.` : 'Never rolled back.',
  ].join('\n\n');
}

function status(record: ModelVersionRecord): string {
  const last = record.deployments.at(-1);
  const approval = record.approvals.at(-1);
  if (last !== undefined) return `${last.status.replace('_', ' ')} (${text(last.recordedAt)})`;
  if (approval !== undefined) return `${approval.outcome}, not deployed`;
  return 'registered, awaiting approval';
}

function artifact(ref: ArtifactRef): string {
  return `${code(ref.uri)} (${code(ref.digest)}, ${ref.size} bytes)`;
}

function list(values: readonly string[]): string {
  return values.length > 0 ? values.map(code).join(', ') : 'none';
}

function bullets(items: readonly string[]): string {
  return items.map((item) => `- ${item}`).join('\n');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function formatNumber(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  const precise = value.toPrecision(6);
  return precise.includes('.') && !precise.includes('e') ? precise.replace(/0+$/, '').replace(/\.$/, '') : precise;
}

/** Escapes text for markdown, inside table cells too: one line, no HTML, no emphasis or links, no cell breaks. */
function text(value: string): string {
  return value
    .replace(/\r\n?|\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~!])/g, '\\$1');
}

/** A code span of any text: one line, cells kept intact, wrapped in enough backticks. */
function code(value: string): string {
  const flat = value.replace(/\r\n?|\n/g, ' ').replace(/\|/g, '\\|');
  const fence = '`'.repeat(Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

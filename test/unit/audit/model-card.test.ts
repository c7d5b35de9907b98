/** `renderModelCard`: the lineage, approvals and deployments of a version, as markdown that cannot be broken by its values. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderModelCard } from '../../../packages/activities/src/audit/index.js';
import type { ModelVersionRecord } from '../../../packages/activities/src/ports.js';
import { openAuditedHome, writeDemoHistory } from './audit-fixtures.js';

let home: string;
let v1: ModelVersionRecord;
let v2: ModelVersionRecord;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-model-card-'));
  const { registry } = openAuditedHome(home);
  await writeDemoHistory(registry);
  v1 = (await registry.getVersion('churn', 1)) as ModelVersionRecord;
  v2 = (await registry.getVersion('churn', 2)) as ModelVersionRecord;
  await registry.close();
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('renderModelCard', () => {
  it('tells where the version came from: data, features, trainer, params, code, workflow, metrics', () => {
    const card = renderModelCard(v1);
    expect(card.startsWith('# Model card: churn v1\n')).toBe(true);
    expect(card).toContain('| Aliases | `candidate`, `champion` |');
    expect(card).toContain('- Dataset: `file:///data/churn.csv`');
    expect(card).toContain(`- Dataset digest: \`sha256:${'d'.repeat(64)}\``);
    expect(card).toContain(`- Validation report: \`file:///artifacts/e\` (\`sha256:${'e'.repeat(64)}\`, 42 bytes)`);
    expect(card).toContain('- Numeric features: `tenure`');
    expect(card).toContain('- Trainer: `logistic-regression`');
    expect(card).toContain('- Code version: `abc123`');
    expect(card).toContain('- Workflow: `wf-register-1`, run `run-1`');
    expect(card).toContain('| learningRate | `0.1` |');
    expect(card).toContain('| auc | 0.95 |');
  });

  it('lists approvals with every approver and comment, escaped so a table cell stays one cell', () => {
    const card = renderModelCard(v1);
    expect(card).toContain('**approved** at');
    expect(card).toContain(
      '| approve | maria | update | 2026-02-01T10:00:00.000Z | metrics hold up in every segment |',
    );
    expect(card).toContain('| approve | lee | update | 2026-02-01T10:00:00.000Z | ok \\| ship it |');
    const hostile = {
      ...v1,
      approvals: [
        {
          ...(v1.approvals[0] as ModelVersionRecord['approvals'][number]),
          decisions: [
            {
              decision: 'reject' as const,
              approver: 'eve',
              at: 'now',
              via: 'signal' as const,
              comment: 'a\n| <script>x</script> *b*',
            },
          ],
        },
      ],
    };
    const row = renderModelCard(hostile)
      .split('\n')
      .find((line) => line.startsWith('| reject'));
    expect(row).toBe('| reject | eve | signal | now | a \\| &lt;script&gt;x&lt;/script&gt; \\*b\\* |');
  });

  it('lists deployments and rollbacks, and is the same text for the same record', () => {
    const card = renderModelCard(v2);
    expect(card).toMatch(/\| deployed \| `dep-deploy-2` \| `champion` \| v1 \| http:\/\/127\.0\.0\.1:8080 \|/);
    expect(card).toMatch(/\| \*\*rolled back\*\* \| `dep-deploy-2` .* p99 latency guard failed at 10% \|/);
    expect(card).toContain('Rolled back 1 time.');
    expect(card).toContain('| Status | rolled back (');
    expect(renderModelCard(v2)).toBe(card);
    expect(renderModelCard({ ...v2, approvals: [], deployments: [] })).toContain('This version has not been deployed.');
  });

  it('tells where an imported version came from instead of an empty workflow, and what is not known', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const imported: ModelVersionRecord = {
      ...v1,
      aliases: [],
      approvals: [],
      deployments: [],
      metrics: { rmse: 5012.25, r2: 0.98 },
      lineage: {
        ...v1.lineage,
        datasetUri: 'file:///data/houses.csv',
        trainer: 'external',
        params: {},
        codeVersion: 'unknown',
        workflowId: '',
        temporalRunId: '',
        task: 'regression',
        external: {
          onnxDigest: digest,
          fileName: 'houses_v3.onnx',
          trainerMetrics: { rmse: 4000, r2: 0.99 },
          unknown: ['training data', 'training params', 'training code', 'training run'],
        },
      },
    };
    const card = renderModelCard(imported);
    expect(card).not.toMatch(/Workflow:/);
    expect(card).not.toContain('``');
    expect(card).toContain('## Reference data');
    expect(card).not.toContain('## Training data');
    expect(card).toContain('- Reference dataset: `file:///data/houses.csv`');
    expect(card).toContain('Trained outside Slipway and imported with `slipway models import`');
    expect(card).toContain(`- Imported from: \`houses_v3.onnx\` (\`${digest}\`)`);
    expect(card).toContain('- Not known: training data, training params, training code, training run');
    // Slipway's metrics and the trainer's own, each under its own heading, never mixed up
    const [training, metrics] = card.split('## Metrics');
    expect(training).toContain("The trainer's own metrics, as it reported them (not checked by Slipway):");
    expect(training).toContain('| rmse | 4000 |');
    expect(metrics).toContain('Computed by Slipway on the reference dataset.');
    expect(metrics).toContain('| rmse | 5012.25 |');
    expect(metrics).not.toContain('| rmse | 4000 |');

    // imported before the file name was recorded, and without the trainer's metrics: said, not left blank
    const older = renderModelCard({
      ...imported,
      lineage: {
        ...imported.lineage,
        external: { ...imported.lineage.external!, fileName: undefined, trainerMetrics: {} },
      },
    });
    expect(older).toContain(`- Imported from: an ONNX file (\`${digest}\`)`);
    expect(older).toContain('The trainer reported no metrics of its own.');
  });
});

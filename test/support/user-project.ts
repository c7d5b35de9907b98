/**
 * A small project of a Slipway user, written as plain JavaScript into its own folder: a step contract and a pipeline
 * contract (`steps.js`), a workflows module with the user's pipeline next to the re-exported built-in ones
 * (`workflows.js`), an activities module implementing the step with the worker's adapters (`activities.js`), app code
 * that starts runs through `@slipway/sdk/client` only (`client.js`), and a small CSV dataset.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The dataset: four people, three active; the last row has a score a stricter schema refuses. */
export const USER_DATA_CSV = 'id,active,score\nu1,true,0.5\nu2,false,0.25\nu3,true,0.75\nu4,true,5\n';

const STEPS_JS = `import { ArtifactRef, DatasetRef, Digest, PinnedDatasetRef, RowSchema, definePipeline, defineStep } from '@slipway/sdk';
import { z } from 'zod';

/** The project's own step: counts the rows where a boolean column is true, and stores a small report. */
export const countTrue = defineStep({
  name: 'acme.countTrue',
  input: z.object({ dataset: PinnedDatasetRef, schema: RowSchema, column: z.string().min(1) }),
  output: z.object({ rows: z.number().int(), matching: z.number().int(), report: ArtifactRef }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 3 } },
});

/** The project's own pipeline: the built-in validate step, then its own step. */
export const countPipeline = definePipeline({
  name: 'countPipeline',
  input: z.object({ dataset: DatasetRef, schema: RowSchema, column: z.string().min(1) }),
  output: z.object({ digest: Digest, rows: z.number().int(), matching: z.number().int(), report: ArtifactRef }),
  steps: ['validate', 'count'],
});
`;

const WORKFLOWS_JS = `import { builtinSteps } from '@slipway/sdk';
import { parseWorkflowInput, useStep, useSteps } from '@slipway/sdk/workflow';
import { countPipeline as contract, countTrue } from './steps.js';

export { checkDrift, trainAndPromote } from '@slipway/sdk/pipelines';

export async function countPipeline(raw) {
  const input = parseWorkflowInput(contract.input, raw, contract.name);
  const { validate } = useSteps(builtinSteps);
  const count = useStep(countTrue);
  const validation = await validate({ dataset: input.dataset, schema: input.schema });
  const counted = await count({ dataset: validation.dataset, schema: input.schema, column: input.column });
  return { digest: validation.dataset.digest, rows: counted.rows, matching: counted.matching, report: counted.report };
}
`;

const ACTIVITIES_JS = `import { datasetSourceOpener, defineActivities, implementStep } from '@slipway/activities';
import { readCsvRows } from '@slipway/activities/data';
import { countTrue } from './steps.js';

export const counting = defineActivities((deps) => {
  const openSource = datasetSourceOpener(deps); // only below the worker's dataset roots
  return implementStep(countTrue, async ({ dataset, schema, column }) => {
    let rows = 0;
    let matching = 0;
    for await (const event of readCsvRows(dataset.uri, { schema, openSource })) {
      if (!event.ok) continue;
      rows += 1;
      if (event.row[column] === true) matching += 1;
    }
    const report = await deps.artifacts.putJson({ dataset: dataset.digest, column, rows, matching });
    return { rows, matching, report };
  });
});
`;

const CLIENT_JS = `import { trainAndPromote } from '@slipway/sdk';
import { SlipwayClient } from '@slipway/sdk/client';
import { countPipeline } from './steps.js';

const [address, namespace, taskQueue, uri] = process.argv.slice(2);
const slipway = await SlipwayClient.connect({ address, namespace, taskQueue, identity: 'user-project', user: 'ci-bot' });
try {
  const dataset = { uri, format: 'csv' };
  const columns = { id: { type: 'string' }, active: { type: 'boolean' }, score: { type: 'number' } };
  const { runId } = await slipway.start(countPipeline, { dataset, schema: { columns }, column: 'active' });
  const result = await slipway.result(runId, countPipeline);

  // A built-in pipeline, re-exported by workflows.js: scores above 1 are bad rows here, so its validate step fails.
  const strict = { columns: { ...columns, score: { type: 'number', min: 0, max: 1 } } };
  const { runId: builtinRunId } = await slipway.start(trainAndPromote, {
    modelName: 'acme-active',
    dataset,
    schema: strict,
    features: { numeric: ['score'], target: 'active' },
    approval: { approvers: ['maria'] },
    deploy: { serverUrl: 'http://127.0.0.1:9' },
  });
  const builtin = await slipway.result(builtinRunId, trainAndPromote).then(
    () => ({ status: 'COMPLETED' }),
    () => slipway.status(builtinRunId),
  );
  console.log(JSON.stringify({ result, builtin: { status: builtin.status, failure: builtin.failure } }));
} finally {
  await slipway.close();
}
`;

/** Writes the project's modules and dataset into `dir` (which holds its package.json). */
export async function writeUserProject(dir: string): Promise<void> {
  await mkdir(join(dir, 'data'), { recursive: true });
  await writeFile(join(dir, 'steps.js'), STEPS_JS);
  await writeFile(join(dir, 'workflows.js'), WORKFLOWS_JS);
  await writeFile(join(dir, 'activities.js'), ACTIVITIES_JS);
  await writeFile(join(dir, 'client.js'), CLIENT_JS);
  await writeFile(join(dir, 'data', 'people.csv'), USER_DATA_CSV);
}

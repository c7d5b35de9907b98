/**
 * A run's `SlipwayModel` search attribute, on a real Temporal dev server and worker: `SlipwayClient` starts a run
 * with it, so the run is listed under its model before any worker has taken it, and its workflow upserts it no more;
 * a run started without it (as clients before did, and any plain Temporal client does) is tagged by its workflow;
 * on a namespace that does not know the attribute yet, the client starts the run without it.
 */
import { SlipwaySearchAttribute } from '@slipway/sdk';
import { SlipwayClient } from '@slipway/sdk/client';
import { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { signStart } from '../../packages/sdk/src/client/signing.js';
import { startHarness, type Harness } from '../support/harness.js';
import { eventually, waitForGate } from '../support/waits.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ name: 'model-attribute' });
});
afterAll(async () => {
  await h?.stop();
});

/** The runs the visibility store lists under `model`, by workflow id. */
async function listedUnder(model: string): Promise<string[]> {
  const ids: string[] = [];
  const query = `${SlipwaySearchAttribute.model} = "${model}"`;
  for await (const run of h.client.temporal.workflow.list({ query })) ids.push(run.workflowId);
  return ids;
}

/** The search attribute names a run's history upserts. */
function upsertedAttributes(history: History): string[] {
  return (history.events ?? []).flatMap((e) =>
    Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
  );
}

describe('the SlipwayModel search attribute', () => {
  it('is set when SlipwayClient starts a run: listed under its model before a worker takes it', async () => {
    const model = 'tagged-at-start';
    const input = churnInput({ serverUrl: h.modelServer.url, modelName: model });
    // A task queue no worker polls: the run never gets a workflow task, so only its start can have tagged it.
    const { runId } = await h.client.start('trainAndPromote', input, { taskQueue: 'no-worker-polls-this' });
    try {
      const listed = await eventually('the run listed under its model', async () => {
        const ids = await listedUnder(model);
        return ids.includes(runId) ? ids : undefined;
      });
      expect(listed).toEqual([runId]);
      const history = await h.client.temporal.workflow.getHandle(runId).fetchHistory();
      expect(history.events?.filter((e) => e.workflowTaskStartedEventAttributes)).toEqual([]);
    } finally {
      await h.client.terminate(runId, 'test: the run was only needed as started');
    }
  });

  it('is not upserted by a run that started with it, and is by a run started without it', async () => {
    const tagged = 'tag-from-start';
    const { runId: withTag } = await h.client.start(
      'trainAndPromote',
      churnInput({ serverUrl: h.modelServer.url, modelName: tagged }),
    );
    // The same pipeline started by a plain Temporal client: a signed start, but no search attributes.
    const untagged = 'tag-by-workflow';
    const withoutTag = `${untagged}-plain-start`;
    const signed = await signStart(
      {
        pipeline: 'trainAndPromote',
        runId: withoutTag,
        input: { ...churnInput({ serverUrl: h.modelServer.url, modelName: untagged }), startedBy: 'ci-bot' },
        signer: 'ci-bot',
      },
      (name) => Promise.resolve(h.people!.keys[name]!),
    );
    await h.client.temporal.workflow.start('trainAndPromote', {
      workflowId: withoutTag,
      taskQueue: h.config.taskQueue,
      args: [signed],
    });
    try {
      await waitForGate(h.client, withTag);
      await waitForGate(h.client, withoutTag);
      const historyOf = (id: string) => h.client.temporal.workflow.getHandle(id).fetchHistory();
      expect(upsertedAttributes(await historyOf(withTag))).not.toContain(SlipwaySearchAttribute.model);
      expect(upsertedAttributes(await historyOf(withoutTag))).toContain(SlipwaySearchAttribute.model);
      for (const [model, id] of [
        [tagged, withTag],
        [untagged, withoutTag],
      ] as const) {
        const listed = await eventually(`${id} listed under ${model}`, async () => {
          const ids = await listedUnder(model);
          return ids.includes(id) ? ids : undefined;
        });
        expect(listed).toEqual([id]);
      }
    } finally {
      for (const id of [withTag, withoutTag]) await h.client.terminate(id, 'test: done at the gate');
    }
  });

  it('is left to the workflow on a namespace that does not know it: the start is not refused', async () => {
    const namespace = `no-slipway-attributes-${process.pid}`;
    const { connection } = h.client.temporal;
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    const temporal = new Client({ connection, namespace });
    const client = SlipwayClient.fromClient(temporal, { user: 'ci-bot', keys: { keysDir: h.people!.keysDir } });
    const input = churnInput({ serverUrl: h.modelServer.url, modelName: 'fresh-namespace' });
    // Until the server's namespace cache has the new namespace, a start does not find it: tried until one is taken
    // (a refusal for the search attribute is retried too, and fails the test when time runs out with its message).
    const { runId } = await eventually('a start on the new namespace', () =>
      client.start('trainAndPromote', input, { taskQueue: 'no-worker-polls-this' }),
    );
    const handle = temporal.workflow.getHandle(runId);
    try {
      const started = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
      expect(started?.searchAttributes?.indexedFields ?? {}).not.toHaveProperty(SlipwaySearchAttribute.model);
    } finally {
      await handle.terminate('test: the run was only needed as started');
    }
  });
});

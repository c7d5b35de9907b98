/**
 * The client checks a run's input against its pipeline contract before it asks Temporal for anything, and reads
 * a result with the contract's output schema. No server: the Temporal client's `workflow.start` is replaced by a
 * recorder, so what would have been started is visible (the integration suite proves no execution exists).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SigningDomain,
  checkDrift,
  digestOfValue,
  startInputDigest,
  trainAndPromote,
  verifyPayload,
  type TrainAndPromoteInputRaw,
  type TrainAndPromoteResult,
} from '@slipway/sdk';
import {
  ClientErrorCode,
  SlipwayClient,
  checkPipelineInput,
  parsePipelineOutput,
  type SlipwayClientError,
} from '@slipway/sdk/client';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { churnInput } from '../../../examples/churn/src/input.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';

let dir: string;
let people: TestPeople;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-client-keys-'));
  people = await createTestPeople(dir, { 'ci-bot': [] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A client whose Temporal `workflow.start` only records its calls (its lazy connection is never opened). */
function recordingClient() {
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const start = vi.fn((_type: string, _options: { workflowId: string; args: unknown[] }) => Promise.resolve());
  (temporal.workflow as unknown as { start: typeof start }).start = start;
  const client = SlipwayClient.fromClient(temporal, {
    user: 'ci-bot',
    taskQueue: 'q',
    keys: { keysDir: people.keysDir },
  });
  return { client, start };
}

function caught(fn: () => unknown): SlipwayClientError {
  try {
    fn();
  } catch (err) {
    return err as SlipwayClientError;
  }
  throw new Error('expected the call to throw');
}

const good = (): TrainAndPromoteInputRaw => churnInput({ serverUrl: 'http://127.0.0.1:8765' });
/** Two fields wrong at once: the quorum a string, the model server not a URL. */
const bad = (): TrainAndPromoteInputRaw =>
  ({
    ...good(),
    approval: { ...good().approval, quorum: 'two' },
    deploy: { serverUrl: 'not a url' },
  }) as unknown as TrainAndPromoteInputRaw;

/** Type level (checked by `npm run typecheck`): a contract types a run's input and its result. */
export async function typedByContract(client: SlipwayClient): Promise<TrainAndPromoteResult> {
  // @ts-expect-error the quorum is a number
  await client.start(trainAndPromote, { ...good(), approval: { quorum: 'two' } });
  return client.result('r', trainAndPromote);
}

describe('SlipwayClient.start with a pipeline contract', () => {
  it('refuses a bad input with InvalidInput naming every field path, and starts nothing', async () => {
    const { client, start } = recordingClient();
    const err = await client.start(trainAndPromote, bad(), { runId: 'refused-1' }).then(
      () => undefined,
      (e: unknown) => e as SlipwayClientError,
    );
    expect(err?.code).toBe(ClientErrorCode.InvalidInput);
    expect(err?.message).toMatch(/^the input of pipeline "trainAndPromote": /);
    expect(err?.message).toContain('approval.quorum: ');
    expect(err?.message).toContain('deploy.serverUrl: ');
    expect(err?.issues?.map((i) => i.path.join('.'))).toEqual(['approval.quorum', 'deploy.serverUrl']);
    expect(start).not.toHaveBeenCalled();
  });

  it('starts a good input under the contract name, as given plus startedBy (the workflow applies defaults)', async () => {
    const { client, start } = recordingClient();
    const input = good();
    const { runId } = await client.start(trainAndPromote, input, { runId: 'good-1' });
    expect(runId).toBe('good-1');
    expect(start).toHaveBeenCalledTimes(1);
    const [type, options] = start.mock.calls[0]!;
    expect(type).toBe('trainAndPromote');
    expect(options).toMatchObject({ workflowId: 'good-1', taskQueue: 'q', args: [{ ...input, startedBy: 'ci-bot' }] });
  });

  it("signs the start with the user's key: pipeline, run id, the input's and its policy's digests and the time", async () => {
    const { client, start } = recordingClient();
    await client.start(trainAndPromote, good(), { runId: 'signed-1' });
    const sent = start.mock.calls[0]![1].args[0] as Record<string, unknown> & {
      start: { signer: string; at: string; policyDigest: string; signature: string };
    };
    // The policy digest is the sha256 of `{ approval }` as sent, so a proof can carry the policy alone.
    expect(sent.start.policyDigest).toBe(digestOfValue({ approval: sent.approval }));
    const payload = {
      signer: 'ci-bot',
      pipeline: 'trainAndPromote',
      workflowId: 'signed-1',
      inputDigest: startInputDigest(sent),
      policyDigest: sent.start.policyDigest,
      at: sent.start.at,
    };
    const key = people.keys['ci-bot']!.publicKey;
    expect(sent.start.signer).toBe('ci-bot');
    expect(verifyPayload(SigningDomain.start, key, payload, sent.start.signature)).toBe(true);
    // Bound to the run id and to the input: another id or a changed input does not verify.
    expect(verifyPayload(SigningDomain.start, key, { ...payload, workflowId: 'other' }, sent.start.signature)).toBe(
      false,
    );
    const changed = startInputDigest({ ...sent, seed: 918_273 });
    expect(verifyPayload(SigningDomain.start, key, { ...payload, inputDigest: changed }, sent.start.signature)).toBe(
      false,
    );
    // Bound to the policy digest: another one, or none, does not verify.
    const other = digestOfValue({ approval: { approvers: ['mallory'] } });
    expect(verifyPayload(SigningDomain.start, key, { ...payload, policyDigest: other }, sent.start.signature)).toBe(
      false,
    );
    const { policyDigest: _signed, ...without } = payload;
    expect(verifyPayload(SigningDomain.start, key, without, sent.start.signature)).toBe(false);
  });

  it('refuses to start without the user’s key (KeyUnavailable, naming the file and the fix) and starts nothing', async () => {
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const start = vi.fn(() => Promise.resolve());
    (temporal.workflow as unknown as { start: typeof start }).start = start;
    const client = SlipwayClient.fromClient(temporal, { user: 'nobody', keys: { keysDir: people.keysDir } });
    const err = await client.start(trainAndPromote, good()).then(
      () => undefined,
      (e: unknown) => e as SlipwayClientError,
    );
    expect(err?.code).toBe(ClientErrorCode.KeyUnavailable);
    expect(err?.message).toContain(
      `cannot sign as nobody: The key file of nobody ${join(people.keysDir, 'nobody.key')} does not exist`,
    );
    expect(err?.message).toContain('slipway keys create --as nobody');
    expect(start).not.toHaveBeenCalled();
  });

  it('refuses an input naming someone else as startedBy before checking it', async () => {
    const { client, start } = recordingClient();
    const err = await client.start(checkDrift, { model: 'churn', serverUrl: 'x', startedBy: 'mallory' } as never).then(
      () => undefined,
      (e: unknown) => e as SlipwayClientError,
    );
    expect(err?.code).toBe(ClientErrorCode.InvalidInput);
    expect(err?.message).toContain('the input says the run is started by "mallory", but the caller is "ci-bot"');
    expect(start).not.toHaveBeenCalled();
  });

  it('leaves a run started by name unchecked (custom pipelines): the workflow checks it', async () => {
    const { client, start } = recordingClient();
    const { runId } = await client.start('trainAndPromote', bad());
    expect(runId).toMatch(/^trainAndPromote-\d{14}-[a-z0-9]+$/);
    expect(start).toHaveBeenCalledTimes(1);
  });
});

describe('checkPipelineInput and parsePipelineOutput', () => {
  it('names the source and each field, e.g. an input file', () => {
    const err = caught(() => checkPipelineInput(trainAndPromote, bad(), 'pipeline.json'));
    expect(err.code).toBe(ClientErrorCode.InvalidInput);
    expect(err.message).toMatch(/^pipeline\.json: approval\.quorum: .*number.*; deploy\.serverUrl: /);
  });

  it('returns the parsed input with defaults', () => {
    expect(checkPipelineInput(checkDrift, { model: 'churn', serverUrl: 'http://127.0.0.1:8765' })).toMatchObject({
      alias: 'champion',
    });
  });

  it('refuses a result that does not match the output with InvalidOutput naming the run and fields', () => {
    const err = caught(() => parsePipelineOutput(checkDrift, { model: 'churn', samples: 'many' }, 'drift-1'));
    expect(err.code).toBe(ClientErrorCode.InvalidOutput);
    expect(err.message).toContain('the result of run drift-1 does not match the output of pipeline "checkDrift": ');
    expect(err.message).toContain('samples: ');
    expect(err.issues?.length).toBeGreaterThan(1);
  });
});

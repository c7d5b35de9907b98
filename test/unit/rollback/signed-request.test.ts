/**
 * A rollback's signed request, verified where the rollback acts: the real people directory and keys; the request
 * signed as `slipway rollback` signs it. Every refusal names why and is final.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SigningDomain,
  SlipwayErrorType,
  approvalPolicyDigest,
  failureType,
  signPayload,
  startInputDigest,
} from '@slipway/sdk';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import type { DirectorySource } from '../../../packages/activities/src/ports.js';
import { verifyRollbackRequest } from '../../../packages/activities/src/rollback/signed-request.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';

let dir: string;
let people: TestPeople;
let directory: DirectorySource;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-rollback-request-'));
  people = await createTestPeople(join(dir, 'people'));
  directory = { location: people.directoryPath, read: () => loadPeopleDirectory(people.directoryPath) };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const REQUEST = { model: 'churn', reason: 'bad labels', deploy: { serverUrl: 'http://127.0.0.1:8999' } };

/**
 * The request signed by `signer` for `workflowId`, as the client signs a start (with the digest of its approval
 * policy, none for a rollback), or with `legacy` as it signed starts before policy digests.
 */
function signed(request: Record<string, unknown>, signer = 'maria', workflowId = 'rollout:churn', legacy = false) {
  const at = new Date().toISOString();
  const policy = legacy ? {} : { policyDigest: approvalPolicyDigest(undefined) };
  const inputDigest = startInputDigest(request);
  const payload = { signer, pipeline: 'rollbackModel', workflowId, inputDigest, ...policy, at };
  const key = people.keys[signer]?.privateKey ?? people.keys.maria!.privateKey;
  return { ...request, start: { signer, at, ...policy, signature: signPayload(SigningDomain.start, key, payload) } };
}

function verify(
  request: Record<string, unknown>,
  source: DirectorySource | null = directory,
  workflowId = 'rollout:churn',
) {
  const info = { activityId: 'plan', workflowExecution: { workflowId, runId: `${workflowId}-run` } };
  const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
  return env.run(() => verifyRollbackRequest(request, source ?? undefined));
}

async function refusal(promise: Promise<unknown>, type: string): Promise<string> {
  const err = await promise.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e as Error & { nonRetryable?: boolean },
  );
  expect(failureType(err), err.message).toBe(type);
  expect(err.nonRetryable).toBe(true);
  return err.message;
}

describe('verifyRollbackRequest', () => {
  it('answers the signed input and its verified signer', async () => {
    const verified = await verify(signed({ ...REQUEST, to: 2, startedBy: 'maria' }));
    expect(verified).toMatchObject({
      signer: 'maria',
      input: { model: 'churn', to: 2, deploy: { alias: 'champion' } },
    });
  });

  it('verifies a request signed before policy digests, and refuses one whose policy digest was changed', async () => {
    const legacy = signed(REQUEST, 'maria', 'rollout:churn', true);
    expect(await verify(legacy)).toMatchObject({ signer: 'maria' });
    const request = signed(REQUEST);
    const changed = {
      ...request,
      start: { ...request.start, policyDigest: approvalPolicyDigest({ approvers: ['x'] }) },
    };
    expect(await refusal(verify(changed), SlipwayErrorType.UnverifiedStart)).toContain('does not verify');
  });

  it('refuses an unsigned request', async () => {
    expect(await refusal(verify(REQUEST), SlipwayErrorType.UnverifiedStart)).toContain('the request is not signed');
  });

  it('refuses on a worker without a directory of people', async () => {
    const message = await refusal(verify(signed(REQUEST), null), SlipwayErrorType.DirectoryNotConfigured);
    expect(message).toContain('no directory of people is configured');
  });

  it('refuses a request altered after signing (another reason, another version)', async () => {
    const altered = { ...signed(REQUEST), reason: 'something else', to: 1 };
    expect(await refusal(verify(altered), SlipwayErrorType.UnverifiedStart)).toContain('does not verify');
  });

  it('refuses a request signed for another workflow, or acted on in another workflow', async () => {
    const elsewhere = signed(REQUEST, 'maria', 'rollout:other');
    expect(await refusal(verify(elsewhere), SlipwayErrorType.UnverifiedStart)).toContain('does not verify');
    const message = await refusal(verify(signed(REQUEST), directory, 'train-1'), SlipwayErrorType.UnverifiedStart);
    expect(message).toContain('runs in workflow train-1, not in rollout:churn');
  });

  it('refuses a signer without a key in the directory, and a startedBy that is not the signer', async () => {
    const stranger = { ...signed(REQUEST), start: { ...signed(REQUEST).start, signer: 'zed' } };
    expect(await refusal(verify(stranger), SlipwayErrorType.UnverifiedStart)).toContain('zed, who has no public key');
    const posing = signed({ ...REQUEST, startedBy: 'lee' }, 'maria');
    expect(await refusal(verify(posing), SlipwayErrorType.UnverifiedStart)).toContain(
      'started by "lee", but maria signed',
    );
  });

  it('refuses a request that is not a rollbackModel input, naming the field', async () => {
    const message = await refusal(verify(signed({ ...REQUEST, reason: ' ' })), SlipwayErrorType.InvalidInput);
    expect(message).toContain('reason');
  });
});

/**
 * `slipway audit verify` checks the signatures of the decisions on approval lines against the configured
 * directory of people, beside the hash chain: exit 0 when they verify, 1 naming the line and the approver when one
 * was forged (even though the chain, re-hashed and re-signed with the log's key, verifies), 3 when no directory is
 * configured to check them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalProof } from '@slipway/sdk';
import { runCli } from '../../support/processes.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';
import { forgeSignature, rewriteDecisions, writeSignedApprovalHistory } from '../audit/signed-approval-fixtures.js';

let root: string;
let people: TestPeople;
let homes = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-cli-decisions-'));
  people = await createTestPeople(join(root, 'people'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function home(): Promise<{ dir: string; proof: ApprovalProof }> {
  const dir = join(root, `home-${++homes}`);
  return { dir, proof: await writeSignedApprovalHistory(dir, people) };
}

const verify = (dir: string, env: Record<string, string>, ...args: string[]) =>
  runCli(['--home', dir, 'audit', 'verify', ...args], env);

describe('slipway audit verify: decision signatures', () => {
  it('exits 0 when every signed decision verifies against the configured directory', async () => {
    const { dir } = await home();
    const { code, output } = await verify(dir, people.env);
    expect(code, output).toBe(0);
    expect(output).toContain('intact, 3 entries');
    expect(output).toContain(
      '✔ 2 decision signatures verified on 1 approval line; 1 approval line from before decisions were signed',
    );
  });

  it('exits 1 naming the line and the approver when a signature was forged and the chain re-signed', async () => {
    const { dir, proof } = await home();
    await rewriteDecisions(dir, 3, forgeSignature(people, proof, 'maria', 'mallory'));
    const { code, output } = await verify(dir, people.env);
    expect(code, output).toBe(1);
    expect(output).toContain('intact, 3 entries');
    expect(output).toContain(
      "✖ line 3: the decision of maria does not verify against the directory of people: maria's approve: its " +
        "signature does not verify with maria's public key in the directory",
    );
    const json = await verify(dir, people.env, '--json');
    expect(json.code, json.output).toBe(1);
    expect(JSON.parse(json.output)).toMatchObject({
      ok: true,
      decisionSignatures: { ok: false, broken: { line: 3, approver: 'maria' } },
    });
  });

  it('exits 3, saying so, when no directory is configured to check the signatures', async () => {
    const { dir } = await home();
    const { code, output } = await verify(dir, { SLIPWAY_DIRECTORY: '' });
    expect(code, output).toBe(3);
    expect(output).toContain(
      '! signatures not checked: no directory configured (2 signed decisions on 1 approval line)',
    );
  });
});

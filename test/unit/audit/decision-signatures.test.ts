/**
 * `checkDecisionSignatures`: the decisions on an audit log's approval lines checked against the directory of
 * people, beside the hash chain. A signature swapped in a line whose chain was re-hashed and re-signed with the
 * log's own key (and whose registry head was moved to it) passes the chain and is caught here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalProof } from '@slipway/sdk';
import {
  checkDecisionSignatures,
  defaultAuditLogPath,
  readAuditEntries,
  verifyAuditLog,
} from '../../../packages/activities/src/audit/index.js';
import { loadPeopleDirectory, type LoadedDirectory } from '../../../packages/activities/src/directory/index.js';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';
import { forgeSignature, rewriteDecisions, writeSignedApprovalHistory } from './signed-approval-fixtures.js';

let root: string;
let people: TestPeople;
let directory: LoadedDirectory;
let homes = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-decision-signatures-'));
  people = await createTestPeople(join(root, 'people'));
  directory = await loadPeopleDirectory(people.directoryPath);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function signedHome(): Promise<{ home: string; proof: ApprovalProof }> {
  const home = join(root, `home-${++homes}`);
  return { home, proof: await writeSignedApprovalHistory(home, people) };
}

const entriesOf = (home: string) => readAuditEntries(defaultAuditLogPath(home));

async function chainOf(home: string) {
  const registry = openSqliteRegistry(join(home, 'registry.db'));
  try {
    return await verifyAuditLog(defaultAuditLogPath(home), registry);
  } finally {
    await registry.close();
  }
}

describe('decision signatures on approval lines', () => {
  it('verifies every signed decision; a line from before signing is counted, not checked', async () => {
    const { home } = await signedHome();
    expect(checkDecisionSignatures(await entriesOf(home), directory)).toEqual({
      ok: true,
      lines: 1,
      verified: 2,
      legacy: 1,
      unchecked: [],
    });
  });

  it('catches a forged signature in a line whose chain was re-hashed and re-signed, naming the line and approver', async () => {
    const { home, proof } = await signedHome();
    await rewriteDecisions(home, 3, forgeSignature(people, proof, 'maria', 'mallory'));
    expect(await chainOf(home)).toMatchObject({ ok: true, entries: 3 });
    const result = checkDecisionSignatures(await entriesOf(home), directory);
    expect(result.ok).toBe(false);
    expect(result.broken).toEqual({
      line: 3,
      approver: 'maria',
      message: expect.stringContaining(
        "maria's approve: its signature does not verify with maria's public key in the directory",
      ),
    });
  });

  it('catches a changed comment and a stripped signature the same way', async () => {
    const { home } = await signedHome();
    await rewriteDecisions(home, 3, (ds) => ds.map((d) => (d.approver === 'sam' ? { ...d, comment: 'lgtm' } : d)));
    expect(checkDecisionSignatures(await entriesOf(home), directory).broken).toMatchObject({
      line: 3,
      approver: 'sam',
    });
    const stripped = await signedHome();
    await rewriteDecisions(stripped.home, 3, (ds) => ds.map(({ signature: _s, ...d }) => d));
    expect(checkDecisionSignatures(await entriesOf(stripped.home), directory).broken).toEqual({
      line: 3,
      approver: 'maria',
      message: "maria's approve: it carries no signature",
    });
  });

  it('without a directory, counts the signed decisions as not checked', async () => {
    const { home } = await signedHome();
    expect(checkDecisionSignatures(await entriesOf(home), undefined)).toEqual({
      ok: true,
      lines: 1,
      verified: 0,
      legacy: 1,
      noDirectory: { decisions: 2 },
      unchecked: [],
    });
  });

  it('names a decision whose approver has no key in the directory as not checked', async () => {
    const { home } = await signedHome();
    // The same directory, with sam listed without a key (e.g. his key was withdrawn).
    const { publicKey: _k, ...sam } = directory.directory.people['sam'] ?? { groups: [] };
    const keyless = {
      ...directory,
      directory: { ...directory.directory, people: { ...directory.directory.people, sam } },
    };
    expect(checkDecisionSignatures(await entriesOf(home), keyless)).toEqual({
      ok: true,
      lines: 1,
      verified: 1,
      legacy: 1,
      unchecked: [
        { line: 3, approver: 'sam', reason: `sam has no public key in the directory ${people.directoryPath}` },
      ],
    });
  });
});

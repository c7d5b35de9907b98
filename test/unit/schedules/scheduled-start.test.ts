/**
 * A schedule's signed start: made once at creation over the pipeline, the schedule id, the resolved input's
 * digest, the cron and the time; it verifies only for the runs of that schedule, with the creator's key, over that
 * input — and never as a direct start (another signing domain).
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  SignedScheduledStart,
  generateKeyPair,
  startInputDigest,
  startSignatureMismatch,
  type StartFacts,
} from '@slipway/sdk';
import { readRunInput } from '@slipway/sdk/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signScheduledStart } from '../../../packages/sdk/src/client/signing.js';

const EXPECTATIONS = join(import.meta.dirname, '..', '..', '..', 'examples', 'churn', 'expectations.json');
const creator = { name: 'ci-bot', ...generateKeyPair() };
const scheduleId = 'schedule:trainAndPromote:churn:weekly';
const runId = `${scheduleId}-2026-12-07T06:00:00Z`;

async function signed(input: Record<string, unknown>, expiresAt?: string) {
  return signScheduledStart(
    { pipeline: 'trainAndPromote', scheduleId, cron: '0 6 * * 1', expiresAt, input, signer: 'ci-bot' },
    () => Promise.resolve(creator),
  );
}

function factsOf(input: Record<string, unknown>, pipeline = 'trainAndPromote'): StartFacts {
  const s = SignedScheduledStart.parse(input.scheduled);
  return {
    signer: s.signer,
    pipeline,
    inputDigest: startInputDigest(input),
    at: s.at,
    signature: s.signature,
    schedule: { scheduleId: s.scheduleId, cron: s.cron, ...(s.expiresAt ? { expiresAt: s.expiresAt } : {}) },
  };
}

describe('a signed scheduled start', () => {
  it('verifies for a run of its schedule with the creator’s key', async () => {
    const input = await signed({ modelName: 'churn', startedBy: 'ci-bot' }, '2027-06-01T00:00:00.000Z');
    expect(input.scheduled).toMatchObject({
      signer: 'ci-bot',
      scheduleId,
      cron: '0 6 * * 1',
      expiresAt: '2027-06-01T00:00:00.000Z',
    });
    expect(startSignatureMismatch(factsOf(input), runId, creator.publicKey)).toBeUndefined();
  });

  it('refuses a run that is not one of the schedule’s, another key, another pipeline, an altered input or expiry', async () => {
    const input = await signed({ modelName: 'churn' });
    expect(startSignatureMismatch(factsOf(input), 'direct-run-1', creator.publicKey)).toContain(
      'is not one of its runs',
    );
    expect(startSignatureMismatch(factsOf(input), `${scheduleId}-`, creator.publicKey)).toContain(
      'not one of its runs',
    );
    expect(startSignatureMismatch(factsOf(input), runId, generateKeyPair().publicKey)).toContain('does not verify');
    expect(startSignatureMismatch(factsOf(input, 'checkDrift'), runId, creator.publicKey)).toContain('does not verify');
    const altered = { ...input, modelName: 'other' };
    expect(startSignatureMismatch(factsOf(altered), runId, creator.publicKey)).toContain('does not verify');
    const facts = factsOf(input);
    const longer = { ...facts, schedule: { ...facts.schedule!, expiresAt: '2099-01-01T00:00:00.000Z' } };
    expect(startSignatureMismatch(longer, runId, creator.publicKey)).toContain('does not verify');
  });

  it('never verifies as a direct start of the same run (its own signing domain)', async () => {
    const input = await signed({ modelName: 'churn' });
    const { schedule: _schedule, ...direct } = factsOf(input);
    expect(startSignatureMismatch(direct, runId, creator.publicKey)).toContain('does not verify');
  });

  it('covers the input without its signatures: a copied `start` or `scheduled` field does not change the digest', async () => {
    const input = await signed({ modelName: 'churn', start: { stale: true } });
    expect(input.start).toBeUndefined();
    expect(startInputDigest(input)).toBe(startInputDigest({ modelName: 'churn' }));
  });
});

describe('input resolved at creation', () => {
  let dir: string;
  let elsewhere: string;
  const cwd = process.cwd();
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-sched-input-'));
    elsewhere = await mkdtemp(join(tmpdir(), 'slipway-sched-cwd-'));
  });
  afterEach(async () => {
    process.chdir(cwd);
    await rm(dir, { recursive: true, force: true });
    await rm(elsewhere, { recursive: true, force: true });
  });

  it('signs the input with absolute dataset paths and the expectations inline, read from another directory', async () => {
    await mkdir(join(dir, 'inputs'));
    await copyFile(EXPECTATIONS, join(dir, 'inputs', 'expectations.json'));
    await writeFile(
      join(dir, 'inputs', 'weekly.json'),
      JSON.stringify({ modelName: 'churn', dataset: { uri: 'data/churn.csv' }, expectations: 'expectations.json' }),
    );
    process.chdir(dir);
    const input = await signed(readRunInput('inputs/weekly.json') as Record<string, unknown>);
    process.chdir(elsewhere);
    expect(input.dataset).toEqual({ uri: pathToFileURL(join(dir, 'inputs', 'data', 'churn.csv')).href });
    expect(input.expectations).toEqual(JSON.parse(await readFile(EXPECTATIONS, 'utf8')));
    expect(startSignatureMismatch(factsOf(input), runId, creator.publicKey)).toBeUndefined();
  });
});

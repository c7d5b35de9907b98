/**
 * Recording a run's workflow history as a replay fixture (`test/fixtures/histories/*.json`): fetched from the
 * server, written in Temporal's JSON history format, and scrubbed of what belongs to the machine that recorded it
 * (temp directories, the repository's path, ports, task queues, worker identities), so a fixture is the same on
 * every machine. `test/unit/replay/recorded-histories.test.ts` replays every fixture against today's pipelines.
 *
 * Fixtures are written only when `SLIPWAY_RECORD_HISTORIES=1` is set; otherwise the scrubbed history is
 * checked (no machine value left, still replays) and thrown away.
 */
import { writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import {
  SigningDomain,
  approvalPolicyDigest,
  signPayload,
  signedApprovalOf,
  startInputDigest,
  startPayload,
} from '@slipway/sdk';
import type { Harness } from './harness.js';

/** Where the committed histories live. */
export const FIXTURES_DIR = resolve(import.meta.dirname, '..', 'fixtures', 'histories');
/** The environment variable that makes `recordFixture` write the fixture file. */
export const RECORD_ENV = 'SLIPWAY_RECORD_HISTORIES';
/** What every worker identity and the run's task queue become in a fixture. */
export const FIXTURE_NAME = 'slipway-fixture';

const REPOSITORY = resolve(import.meta.dirname, '..', '..');
const JSON_PLAIN = Buffer.from('json/plain').toString('base64');

/** A history as `fetchHistory` returns it. */
export type History = Parameters<typeof historyToJSON>[0];

/** Machine values of a harness and the stable placeholders they become (longest first). */
export function harnessScrub(h: Harness): [string, string][] {
  const pairs: [string, string][] = [
    [h.modelServer.url, 'http://127.0.0.1:8765'],
    [h.home, '/slipway-home'],
    [h.data, '/slipway-data'],
    [REPOSITORY, '/project'],
    [h.config.taskQueue, FIXTURE_NAME],
  ];
  return pairs.sort((a, b) => b[0].length - a[0].length);
}

/** The values that must not be left in a scrubbed history (besides those `harnessScrub` replaces). */
export function machineValues(h: Harness): string[] {
  const host = hostname();
  return [...harnessScrub(h).map(([from]) => from), tmpdir(), ...(host.length >= 4 ? [host] : [])];
}

/**
 * The history as fixture JSON: every `json/plain` payload and every other string with `replace` applied, worker
 * identities and sticky task queue names replaced by placeholders.
 */
export function scrubHistory(history: History, replace: [string, string][]): string {
  const swap = (text: string) => replace.reduce((out, [from, to]) => out.split(from).join(to), text);
  const visit = (value: unknown, key?: string): unknown => {
    // `data` is a payload's base64 bytes: only json/plain payloads are decoded and scrubbed (below).
    if (typeof value === 'string') return key === 'identity' ? FIXTURE_NAME : key === 'data' ? value : swap(value);
    if (Array.isArray(value)) return value.map((v) => visit(v));
    if (value === null || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) out[k] = visit(v, k);
    if (record.kind === 'TASK_QUEUE_KIND_STICKY') out.name = `${FIXTURE_NAME}-sticky`;
    const metadata = record.metadata as Record<string, unknown> | undefined;
    if (metadata?.encoding === JSON_PLAIN && typeof record.data === 'string') {
      out.data = Buffer.from(swap(Buffer.from(record.data, 'base64').toString('utf8'))).toString('base64');
    }
    return out;
  };
  return `${JSON.stringify(visit(JSON.parse(historyToJSON(history))), null, 1)}\n`;
}

/**
 * Scrubs a run's history with the harness's values; writes it as `test/fixtures/histories/<name>` when
 * `SLIPWAY_RECORD_HISTORIES=1`. Returns the fixture text, the history it parses back to, and where it was written.
 */
export async function recordFixture(
  h: Harness,
  history: History,
  name: string,
): Promise<{ json: string; history: History; written?: string }> {
  const json = resignStart(scrubHistory(history, harnessScrub(h)), h);
  const parsed = historyFromJSON(JSON.parse(json));
  if (process.env[RECORD_ENV] !== '1') return { json, history: parsed };
  const written = join(FIXTURES_DIR, name);
  await writeFile(written, json);
  return { json, history: parsed, written };
}

/**
 * Scrubbing changes the run's input (paths, ports), so its signed start no longer covers it: the start is signed
 * again, over the scrubbed input, with the signer's key from the harness's people (as the starter would have signed
 * that input), so the fixture replays through the start's verification.
 */
function resignStart(json: string, h: Harness): string {
  const fixture = JSON.parse(json) as {
    events: { workflowExecutionStartedEventAttributes?: StartedAttributes }[];
  };
  const started = fixture.events[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0];
  if (!started?.workflowId || !payload) return json;
  const input = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) as Record<string, unknown>;
  const start = input.start as { signer: string; at: string; policyDigest?: string } | undefined;
  const key = start ? h.people?.keys[start.signer] : undefined;
  if (!start || !key) return json;
  const pipeline = started.workflowType.name;
  // A start that signed its policy's digest signs it again, over the scrubbed input's policy.
  const policyDigest =
    start.policyDigest === undefined ? undefined : approvalPolicyDigest(signedApprovalOf(pipeline, input));
  const resigned = { ...start, ...(policyDigest === undefined ? {} : { policyDigest }) };
  const run = { pipeline, workflowId: started.workflowId, inputDigest: startInputDigest(input) };
  const signed = startPayload(resigned, run);
  input.start = { ...resigned, signature: signPayload(SigningDomain.start, key.privateKey, signed) };
  payload.data = Buffer.from(JSON.stringify(input)).toString('base64');
  return `${JSON.stringify(fixture, null, 1)}\n`;
}

interface StartedAttributes {
  workflowId?: string;
  workflowType: { name: string };
  input?: { payloads?: { data: string }[] };
}

/**
 * The approvals page's rendering and its drift route, without Temporal: every value from a gate is escaped (a
 * comment or a model name cannot inject markup), the chart draws a pair of bars per metric with SVG attributes
 * only, and the drift report is served from the artifact store only as the gate's evidence names it, with the
 * page's CSP and a sandbox.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArtifactStore, type ArtifactStore } from '@slipway/activities';
import type { GateState } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../packages/worker/src/config/index.js';
import { SessionStore } from '../../../packages/worker/src/ui/index.js';
import { handle, sendError } from '../../../packages/worker/src/ui/routes.js';
import type { UiContext } from '../../../packages/worker/src/ui/ui-context.js';
import { gatePage } from '../../../packages/worker/src/ui/views/gate-page.js';
import { listPage } from '../../../packages/worker/src/ui/views/list-page.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const hostile = '<script>alert(1)</script>';

function gateState(retrain?: object): GateState {
  return {
    status: 'pending',
    model: 'churn',
    version: 2,
    evidence: {
      model: 'churn',
      candidate: { version: 2, metrics: { auc: 0.84, logLoss: 0.4 } },
      champion: { version: 1, metrics: { auc: 0.81, logLoss: 0.43 } },
      comparison: [
        { metric: 'auc', goal: 'higher', candidate: 0.84, champion: 0.81, delta: 0.03, verdict: 'better' },
        { metric: 'logLoss', goal: 'lower', candidate: 0.4, champion: 0.43, delta: -0.03, verdict: 'better' },
      ],
      datasetUri: 'file:///data/churn.csv',
      datasetDigest: digest('b'),
      validationReportDigest: digest('c'),
      codeVersion: 'git:abc',
      ...(retrain ? { retrain } : {}),
      digest: digest('a'),
    },
    approvers: ['maria'],
    approverGroups: [],
    eligible: [{ name: 'maria', named: true, groups: [] }],
    directoryDigest: null,
    emptyGroups: [],
    quorum: 1,
    openedAt: '2026-01-01T00:00:00.000Z',
    deadline: '2026-01-04T00:00:00.000Z',
    decisions: [],
    refused: [{ approver: hostile, reason: hostile, at: 'now', via: 'update' }],
  } as GateState;
}

describe('the gate page', () => {
  it('escapes every value from the gate, and charts each metric as a pair of bars', () => {
    const text = gatePage({
      runId: 'run-1',
      gate: gateState(),
      progress: undefined,
      modelCard: `# Model card ${hostile}`,
      ability: { may: true },
      csrfToken: 'token"><b>',
    }).text;
    expect(text).not.toContain('<script>');
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).toContain('value="token&quot;&gt;&lt;b&gt;"');
    expect(text.match(/<rect [^>]*height="16"/g)).toHaveLength(4);
    expect(text).not.toMatch(/style=/);
    expect(text).toContain('+0.03 better');
    expect(text).toContain('button type="submit" name="decision" value="approve"');
  });

  it('shows the reason instead of the buttons to a person who may not decide', () => {
    const text = gatePage({
      runId: 'run-1',
      gate: gateState(),
      progress: undefined,
      modelCard: undefined,
      ability: { may: false, reason: 'eve is not allowed to approve this promotion (allowed: maria)' },
      csrfToken: 't',
    }).text;
    expect(text).not.toContain('value="approve"');
    expect(text).toContain('You cannot decide on this gate: eve is not allowed to approve this promotion');
  });
});

describe('the front page', () => {
  it('says when the pending list reached its limit, and not before: more gates may be waiting', () => {
    const listing = {
      status: 'pending' as const,
      model: 'churn',
      version: 3,
      evidenceDigest: `sha256:${'a'.repeat(64)}`,
      openedAt: '2026-12-03T10:00:00.000Z',
      deadline: '2026-12-10T10:00:00.000Z',
      quorum: 1,
      approvals: 0,
      approvers: ['maria'],
      approverGroups: [],
    };
    const gate = { runId: 'run-1', pipeline: 'trainAndPromote', startTime: new Date(), listing };
    expect(String(listPage([gate], [], [], 1))).toContain('this list stops at 1 gates');
    expect(String(listPage([gate], [], [], 2))).not.toContain('this list stops at');
  });
});

describe('the drift route', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let artifacts: ArtifactStore;
  const gates = new Map<string, GateState>();
  let cookie: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-ui-render-'));
    artifacts = openArtifactStore(join(dir, 'artifacts'));
    const driftPage = await artifacts.putBytes(Buffer.from('<h1>drift</h1>'), { mediaType: 'text/html' });
    const ref = { uri: driftPage.uri, digest: driftPage.digest, size: driftPage.size };
    gates.set(
      'retrain-1',
      gateState({
        guardian: 'guardian:churn',
        checkId: '7',
        driftReport: ref,
        driftPage: ref,
        servingProfile: ref,
        summary: 'drifted',
      }),
    );
    gates.set('plain-1', gateState());
    const sessions = new SessionStore(60_000);
    cookie = `slipway_session=${sessions.create('maria', 'password').id}`;
    const ctx = {
      config: loadConfig({ env: {}, cwd: dir, overrides: { home: dir } }),
      // Only the gate is read on this route; the other members are never called.
      access: {
        gate: (runId: string) => {
          const gate = gates.get(runId);
          return gate === undefined ? Promise.reject(new Error(`no run ${runId}`)) : Promise.resolve(gate);
        },
      },
      artifacts,
      sessions,
      origins: [],
    } as unknown as UiContext;
    server = createServer((req, res) => void handle(ctx, req, res).catch((err: unknown) => sendError(res, err)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("serves the report the gate's evidence names, sandboxed under the page's CSP", async () => {
    const res = await fetch(`${url}/gates/retrain-1/drift`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<h1>drift</h1>');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; sandbox",
    );
  });

  it('answers 404 for a gate without a drift report, and sends a stranger to sign in', async () => {
    const plain = await fetch(`${url}/gates/plain-1/drift`, { headers: { cookie } });
    expect(plain.status).toBe(404);
    expect(await plain.text()).toContain('the gate of plain-1 has no drift report (not a retrain)');
    const stranger = await fetch(`${url}/gates/retrain-1/drift`, { redirect: 'manual' });
    expect(stranger.status).toBe(303);
    expect(stranger.headers.get('location')).toBe('/sign-in');
  });
});

/**
 * The webhook deploy target's error paths against scripted platforms on loopback (the happy paths run against a real
 * model server in `test/integration/deploy-target-conformance.test.ts`): what it sends (token, contract version,
 * paths under the configured prefix), redirects refused so the token never reaches another origin, answers that
 * break the contract or are about another model or window refused, HTTP failures typed as the model server client's;
 * and how a rollout step picks its target: the configured webhook target of its `serverUrl` (with that target's
 * token), else the model server, else a refusal naming both.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SlipwayErrorType, failureType } from '@slipway/sdk';
import { REDIRECT_REFUSED, createWebhookDeployTarget } from '../../../packages/activities/src/deploy-target/index.js';
import { clientOptionsFor } from '../../../packages/activities/src/model-server/access.js';
import {
  ModelServerFailureType,
  modelServerFailureDetail,
} from '../../../packages/activities/src/model-server/index.js';
import { rolloutTarget } from '../../../packages/activities/src/rollout/target.js';

const TOKEN = 'platform-token-0123456789abcdef';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Script = (seen: Seen) => { status: number; body?: unknown; headers?: Record<string, string> };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A platform on loopback answering as `script` says; `seen` lists what it received. */
async function platform(script: Script): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(entry);
      const answer = script(entry);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

const traffic = (model: string) => ({
  model,
  stable: { version: 1, deploymentId: 's1' },
  candidate: { version: 2, deploymentId: 'c2' },
  weights: { stable: 90, candidate: 10 },
  mode: 'split',
});
const window = (model: string, windowId: string) => ({
  model,
  windowId,
  openedAt: '2026-12-03T00:00:00.000Z',
  closedAt: null,
  stable: null,
  candidate: null,
});

describe('the webhook deploy target', () => {
  it('sends the token, the contract version and JSON to the contract path under the configured prefix', async () => {
    const p = await platform(() => ({ status: 200, body: traffic('churn models') }));
    const target = createWebhookDeployTarget(`${p.url}/slipway/`, { token: TOKEN });
    expect(target.baseUrl).toBe(`${p.url}/slipway`);
    const answer = await target.setTraffic('churn models', {
      candidate: 'c2',
      weights: { stable: 90, candidate: 10 },
      mode: 'split',
    });
    expect(answer.weights.candidate).toBe(10);
    const [sent] = p.seen;
    expect(sent).toMatchObject({ method: 'PUT', url: '/slipway/models/churn%20models/traffic' });
    expect(sent?.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'x-slipway-webhook-contract': '1',
      'content-type': 'application/json',
    });
    expect(JSON.parse(sent?.body ?? '')).toEqual({
      candidate: 'c2',
      weights: { stable: 90, candidate: 10 },
      mode: 'split',
    });
  });

  it('refuses a redirect for good: the token never reaches the other origin', async () => {
    const elsewhere = await platform(() => ({ status: 200, body: { status: 'ok' } }));
    const p = await platform(() => ({ status: 307, headers: { location: `${elsewhere.url}/health` } }));
    const err = await failure(createWebhookDeployTarget(p.url, { token: TOKEN }).health());
    expect(failureType(err)).toBe(ModelServerFailureType.Rejected);
    expect(modelServerFailureDetail(err)).toMatchObject({ status: 307, code: REDIRECT_REFUSED });
    expect(err.message).toContain(`it redirected to "${elsewhere.url}/health"`);
    expect(err.message).toContain('the token goes to the configured origin only');
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('refuses an answer that breaks the contract, or is about another model or window', async () => {
    const p = await platform((seen) =>
      seen.url === '/models/churn/traffic'
        ? { status: 200, body: { ...traffic('churn'), weights: { stable: 90 } } }
        : seen.url.includes('/windows/')
          ? { status: 200, body: window('churn', 'w-other') }
          : { status: 200, body: traffic('fraud') },
    );
    const target = createWebhookDeployTarget(p.url, { token: TOKEN });
    const broken = await failure(
      target.setTraffic('churn', { candidate: 'c2', weights: { stable: 90, candidate: 10 }, mode: 'split' }),
    );
    expect(failureType(broken)).toBe(ModelServerFailureType.BadResponse);
    expect(broken.message).toContain(`The webhook deploy target at PUT ${p.url}/models/churn/traffic sent an answer`);
    expect(broken.message).toContain('weights.candidate');
    const otherWindow = await failure(target.readWindow('churn', 'w-1'));
    expect(failureType(otherWindow)).toBe(ModelServerFailureType.BadResponse);
    expect(otherWindow.message).toContain('it is about window "w-other", not w-1');
    const otherModel = await failure(
      target.setTraffic('other', { candidate: 'c2', weights: { stable: 90, candidate: 10 }, mode: 'split' }),
    );
    expect(otherModel.message).toContain('it is about model "fraud", not "other"');
  });

  it('types HTTP failures as the model server client does', async () => {
    const answers: Record<string, { status: number; body?: unknown; headers?: Record<string, string> }> = {
      '/models/m/windows/lost': { status: 404, body: { error: { code: 'UnknownWindow', message: 'restarted' } } },
      '/models/m/traffic': { status: 409, body: { error: { code: 'CandidateConflict', message: 'c1 holds it' } } },
      '/models/m': {
        status: 503,
        body: { error: { code: 'InProgress', message: 'loading' } },
        headers: { 'retry-after': '7' },
      },
      '/models/m/deployments/d/promote': { status: 500, body: 'not json' },
    };
    const p = await platform((seen) => answers[seen.url] ?? { status: 418 });
    const target = createWebhookDeployTarget(p.url, { token: TOKEN });
    const lost = await failure(target.readWindow('m', 'lost'));
    expect(failureType(lost)).toBe(SlipwayErrorType.NotFound);
    expect(modelServerFailureDetail(lost)).toEqual({
      method: 'GET',
      url: `${p.url}/models/m/windows/lost`,
      status: 404,
      code: 'UnknownWindow',
    });
    const conflict = await failure(
      target.setTraffic('m', { candidate: 'c2', weights: { stable: 50, candidate: 50 }, mode: 'split' }),
    );
    expect(failureType(conflict)).toBe(ModelServerFailureType.Rejected);
    expect(conflict.message).toContain('409 CandidateConflict: c1 holds it');
    const busy = await failure(target.status('m'));
    expect(failureType(busy)).toBe(ModelServerFailureType.ServerError);
    expect((busy as Error & { nextRetryDelay?: unknown }).nextRetryDelay).toBe(7000);
    expect(failureType(await failure(target.promote('m', 'd')))).toBe(ModelServerFailureType.ServerError);
    const port = new URL(p.url).port;
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const gone = await failure(createWebhookDeployTarget(`http://127.0.0.1:${port}`, { token: TOKEN }).status('m'));
    expect(failureType(gone)).toBe(ModelServerFailureType.Unreachable);
    expect(gone.message).toContain(
      `Could not reach the webhook deploy target at GET http://127.0.0.1:${port}/models/m`,
    );
  });
});

describe('the target a rollout step acts on', () => {
  const modelServer = { url: 'http://127.0.0.1:8765', token: () => Promise.resolve('model-server-token-0123456789') };

  it('is the configured webhook target of its serverUrl, built on the configured URL, with that target’s token', async () => {
    const p = await platform(() => ({ status: 200, body: window('churn', 'w-1') }));
    const webhook = { kind: 'webhook' as const, url: `${p.url}/slipway`, token: () => Promise.resolve(TOKEN) };
    const target = await rolloutTarget({ modelServer, deployTargets: [webhook] }, `${p.url}/slipway/`);
    expect(target.baseUrl).toBe(`${p.url}/slipway`);
    await target.readWindow('churn', 'w-1');
    expect(p.seen[0]).toMatchObject({ url: '/slipway/models/churn/windows/w-1' });
    expect(p.seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // The model server's own URL still gets the model server's client.
    const local = await rolloutTarget({ modelServer, deployTargets: [webhook] }, modelServer.url);
    expect(local.baseUrl).toBe(modelServer.url);
  });

  it('refuses a URL that is neither the model server nor a configured target, naming both', async () => {
    const webhook = {
      kind: 'webhook' as const,
      url: 'https://serving.example.com/slipway',
      token: () => Promise.resolve(TOKEN),
    };
    for (const url of ['https://serving.example.com/other', 'https://evil.example.com/slipway']) {
      const err = await failure(rolloutTarget({ modelServer, deployTargets: [webhook] }, url));
      expect(failureType(err)).toBe(SlipwayErrorType.InvalidInput);
      expect(err.message).toContain(
        `serverUrl ${url} is not the model server this worker is configured for (${modelServer.url}`,
      );
      expect(err.message).toContain('the configured deploy targets: https://serving.example.com/slipway');
    }
  });

  it('a step that speaks to the model server only (deploy, monitor) refuses a webhook URL, saying what to use', async () => {
    const webhook = {
      kind: 'webhook' as const,
      url: 'https://serving.example.com/slipway',
      token: () => Promise.resolve(TOKEN),
    };
    const err = await failure(
      clientOptionsFor(modelServer, 'https://serving.example.com/slipway', new AbortController().signal, [webhook]),
    );
    expect(failureType(err)).toBe(SlipwayErrorType.InvalidInput);
    expect(err.message).toContain('is a webhook deploy target: this step speaks to the Slipway model server only');
    expect(err.message).toContain('with a rollout plan (strategy blueGreen for one swap)');
  });
});

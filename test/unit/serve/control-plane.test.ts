/**
 * The model server's control plane refuses what a stranger on the host, or a web page a developer visits, can send:
 * no token or a wrong one (401), a body that is not declared JSON (415), a browser cross-origin request (403).
 * After every refusal nothing changed: the state file, the status, and the served-row log are as before.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRef } from '@slipway/sdk';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import {
  AUTH,
  PREDICTORS,
  TEST_TOKEN,
  logisticModel,
  modelRoutes,
  openWorld,
  tempDir,
  type TestWorld,
} from './fixtures.js';

interface RawAnswer {
  status: number;
  code: string | undefined;
  message: string;
  headers: Headers;
}

/** A request as a stranger or a page would send it: raw fetch, any headers, any body text. */
async function raw(url: string, method: string, headers: Record<string, string>, body?: string): Promise<RawAnswer> {
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const json = (await response.json()) as { error?: { code: string; message: string } };
  return {
    status: response.status,
    code: json.error?.code,
    message: json.error?.message ?? '',
    headers: response.headers,
  };
}

describe('model server control plane', () => {
  let world: TestWorld;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: RunningModelServer;
  let v2: ArtifactRef;
  let v3: ArtifactRef;
  const churn = () => modelRoutes(server.url);
  const JSON_TYPE = { 'content-type': 'application/json' };

  /** Everything a refused request must leave as it was. */
  const snapshot = async () => ({
    state: await readFile(join(home.path, 'serving', 'state.json'), 'utf8'),
    status: (await churn().status()).body,
    served: (await churn().served(1)).body.total,
  });

  /** The state-changing and data-returning routes, each with a body that would be valid with the token. */
  const routes = () => {
    const base = churn().base;
    return [
      { name: 'stage', method: 'PUT', url: `${base}/deployments/d3`, body: { version: 3, artifact: v3 } },
      { name: 'smoke predict', method: 'POST', url: `${base}/deployments/d2/predict`, body: { instances: [{}] } },
      { name: 'commit', method: 'POST', url: `${base}/deployments/d2/commit`, body: {} },
      { name: 'discard', method: 'POST', url: `${base}/deployments/d2/discard`, body: { reason: 'x' } },
      { name: 'rollback', method: 'POST', url: `${base}/rollback`, body: { deploymentId: 'd1' } },
      {
        name: 'one-step deploy',
        method: 'PUT',
        url: `${base}/deployment`,
        body: { deploymentId: 'o', version: 3, artifact: v3 },
      },
      { name: 'served rows', method: 'GET', url: `${base}/versions/1/served` },
      {
        name: 'set traffic',
        method: 'PUT',
        url: `${base}/traffic`,
        body: { candidate: 'd2', weights: { stable: 90, candidate: 10 } },
      },
      { name: 'read traffic', method: 'GET', url: `${base}/traffic` },
      { name: 'promote', method: 'POST', url: `${base}/deployments/d2/promote`, body: {} },
      { name: 'abort', method: 'POST', url: `${base}/deployments/d2/abort`, body: { reason: 'x' } },
      { name: 'open window', method: 'PUT', url: `${base}/windows/w1`, body: {} },
      { name: 'read window', method: 'GET', url: `${base}/windows/w1` },
      { name: 'close window', method: 'POST', url: `${base}/windows/w1/close`, body: {} },
    ] as const;
  };

  beforeAll(async () => {
    world = await openWorld('control');
    home = await tempDir('control-home');
    const v1 = await world.artifacts.putJson(logisticModel({ bias: 0, tenure: 1, basic: 0, pro: 1 }));
    v2 = await world.artifacts.putJson(logisticModel({ bias: 1, tenure: 1, basic: 0, pro: 1 }));
    v3 = await world.artifacts.putJson(logisticModel({ bias: 2, tenure: 1, basic: 0, pro: 1 }));
    server = await startModelServer({
      home: home.path,
      artifacts: world.artifacts,
      predictors: PREDICTORS,
      token: TEST_TOKEN,
    });
    await churn().deploy('d1', 1, v1);
    expect((await churn().predict([{ tenure: 3, plan: 'pro' }])).status).toBe(200);
    // d2 waits staged: a refused commit must leave it staged, a refused stage must not replace it.
    expect((await churn().stage('d2', 2, v2)).status).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    await world?.close();
    await home?.cleanup();
  });

  it('refuses the requests of the issue without credentials: PUT …/deployment and POST …/rollback', async () => {
    const before = await snapshot();
    const deploy = await raw(
      `${churn().base}/deployment`,
      'PUT',
      JSON_TYPE,
      JSON.stringify({ deploymentId: 'evil', version: 3, artifact: v3 }),
    );
    expect(deploy.status).toBe(401);
    const rollback = await raw(`${churn().base}/rollback`, 'POST', JSON_TYPE, JSON.stringify({ deploymentId: 'd1' }));
    expect(rollback.status).toBe(401);
    expect(rollback.code).toBe('Unauthorized');
    expect(rollback.message).toContain('Authorization: Bearer <token>');
    expect(rollback.message).toContain(TEST_TOKEN.source);
    expect(rollback.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await snapshot()).toEqual(before);
    expect((await churn().predict([{ tenure: 3, plan: 'pro' }])).body.version).toBe(1);
  });

  it('answers 401 for every control route without a token or with a wrong one, never echoing a token', async () => {
    for (const route of routes()) {
      for (const authorization of [
        undefined,
        'Bearer not-the-token-0123456789',
        `Basic ${TEST_TOKEN.value}`,
        'Bearer',
      ]) {
        const before = await snapshot();
        const headers = { ...JSON_TYPE, ...(authorization ? { authorization } : {}) };
        const body = 'body' in route ? JSON.stringify(route.body) : undefined;
        const answer = await raw(route.url, route.method, headers, body);
        expect(answer.status, `${route.name} with ${authorization ?? 'no authorization'}`).toBe(401);
        expect(answer.code).toBe('Unauthorized');
        expect(answer.message).not.toContain(TEST_TOKEN.value);
        expect(answer.message).not.toContain('not-the-token');
        expect(await snapshot(), route.name).toEqual(before);
      }
    }
  });

  it('answers 415 for a state change whose body is not declared application/json, even with the token', async () => {
    for (const route of routes().filter((r) => r.method !== 'GET')) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
        const before = await snapshot();
        const headers = { ...AUTH, ...(type ? { 'content-type': type } : {}) };
        const answer = await raw(route.url, route.method, headers, JSON.stringify('body' in route ? route.body : {}));
        expect(answer.status, `${route.name} as ${type ?? 'no content-type'}`).toBe(415);
        expect(answer.code).toBe('UnsupportedMediaType');
        expect(answer.message).toContain('application/json');
        expect(await snapshot(), route.name).toEqual(before);
      }
    }
  });

  it('answers 403 for browser cross-origin requests, even with the token and a JSON body', async () => {
    const foreign: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: `http://localhost:${server.port}` }, // another origin than the one the request was sent to
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const route of routes()) {
      for (const browser of foreign) {
        const before = await snapshot();
        const body = 'body' in route ? JSON.stringify(route.body) : undefined;
        const answer = await raw(route.url, route.method, { ...AUTH, ...JSON_TYPE, ...browser }, body);
        expect(answer.status, `${route.name} from ${JSON.stringify(browser)}`).toBe(403);
        expect(answer.code).toBe('CrossOriginRefused');
        expect(await snapshot(), route.name).toEqual(before);
      }
    }
  });

  it('refuses a cross-origin text/plain predict from a page: nothing is scored or logged', async () => {
    const before = await snapshot();
    const form = await raw(
      `${churn().base}/predict`,
      'POST',
      { 'content-type': 'text/plain', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      JSON.stringify({ instances: [{ tenure: 1, plan: 'pro' }] }),
    );
    expect(form.status).toBe(403);
    const plain = await raw(
      `${churn().base}/predict`,
      'POST',
      { 'content-type': 'text/plain' },
      JSON.stringify({ instances: [{ tenure: 1, plan: 'pro' }] }),
    );
    expect(plain.status).toBe(415);
    expect(await snapshot()).toEqual(before);
  });

  it('accepts the token from programs and from the server’s own origin; predictions need no token', async () => {
    const own = { origin: server.url, 'sec-fetch-site': 'same-origin' };
    const served = await raw(`${churn().base}/versions/1/served`, 'GET', { ...AUTH, ...own });
    expect(served.status).toBe(200);
    const before = (await churn().served(1)).body.total ?? 0;
    const predict = await raw(
      `${churn().base}/predict`,
      'POST',
      { ...JSON_TYPE, ...own },
      JSON.stringify({ instances: [{ tenure: 2, plan: 'basic' }] }),
    );
    expect(predict.status).toBe(200);
    expect((await churn().served(1)).body.total).toBe(before + 1);
    // And with the token, d2 commits: the refusals above left it staged.
    expect((await churn().commit('d2')).body).toMatchObject({ version: 2, previous: { deploymentId: 'd1' } });
  });
});

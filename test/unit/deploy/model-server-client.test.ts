import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayErrorType, failureType } from '@slipway/sdk';
import {
  ModelServerFailureType,
  createModelServerClient,
  modelServerFailureDetail,
} from '../../../packages/activities/src/model-server/index.js';

/** What the canned server last received. */
const received: { method?: string; url?: string; headers?: Record<string, unknown>; body?: string } = {};

/** A real HTTP server on 127.0.0.1 that answers each path with a canned status and body (or never). */
function cannedServer(): Promise<{ url: string; server: Server }> {
  const answers: Record<string, { status: number; body: string } | 'hang'> = {
    '/v1/models/busy': { status: 503, body: JSON.stringify({ error: { code: 'Internal', message: 'disk full' } }) },
    '/v1/models/refused/rollback': {
      status: 409,
      body: JSON.stringify({ error: { code: 'NotCurrent', message: 'not current' } }),
    },
    '/v1/models/gone': { status: 404, body: 'no such thing' },
    '/v1/models/odd': { status: 200, body: JSON.stringify({ model: 'odd', status: 'dancing' }) },
    '/v1/models/slow': 'hang',
    '/v1/models/m/versions/2/served?limit=5&after=a%2Bb%2F.c': {
      status: 200,
      body: JSON.stringify({ model: 'm', version: 2, total: 7, rows: [], cursor: 'next' }),
    },
    '/v1/models/m/versions/2/served?limit=5': {
      status: 200,
      body: JSON.stringify({ model: 'm', version: 2, total: 7, rows: [] }),
    },
    '/v1/models/m/deployments/d%201/commit': {
      status: 200,
      body: JSON.stringify({ model: 'm', version: 1, deploymentId: 'd 1', previous: null }),
    },
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    // Answer after the whole request was read and recorded, so a test that has the answer sees the record.
    req.on('end', () => {
      Object.assign(received, { method: req.method, url: req.url, headers: req.headers, body });
      const answer = answers[req.url ?? ''];
      if (answer === 'hang') return;
      res.writeHead(answer?.status ?? 500, { 'content-type': 'application/json' });
      res.end(answer?.body ?? '');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

describe('model server client', () => {
  let url: string;
  let server: Server;

  beforeAll(async () => {
    ({ url, server } = await cannedServer());
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('expected a failure'),
      (e: unknown) => e as Error & { nonRetryable: boolean },
    );

  it('treats 5xx as retryable and keeps the server message', async () => {
    const err = await failure(createModelServerClient(url).status('busy'));
    expect(failureType(err)).toBe(ModelServerFailureType.ServerError);
    expect(err.nonRetryable).toBe(false);
    expect(err.message).toBe(`The model server answered GET ${url}/v1/models/busy with 503 Internal: disk full`);
  });

  it('treats 4xx as final, exposing the error code; 404 is NotFound', async () => {
    const err = await failure(createModelServerClient(`${url}/`).rollback('refused', 'd1'));
    expect(failureType(err)).toBe(ModelServerFailureType.Rejected);
    expect(err.nonRetryable).toBe(true);
    expect(modelServerFailureDetail(err)).toEqual({
      method: 'POST',
      url: `${url}/v1/models/refused/rollback`,
      status: 409,
      code: 'NotCurrent',
    });
    const gone = await failure(createModelServerClient(url).status('gone'));
    expect(failureType(gone)).toBe(SlipwayErrorType.NotFound);
    expect(gone.message).toContain('no such thing');
  });

  it('refuses an answer that is not the protocol, naming the field', async () => {
    const err = await failure(createModelServerClient(url).status('odd'));
    expect(failureType(err)).toBe(ModelServerFailureType.BadResponse);
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toMatch(/status: /);
  });

  it('gives up on a server that does not answer in time, retryably', async () => {
    const err = await failure(createModelServerClient(url, { timeoutMs: 150 }).status('slow'));
    expect(failureType(err)).toBe(ModelServerFailureType.Unreachable);
    expect(err.nonRetryable).toBe(false);
    expect(err.message).toBe(`Could not reach the model server at GET ${url}/v1/models/slow: no answer within 150 ms`);
  });

  it('sends the token as a bearer header, and JSON bodies on every state change', async () => {
    const client = createModelServerClient(url, { token: 'secret-token-0123456789' });
    expect(await client.commit('m', 'd 1')).toEqual({ model: 'm', version: 1, deploymentId: 'd 1', previous: null });
    expect(received).toMatchObject({
      method: 'POST',
      url: '/v1/models/m/deployments/d%201/commit',
      headers: { authorization: 'Bearer secret-token-0123456789', 'content-type': 'application/json' },
      body: '{}',
    });
    await createModelServerClient(url).commit('m', 'd 1');
    expect(received.headers?.['authorization']).toBeUndefined();
  });

  it('reads served rows after a cursor, sending it query-encoded, and refuses an answer without a cursor', async () => {
    const client = createModelServerClient(url, { token: 'secret-token-0123456789' });
    expect(await client.served('m', 2, 5, 'a+b/.c')).toEqual({
      model: 'm',
      version: 2,
      total: 7,
      rows: [],
      cursor: 'next',
    });
    expect(received.url).toBe('/v1/models/m/versions/2/served?limit=5&after=a%2Bb%2F.c');
    const err = await failure(client.served('m', 2, 5));
    expect(failureType(err)).toBe(ModelServerFailureType.BadResponse);
    expect(err.message).toMatch(/cursor/);
  });
});

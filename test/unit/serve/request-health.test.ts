/**
 * The model server's request record behind the guardian's serving health: per version, requests, errors and p99
 * latency over a window, on a clock the test moves; the route needs the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionHealthAnswer } from '@slipway/sdk';
import { createRequestHealth } from '../../../packages/worker/src/serve/request-health.js';
import { AUTH, FIXED_SCORE_KIND, call, modelRoutes, openWorld, type TestWorld } from './fixtures.js';
import { deployChampion, registerGuarded, serveRows, startClockedServer, testClock } from '../guard/fixtures.js';
import { trainingRows } from './fixtures.js';

describe('request health record', () => {
  it('counts the requests of a version in a window: from < t ≤ to', () => {
    const clock = testClock();
    const health = createRequestHealth(clock.now, 4);
    const start = clock.iso();
    clock.advance(10);
    health.record('m', 1, { kind: 'scored', ms: 5, rows: 3, scores: [] });
    const t1 = clock.advance(10);
    clock.advance(10);
    health.record('m', 1, { kind: 'failed', ms: 50 });
    health.record('m', 1, { kind: 'rejected' });
    health.record('m', 2, { kind: 'scored', ms: 7, rows: 1, scores: [] });
    const t2 = clock.advance(10);
    const all = health.read('m', 1, Date.parse(start), Date.parse(t2));
    expect(all).toMatchObject({ model: 'm', version: 1, since: start, requests: 2, errors: 1 });
    expect(all.p99Ms).toBeGreaterThan(5);
    expect(all.p99Ms).toBeLessThanOrEqual(50);
    expect(health.read('m', 1, Date.parse(start), Date.parse(t1))).toMatchObject({ requests: 1, errors: 0, p99Ms: 5 });
    expect(health.read('m', 1, Date.parse(t1), Date.parse(t2))).toMatchObject({ requests: 1, errors: 1, p99Ms: 50 });
    expect(health.read('m', 3, undefined, Date.parse(t2))).toMatchObject({ requests: 0, errors: 0, p99Ms: null });
    // The ring keeps 4 requests: once it wraps, `since` is the oldest kept request's time.
    for (let i = 0; i < 4; i++) {
      clock.advance(10);
      health.record('m', 1, { kind: 'scored', ms: 1, rows: 1, scores: [] });
    }
    const wrapped = health.read('m', 1, undefined, Date.parse(clock.iso()));
    expect(wrapped.requests).toBe(4);
    expect(Date.parse(wrapped.since)).toBe(Date.parse(t2) + 10);
  });
});

describe('GET /v1/models/:name/versions/:version/health', () => {
  let world: TestWorld;
  let server: Awaited<ReturnType<typeof startClockedServer>>;
  const clock = testClock();

  beforeAll(async () => {
    world = await openWorld('request-health');
    server = await startClockedServer(world, clock);
  });

  afterAll(async () => {
    await server?.cleanup();
    await world?.close();
  });

  it('answers what the version answered and how many failed, with the token only', async () => {
    await deployChampion(world, server.server.url, 'churn', await registerGuarded(world, 'churn'));
    const from = clock.iso();
    clock.advance(1);
    await serveRows(server.server.url, 'churn', trainingRows(250));
    // A request the server refuses (a row without its features) is no error of the model's.
    expect((await modelRoutes(server.server.url).predict([{ nope: 1 }])).status).toBe(400);
    const to = clock.advance(1);
    const url = `${server.server.url}/v1/models/churn/versions/1/health?from=${from}&to=${to}`;
    expect((await call(url, 'GET')).status).toBe(401);
    const answer = await call(url, 'GET', undefined, AUTH);
    expect(answer.status).toBe(200);
    const health = VersionHealthAnswer.parse(answer.body);
    expect(health).toMatchObject({ model: 'churn', version: 1, requests: 3, errors: 0 });
    expect(Date.parse(health.since)).toBeLessThanOrEqual(Date.parse(from));
    // Failures of a broken model are errors.
    const broken = await world.artifacts.putJson({ kind: FIXED_SCORE_KIND, score: 2 });
    expect((await modelRoutes(server.server.url, 'broken').deploy('b', 7, broken)).status).toBe(200);
    expect((await modelRoutes(server.server.url, 'broken').predict([{ tenure: 1, plan: 'pro' }])).status).toBe(500);
    const later = clock.advance(1);
    const brokenHealth = await call(
      `${server.server.url}/v1/models/broken/versions/7/health?to=${later}`,
      'GET',
      undefined,
      AUTH,
    );
    expect(brokenHealth.body).toMatchObject({ requests: 1, errors: 1 });
    const bad = await call(`${server.server.url}/v1/models/churn/versions/1/health?to=soon`, 'GET', undefined, AUTH);
    expect(bad.status).toBe(400);
  });
});

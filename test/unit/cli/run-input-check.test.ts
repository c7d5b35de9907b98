/**
 * `slipway run <built-in pipeline> --input <file>` checks the file against the pipeline's contract before it
 * connects to anything: a bad file exits 1 naming the file and every field. The CLI is pointed at an address
 * where nothing listens, so reaching Temporal would show as `cannot reach Temporal`.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR, PIPELINE_JSON } from '../../../examples/churn/src/input.js';
import { runCli } from '../../support/processes.js';

const NOWHERE = '127.0.0.1:1';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-cli-input-'));
  await copyFile(join(DATA_DIR, '..', 'expectations.json'), join(dir, 'expectations.json'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `pipeline.json` of the example with some fields replaced, written as `<dir>/<name>`. */
async function inputFile(name: string, change: (input: Record<string, unknown>) => void): Promise<string> {
  const input = JSON.parse(await readFile(PIPELINE_JSON, 'utf8')) as Record<string, unknown>;
  change(input);
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(input, null, 2));
  return path;
}

const slipway = (...args: string[]) => runCli(['--address', NOWHERE, '--home', dir, ...args]);

describe('slipway run checks the input file of a built-in pipeline', () => {
  it('exits 1 naming the file and the field path, before connecting to Temporal', async () => {
    const file = await inputFile('pipeline.json', (input) => {
      (input.approval as Record<string, unknown>).quorum = 'two';
    });
    const { code, output } = await slipway('run', 'trainAndPromote', '--input', file);
    expect(code, output).toBe(1);
    expect(output).toContain(`error: ${file}: approval.quorum: Invalid input: expected number, received string`);
    expect(output).not.toContain('cannot reach Temporal');
    expect(output).not.toContain('started');
  });

  it('names every bad field, for checkDrift as well', async () => {
    const file = join(dir, 'drift.json');
    await writeFile(file, JSON.stringify({ model: 'Bad Name', serverUrl: 'nowhere', minSamples: 0 }));
    const { code, output } = await slipway('run', 'checkDrift', '--input', file);
    expect(code, output).toBe(1);
    expect(output).toContain(`error: ${file}: model: `);
    expect(output).toContain('; serverUrl: ');
    expect(output).toContain('; minSamples: ');
    expect(output).not.toContain('cannot reach Temporal');
  });

  it('leaves a custom pipeline unchecked: the same file goes on to Temporal (here: nothing listening)', async () => {
    const bad = await inputFile('custom.json', (input) => {
      (input.approval as Record<string, unknown>).quorum = 'two';
    });
    const custom = await slipway('run', 'myPipeline', '--input', bad);
    expect(custom.code, custom.output).toBe(1);
    expect(custom.output).toContain(`cannot reach Temporal at ${NOWHERE}`);
  });
});

/**
 * A run input may name its rollout plan by file (`"rollout": "rollout.json"`, relative to the input), as
 * `slipway deploy --rollout` does: the plan is read and checked when the input is read, and a bad plan is refused
 * there, naming the file and the field.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRolloutPlanFile, readRunInput, SlipwayClientError } from '@slipway/sdk/client';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-run-input-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a rollout plan named by file', () => {
  it('replaces the path in a run input with the checked plan, relative to the input', async () => {
    await writeFile(join(dir, 'canary.json'), JSON.stringify({ strategy: 'canary', steps: [10, 100], bakeTime: '5s' }));
    await writeFile(join(dir, 'pipeline.json'), JSON.stringify({ modelName: 'churn', rollout: 'canary.json' }));
    const input = readRunInput(join(dir, 'pipeline.json')) as { rollout: Record<string, unknown> };
    expect(input.rollout).toMatchObject({ strategy: 'canary', steps: [10, 100], bakeTime: '5s' });
  });

  it('keeps a plan written inline as it is', async () => {
    const rollout = { strategy: 'blueGreen' };
    await writeFile(join(dir, 'pipeline.json'), JSON.stringify({ rollout }));
    expect(readRunInput(join(dir, 'pipeline.json'))).toEqual({ rollout });
  });

  it('refuses a bad plan, naming the file and the field', async () => {
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ strategy: 'sideways' }));
    await writeFile(join(dir, 'pipeline.json'), JSON.stringify({ rollout: 'bad.json' }));
    const err = (() => {
      try {
        readRunInput(join(dir, 'pipeline.json'));
      } catch (e) {
        return e;
      }
      return expect.fail('a bad plan was accepted');
    })();
    expect(err).toBeInstanceOf(SlipwayClientError);
    expect((err as SlipwayClientError).code).toBe('InvalidInput');
    expect((err as Error).message).toContain(`${join(dir, 'bad.json')} is not a rollout plan`);
    expect((err as Error).message).toContain('strategy');
  });

  it('refuses a plan file that is missing, naming it', () => {
    expect(() => readRolloutPlanFile(join(dir, 'nowhere.json'))).toThrow(
      `cannot read the rollout plan ${join(dir, 'nowhere.json')}`,
    );
  });
});

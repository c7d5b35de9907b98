/**
 * `@slipway/activities/settings` names the built-in trainers without loading them; the names must be exactly the
 * keys of `builtinTrainers`, so the `trainers` setting refuses every built-in name and no other.
 */
import { builtinTrainers } from '@slipway/activities';
import { BUILTIN_TRAINER_NAMES } from '@slipway/activities/settings';
import { describe, expect, it } from 'vitest';
import { TrainersSetting } from '../../../packages/worker/src/config/trainers-setting.js';

describe('the built-in trainer names', () => {
  it('are the keys of builtinTrainers', () => {
    expect([...BUILTIN_TRAINER_NAMES].sort()).toEqual(Object.keys(builtinTrainers).sort());
  });

  it('are refused as names of configured trainer processes', () => {
    const result = TrainersSetting.safeParse({ 'logistic-regression': { command: ['python', 'train.py'] } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toContain(
      '"logistic-regression" is the name of a built-in trainer',
    );
  });
});

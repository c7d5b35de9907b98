/**
 * Slipway's patch generations: every patch id the workflow code uses is in generation 1 or waits, named, for a later
 * generation; generation 1 names only ids the code still has, and stays the 14 ids it was recorded with (a run that
 * recorded its marker took exactly those).
 */
import { describe, expect, it } from 'vitest';
import { GatePatch } from '../../../packages/sdk/src/workflow/approval-gate.js';
import {
  PATCH_GENERATION_1,
  PATCH_GENERATION_1_IDS,
  UNGENERATED_PATCHES,
} from '../../../packages/sdk/src/workflow/patches.js';
import { PromotionPatch } from '../../../packages/sdk/src/workflow/promotion.js';
import { RetrainPatch } from '../../../packages/sdk/src/workflow/retrain.js';
import { RolloutPatch } from '../../../packages/sdk/src/workflow/rollout/retire.js';

const CODE_PATCHES: string[] = [GatePatch, PromotionPatch, RolloutPatch, RetrainPatch].flatMap((p) => Object.values(p));

describe('patch generations', () => {
  it('cover every patch id of the workflow code, in generation 1 or named as not in one yet', () => {
    const outside = CODE_PATCHES.filter((id) => !PATCH_GENERATION_1_IDS.has(id) && !UNGENERATED_PATCHES.has(id));
    expect(outside).toEqual([]);
    expect([...PATCH_GENERATION_1_IDS].filter((id) => UNGENERATED_PATCHES.has(id))).toEqual([]);
  });

  it('keep generation 1 as recorded: 14 ids the code has, none of them the generation marker', () => {
    expect(PATCH_GENERATION_1_IDS.size).toBe(14);
    expect([...PATCH_GENERATION_1_IDS].filter((id) => !CODE_PATCHES.includes(id))).toEqual([]);
    expect(PATCH_GENERATION_1_IDS.has(PATCH_GENERATION_1)).toBe(false);
  });
});

/**
 * Slipway's patch generations: every patch id the workflow code uses is in a generation or waits, named, for a later
 * one; each generation names only ids the code still has, and stays the ids it was recorded with (a run that
 * recorded its marker took exactly those): generation 1 its 14, generation 2 those and the one added since.
 */
import { describe, expect, it } from 'vitest';
import { GatePatch } from '../../../packages/sdk/src/workflow/approval-gate.js';
import {
  LATEST_PATCH_GENERATION,
  PATCH_GENERATION_1,
  PATCH_GENERATION_1_IDS,
  PATCH_GENERATION_2,
  PATCH_GENERATION_2_IDS,
  UNGENERATED_PATCHES,
} from '../../../packages/sdk/src/workflow/patches.js';
import { PipelinePatch } from '../../../packages/sdk/src/workflow/pipeline-helpers.js';
import { PromotionPatch } from '../../../packages/sdk/src/workflow/promotion.js';
import { RetrainPatch } from '../../../packages/sdk/src/workflow/retrain.js';
import { RolloutPatch } from '../../../packages/sdk/src/workflow/rollout/retire.js';

const CODE_PATCHES: string[] = [GatePatch, PromotionPatch, RolloutPatch, RetrainPatch, PipelinePatch].flatMap((p) =>
  Object.values(p),
);

describe('patch generations', () => {
  it('cover every patch id of the workflow code, in the newest generation or named as not in one yet', () => {
    const outside = CODE_PATCHES.filter((id) => !PATCH_GENERATION_2_IDS.has(id) && !UNGENERATED_PATCHES.has(id));
    expect(outside).toEqual([]);
    expect([...PATCH_GENERATION_2_IDS].filter((id) => UNGENERATED_PATCHES.has(id))).toEqual([]);
    expect(LATEST_PATCH_GENERATION).toBe(PATCH_GENERATION_2);
  });

  it('keep generation 1 as recorded: 14 ids the code has, none of them the generation marker', () => {
    expect(PATCH_GENERATION_1_IDS.size).toBe(14);
    expect([...PATCH_GENERATION_1_IDS].filter((id) => !CODE_PATCHES.includes(id))).toEqual([]);
    expect(PATCH_GENERATION_1_IDS.has(PATCH_GENERATION_1)).toBe(false);
  });

  it('keep generation 2 as recorded: generation 1 and the model tag at start, none of them a generation marker', () => {
    expect([...PATCH_GENERATION_2_IDS].filter((id) => !PATCH_GENERATION_1_IDS.has(id))).toEqual([
      PipelinePatch.modelTagAtStart,
    ]);
    expect([...PATCH_GENERATION_1_IDS].filter((id) => !PATCH_GENERATION_2_IDS.has(id))).toEqual([]);
    expect([...PATCH_GENERATION_2_IDS].filter((id) => !CODE_PATCHES.includes(id))).toEqual([]);
    expect(PATCH_GENERATION_2_IDS.has(PATCH_GENERATION_1) || PATCH_GENERATION_2_IDS.has(PATCH_GENERATION_2)).toBe(
      false,
    );
  });
});

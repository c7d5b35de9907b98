/**
 * The guardian's settings file (`slipway guard start <model> --policy guard.json`): where served rows come from, how a
 * check judges drift, when to act, and what a retrain runs. Paths in it are resolved against the file's folder, the
 * way `slipway run` resolves a run input: `retrain.input` names a run input file (or is one, inline), a served-rows
 * `source.uri` and a dataset template's `newestUnder` may be relative folders.
 */
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { describeIssues } from '../errors.js';
import { modelGuardian, type ModelGuardianInputRaw } from '../pipelines/model-guardian.js';
import { ClientErrorCode, SlipwayClientError } from './errors.js';
import { checkPipelineInput } from './pipeline-input.js';
import { readJsonFile, readRunInput, resolveInputFiles } from './run-input.js';

/** The fields a guard file holds (each checked again, in full, by the `modelGuardian` contract). */
const GuardFile = z.strictObject({
  alias: z.string().optional(),
  source: z.record(z.string(), z.unknown()),
  policy: z.record(z.string(), z.unknown()).optional(),
  hysteresis: z.unknown().optional(),
  cooldown: z.unknown().optional(),
  budget: z.unknown().optional(),
  backfill: z.unknown().optional(),
  ticksPerRun: z.unknown().optional(),
  retrain: z.strictObject({
    input: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    dataset: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** Fields a retrain's run input may not carry: the guardian starts the retrain and sets them itself. */
const GUARDIAN_SET = ['start', 'startedBy', 'retrain'] as const;

/** What the command line adds to the file. */
export interface GuardStartOptions {
  model: string;
  every: string;
  alias?: string | undefined;
  backfill?: { from: string; to: string } | undefined;
}

/**
 * Reads a guard file into a `modelGuardian` input for `options.model`, checked against the contract. Throws an
 * `InvalidInput` client error naming the file and every bad field (an unknown key, a missing retrain input, a run
 * input that sets what the guardian sets, a relative path that is not a folder name, …).
 */
export function readGuardFile(file: string, options: GuardStartOptions): ModelGuardianInputRaw {
  const path = resolve(file);
  const parsed = GuardFile.safeParse(readJsonFile(path, 'the guard file'));
  if (!parsed.success) throw invalid(`${path} is not a guard file: ${describeIssues(parsed.error, Infinity)}`);
  const base = dirname(path);
  const { retrain, source, ...rest } = parsed.data;
  const retrainInput =
    typeof retrain.input === 'string'
      ? readRunInput(resolve(base, retrain.input))
      : resolveInputFiles(retrain.input, base);
  const where =
    typeof retrain.input === 'string'
      ? `${resolve(base, retrain.input)} (retrain.input of ${path})`
      : `${path}: retrain.input`;
  const set = GUARDIAN_SET.filter((k) => Object.hasOwn(retrainInput as object, k));
  if (set.length > 0) {
    throw invalid(
      `${where} sets ${set.join(', ')}: the guardian starts the retrain and sets ${set.length > 1 ? 'these' : 'this'} itself; remove ${set.length > 1 ? 'them' : 'it'}`,
    );
  }
  const input = {
    ...rest,
    model: options.model,
    every: options.every,
    ...(options.alias === undefined ? {} : { alias: options.alias }),
    ...(options.backfill === undefined ? {} : { backfill: options.backfill }),
    source: { ...source, ...(typeof source.uri === 'string' ? { uri: folderUri(source.uri, base) } : {}) },
    retrain: {
      input: retrainInput,
      ...(retrain.dataset === undefined
        ? {}
        : {
            dataset: {
              ...retrain.dataset,
              ...(typeof retrain.dataset.newestUnder === 'string'
                ? { newestUnder: folderUri(retrain.dataset.newestUnder, base) }
                : {}),
            },
          }),
    },
  };
  checkPipelineInput(modelGuardian, input, path);
  return input as ModelGuardianInputRaw;
}

/** A folder given without a scheme, relative to the guard file's folder, as a `file://` URI ending in `/`. */
function folderUri(value: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  const href = pathToFileURL(resolve(base, value)).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function invalid(message: string): SlipwayClientError {
  return new SlipwayClientError(ClientErrorCode.InvalidInput, message);
}

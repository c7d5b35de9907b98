import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseExpectationSet } from '../schemas/expectations.js';
import { RolloutPlan } from '../schemas/rollout.js';
import { describeIssues } from '../errors.js';
import { ClientErrorCode, SlipwayClientError } from './errors.js';

/**
 * Reads a run's input JSON and resolves the files it names relative to itself (see {@link resolveInputFiles}),
 * so input files can live next to their data and expectations. Expectations written inline are checked too, so a
 * bad set is refused here, naming the file, before a run starts.
 */
export function readRunInput(file: string): unknown {
  const path = resolve(file);
  const input = readJsonFile(path, 'the input file');
  const inline = (input as { expectations?: unknown } | null)?.expectations;
  if (inline !== undefined && typeof inline !== 'string') parseExpectationSet(inline, `${path}: expectations`);
  return resolveInputFiles(input, dirname(path));
}

/**
 * Resolves what a run input names by path, relative to `baseDir`: a dataset `uri` without a scheme (e.g.
 * `"data/churn.csv"`) becomes an absolute `file://` URI, `"expectations": "expectations.json"` is replaced by
 * that file's contents, checked as an expectation set (errors name the file, and each expectation by index and id),
 * and `"rollout": "rollout.json"` by that file's rollout plan (see {@link readRolloutPlanFile}).
 */
export function resolveInputFiles(input: unknown, baseDir: string): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const record = input as { dataset?: { uri?: unknown }; expectations?: unknown; rollout?: unknown };
  const resolved: Record<string, unknown> = { ...record };
  const { dataset, expectations, rollout } = record;
  if (dataset && typeof dataset.uri === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(dataset.uri)) {
    resolved.dataset = { ...dataset, uri: pathToFileURL(resolve(baseDir, dataset.uri)).href };
  }
  if (typeof expectations === 'string') {
    const file = resolve(baseDir, expectations);
    resolved.expectations = readJsonFile(file, 'the expectations file');
    parseExpectationSet(resolved.expectations, file);
  }
  if (typeof rollout === 'string') resolved.rollout = readRolloutPlanFile(resolve(baseDir, rollout));
  return resolved;
}

/**
 * Reads a rollout plan file (`slipway deploy --rollout plan.json`, or `"rollout": "plan.json"` in a run input),
 * checked as a `RolloutPlan`; a bad plan is an `InvalidInput` client error naming the file and each bad field.
 */
export function readRolloutPlanFile(file: string): RolloutPlan {
  const path = resolve(file);
  const parsed = RolloutPlan.safeParse(readJsonFile(path, 'the rollout plan'));
  if (parsed.success) return parsed.data;
  throw new SlipwayClientError(
    ClientErrorCode.InvalidInput,
    `${path} is not a rollout plan: ${describeIssues(parsed.error)}`,
  );
}

/** Reads and parses a JSON file, with errors that name the file. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

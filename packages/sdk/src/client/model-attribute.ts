/**
 * The `SlipwayModel` search attribute a run starts with: the client and schedules set it when they start a run, so
 * the run is listed under its model from its first moment (before a worker takes it), and its workflow need not
 * upsert it (one history event and one visibility update less a run).
 */
import { defineSearchAttributeKey, type SearchAttributePair } from '@temporalio/common';
import { SlipwaySearchAttribute } from '../messages.js';
import { modelOfInput } from './schedule-spec.js';

const modelKey = defineSearchAttributeKey(SlipwaySearchAttribute.model, 'KEYWORD');

/**
 * The model a run of this input is about, as its workflow tags it: the input's `modelName` or `model`, or the
 * `version.name` of a version it promotes or rolls out; undefined when the input names none.
 */
export function runModelOf(input: unknown): string | undefined {
  const named = modelOfInput(input);
  if (named !== undefined) return named;
  const version = (input as { version?: { name?: unknown } } | null)?.version;
  return typeof version?.name === 'string' && version.name !== '' ? version.name : undefined;
}

/** The start options that set a run's `SlipwayModel` search attribute (none when its input names no model). */
export function modelSearchAttributes(input: unknown): { typedSearchAttributes?: SearchAttributePair[] } {
  const model = runModelOf(input);
  return model === undefined ? {} : { typedSearchAttributes: [{ key: modelKey, value: model }] };
}

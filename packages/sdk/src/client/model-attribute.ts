/**
 * The `SlipwayModel` search attribute a run starts with: the client and schedules set it when they start a run, so
 * the run is listed under its model from its first moment (before a worker takes it), and its workflow need not
 * upsert it (one history event and one visibility update less a run). On a namespace that does not know the
 * attribute yet (workers add it when they first start there), the run is started without it and its workflow
 * tags it.
 */
import { ServiceError } from '@temporalio/client';
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

/** gRPC's INVALID_ARGUMENT, the code Temporal refuses a start with an unknown search attribute with. */
const INVALID_ARGUMENT = 3;

/**
 * Starts a run with its `SlipwayModel` search attribute (`start` gets the options to add); when the namespace does
 * not know the attribute, starts it again without (the first start created nothing).
 */
export async function startWithModelAttribute<T>(
  input: unknown,
  start: (attributes: { typedSearchAttributes?: SearchAttributePair[] }) => Promise<T>,
): Promise<T> {
  const attributes = modelSearchAttributes(input);
  if (attributes.typedSearchAttributes === undefined) return start({});
  try {
    return await start(attributes);
  } catch (err) {
    if (!refusedModelAttribute(err)) throw err;
    return start({});
  }
}

/** Whether a start was refused because the namespace has no `SlipwayModel` search attribute. */
function refusedModelAttribute(err: unknown): boolean {
  if (!(err instanceof ServiceError)) return false;
  const cause = err.cause as { code?: unknown; details?: unknown } | undefined;
  if (cause?.code !== INVALID_ARGUMENT) return false;
  const details = typeof cause.details === 'string' ? cause.details : '';
  return `${err.message} ${details}`.includes(SlipwaySearchAttribute.model);
}

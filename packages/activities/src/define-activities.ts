import type { ActivityDeps } from './ports.js';

/** An activity as Temporal registers it: an async function of the step's input. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ActivityFunction = (...args: any[]) => Promise<unknown>;

/** Activities by the name workflows call them by (a step's name, for `implementStep` results). */
export type ActivityMap = Record<string, ActivityFunction>;

/** The `kind` of an {@link ActivitiesDefinition}: how a worker recognises one among a module's exports. */
export const ACTIVITIES_DEFINITION_KIND = 'slipway.activities';

/** Activities built from the worker's adapters: what {@link defineActivities} returns. */
export interface ActivitiesDefinition<A extends ActivityMap = ActivityMap> {
  readonly kind: typeof ACTIVITIES_DEFINITION_KIND;
  /** Called once when the worker starts, with the adapters it opened from its configuration. */
  readonly create: (deps: ActivityDeps) => A | Promise<A>;
}

/**
 * Declares activities that need the worker's adapters (artifact store, registry, dataset roots, model server):
 * `slipway worker --activities <module>` calls `create` once at start with the adapters it opened from its
 * configuration, and registers what it returns next to the built-in steps. Export the result by any name.
 *
 * ```ts
 * // activities.js, served with `slipway worker --workflows ./workflows.js --activities ./activities.js`
 * export const scoring = defineActivities((deps) => {
 *   const openSource = datasetSourceOpener(deps); // reads only below the worker's dataset roots
 *   return implementStep(countRows, async ({ dataset, schema }) => {
 *     let rows = 0;
 *     for await (const event of readCsvRows(dataset.uri, { schema, openSource })) if (event.ok) rows += 1;
 *     return { rows };
 *   });
 * });
 * ```
 */
export function defineActivities<A extends ActivityMap>(
  create: (deps: ActivityDeps) => A | Promise<A>,
): ActivitiesDefinition<A> {
  if (typeof create !== 'function') {
    throw new TypeError('defineActivities: expected a function (deps) => activities');
  }
  return Object.freeze({ kind: ACTIVITIES_DEFINITION_KIND, create });
}

/** Whether a value is an {@link ActivitiesDefinition} (by its `kind` field, so copies of this package agree). */
export function isActivitiesDefinition(value: unknown): value is ActivitiesDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === ACTIVITIES_DEFINITION_KIND &&
    typeof (value as { create?: unknown }).create === 'function'
  );
}

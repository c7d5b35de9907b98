import type { ActivityMap } from '@slipway/activities';
import { builtinSteps } from '@slipway/sdk';

/**
 * The activity names (step contract names, e.g. `slipway.train`) of the built-in steps a worker should serve, from
 * the names a person gives: the short names `useSteps` uses (`train`, `rolloutStage`) or the contract names
 * (`slipway.train`). Refuses an unknown name (naming it and listing the known ones) and an empty list: a worker that
 * serves a mistyped step would leave that step's tasks waiting on its queue forever.
 *
 * ```ts
 * builtinStepActivityNames(['train']); // ['slipway.train']
 * ```
 */
export function builtinStepActivityNames(names: readonly string[]): string[] {
  const byName = new Map<string, string>();
  for (const [key, contract] of Object.entries(builtinSteps)) {
    byName.set(key, contract.name);
    byName.set(contract.name, contract.name);
  }
  const wanted = names.map((name) => name.trim()).filter((name) => name !== '');
  if (wanted.length === 0) {
    throw new Error(`no step named: name at least one of the built-in steps (${knownStepNames()})`);
  }
  const unknown = wanted.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown step${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => JSON.stringify(n)).join(', ')}: the built-in steps are ${knownStepNames()}`,
    );
  }
  return [...new Set(wanted.map((name) => byName.get(name) as string))];
}

/** The built-in steps' short names, comma-separated, for error messages and help. */
export function knownStepNames(): string {
  return Object.keys(builtinSteps).join(', ');
}

/** Only the named activities of `activities` (names from {@link builtinStepActivityNames}). */
export function selectActivities(activities: ActivityMap, names: readonly string[]): ActivityMap {
  return Object.fromEntries(names.flatMap((name) => (activities[name] ? [[name, activities[name]]] : [])));
}

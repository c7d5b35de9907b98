/**
 * A user's activities module, as `slipway worker --activities <module>` serves it next to the built-in steps.
 *
 * The module contract (ES module, compiled to JavaScript):
 * - a named export that is a function is an activity, registered under the export's name;
 * - a named export that is a plain object of functions (what `implementStep(contract, fn)` returns, or several
 *   spread together) adds each function under its key (a step's name);
 * - a `defineActivities((deps) => activities)` result, under any name, or a function as the default export, is a
 *   factory: it is called once when the worker starts, with the adapters the worker opened from its configuration
 *   (`ActivityDeps`: artifact store, audited registry, dataset roots, S3 settings, model server, directory), and
 *   what it returns (an object of functions) is registered.
 *
 * Other exports (constants, step contracts, schemas, class instances) are left alone. A module with no activity,
 * a plain object mixing functions with other values, two exports giving the same activity name, and a name taken
 * by a built-in step are refused, naming the module and the export.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isActivitiesDefinition, type ActivityDeps, type ActivityMap } from '@slipway/activities';

/** Builds the activities of a module from the worker's adapters. */
export type ActivitiesFactory = (deps: ActivityDeps) => ActivityMap | Promise<ActivityMap>;

/** One usable export of an activities module. */
type ActivitySource =
  | { kind: 'activities'; exportName: string; activities: ActivityMap }
  | { kind: 'factory'; exportName: string; create: ActivitiesFactory };

/** A loaded activities module. */
export interface ActivitiesModule {
  /** The module's absolute path, for messages. */
  readonly path: string;
  /** Builds every activity the module gives, with the worker's adapters. */
  create(deps: ActivityDeps): Promise<ActivityMap>;
}

/**
 * Imports an activities module (a path, resolved against `cwd`) and checks it gives at least one activity. The
 * factories it exports run later, in {@link ActivitiesModule.create}, once the worker has its adapters.
 */
export async function loadActivitiesModule(specifier: string, cwd = process.cwd()): Promise<ActivitiesModule> {
  const path = resolve(cwd, specifier);
  if (!(await isFile(path))) throw new Error(`cannot load the activities module ${path}: no such file`);
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot load the activities module ${path}: ${whyNotLoaded(err)}`, { cause: err });
  }
  const sources = Object.keys(namespace)
    .sort()
    .flatMap((name) => activitySource(path, name, namespace[name]));
  if (sources.length === 0) {
    throw new Error(
      `the activities module ${path} exports no activities (${describeExports(namespace)}): export activity functions ` +
        'by name, objects of them (what implementStep(contract, fn) returns), or a factory of them ' +
        '(defineActivities((deps) => ({ ... })), or a function as the default export)',
    );
  }
  return { path, create: (deps) => createActivitiesOf(path, sources, deps) };
}

/** What one export of the module gives, if anything; refuses an object that mixes functions and other values. */
function activitySource(path: string, exportName: string, value: unknown): ActivitySource[] {
  if (isActivitiesDefinition(value)) return [{ kind: 'factory', exportName, create: value.create }];
  if (typeof value === 'function') {
    return exportName === 'default'
      ? [{ kind: 'factory', exportName, create: value as ActivitiesFactory }]
      : [{ kind: 'activities', exportName, activities: { [exportName]: value as ActivityMap[string] } }];
  }
  if (!isPlainObject(value)) return [];
  const entries = Object.entries(value);
  const others = entries.filter(([, v]) => typeof v !== 'function').map(([k]) => k);
  if (others.length === entries.length) return [];
  if (others.length > 0) {
    throw new Error(
      `the export "${exportName}" of the activities module ${path} mixes activity functions with other values ` +
        `(${others.join(', ')}): an object of activities holds functions only`,
    );
  }
  return [{ kind: 'activities', exportName, activities: value as ActivityMap }];
}

/** Runs the factories and merges every export's activities; refuses two exports giving the same name. */
async function createActivitiesOf(path: string, sources: ActivitySource[], deps: ActivityDeps): Promise<ActivityMap> {
  const merged: ActivityMap = {};
  const from = new Map<string, string>();
  for (const source of sources) {
    const activities = source.kind === 'activities' ? source.activities : await runFactory(path, source, deps);
    for (const [name, fn] of Object.entries(activities)) {
      const earlier = from.get(name);
      if (earlier !== undefined) {
        throw new Error(
          `the activities module ${path} gives the activity "${name}" twice (exports "${earlier}" and "${source.exportName}")`,
        );
      }
      from.set(name, source.exportName);
      merged[name] = fn;
    }
  }
  return merged;
}

/** Calls a factory export and checks it returned a non-empty object of functions. */
async function runFactory(
  path: string,
  source: Extract<ActivitySource, { kind: 'factory' }>,
  deps: ActivityDeps,
): Promise<ActivityMap> {
  const what = `the activities factory "${source.exportName}" of ${path}`;
  let result: unknown;
  try {
    result = await source.create(deps);
  } catch (err) {
    throw new Error(`${what} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!isPlainObject(result)) {
    throw new Error(`${what} returned ${describeValue(result)}: it must return an object of activity functions`);
  }
  const entries = Object.entries(result);
  const others = entries.filter(([, v]) => typeof v !== 'function').map(([k]) => k);
  if (entries.length === 0 || others.length > 0) {
    throw new Error(
      `${what} returned ${entries.length === 0 ? 'no activities' : `values that are not functions (${others.join(', ')})`}: it must return an object of activity functions`,
    );
  }
  return result as ActivityMap;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function whyNotLoaded(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ERR_MODULE_NOT_FOUND') return `it imports something that is not installed: ${message}`;
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    return 'Node cannot load this file type: compile the module to JavaScript first';
  }
  return message;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `an object (${value.constructor?.name ?? 'no prototype'})` : `a ${typeof value}`;
}

function describeExports(namespace: Record<string, unknown>): string {
  const names = Object.keys(namespace).sort();
  if (names.length === 0) return 'it has no exports';
  return `its exports: ${names.map((n) => `${n} (${describeValue(namespace[n])})`).join(', ')}`;
}

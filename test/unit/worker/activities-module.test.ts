/**
 * A user's activities module as `slipway worker --activities <module>` loads it: named activity functions,
 * `implementStep` objects and `defineActivities` factories (given the worker's adapters) are served; a module that
 * gives nothing, mixes functions with other values, names an activity twice, or takes a built-in step's name is
 * refused with an error naming the module and the export. Modules are written to a temp directory as a user would
 * write them (plain JavaScript), importing the built `@slipway/activities` and `@slipway/sdk` by file URL.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createActivities, createFsArtifactStore, openSqliteRegistry, type ActivityDeps } from '@slipway/activities';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActivitiesModule } from '../../../packages/worker/src/worker/activities-module.js';
import { withOwnActivities } from '../../../packages/worker/src/worker/create-worker.js';

const PACKAGES = resolve(import.meta.dirname, '..', '..', '..', 'packages');
const ACTIVITIES = pathToFileURL(join(PACKAGES, 'activities', 'dist', 'index.js')).href;
const SDK = pathToFileURL(join(PACKAGES, 'sdk', 'dist', 'index.js')).href;
const ZOD = pathToFileURL(resolve(import.meta.dirname, '..', '..', '..', 'node_modules', 'zod', 'index.js')).href;

let dir: string;
let deps: ActivityDeps;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-activities-module-'));
  deps = { artifacts: createFsArtifactStore(join(dir, 'artifacts')), registry: openSqliteRegistry(join(dir, 'r.db')) };
});
afterAll(async () => {
  await deps.registry.close();
  await rm(dir, { recursive: true, force: true });
});

/** Writes `<dir>/<name>` and returns its path. */
async function module(name: string, source: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, source);
  return path;
}

const COUNT_STEP = `
import { defineStep } from '${SDK}';
import { z } from '${ZOD}';
export const countStep = defineStep({
  name: 'acme.count',
  input: z.object({ values: z.array(z.number()) }),
  output: z.object({ count: z.number().int() }),
});
`;

describe('loadActivitiesModule serves what a module exports', () => {
  it('registers named functions, implementStep objects and defineActivities factories given the adapters', async () => {
    const path = await module(
      'all-kinds.mjs',
      `${COUNT_STEP}
import { defineActivities, implementStep } from '${ACTIVITIES}';
export const LIMIT = 3; // a constant: left alone
export async function ping(name) { return 'pong ' + name; }
export const counting = implementStep(countStep, async ({ values }) => ({ count: values.length }));
export const storing = defineActivities((deps) => ({
  'acme.store': async (value) => deps.artifacts.putJson(value),
}));
`,
    );
    const loaded = await loadActivitiesModule(path);
    expect(loaded.path).toBe(path);
    const activities = await loaded.create(deps);
    expect(Object.keys(activities).sort()).toEqual(['acme.count', 'acme.store', 'ping']);
    await expect(activities.ping!('ada')).resolves.toBe('pong ada');
    await expect(activities['acme.count']!({ values: [1, 2, 3] })).resolves.toEqual({ count: 3 });
    // The step's contract still checks input inside the activity.
    await expect(activities['acme.count']!({ values: 'x' })).rejects.toThrow(/acme\.count.*values/s);
    // The factory got the worker's adapters: what it stores is in the artifact store.
    const ref = (await activities['acme.store']!({ answer: 42 })) as { uri: string; digest: string };
    await expect(deps.artifacts.getJson(ref)).resolves.toEqual({ answer: 42 });
  });

  it('takes a function as the default export for a factory (deps) => activities, and a relative path', async () => {
    await module(
      'default-factory.mjs',
      `export default async function activities(deps) {
  return { 'acme.hasRegistry': async () => typeof deps.registry.getVersion === 'function' };
}
`,
    );
    const loaded = await loadActivitiesModule('default-factory.mjs', dir);
    expect(loaded.path).toBe(join(dir, 'default-factory.mjs'));
    const activities = await loaded.create(deps);
    expect(Object.keys(activities)).toEqual(['acme.hasRegistry']);
    await expect(activities['acme.hasRegistry']!()).resolves.toBe(true);
  });
});

describe('loadActivitiesModule refuses a module that gives no activities, naming it', () => {
  it('refuses a module whose exports are no activities, listing what it exports', async () => {
    const path = await module(
      'nothing-usable.mjs',
      `${COUNT_STEP}
export const LIMIT = 3;
export const settings = { retries: 2 };
class Scorer { score() { return 1; } }
export const scorer = new Scorer();
`,
    );
    const err = await loadActivitiesModule(path).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain(`the activities module ${path} exports no activities`);
    expect(err?.message).toContain(
      'its exports: LIMIT (a number), countStep (an object (Object)), scorer (an object (Scorer)), settings (an object (Object))',
    );
    expect(err?.message).toContain('implementStep(contract, fn)');
  });

  it('refuses a module with no exports at all', async () => {
    const path = await module('empty.mjs', 'const unused = 1;\n');
    await expect(loadActivitiesModule(path)).rejects.toThrow(
      `the activities module ${path} exports no activities (it has no exports)`,
    );
  });

  it('names a missing file, a broken import and a syntax error (a .ts file: see the CLI test)', async () => {
    const missing = join(dir, 'nope.mjs');
    await expect(loadActivitiesModule(missing)).rejects.toThrow(
      `cannot load the activities module ${missing}: no such file`,
    );
    const broken = await module('broken-import.mjs', "import 'acme-not-installed';\nexport const a = async () => 1;\n");
    await expect(loadActivitiesModule(broken)).rejects.toThrow(
      new RegExp(
        `cannot load the activities module ${broken}: it imports something that is not installed: .*acme-not-installed`,
      ),
    );
    const syntax = await module('syntax.mjs', 'export const a = async () => {\n');
    await expect(loadActivitiesModule(syntax)).rejects.toThrow(`cannot load the activities module ${syntax}: `);
  });

  it('refuses an object mixing activity functions with other values, naming the export and the values', async () => {
    const path = await module(
      'mixed.mjs',
      'export const scoring = { score: async () => 1, threshold: 0.5, label: "x" };\n',
    );
    await expect(loadActivitiesModule(path)).rejects.toThrow(
      `the export "scoring" of the activities module ${path} mixes activity functions with other values (threshold, label)`,
    );
  });

  it('refuses two exports giving the same activity name, naming both', async () => {
    const path = await module(
      'twice.mjs',
      'export const a = { "acme.score": async () => 1 };\nexport const b = { "acme.score": async () => 2 };\n',
    );
    const loaded = await loadActivitiesModule(path);
    await expect(loaded.create(deps)).rejects.toThrow(
      `the activities module ${path} gives the activity "acme.score" twice (exports "a" and "b")`,
    );
  });

  it('refuses a factory that fails or returns no object of functions, naming the factory and the module', async () => {
    const cases: [string, string, string][] = [
      ['throws.mjs', 'throw new Error("no GPU")', 'failed: no GPU'],
      [
        'returns-nothing.mjs',
        'return undefined',
        'returned a undefined: it must return an object of activity functions',
      ],
      [
        'returns-array.mjs',
        'return [async () => 1]',
        'returned an array: it must return an object of activity functions',
      ],
      ['returns-empty.mjs', 'return {}', 'returned no activities: it must return an object of activity functions'],
      ['returns-values.mjs', 'return { a: async () => 1, b: 2 }', 'returned values that are not functions (b)'],
    ];
    for (const [name, body, why] of cases) {
      const path = await module(
        name,
        `import { defineActivities } from '${ACTIVITIES}';\nexport const gpu = defineActivities(async () => { ${body}; });\n`,
      );
      const loaded = await loadActivitiesModule(path);
      await expect(loaded.create(deps), name).rejects.toThrow(`the activities factory "gpu" of ${path} ${why}`);
    }
  });
});

describe('withOwnActivities: your activities next to the built-in steps', () => {
  it('adds yours and refuses a name a built-in step has', () => {
    const builtin = createActivities(deps);
    const one = () => Promise.resolve(1);
    const own = { 'acme.score': one };
    const merged = withOwnActivities(builtin, own);
    expect(Object.keys(merged)).toEqual([...Object.keys(builtin), 'acme.score']);
    expect(merged['slipway.validate']).toBe(builtin['slipway.validate']);
    expect(() => withOwnActivities(builtin, { 'slipway.validate': one, 'acme.x': one })).toThrow(
      'the activity "slipway.validate" would replace the built-in step of that name: give your step a name of your own',
    );
  });
});

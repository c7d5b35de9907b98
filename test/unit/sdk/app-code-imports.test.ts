/**
 * App code needs only `@slipway/sdk/client` (and the contracts): the churn example's `client.ts`, and every
 * module it imports, reaches neither the worker package (native worker, model server, dev server) nor the
 * activities. The walk follows the example's relative imports; a control shows it finds the worker from the example's worker.ts.
 * The demo (`examples/churn/demo/`) uses the example through its package exports and `@slipway/worker` only to run
 * things, never the CLI's renderers (the demo prints runs itself).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', '..', 'examples', 'churn', 'src');
const DEMO = resolve(EXAMPLE, '..', 'demo');

/** The packages a module reaches through its own imports and its relative imports, transitively. */
function packagesReached(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)) {
      if (specifier!.startsWith('.')) visit(join(dirname(file), specifier!.replace(/\.js$/, '.ts')));
      else packages.add(specifier!);
    }
  };
  visit(entry);
  return packages;
}

describe('the churn example as app code', () => {
  it('client.ts reaches only the sdk (and Node), never @slipway/worker or @slipway/activities', () => {
    const reached = [...packagesReached(join(EXAMPLE, 'client.ts'))];
    expect(reached).toContain('@slipway/sdk/client');
    expect(reached.filter((p) => /^@slipway\/(worker|activities)/.test(p))).toEqual([]);
    expect(reached.filter((p) => p.startsWith('@slipway/')).sort()).toEqual(['@slipway/sdk', '@slipway/sdk/client']);
  });

  it('the walk finds the worker package where it is imported (the check can fail)', () => {
    expect([...packagesReached(join(EXAMPLE, 'worker.ts'))]).toContain('@slipway/worker');
  });
});

/** The names each file of a folder imports from `pkg` (value and type imports alike), by file. */
function namesImportedFrom(dir: string, pkg: string): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(join(dir, file), 'utf8');
    const names = [...source.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/gm)]
      .filter(([, , from]) => from === pkg)
      .flatMap(([, list]) => list!.split(',').map((n) => n.replace(/^\s*type\s+/, '').trim()))
      .filter((n) => n !== '');
    if (names.length) byFile.set(file, names);
  }
  return byFile;
}

describe('the demo', () => {
  it('uses @slipway/worker only to run things (dev server, worker configuration, its people, audit check, the configured registry), never the CLI renderers', () => {
    const imported = namesImportedFrom(DEMO, '@slipway/worker');
    const devServer = namesImportedFrom(DEMO, '@slipway/worker/dev-server');
    expect(imported.get('demo.ts')).toEqual(expect.arrayContaining(['loadConfig']));
    expect(devServer.get('demo.ts')).toEqual(expect.arrayContaining(['startDevServer']));
    const all = [...imported.values(), ...devServer.values()].flat();
    expect(all.filter((name) => /^(render|describeWaitingGate)/.test(name))).toEqual([]);
    expect(
      all.filter(
        (name) =>
          ![
            'freePort',
            'loadConfig',
            'openConfiguredRegistry',
            'startDevServer',
            'verifyConfiguredAuditLog',
            'writeLocalDirectory',
            'SlipwayConfig',
          ].includes(name),
      ),
    ).toEqual([]);
  });

  it('reaches the example through its package exports, not its source files', () => {
    const relative = readdirSync(DEMO)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        [...readFileSync(join(DEMO, f), 'utf8').matchAll(/from\s+'(\.\.\/[^']*)'/g)].map((m) => `${f}: ${m[1]}`),
      );
    expect(relative).toEqual([]);
    expect([...packagesReached(join(DEMO, 'demo.ts'))]).toEqual(
      expect.arrayContaining([
        '@slipway/example-churn/steps',
        '@slipway/example-churn/input',
        '@slipway/example-churn/churn-worker',
      ]),
    );
  });
});

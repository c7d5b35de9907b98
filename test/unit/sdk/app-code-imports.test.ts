/**
 * App code needs only `@slipway/sdk/client` (and the contracts): the churn example's `client.ts`, and every
 * module it imports, reaches neither the worker package (native worker, model server, dev server) nor the
 * activities. The walk follows the example's relative imports; a control shows it finds the worker from the example's worker.ts.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', '..', 'examples', 'churn', 'src');

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

/**
 * Slipway's workflow module sharing, on a real worker and dev server: runs of a worker share one instance of the
 * SDK's pure modules (zod, contracts, schemas) — a later run sees the very schema object an earlier run marked, and
 * it still parses and refuses as it should — while workflow code is evaluated per run. And the bundle keeps the
 * rule sharing rests on: a shared module depends only on shared modules, or on modules Temporal evaluates once
 * per worker (its workflow runtime, the preloaded Ed25519).
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isShareableModule, sdkDirectoryOf } from '../../packages/sdk/src/workflow/module-sharing.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import type { SharingProbe } from './module-sharing/workflows.js';

let h: Harness;

beforeAll(async () => {
  const workflowBundle = await bundle(join(import.meta.dirname, 'module-sharing', 'workflows.ts'));
  h = await startHarness({ name: 'module-sharing', workflowBundle });
}, 180_000);
afterAll(async () => {
  await h?.stop();
});

async function probe(workflowId: string): Promise<SharingProbe> {
  return h.client.temporal.workflow.execute('sharingProbe', {
    taskQueue: h.config.taskQueue,
    workflowId,
  }) as Promise<SharingProbe>;
}

describe('workflow module sharing', () => {
  it('shares the SDK modules between runs and evaluates workflow code per run', async () => {
    const first = await probe('probe-first');
    const second = await probe('probe-second');
    expect(second.markedBy).toBe('probe-first');
    expect([first.evaluations, second.evaluations]).toEqual([1, 1]);
    for (const run of [first, second]) {
      expect(run.parsesGood).toBe(true);
      expect(run.refusal).toBe('digest');
      // Workflow code verifies signatures in WebAssembly, with the same verdicts.
      expect(run.ed25519).toEqual({ engine: 'webassembly', valid: true, tampered: false });
    }
    // The second run's module cache holds its own workflow code and the shared records it was given.
    expect(second.cachedModules.some((id) => id.endsWith('module-sharing/workflows.ts'))).toBe(true);
    expect(second.cachedModules.some((id) => id.includes('/node_modules/zod/'))).toBe(true);
  });

  it('bundles shared modules that depend only on shared modules or on modules Temporal evaluates once', async () => {
    const graph = moduleGraph(await readFile(inject('builtinBundlePath'), 'utf8'));
    const sdk = sdkDirectoryOf(graph.keys());
    expect(sdk).toMatch(/sdk\/dist\/$/);
    const shareable = (id: string) => isShareableModule(id, sdk as string);
    const once = closure(graph, [...graph.keys()].filter(evaluatedAtStart));
    const shared = [...graph.keys()].filter(shareable);
    expect(shared.length).toBeGreaterThan(50);
    expect(shared.some((id) => id.includes('/zod/'))).toBe(true);
    const violations = shared.flatMap((id) =>
      (graph.get(id) ?? []).filter((dep) => !shareable(dep) && !once.has(dep)).map((dep) => `${id} → ${dep}`),
    );
    expect(violations).toEqual([]);
    // No shared module reaches Temporal's per-run workflow API.
    expect([...closure(graph, shared)].filter((id) => id.includes('@temporalio/workflow/lib/index.js'))).toEqual([]);
  });

  it('shares only the SDK’s own directory and zod, never a package that merely lives under a path like it', () => {
    const sdk = './node_modules/@slipway/sdk/dist/';
    expect(sdkDirectoryOf(['./src/workflows.ts', `${sdk}workflow/module-sharing.js`])).toBe(sdk);
    expect(isShareableModule(`${sdk}schemas/approval.js`, sdk)).toBe(true);
    expect(isShareableModule('./node_modules/zod/v4/core/schemas.js', sdk)).toBe(true);
    expect(isShareableModule(`${sdk}workflow/approval-gate.js`, sdk)).toBe(false);
    expect(isShareableModule('./packages/sdk/dist/schemas/approval.js', sdk)).toBe(false);
    expect(isShareableModule('./node_modules/@acme/sdk/dist/state.js', sdk)).toBe(false);
    expect(sdkDirectoryOf(['./src/workflows.ts'])).toBeUndefined();
  });
});

/** The modules Temporal evaluates when it creates a worker's workflow context: its runtime and the preload. */
function evaluatedAtStart(id: string): boolean {
  return id.endsWith('@temporalio/workflow/lib/worker-interface.js') || id.endsWith('/workflow/shared-modules.js');
}

/** A webpack (development) bundle's modules and, for each, the modules it requires. */
function moduleGraph(code: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const starts = [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"$/gm)];
  starts.forEach((start, i) => {
    const body = code.slice(start.index, starts[i + 1]?.index ?? code.length);
    const deps = [...body.matchAll(/__webpack_require__\(\/\*! [^*]*\*\/ "([^"]+)"\)/g)].map((m) => m[1] as string);
    graph.set(start[1] as string, deps);
  });
  return graph;
}

/** Every module reachable from `roots` through requires. */
function closure(graph: Map<string, string[]>, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const id = pending.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    pending.push(...(graph.get(id) ?? []));
  }
  return seen;
}

/**
 * Prebuilt workflow bundles: `slipway bundle` runs webpack over the workflow code once (seconds to tens of
 * seconds), and workers started with `--workflow-bundle` load the file instead of bundling at every start. A
 * bundle file opens with one header line saying what it is, which workflows it holds and the digest of the code
 * after it, so a worker refuses a file that is not a Slipway bundle or was changed after it was written.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { z } from 'zod';
import { WORKFLOW_TRACING_MODULE } from './workflow-tracing.js';

/** The first characters of a bundle file's header line. */
const HEADER_PREFIX = '// slipway-workflow-bundle ';

/** What a bundle's header line records. */
const BundleHeader = z.object({
  version: z.literal(1),
  /** The workflows module it was bundled from, as given. */
  workflows: z.string(),
  /** When it was written (ISO 8601 UTC). */
  builtAt: z.string(),
  /** sha256 of the code after the header line. */
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
});
/** What a bundle's header line records. */
export type BundleHeader = z.infer<typeof BundleHeader>;

/** The bundle a worker loads, as `Worker.create` takes it. */
export type LoadedWorkflowBundle = NonNullable<WorkerOptions['workflowBundle']> & { code: string };

function sha256(code: string): string {
  return `sha256:${createHash('sha256').update(code).digest('hex')}`;
}

/**
 * The digest a bundle's header records for its code (`sha256:<hex>`, as `slipway bundle` prints it): a worker with
 * Worker Versioning and no build id given takes it as its build id.
 */
export function workflowBundleDigest(code: string): string {
  return sha256(code);
}

/** Silences webpack's progress lines; errors still reach stderr. */
const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
};

/**
/**
 * What every Slipway bundle preloads: `@slipway/sdk/workflow-shared-modules` (Ed25519 and SHA-512), evaluated once
 * per worker and shared by every run instead of once per cached run (see that module). Passed to the bundler as
 * `preloadModules`, by `bundleWorkflows` and by workers that bundle at start.
 */
export function sharedWorkflowModules(): string[] {
  // `require.resolve` (the package's `default` export): test runners' module loaders lack `import.meta.resolve`.
  return [createRequire(import.meta.url).resolve('@slipway/sdk/workflow-shared-modules')];
}

/**
 * The workflow interceptors module every Slipway bundle carries: `@slipway/sdk/workflow-module-sharing`, through
 * which runs share one instance of Slipway's pure modules (zod, the contracts and their schemas) instead of
 * evaluating them once per run (see that module). It acts on no workflow: histories replay with or without it.
 */
export function moduleSharingInterceptors(): string[] {
  return [createRequire(import.meta.url).resolve('@slipway/sdk/workflow-module-sharing')];
}

/**
 * Bundles a workflows module in memory (webpack; only its errors are printed), with the shared modules preloaded.
 * With `tracing`, the bundle carries the OpenTelemetry workflow interceptors (the workflow's spans, and the trace
 * context its activities receive). They change how the workflow code runs: a bundle with them must not replay
 * runs recorded without them (and the reverse), so turn tracing on for new runs, not for runs in flight.
 */
export async function bundleWorkflows(
  workflowsPath: string,
  options: { tracing?: boolean } = {},
): Promise<{ code: string }> {
  return bundleWorkflowCode({
    workflowsPath,
    logger: quietLogger,
    preloadModules: sharedWorkflowModules(),
    workflowInterceptorModules: [...moduleSharingInterceptors(), ...(options.tracing ? [WORKFLOW_TRACING_MODULE] : [])],
  });
}

/**
 * Bundles `workflowsPath` and writes the bundle, with its header line, to `out` (written to a temporary file
 * first, then renamed, so a reader never sees half a bundle). Returns the header.
 */
export async function writeWorkflowBundle(options: {
  workflowsPath: string;
  out: string;
  /** Carry the OpenTelemetry workflow interceptors (see {@link bundleWorkflows}). */
  tracing?: boolean;
}): Promise<BundleHeader> {
  const { code } = await bundleWorkflows(options.workflowsPath, { tracing: options.tracing === true });
  const header: BundleHeader = {
    version: 1,
    workflows: options.workflowsPath,
    builtAt: new Date().toISOString(),
    digest: sha256(code),
  };
  const out = resolve(options.out);
  await mkdir(dirname(out), { recursive: true });
  const partial = `${out}.${process.pid}.partial`;
  await writeFile(partial, `${HEADER_PREFIX}${JSON.stringify(header)}\n${code}`);
  await rename(partial, out);
  return header;
}

/**
 * Reads a bundle written by {@link writeWorkflowBundle}. Throws naming the file when it cannot be read, does not
 * open with a Slipway bundle header, or its code does not match the header's digest.
 */
export async function loadWorkflowBundle(path: string): Promise<LoadedWorkflowBundle & { header: BundleHeader }> {
  const file = resolve(path);
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new Error(`cannot read the workflow bundle ${file}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const newline = text.indexOf('\n');
  const first = newline < 0 ? text : text.slice(0, newline);
  if (!first.startsWith(HEADER_PREFIX)) {
    throw new Error(`${file} is not a Slipway workflow bundle (write one with \`slipway bundle --out ${path}\`)`);
  }
  const parsed = BundleHeader.safeParse(safeJson(first.slice(HEADER_PREFIX.length)));
  if (!parsed.success) {
    throw new Error(`${file}: line 1, the bundle header is damaged: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  const code = text.slice(newline + 1);
  const digest = sha256(code);
  if (digest !== parsed.data.digest) {
    throw new Error(
      `${file}: the bundle's code hashes to ${digest}, not ${parsed.data.digest} as its header says: it was changed after \`slipway bundle\` wrote it; write it again`,
    );
  }
  return { code, header: parsed.data };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

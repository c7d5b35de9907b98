/**
 * Builds the SQLite registry into plain ESM JavaScript in a temp directory, so that separate Node
 * processes (which cannot load TypeScript) can open the same database file as the test.
 */
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const activitiesSrc = join(repoRoot, 'packages/activities/src');

/** The source folders the registry needs at run time (its type-only imports are erased). */
const SOURCE_DIRS = ['registry', 'audit', 'util', 'artifacts', 'sources'] as const;

async function transpileDir(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from)) {
    if (!entry.endsWith('.ts') || entry.endsWith('.d.ts')) continue;
    const source = await readFile(join(from, entry), 'utf8');
    const output = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: entry,
    });
    await writeFile(join(to, entry.replace(/\.ts$/, '.js')), output.outputText);
  }
}

/**
 * Transpiles the registry into `outDir` and returns the path of `registry/index.js` there. Packages
 * (`@slipway/sdk`, `libsql`, `zod`) resolve through a link to the repository's `node_modules`.
 */
export async function transpileRegistry(outDir: string): Promise<string> {
  for (const dir of SOURCE_DIRS) await transpileDir(join(activitiesSrc, dir), join(outDir, dir));
  await writeFile(join(outDir, 'package.json'), JSON.stringify({ type: 'module' }));
  await symlink(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'), 'junction');
  return join(outDir, 'registry', 'index.js');
}

/**
 * A child-process script: waits until `startAt` (epoch ms) so that every child starts together, then
 * registers `count` versions under its own keys and one under the shared key, interleaved, and prints
 * `{ own: number[], shared: { version, created } }` as JSON.
 * Arguments: `<dbPath> <worker> <count> <startAt> <inputJson>`.
 */
export const REGISTER_CHILD_SCRIPT = `
import { openSqliteRegistry } from './registry/index.js';
const [dbPath, worker, count, startAt, inputJson] = process.argv.slice(2);
const base = JSON.parse(inputJson);
const registry = openSqliteRegistry(dbPath, { busyTimeoutMs: 60000 });
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
const own = [];
let shared;
for (let i = 0; i < Number(count); i++) {
  const { version } = await registry.registerVersion({ ...base, idempotencyKey: worker + '-' + i });
  own.push(version.version);
  if (i === Math.floor(Number(count) / 2)) {
    const result = await registry.registerVersion({ ...base, idempotencyKey: 'shared-key' });
    shared = { version: result.version.version, created: result.created };
  }
}
await registry.close();
process.stdout.write(JSON.stringify({ own, shared }));
`;

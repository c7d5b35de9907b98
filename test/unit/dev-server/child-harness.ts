import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sourceDir = join(repoRoot, 'packages', 'worker', 'src', 'dev-server');

/** How the child process ends after its server is up. */
export type ChildMode = 'hang' | 'throw' | 'exit';

const CHILD_SCRIPT = `
import { startDevServer } from './dev-server/index.js';
const [home, mode, port, db] = process.argv.slice(2);
const server = await startDevServer({ home, port: Number(port), dbFile: db === 'memory' ? null : undefined });
process.stdout.write(JSON.stringify({ pid: server.pid, port: server.port }) + '\\n');
if (mode === 'throw') setTimeout(() => { throw new Error('boom: simulated crash'); }, 20);
else if (mode === 'exit') setTimeout(() => process.exit(3), 20);
else setInterval(() => undefined, 1000);
`;

/**
 * Compiles the dev-server sources to plain ESM in `dir` (with a `node_modules` link to the
 * repository's), so a separate Node.js process can run them, and writes the child script.
 */
export async function prepareChildRunner(dir: string): Promise<string> {
  const outDir = join(dir, 'dev-server');
  await mkdir(outDir, { recursive: true });
  for (const name of (await readdir(sourceDir)).filter((n) => n.endsWith('.ts'))) {
    const source = await readFile(join(sourceDir, name), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: name,
    });
    await writeFile(join(outDir, name.replace(/\.ts$/, '.js')), outputText);
  }
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const script = join(dir, 'child.js');
  await writeFile(script, CHILD_SCRIPT);
  return script;
}

/** A child Node.js process running a dev server. */
export interface ServerChild {
  /** The child Node.js process. */
  readonly child: ChildProcess;
  /** Pid and port of the dev server it started. */
  readonly server: { pid: number; port: number };
  /** Resolves with the child's exit code and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the child wrote to stderr. */
  stderr(): string;
}

/** Starts the child script and waits until its dev server is up. */
export async function spawnServerChild(
  script: string,
  args: { home: string; mode: ChildMode; port: number; db?: 'file' | 'memory' },
  env: NodeJS.ProcessEnv,
): Promise<ServerChild> {
  const child = spawn(process.execPath, [script, args.home, args.mode, String(args.port), args.db ?? 'file'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    exited.then(({ code }) =>
      Promise.reject(new Error(`child exited (code ${code}) before its server was up:\n${stderr}`)),
    ),
  ]);
  return { child, server: JSON.parse(first) as { pid: number; port: number }, exited, stderr: () => stderr };
}

/**
 * Packing the published packages as `npm publish` would, and checking what the tarballs hold: everything their
 * `package.json` points at (`main`, `types`, `bin`, every `exports` target), a README, and nothing that should not
 * ship (tests, `tsbuildinfo`, source maps whose sources are not in the package).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';

/** The repository root. */
export const REPO = resolve(import.meta.dirname, '..', '..');

/** The packages a user installs, in dependency order. */
export const PUBLISHED = ['sdk', 'activities', 'worker'] as const;

/** One packed package: its name, tarball and the files in it (paths inside the package). */
export interface PackedPackage {
  name: string;
  tarball: string;
  files: string[];
  /** The package's folder in the repository. */
  dir: string;
}

/** The environment for a child npm: this process's, without the `npm_*` variables an npm script run sets. */
export function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a command to completion, collecting stdout and stderr apart. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? npmEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

/** `npm pack` of every published package into `destination`. */
export async function packPackages(destination: string): Promise<PackedPackage[]> {
  const workspaces = PUBLISHED.flatMap((p) => ['--workspace', `packages/${p}`]);
  const { code, stdout, stderr } = await run(
    'npm',
    ['pack', '--json', '--pack-destination', destination, ...workspaces],
    { cwd: REPO },
  );
  if (code !== 0) throw new Error(`npm pack exited ${code}:\n${stderr}`);
  const packed = JSON.parse(stdout) as { name: string; filename: string; files: { path: string }[] }[];
  return packed.map((p, i) => ({
    name: p.name,
    tarball: join(destination, p.filename),
    files: p.files.map((f) => f.path),
    dir: join(REPO, 'packages', PUBLISHED[i]!),
  }));
}

interface Manifest {
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | { types?: string; default?: string }>;
}

/** What is wrong with a packed package; empty when nothing is. */
export function packProblems(pkg: PackedPackage): string[] {
  const files = new Set(pkg.files);
  const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as Manifest;
  const problems: string[] = [];
  if (!files.has('README.md')) problems.push('no README.md');
  for (const file of pkg.files) {
    if (/(^|\/)(test|tests|__tests__)\/|\.test\.[cm]?[jt]s$/.test(file)) problems.push(`a test: ${file}`);
    if (file.endsWith('.tsbuildinfo')) problems.push(`build state: ${file}`);
  }
  const targets: [string, string | undefined][] = [
    ['main', manifest.main],
    ['types', manifest.types],
    ...Object.entries(manifest.bin ?? {}).map(([name, path]): [string, string] => [`bin ${name}`, path]),
  ];
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (typeof target === 'string') targets.push([`exports["${subpath}"]`, target]);
    else {
      if (!target.types || !target.default) problems.push(`exports["${subpath}"] lacks types or default`);
      targets.push([`exports["${subpath}"].types`, target.types], [`exports["${subpath}"].default`, target.default]);
    }
  }
  for (const [field, target] of targets) {
    if (target !== undefined && !files.has(normalize(target))) problems.push(`${field} → ${target} is not packed`);
  }
  for (const map of pkg.files.filter((f) => f.endsWith('.map'))) problems.push(...mapProblems(pkg, map, files));
  return problems;
}

/** A source map whose sources are not in the package points outside it (or at a file that is not shipped). */
function mapProblems(pkg: PackedPackage, map: string, files: Set<string>): string[] {
  const { sources } = JSON.parse(readFileSync(join(pkg.dir, map), 'utf8')) as { sources: string[] };
  return sources
    .map((source) => normalize(join(dirname(map), source)))
    .filter((source) => !files.has(source))
    .map((source) => `${map} points at ${source}, which is not in the package`);
}

/** Every installed copy of package `name` under `root`'s node_modules, nested ones included (directories). */
export function installedCopies(root: string, name: string): string[] {
  const copies: string[] = [];
  const visit = (modules: string) => {
    if (!existsSync(modules)) return;
    if (existsSync(join(modules, name, 'package.json'))) copies.push(join(modules, name));
    for (const entry of readdirSync(modules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const scoped = entry.name.startsWith('@')
        ? readdirSync(join(modules, entry.name), { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => join(modules, entry.name, e.name))
        : [join(modules, entry.name)];
      for (const pkg of scoped) visit(join(pkg, 'node_modules'));
    }
  };
  visit(join(root, 'node_modules'));
  return copies;
}

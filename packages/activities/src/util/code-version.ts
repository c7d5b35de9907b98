import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The version of the code a worker runs, for lineage: `SLIPWAY_CODE_VERSION` when set, else the git commit
 * of the working directory (with `-dirty` when it has uncommitted changes), else `<name>@<version>` from its
 * package.json, else `unknown`.
 */
export function detectCodeVersion(cwd = process.cwd()): string {
  const fromEnv = process.env.SLIPWAY_CODE_VERSION;
  if (fromEnv) return fromEnv;
  return gitVersion(cwd) ?? packageVersion(cwd) ?? 'unknown';
}

function gitVersion(cwd: string): string | undefined {
  try {
    const git = (args: string[]) =>
      execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim();
    const commit = git(['rev-parse', '--short=12', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
    return `git:${commit}${dirty ? '-dirty' : ''}`;
  } catch {
    return undefined;
  }
}

function packageVersion(cwd: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { name?: string; version?: string };
    return pkg.name && pkg.version ? `${pkg.name}@${pkg.version}` : undefined;
  } catch {
    return undefined;
  }
}

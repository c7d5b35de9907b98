/**
 * The checks the packaging test applies to each tarball can fail: a package with no README, a test and a
 * `tsbuildinfo` in its files, an `exports` entry without `types`, a target that is not packed, and a source map
 * whose source is not in the package are each named; a sound package has no problem.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packProblems } from '../../support/packing.js';

let dir: string;
const ROOT_EXPORT = { types: './dist/index.d.ts', default: './dist/index.js' };

/** A package folder with this `exports` map and two source maps (one of a source that no longer exists). */
async function packageDir(name: string, exports: Record<string, object>): Promise<string> {
  const pkg = join(dir, name);
  await mkdir(join(pkg, 'dist'), { recursive: true });
  await writeFile(
    join(pkg, 'package.json'),
    JSON.stringify({ main: './dist/index.js', types: './dist/index.d.ts', exports }),
  );
  await writeFile(join(pkg, 'dist', 'index.js.map'), JSON.stringify({ sources: ['../src/index.ts'] }));
  await writeFile(join(pkg, 'dist', 'old.js.map'), JSON.stringify({ sources: ['../src/old.ts'] }));
  return pkg;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-pack-problems-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('packProblems', () => {
  const files = ['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/index.js.map', 'src/index.ts'];

  it('finds nothing wrong with a sound package', async () => {
    const pkg = await packageDir('sound', { '.': ROOT_EXPORT });
    expect(packProblems({ name: 'sound', tarball: 'sound.tgz', dir: pkg, files })).toEqual([]);
  });

  it('names each thing that should not ship or is missing', async () => {
    const pkg = await packageDir('broken', { '.': ROOT_EXPORT, './data': { default: './dist/data/index.js' } });
    const shipped = [
      ...files.filter((f) => f !== 'README.md' && f !== 'src/index.ts'),
      'dist/old.js.map',
      'src/index.test.ts',
      'tsconfig.tsbuildinfo',
    ];
    expect(packProblems({ name: 'broken', tarball: 'broken.tgz', dir: pkg, files: shipped }).sort()).toEqual(
      [
        'no README.md',
        'a test: src/index.test.ts',
        'build state: tsconfig.tsbuildinfo',
        'exports["./data"] lacks types or default',
        'exports["./data"].default → ./dist/data/index.js is not packed',
        'dist/index.js.map points at src/index.ts, which is not in the package',
        'dist/old.js.map points at src/old.ts, which is not in the package',
      ].sort(),
    );
  });
});

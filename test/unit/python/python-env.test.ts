/**
 * The project's one Python environment (`ensurePythonEnv`): pinned requirements files, the marker of what the
 * virtualenv holds, consumers growing it, and a half-made virtualenv rebuilt. The real-install cases use two tiny
 * packages the test environment has anyway (pip's cache serves them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON_ENV_MARKER, ensurePythonEnv, readRequirementsFile } from '../../../packages/worker/src/python/index.js';
import { pythonPackageNameAt } from '../../../packages/worker/src/python/python-env.js';
import {
  contentsOf,
  covers,
  markerText,
  merge,
  parseMarker,
} from '../../../packages/worker/src/python/requirements.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-python-env-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('requirements files', () => {
  it('reads exact pins, skipping comments and blank lines', async () => {
    const file = join(dir, 'ok.txt');
    await writeFile(file, '# the model\nscikit-learn==1.9.1  # trees\n\nxgboost-cpu==3.2.0\n');
    expect(readRequirementsFile(file)).toEqual(['scikit-learn==1.9.1', 'xgboost-cpu==3.2.0']);
  });

  it.each([
    ['a range', 'numpy>=2', ':2: "numpy>=2" is not an exact pin (name==version)'],
    ['an option', '--index-url https://example.invalid/simple', ':2: "--index-url'],
    ['a package pinned twice', 'Scikit_Learn==1.9.0', ':2: scikit-learn is pinned twice (first on line 1)'],
  ])('refuses %s, naming the file and line', async (_what, line, message) => {
    const file = join(dir, 'bad.txt');
    await writeFile(file, `scikit-learn==1.9.1\n${line}\n`);
    expect(() => readRequirementsFile(file)).toThrow(`${file}${message}`);
  });
});

describe('what the environment holds', () => {
  const tests = contentsOf(
    ['numpy==2.4.6', 'pytest==9.2.0'],
    [{ path: '/p/trainer', extras: ['test'], digest: DIGEST }],
    't',
  );
  const example = contentsOf(
    ['numpy==2.4.6', 'xgboost-cpu==3.2.0'],
    [{ path: '/p/trainer', extras: ['onnx'], digest: DIGEST }],
    'e',
  );

  it('grows by each consumer: pins and extras accumulate, and the grown one covers both', () => {
    expect(covers(tests, example)).toBe(false);
    const both = merge(tests, example);
    expect(covers(both, tests) && covers(both, example)).toBe(true);
    expect(markerText(both)).toBe(
      'numpy==2.4.6\npytest==9.2.0\nxgboost-cpu==3.2.0\n-e /p/trainer[onnx,test] ' + DIGEST + '\n',
    );
    expect(parseMarker(markerText(both))).toEqual(both);
  });

  it('a new pin of a package replaces the old one; a changed pyproject.toml is not covered', () => {
    const newer = contentsOf(['numpy==2.5.0'], [], 'n');
    expect(merge(tests, newer).pins.get('numpy')).toBe('numpy==2.5.0');
    const changed = contentsOf([], [{ path: '/p/trainer', extras: ['test'], digest: `sha256:${'b'.repeat(64)}` }], 'c');
    expect(covers(tests, changed)).toBe(false);
  });

  it('drops an editable package held at another path under the same name, or at a path that is gone', () => {
    const names: Record<string, string> = {
      '/old/trainer': 'slipway-trainer',
      '/p/trainer': 'slipway-trainer',
      '/p/other': 'other',
    };
    const held = contentsOf(
      [],
      [
        { path: '/old/trainer', extras: ['onnx'], digest: DIGEST },
        { path: '/p/other', digest: DIGEST },
        { path: '/gone/pkg', digest: DIGEST },
      ],
      'h',
    );
    const merged = merge(held, tests, (path) => names[path]);
    expect([...merged.editable.keys()].sort()).toEqual(['/p/other', '/p/trainer']);
    expect(pythonPackageNameAt(join(process.cwd(), 'python', 'slipway-trainer'))).toBe('slipway-trainer');
    expect(pythonPackageNameAt(join(dir, 'no-such-package'))).toBeUndefined();
  });

  it('an unreadable or older marker means a rebuild', () => {
    expect(parseMarker('numpy==2.4.6\nnot a pin\n')).toBeUndefined();
    expect(parseMarker(`numpy==2.4.6\n-e python/slipway-trainer ${DIGEST}`)).toBeUndefined();
  });
});

describe('ensurePythonEnv', () => {
  const TIMEOUT_MS = 300_000; // a bound on pip, not a timing
  const imports = (python: string, code: string) => spawnSync(python, ['-c', code], { encoding: 'utf8' });

  it(
    'makes the virtualenv, then grows it for a second consumer without touching the first one’s packages',
    async () => {
      const venv = join(dir, 'py');
      const [python, same] = await Promise.all([
        ensurePythonEnv({ dir: venv, requirements: ['iniconfig==2.3.1'] }),
        ensurePythonEnv({ dir: venv, requirements: ['iniconfig==2.3.1'] }), // waits on the lock, installs nothing
      ]);
      expect(same).toBe(python);
      expect(imports(python, 'import iniconfig').status).toBe(0);
      const marker = join(venv, PYTHON_ENV_MARKER);
      const before = (await stat(marker)).mtimeMs;
      await ensurePythonEnv({ dir: venv, requirements: ['iniconfig==2.3.1'] });
      expect((await stat(marker)).mtimeMs).toBe(before); // covered: nothing installed

      await ensurePythonEnv({ dir: venv, requirements: ['pluggy==1.7.0'] });
      expect(await readFile(marker, 'utf8')).toBe('iniconfig==2.3.1\npluggy==1.7.0\n');
      expect(imports(python, 'import iniconfig, pluggy; print(pluggy.__version__)').stdout.trim()).toBe('1.7.0');
    },
    TIMEOUT_MS,
  );

  it(
    'rebuilds a half-made virtualenv (no marker: an install was interrupted)',
    async () => {
      const venv = join(dir, 'half');
      const python = await ensurePythonEnv({ dir: venv, requirements: ['iniconfig==2.3.1'] });
      await rm(join(venv, PYTHON_ENV_MARKER));
      await writeFile(join(venv, 'left-over'), 'from the interrupted install');
      await ensurePythonEnv({ dir: venv, requirements: ['iniconfig==2.3.1'] });
      expect(existsSync(join(venv, 'left-over'))).toBe(false);
      expect(imports(python, 'import iniconfig').status).toBe(0);
    },
    TIMEOUT_MS,
  );

  it(
    'fails with pip’s own words when a pin does not exist, and records nothing',
    async () => {
      const venv = join(dir, 'bad');
      await expect(ensurePythonEnv({ dir: venv, requirements: ['iniconfig==0.0.0.999'] })).rejects.toMatchObject({
        type: 'PythonEnvError',
        message: expect.stringMatching(/pip install … exited with code 1:[\s\S]*iniconfig==0\.0\.0\.999/),
      });
      expect(existsSync(join(venv, PYTHON_ENV_MARKER))).toBe(false);
    },
    TIMEOUT_MS,
  );

  it('refuses an editable package without a pyproject.toml', async () => {
    await expect(
      ensurePythonEnv({ dir: join(dir, 'none'), requirements: [], editable: [{ path: dir }] }),
    ).rejects.toThrow(`${dir} is not a Python package: it has no pyproject.toml`);
  });
});

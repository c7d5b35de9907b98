/**
 * The examples' Python trainers share the project's one Python environment with the tests: their
 * `requirements.txt` are exact pins, at the same versions as the tests' pins of the same packages (else each
 * consumer would reinstall the other's version), and a trainer is configured only when its files exist.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preparePythonTrainer, readRequirementsFile } from '../../../packages/worker/src/python/index.js';
import { PYTHON_REQUIREMENTS } from '../../support/python.js';

const EXAMPLES = resolve(import.meta.dirname, '..', '..', '..', 'examples');

describe.each(['sklearn-churn', 'house-prices'])('examples/%s/requirements.txt', (example) => {
  it('pins every package at the version the test environment pins', () => {
    const pins = readRequirementsFile(join(EXAMPLES, example, 'requirements.txt'));
    expect(pins.length).toBeGreaterThan(0);
    for (const pin of pins) {
      const name = pin.split('==')[0]!;
      const theirs = PYTHON_REQUIREMENTS.find((r) => r.split('==')[0] === name);
      expect(theirs, `${name}: the test environment does not pin it`).toBeDefined();
      expect(pin).toBe(theirs);
    }
  });
});

describe('preparePythonTrainer', () => {
  it('refuses a trainer without its script or requirements file, or with an unpinned requirement', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-python-trainer-'));
    try {
      const options = { name: 't', dir, envDir: join(dir, 'py') };
      await expect(preparePythonTrainer(options)).rejects.toThrow(
        `the Python trainer t has no ${join(dir, 'train.py')}`,
      );
      await writeFile(join(dir, 'train.py'), 'print()');
      await expect(preparePythonTrainer(options)).rejects.toThrow(`has no ${join(dir, 'requirements.txt')}`);
      await writeFile(join(dir, 'requirements.txt'), 'numpy==2.4.6\nscikit-learn\n');
      await expect(preparePythonTrainer(options)).rejects.toMatchObject({
        type: 'PythonEnvError',
        message: `${join(dir, 'requirements.txt')}:2: "scikit-learn" is not an exact pin (name==version); unpinned requirements move`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * `@slipway/worker/python` — the project-local Python virtualenv that trainers run in: {@link ensurePythonEnv}
 * makes it on first use (`python3 -m venv`, then `pip install` of exact pins and of local packages, editable) and
 * grows it as consumers (examples, tests) add their pinned requirements; {@link readRequirementsFile} reads a
 * `requirements.txt` of exact pins; {@link preparePythonTrainer} makes a configured trainer of a `train.py` and its
 * `requirements.txt`.
 *
 * ```ts
 * import { ensurePythonEnv, readRequirementsFile } from '@slipway/worker/python';
 * const python = await ensurePythonEnv({
 *   dir: '.slipway/tools/py',
 *   requirements: readRequirementsFile('requirements.txt'),
 *   editable: [{ path: '/abs/python/slipway-trainer', extras: ['onnx'] }],
 * });
 * // configure a trainer: { command: [python, 'train.py'], cwd: '.' }
 * ```
 *
 * @packageDocumentation
 */
export { ensurePythonEnv, PYTHON_ENV_MARKER, PythonEnvError, venvPython, type PythonEnvOptions } from './python-env.js';
export { preparePythonTrainer, type PythonTrainerOptions } from './python-trainer.js';
export { readRequirementsFile, type EditablePackage } from './requirements.js';

/**
 * The `trainers` setting (the trust boundary of trainer processes: a run input names a trainer, the command comes
 * only from the worker's configuration): parsing, resolution of relative paths against the configuration file's
 * directory, and the refusals.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAME, configuredProcessTrainers, loadConfig } from '../../../packages/worker/src/config/index.js';
import { embeddedDeps } from '../../../packages/worker/src/worker/create-worker.js';

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'slipway-config-trainers-')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configWith(trainers: unknown): Promise<ReturnType<typeof loadConfig>> {
  await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ trainers }));
  return loadConfig({ cwd: dir, env: {} });
}

async function refusal(trainers: unknown): Promise<string> {
  try {
    await configWith(trainers);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('the trainers setting', () => {
  it('is empty by default', () => {
    expect(configuredProcessTrainers(loadConfig({ cwd: dir, env: {} }))).toEqual({});
  });

  it('resolves the trainer directory and the files the command names against the config file directory', async () => {
    await mkdir(join(dir, 'trainers', 'churn'), { recursive: true });
    await writeFile(join(dir, 'trainers', 'churn', 'train.py'), 'print()');
    await writeFile(join(dir, 'top.py'), 'print()');
    const config = await configWith({
      'churn-sklearn': {
        command: ['python3', '-u', 'train.py', '--epochs', '3'],
        cwd: 'trainers/churn',
        graceSeconds: 5,
        env: { OMP_NUM_THREADS: '1' },
      },
      plain: { command: ['python3', 'top.py'] },
    });
    expect(configuredProcessTrainers(config)).toEqual({
      'churn-sklearn': {
        name: 'churn-sklearn',
        command: ['python3', '-u', join(dir, 'trainers', 'churn', 'train.py'), '--epochs', '3'],
        dir: join(dir, 'trainers', 'churn'),
        graceMs: 5000,
        env: { OMP_NUM_THREADS: '1' },
      },
      plain: { name: 'plain', command: ['python3', join(dir, 'top.py')], dir, graceMs: 30_000, env: {} },
    });
  });

  it('runs a module trainer (python -m) from its directory, in any working directory', async () => {
    const code = join(dir, 'trainers');
    await mkdir(join(code, 'churn_trainer'), { recursive: true });
    await writeFile(join(code, 'churn_trainer', '__init__.py'), '');
    await writeFile(join(code, 'churn_trainer', '__main__.py'), 'import churn_trainer, os; print(os.getcwd())');
    const config = await configWith({
      mod: { command: ['python3', '-m', 'churn_trainer'], cwd: 'trainers' },
      more: { command: ['python3', '-m', 'churn_trainer'], cwd: 'trainers', env: { PYTHONPATH: '/opt/lib' } },
    });
    const { mod, more } = configuredProcessTrainers(config);
    // the module name stays a name (the directory of the same name is not made absolute)
    expect(mod!.command).toEqual(['python3', '-m', 'churn_trainer']);
    expect(mod!.env).toEqual({ PYTHONPATH: code });
    expect(more!.env).toEqual({ PYTHONPATH: `${code}${delimiter}/opt/lib` });
    // as the runner starts it: in a fresh, empty working directory
    const work = await mkdtemp(join(dir, 'work-'));
    const ran = spawnSync(mod!.command[0]!, mod!.command.slice(1), {
      cwd: work,
      env: { ...mod!.env, PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(ran.stderr).toBe('');
    expect(ran.stdout.trim()).toBe(work);
  });

  it('reaches the train step: the worker passes the configured trainers to the activities', async () => {
    const config = await configWith({ 'py-churn': { command: ['python3', 'train.py'], graceSeconds: 5 } });
    const deps = embeddedDeps(config);
    try {
      expect(deps.processTrainers?.['py-churn']).toMatchObject({ command: ['python3', 'train.py'], graceMs: 5000 });
      const given = { other: { command: ['node', 'train.mjs'] } };
      const overridden = embeddedDeps(config, { processTrainers: given });
      await overridden.registry.close();
      expect(overridden.processTrainers).toBe(given);
    } finally {
      await deps.registry.close();
    }
  });

  it('hands out copies: a caller cannot change the configuration', async () => {
    const config = await configWith({ t: { command: ['/usr/bin/env', 'true'] } });
    configuredProcessTrainers(config).t!.command.push('--evil');
    expect(configuredProcessTrainers(config).t!.command).toEqual(['/usr/bin/env', 'true']);
  });

  it.each([
    ['an unknown field', { t: { command: ['x'], shell: true } }, 'trainers.t: Unrecognized key: "shell"'],
    ['an empty command', { t: { command: [] } }, 'trainers.t.command: must name the program to run'],
    ['a command that is a string', { t: { command: 'python3 train.py' } }, 'trainers.t.command: Invalid input'],
    ['an empty argument', { t: { command: ['python3', ''] } }, 'trainers.t.command.1:'],
    ['a zero grace period', { t: { command: ['x'], graceSeconds: 0 } }, 'trainers.t.graceSeconds:'],
    ['a bad variable name', { t: { command: ['x'], env: { 'A-B': '1' } } }, 'must be an environment variable name'],
    [
      'setting SLIPWAY_TRAINER_INPUT',
      { t: { command: ['x'], env: { SLIPWAY_TRAINER_INPUT: '/etc/passwd' } } },
      'trainers.t.env.SLIPWAY_TRAINER_INPUT: env may not set SLIPWAY_TRAINER_INPUT',
    ],
    ['a built-in trainer name', { 'logistic-regression': { command: ['x'] } }, 'is the name of a built-in trainer'],
    ['an uppercase name', { Churn: { command: ['x'] } }, 'a trainer name is lowercase letters'],
  ])('refuses %s, naming the file and the field', async (_what, trainers, message) => {
    const error = await refusal(trainers);
    expect(error).toContain(`invalid Slipway configuration in ${join(dir, CONFIG_FILE_NAME)}`);
    expect(error).toContain(message);
  });
});

/**
 * Slipway outside this repository, as a new user meets it: the three packages are packed with `npm pack`, installed
 * from their tarballs into a new project in the OS temp directory (a real, separate `npm install`, preferring the
 * local npm cache, so nothing native is rebuilt), and that project's own pipeline — the built-in validate step and a
 * step of its own (`defineStep` + `implementStep`) — runs on `slipway worker --workflows … --activities …` from the
 * project's `node_modules/.bin`, against the suite's dev server. The project holds one copy of `@temporalio/workflow`
 * (a second one made workflows crash at the gate), and its built-in pipelines, re-exported from its workflows
 * module, are served too.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { installedCopies, packPackages, packProblems, REPO, run, type PackedPackage } from '../support/packing.js';
import { spawnNode, type Child } from '../support/processes.js';
import { writeUserProject } from '../support/user-project.js';

/** The Temporal version this repository is built and tested with, which the project pins as a user would. */
const TEMPORAL_VERSION = (
  createRequire(join(REPO, 'package.json'))('@temporalio/workflow/package.json') as { version: string }
).version;
const TEMPORAL_PACKAGES = ['activity', 'client', 'common', 'testing', 'worker', 'workflow'];

let scratch: string;
let project: string;
let packed: PackedPackage[];
let install: { code: number | null; stdout: string; stderr: string; seconds: number };

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'slipway-packages-'));
  project = await mkdtemp(join(tmpdir(), 'slipway-user-project-'));
  expect(relative(REPO, project).startsWith('..'), 'the project must be outside the repository').toBe(true);
  packed = await packPackages(scratch);
  const dependencies = {
    ...Object.fromEntries(packed.map((p) => [p.name, pathToFileURL(p.tarball).href])),
    ...Object.fromEntries(TEMPORAL_PACKAGES.map((p) => [`@temporalio/${p}`, TEMPORAL_VERSION])),
    zod: '^4.1.0',
  };
  await writeFile(
    join(project, 'package.json'),
    // As the README says: onnxruntime-node's CPU runtime ships in its package, and its install script (which
    // fetches GPU extras) is turned off: by `allowScripts` (npm 11.16+) and by its own `.npmrc` switch (older npm).
    JSON.stringify(
      { name: 'acme-ml', private: true, type: 'module', dependencies, allowScripts: { 'onnxruntime-node': false } },
      null,
      2,
    ),
  );
  await writeFile(join(project, '.npmrc'), 'onnxruntime-node-install=skip\n');
  await writeUserProject(project);
  const started = performance.now();
  const result = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project });
  install = { ...result, seconds: (performance.now() - started) / 1000 };
  console.log(`[packaging] npm install of the packed packages took ${install.seconds.toFixed(1)} s`);
});
afterAll(async () => {
  await rm(project, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('packs sdk, activities and worker with everything their package.json names, and no tests or build state', () => {
    expect(packed.map((p) => p.name)).toEqual(['@slipway/sdk', '@slipway/activities', '@slipway/worker']);
    for (const p of packed) expect(packProblems(p), p.name).toEqual([]);
  });
});

describe('a new project installing the tarballs', () => {
  it('installs them (no build step) and resolves @slipway/* to the tarballs', async () => {
    expect(install.code, install.stderr).toBe(0);
    const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string; version?: string }>;
    };
    for (const p of packed) expect(lock.packages[`node_modules/${p.name}`]?.resolved, p.name).toMatch(/^file:/);
  });

  it('has exactly one copy of @temporalio/workflow, and a consistent tree (peers satisfied)', async () => {
    const only = join(project, 'node_modules', '@temporalio', 'workflow');
    expect(installedCopies(project, '@temporalio/workflow')).toEqual([only]);
    const ls = await run('npm', ['ls', '@temporalio/workflow', '--all', '--parseable'], { cwd: project });
    expect(ls.code, ls.stderr).toBe(0);
    expect(new Set(ls.stdout.split('\n').filter(Boolean))).toEqual(new Set([only]));
    const tree = await run('npm', ['ls', '--all'], { cwd: project });
    expect(tree.code, `${tree.stdout}\n${tree.stderr}`).toBe(0);
  });

  it('a project on an older Temporal version gets a peer conflict from npm, not a second copy', async () => {
    // With @temporalio/* as plain dependencies, this project resolved three copies of @temporalio/workflow.
    const other = await mkdtemp(join(tmpdir(), 'slipway-other-temporal-'));
    try {
      const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      };
      for (const p of TEMPORAL_PACKAGES) manifest.dependencies[`@temporalio/${p}`] = '1.23.0';
      await writeFile(join(other, 'package.json'), JSON.stringify({ ...manifest, name: 'acme-old-temporal' }));
      const resolve = await run('npm', ['install', '--package-lock-only', '--prefer-offline', '--no-audit'], {
        cwd: other,
      });
      expect(resolve.code, resolve.stdout).not.toBe(0);
      expect(resolve.stderr).toContain('ERESOLVE');
      expect(resolve.stderr).toMatch(/peer @temporalio\/[a-z]+@"\^1\.24\.0" from @slipway\/(sdk|activities|worker)/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe('slipway worker --workflows --activities in that project', () => {
  let worker: Child | undefined;
  afterAll(async () => {
    worker?.process.kill('SIGTERM');
    await worker?.exited;
  });

  it('runs the project pipeline with its own step next to the built-in ones, and the re-exported built-ins', async () => {
    const address = inject('temporalAddress');
    const namespace = inject('temporalNamespace');
    const taskQueue = `it-packaging-${Date.now().toString(36)}`;
    const bin = join(project, 'node_modules', '.bin', 'slipway');
    const global = ['--address', address, '--namespace', namespace, '--home', join(project, '.slipway')];
    const args = [
      '--task-queue',
      taskQueue,
      'worker',
      '--workflows',
      './workflows.js',
      '--activities',
      './activities.js',
    ];
    // People made with the packed CLI, as a user would on one machine: ci-bot's key signs the client's starts, the
    // worker trusts the directory by its administrator key.
    const keysDir = join(project, 'keys');
    const init = spawnNode(
      bin,
      ['directory', 'init', 'people.json', '--admin', 'admin', '--person', 'ci-bot'],
      {
        SLIPWAY_KEYS_DIR: keysDir,
      },
      project,
    );
    expect(await init.exited, init.output()).toBe(0);
    const adminKey = /"directoryAdminKey": "(ed25519:[A-Za-z0-9_-]{43})"/.exec(init.output())?.[1];
    expect(adminKey, init.output()).toBeDefined();
    const people = { SLIPWAY_DIRECTORY: join(project, 'people.json'), SLIPWAY_DIRECTORY_ADMIN_KEY: adminKey! };
    worker = spawnNode(bin, [...global, ...args], people, project);
    await outputOrExit(worker, `your activities from ${join(project, 'activities.js')}: acme.countTrue\n`);
    expect(worker.output()).toContain(`worker polling ${taskQueue}`);

    const uri = pathToFileURL(join(project, 'data', 'people.csv')).href;
    const client = spawnNode(
      join(project, 'client.js'),
      [address, namespace, taskQueue, uri],
      {
        SLIPWAY_KEYS_DIR: keysDir,
      },
      project,
    );
    expect(await client.exited, client.output()).toBe(0);
    const { result, builtin } = JSON.parse(client.output().trim().split('\n').at(-1)!) as {
      result: { digest: string; rows: number; matching: number; report: { uri: string } };
      builtin: { status: string; failure?: string };
    };
    expect(result).toMatchObject({ rows: 4, matching: 3, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    // The step stored its report through the worker's artifact store, in the project's home.
    expect(result.report.uri).toContain(join(project, '.slipway', 'artifacts'));
    expect(JSON.parse(await readFile(new URL(result.report.uri), 'utf8'))).toEqual({
      dataset: result.digest,
      column: 'active',
      rows: 4,
      matching: 3,
    });
    // trainAndPromote ran on this worker (re-exported by workflows.js) and failed where its data is bad.
    expect(builtin.status).toBe('FAILED');
    expect(builtin.failure).toMatch(/1 of 4 rows|bad row/i);
  });
});

/** Resolves once the child printed `text`; fails with its output if it exits first. */
function outputOrExit(child: Child, text: string): Promise<void> {
  return new Promise((done, fail) => {
    const check = () => {
      if (child.output().includes(text)) {
        child.process.stdout?.off('data', check);
        done();
      }
    };
    child.process.stdout?.on('data', check);
    check();
    void child.exited.then((code) => fail(new Error(`exited ${code} before printing "${text}":\n${child.output()}`)));
  });
}

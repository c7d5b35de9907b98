/**
 * The `deployTargets` setting: webhook deploy targets with their token files. A bad target is refused at load naming
 * the field; the token file must be owner-only, hold a valid token and lie outside every dataset root (the Slipway
 * home is fine), and is never readable as a dataset; the worker hands each target's URL and token to the activities,
 * and a target whose token file is missing or that refuses its token fails the worker's start, naming it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONFIG_FILE_NAME,
  checkDeployTargets,
  deniedDatasetPaths,
  deployTargetsAccess,
  loadConfig,
  type SlipwayConfigInput,
} from '../../../packages/worker/src/config/index.js';
import type { DeployTargetAccess } from '../../../packages/activities/src/ports.js';
import { embeddedDeps } from '../../../packages/worker/src/worker/create-worker.js';

const TOKEN = 'platform-token-0123456789abcdef';

let dir: string;
let secrets: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-deploy-targets-'));
  secrets = await mkdtemp(join(tmpdir(), 'slipway-deploy-targets-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(secrets, { recursive: true, force: true });
});

/** Loads the configuration with `deployTargets` written into `slipway.config.json`. */
async function load(deployTargets: unknown, more: SlipwayConfigInput = {}) {
  await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ deployTargets, ...more }));
  return loadConfig({ cwd: dir, env: {} });
}

async function tokenFile(name: string, content: string, mode = 0o600): Promise<string> {
  const path = join(secrets, name);
  await writeFile(path, content, { mode });
  await chmod(path, mode);
  return path;
}

describe('the deployTargets setting', () => {
  it('resolves each target: URL without a trailing slash, token file made absolute; none by default', async () => {
    expect(loadConfig({ cwd: dir, env: {} }).deployTargets).toEqual([]);
    const config = await load([
      { url: 'https://serving.example.com/slipway/', kind: 'webhook', tokenFile: join(secrets, 'a.token') },
      { url: 'http://127.0.0.1:9000', kind: 'webhook', tokenFile: '.slipway/b.token' },
    ]);
    expect(config.deployTargets).toEqual([
      { url: 'https://serving.example.com/slipway', kind: 'webhook', tokenFile: join(secrets, 'a.token') },
      { url: 'http://127.0.0.1:9000', kind: 'webhook', tokenFile: join(dir, '.slipway', 'b.token') },
    ]);
  });

  it.each([
    [
      'plain http off loopback',
      { url: 'http://serving.example.com', kind: 'webhook', tokenFile: '/t' },
      /deployTargets\.0\.url: must be https/,
    ],
    [
      'a query',
      { url: 'https://s.example.com/x?a=1', kind: 'webhook', tokenFile: '/t' },
      /deployTargets\.0\.url: must not have a query/,
    ],
    [
      'credentials',
      { url: 'https://u:p@s.example.com', kind: 'webhook', tokenFile: '/t' },
      /deployTargets\.0\.url: must not hold credentials/,
    ],
    [
      'another scheme',
      { url: 'ftp://s.example.com', kind: 'webhook', tokenFile: '/t' },
      /deployTargets\.0\.url: must be an http\(s\) URL/,
    ],
    ['an unknown kind', { url: 'https://s.example.com', kind: 'kserve', tokenFile: '/t' }, /deployTargets\.0\.kind/],
    ['no token file', { url: 'https://s.example.com', kind: 'webhook' }, /deployTargets\.0\.tokenFile/],
    [
      'an unknown field',
      { url: 'https://s.example.com', kind: 'webhook', tokenFile: '/t', token: 'x' },
      /Unrecognized key: "token"/,
    ],
  ])('refuses a target with %s, naming the field', async (_what, target, error) => {
    await expect(load([target])).rejects.toThrow(error);
  });

  it('refuses two targets with one URL, a target with the model server origin, and a token file in a dataset root', async () => {
    const t = (url: string, tokenFile = join(secrets, 't')) => ({ url, kind: 'webhook', tokenFile });
    await expect(load([t('https://a.example.com/x'), t('https://a.example.com/x/')])).rejects.toThrow(
      /deployTargets\.1\.url: the same URL as deployTargets\[0\]/,
    );
    await expect(load([t('http://127.0.0.1:8765/webhook')])).rejects.toThrow(
      /deployTargets\[0\]\.url http:\/\/127\.0\.0\.1:8765\/webhook has the origin of the model server/,
    );
    // The working directory is the default dataset root: a token file there could be read by a run.
    await expect(load([t('https://a.example.com', 'serving.token')])).rejects.toThrow(
      `deployTargets[0].tokenFile ${join(dir, 'serving.token')} lies inside the dataset root ${dir}`,
    );
    await expect(
      load([t('https://a.example.com', join(secrets, 'x.token'))], { data: { roots: [secrets] } }),
    ).rejects.toThrow(`lies inside the dataset root ${secrets}`);
    // Inside the Slipway home (never read as a dataset) it is fine.
    const config = await load([t('https://a.example.com', '.slipway/serving.token')]);
    expect(config.deployTargets[0]?.tokenFile).toBe(join(dir, '.slipway', 'serving.token'));
  });

  it('never reads a token file as a dataset, wherever it lives', async () => {
    const path = join(secrets, 'serving.token');
    const config = await load([{ url: 'https://a.example.com', kind: 'webhook', tokenFile: path }]);
    expect(deniedDatasetPaths(config)).toContain(path);
    expect(embeddedDeps(config).datasetAccess?.denied).toContain(path);
  });
});

describe('deploy target tokens', () => {
  const target = (tokenFile: string) => ({ url: 'https://a.example.com/x', kind: 'webhook' as const, tokenFile });

  it('reads the token from its file on first use, for the worker activities', async () => {
    const path = await tokenFile('ok.token', `${TOKEN}\n`);
    const config = await load([target(path)]);
    const [access] = deployTargetsAccess(config);
    expect(access?.url).toBe('https://a.example.com/x');
    expect(await access?.token()).toBe(TOKEN);
    const deps = embeddedDeps(config);
    expect(deps.deployTargets?.map((t) => t.url)).toEqual(['https://a.example.com/x']);
    await deps.registry.close();
  });

  it('refuses a missing, exposed or malformed token file, naming it and the setting, never the token', async () => {
    const missing = join(secrets, 'missing.token');
    const exposed = await tokenFile('exposed.token', TOKEN, 0o644);
    const short = await tokenFile('short.token', 'abc');
    const spaced = await tokenFile('spaced.token', 'platform token with spaces 0123');
    const config = await load(
      [target(missing), target(exposed), target(short), target(spaced)].map((t, i) => ({ ...t, url: `${t.url}${i}` })),
    );
    const [a, b, c, d] = deployTargetsAccess(config);
    await expect(a?.token()).rejects.toThrow(
      `The webhook deploy target token file ${missing} (deployTargets[0].tokenFile, for https://a.example.com/x0) does not exist`,
    );
    await expect(b?.token()).rejects.toThrow(`${exposed} may be read or written by its group (mode 644)`);
    await expect(b?.token()).rejects.toThrow('(deployTargets[1].tokenFile, for https://a.example.com/x1)');
    await expect(c?.token()).rejects.toThrow(
      /deployTargets\[2\]\.tokenFile.*holds a deploy target token shorter than 16/,
    );
    const err = await (d as DeployTargetAccess).token().then(
      () => new Error('expected a refusal'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toContain('holds a deploy target token with whitespace in it');
    expect(err.message).not.toContain('platform token');
    // Fixed, the file is read again on the next use.
    await writeFile(missing, TOKEN, { mode: 0o600 });
    expect(await a?.token()).toBe(TOKEN);
  });
});

describe('the worker start-up check of deploy targets', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  /** A target answering health with 200 for the right token, 401 otherwise. */
  async function platform(): Promise<string> {
    server = createServer((req, res) => {
      const ok = req.url === '/p/health' && req.headers.authorization === `Bearer ${TOKEN}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { status: 'ok' } : { error: { code: 'Unauthorized', message: 'wrong token' } }));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/p`;
  }

  it('passes a target that answers its health check with the token', async () => {
    const url = await platform();
    const config = await load([{ url, kind: 'webhook', tokenFile: await tokenFile('ok.token', TOKEN) }]);
    await expect(checkDeployTargets(deployTargetsAccess(config))).resolves.toBeUndefined();
  });

  it('fails on a wrong token, a missing token file and an unreachable target, naming the target', async () => {
    const url = await platform();
    const wrong = await load([{ url, kind: 'webhook', tokenFile: await tokenFile('wrong.token', 'x'.repeat(20)) }]);
    await expect(checkDeployTargets(deployTargetsAccess(wrong))).rejects.toThrow(
      `the configured deployTargets[0] (${url}) cannot be used: The webhook deploy target answered GET ${url}/health with 401 Unauthorized`,
    );
    await mkdir(join(secrets, 'none'));
    const missing = await load([{ url, kind: 'webhook', tokenFile: join(secrets, 'none', 't') }]);
    await expect(checkDeployTargets(deployTargetsAccess(missing))).rejects.toThrow(
      /deployTargets\[0\].*does not exist/,
    );
    const port = (server?.address() as AddressInfo).port;
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const gone = await load([
      { url: `http://127.0.0.1:${port}`, kind: 'webhook', tokenFile: await tokenFile('g.token', TOKEN) },
    ]);
    await expect(checkDeployTargets(deployTargetsAccess(gone))).rejects.toThrow(
      `the configured deployTargets[0] (http://127.0.0.1:${port}) cannot be used: Could not reach the webhook deploy target`,
    );
  });
});

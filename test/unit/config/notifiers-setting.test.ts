/**
 * The `notifiers` setting: webhook receivers with their secret files. A bad receiver is refused at load naming the
 * configuration file and the field; the secret file must lie outside every dataset root (the Slipway home is fine),
 * be owner-only and not empty, and is never readable as a dataset. `configuredNotifiers` fans each event out to the
 * receivers whose `events` take it, signed with each one's secret, and dead-letters under the Slipway home.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONFIG_FILE_NAME,
  configuredNotifiers,
  deniedDatasetPaths,
  loadConfig,
  notificationDeadLetterPath,
  type SlipwayConfigInput,
} from '../../../packages/worker/src/config/index.js';
import { verifyWebhookSignature } from '../../../packages/activities/src/index.js';
import type { NotificationEventInput } from '../../../packages/sdk/src/index.js';

let dir: string;
let secrets: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-notifiers-'));
  secrets = await mkdtemp(join(tmpdir(), 'slipway-notifiers-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(secrets, { recursive: true, force: true });
});

/** Loads the configuration with `notifiers` written into `slipway.config.json`. */
async function load(notifiers: unknown, more: SlipwayConfigInput = {}) {
  await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ notifiers, ...more }));
  return loadConfig({ cwd: dir, env: {} });
}

async function secretFile(name: string, content: string, mode = 0o600): Promise<string> {
  const path = join(secrets, name);
  await writeFile(path, content, { mode });
  await chmod(path, mode);
  return path;
}

const hook = (url: string, secret: string, more: Record<string, unknown> = {}) => ({
  kind: 'webhook',
  url,
  secretFile: secret,
  ...more,
});

describe('the notifiers setting', () => {
  it('resolves each notifier: secret file made absolute, json by default; none by default', async () => {
    expect(loadConfig({ cwd: dir, env: {} }).notifiers).toEqual([]);
    const config = await load([
      hook('https://ops.example.com/slipway', join(secrets, 'a')),
      hook('http://127.0.0.1:9000/x', '.slipway/b.secret', { format: 'slack', events: ['drift_detected'] }),
    ]);
    expect(config.notifiers).toEqual([
      { kind: 'webhook', url: 'https://ops.example.com/slipway', secretFile: join(secrets, 'a'), format: 'json' },
      {
        kind: 'webhook',
        url: 'http://127.0.0.1:9000/x',
        secretFile: join(dir, '.slipway', 'b.secret'),
        format: 'slack',
        events: ['drift_detected'],
      },
    ]);
  });

  it.each([
    ['plain http off loopback', hook('http://ops.example.com/x', '/s'), /notifiers\.0\.url: must be https/],
    ['credentials', hook('https://u:p@ops.example.com', '/s'), /notifiers\.0\.url: must not hold credentials/],
    ['another scheme', hook('ftp://ops.example.com', '/s'), /notifiers\.0\.url: must be an http\(s\) URL/],
    ['an unknown kind', { ...hook('https://ops.example.com', '/s'), kind: 'email' }, /notifiers\.0\.kind/],
    [
      'an unknown event kind',
      hook('https://o.example.com', '/s', { events: ['model_born'] }),
      /notifiers\.0\.events\.0/,
    ],
    ['an unknown format', hook('https://o.example.com', '/s', { format: 'xml' }), /notifiers\.0\.format/],
    ['no secret file', { kind: 'webhook', url: 'https://o.example.com' }, /notifiers\.0\.secretFile/],
    ['a secret in the config', hook('https://o.example.com', '/s', { secret: 'x' }), /Unrecognized key: "secret"/],
    [
      'zero attempts',
      hook('https://o.example.com', '/s', { retry: { attempts: 0, initialMs: 1, maxMs: 1 } }),
      /retry\.attempts/,
    ],
  ])('refuses a notifier with %s, naming the file and the field', async (_what, notifier, error) => {
    const err = await load([notifier]).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(error);
    expect((err as Error).message).toContain(join(dir, CONFIG_FILE_NAME));
  });

  it('refuses a secret file inside a dataset root, naming the file, the field and the root', async () => {
    // The working directory is the default dataset root: a secret file there could be read by a run.
    await expect(load([hook('https://o.example.com', 'notify.secret')])).rejects.toThrow(
      `invalid Slipway configuration in ${join(dir, CONFIG_FILE_NAME)}: notifiers[0].secretFile ` +
        `${join(dir, 'notify.secret')} lies inside the dataset root ${dir}`,
    );
    await expect(
      load([hook('https://o.example.com', join(secrets, 'n.secret'))], { data: { roots: [secrets] } }),
    ).rejects.toThrow(`notifiers[0].secretFile ${join(secrets, 'n.secret')} lies inside the dataset root ${secrets}`);
    // Inside the Slipway home (never read as a dataset) it is fine.
    const config = await load([hook('https://o.example.com', '.slipway/notify.secret')]);
    expect(config.notifiers[0]?.secretFile).toBe(join(dir, '.slipway', 'notify.secret'));
  });

  it('never reads a secret file as a dataset, wherever it lives', async () => {
    const path = join(secrets, 'notify.secret');
    const config = await load([hook('https://o.example.com', path)]);
    expect(deniedDatasetPaths(config)).toContain(path);
  });
});

describe('configuredNotifiers', () => {
  it('refuses an empty, missing or exposed secret file, naming it and the setting, never the secret', async () => {
    const cases: [string, RegExp][] = [
      [
        await secretFile('empty.secret', '\n'),
        /notifiers\[0\]\.secretFile, for https:\/\/o\.example\.com\/x\) is empty/,
      ],
      [
        join(secrets, 'missing.secret'),
        /notifiers\[0\]\.secretFile, for https:\/\/o\.example\.com\/x\) does not exist/,
      ],
      [await secretFile('exposed.secret', 'exposed-secret-value', 0o644), /may be read or written by its group/],
    ];
    for (const [path, error] of cases) {
      const config = await load([hook('https://o.example.com/x', path)]);
      const err = await configuredNotifiers(config).catch((e: unknown) => e as Error);
      expect((err as Error).message).toMatch(error);
      expect((err as Error).message).toContain(path);
      expect((err as Error).message).not.toContain('exposed-secret-value');
    }
  });

  describe('with receivers', () => {
    const servers: Server[] = [];
    afterEach(async () => {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      servers.length = 0;
    });

    /** A receiver that verifies with `secret` and records the delivery ids it accepted. */
    async function receiverFor(secret: string): Promise<{ url: string; accepted: string[] }> {
      const accepted: string[] = [];
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const header = (n: string) => String(req.headers[n] ?? '');
          const verdict = verifyWebhookSignature({
            secret,
            id: header('slipway-delivery-id'),
            timestamp: header('slipway-timestamp'),
            body: Buffer.concat(chunks).toString('utf8'),
            signature: header('slipway-signature'),
          });
          if (verdict.valid) accepted.push(header('slipway-delivery-id'));
          res.writeHead(verdict.valid ? 200 : 401).end();
        });
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, accepted };
    }

    const event = (id: string, kind: NotificationEventInput['kind']): NotificationEventInput => ({
      id,
      kind,
      model: 'churn',
      summary: `churn: ${kind}`,
      at: '2026-12-03T06:00:00.000Z',
    });

    it('sends each event to the receivers that take its kind, each signed with its own secret', async () => {
      const all = await receiverFor('secret-for-all-0123');
      const drift = await receiverFor('secret-for-drift-0123');
      const config = await load([
        hook(all.url, await secretFile('all.secret', 'secret-for-all-0123\n')),
        hook(drift.url, await secretFile('drift.secret', 'secret-for-drift-0123'), { events: ['drift_detected'] }),
      ]);
      const notifier = await configuredNotifiers(config);
      const first = await notifier.notify(event('e-1', 'drift_detected'));
      const second = await notifier.notify(event('e-2', 'gate_opened'));
      expect(first.deliveries.map((d) => [d.target, d.status])).toEqual([
        [all.url, 'delivered'],
        [drift.url, 'delivered'],
      ]);
      expect(second.deliveries.map((d) => d.target)).toEqual([all.url]);
      expect(all.accepted).toEqual(['e-1', 'e-2']);
      expect(drift.accepted).toEqual(['e-1']);
    });

    it('dead-letters under the Slipway home when a receiver refuses, and still delivers to the others', async () => {
      const good = await receiverFor('good-secret-0123');
      const other = await receiverFor('some-other-secret'); // refuses our signature with 401: not retried
      const config = await load([
        hook(good.url, await secretFile('good.secret', 'good-secret-0123')),
        hook(other.url, await secretFile('bad.secret', 'not-the-receivers-secret')),
      ]);
      const outcome = await (await configuredNotifiers(config)).notify(event('e-9', 'rollout_rolled_back'));
      const path = notificationDeadLetterPath(config);
      expect(path).toBe(join(dir, '.slipway', 'notifications', 'dead-letter.jsonl'));
      expect(outcome.deliveries).toEqual([
        { target: good.url, status: 'delivered', attempts: 1, httpStatus: 200 },
        expect.objectContaining({ target: other.url, status: 'dead_lettered', httpStatus: 401, deadLetterPath: path }),
      ]);
      const log = await readFile(path, 'utf8');
      expect(JSON.parse(log)).toMatchObject({ event: { id: 'e-9' }, target: other.url, httpStatus: 401 });
      expect(log).not.toContain('not-the-receivers-secret');
    });

    it('with no notifiers configured, delivers nowhere', async () => {
      const outcome = await (
        await configuredNotifiers(loadConfig({ cwd: dir, env: {} }))
      ).notify(event('e', 'gate_decided'));
      expect(outcome).toEqual({ eventId: 'e', deliveries: [] });
    });
  });
});

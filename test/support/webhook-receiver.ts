/**
 * A live webhook receiver on 127.0.0.1 for the notification tests: it records every delivery with its delivery id,
 * its raw body and whether its signature verifies with the shared secret (`verifyWebhookSignature`, as a real
 * receiver checks it). Also: a URL whose port refuses connections (a receiver that is down), and the shared
 * secret in an owner-only file, as the worker's configuration takes it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyWebhookSignature, type SignatureVerdict } from '../../packages/activities/src/index.js';
import { eventually } from './waits.js';

/** One delivery the receiver got. */
export interface ReceivedDelivery {
  /** The `slipway-delivery-id` header. */
  id: string | undefined;
  /** The raw body. */
  body: string;
  /** Whether the signature verifies with the shared secret. */
  verdict: SignatureVerdict;
}

/** A running receiver. */
export interface WebhookReceiver {
  /** The receiver's URL with `path` (e.g. `/hooks/slipway`). */
  url(path: string): string;
  /** Every delivery so far, in arrival order. */
  readonly received: readonly ReceivedDelivery[];
  /** The delivery with delivery id `id`, once it arrived. */
  delivery(id: string): Promise<ReceivedDelivery>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Starts a receiver that checks every delivery's signature with `secret` and answers 204. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const header = (name: string) => req.headers[name] as string | undefined;
      const id = header('slipway-delivery-id');
      const verdict = verifyWebhookSignature({
        secret,
        id: id ?? '',
        timestamp: header('slipway-timestamp') ?? '',
        body,
        signature: header('slipway-signature'),
      });
      received.push({ id, body, verdict });
      res.writeHead(204).end();
    });
  });
  const port = await listen(server);
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    delivery: (id) => eventually(`the delivery ${id}`, () => Promise.resolve(received.find((r) => r.id === id))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A URL on 127.0.0.1 whose port refuses connections: a receiver that is down. */
export async function downReceiverUrl(path: string): Promise<string> {
  const gone = createServer();
  const port = await listen(gone);
  await new Promise<void>((resolve) => gone.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

/** The shared secret in an owner-only file (mode 0600) in a fresh temporary folder, and how to remove it. */
export async function writeSecretFile(secret: string): Promise<{ file: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-notify-secret-'));
  const file = join(dir, 'notify.secret');
  await writeFile(file, `${secret}\n`);
  await chmod(file, 0o600);
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

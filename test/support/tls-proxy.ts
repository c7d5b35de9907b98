/**
 * TLS in front of the suite's dev server (which speaks plain gRPC only): certificates made with `openssl` (a CA, a
 * server certificate for 127.0.0.1 and localhost, a client certificate signed by the CA and one signed by another
 * CA); a TLS-terminating TCP proxy on 127.0.0.1 that asks every client for a certificate, refuses one the CA did not
 * sign, and pipes the rest to the dev server; and a gRPC proxy that lets through only calls carrying an API key.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  connect as http2Connect,
  createSecureServer,
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { createServer } from 'node:tls';

/** The files of a test PKI (absolute paths); every key file is mode 0600. */
export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate and key signed by another CA, which the proxy does not trust. */
  strangerCert: string;
  strangerKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(dir: string, name: string): string {
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name]);
  chmodSync(join(dir, name), 0o600);
  return join(dir, name);
}

function newCa(dir: string, name: string): void {
  newKey(dir, `${name}.key`);
  openssl(dir, [
    ...['req', '-x509', '-new', '-key', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`],
    ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  ]);
}

/** A leaf certificate for `name`, signed by the CA `ca`, with the given extensions. */
function newLeaf(dir: string, name: string, ca: string, extensions: string[]): void {
  newKey(dir, `${name}.key`);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), ['basicConstraints=CA:FALSE', ...extensions].join('\n') + '\n');
  openssl(dir, [
    ...['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial'],
    ...['-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`],
  ]);
}

/** Makes a test PKI in `dir` (which should be outside every dataset root: it holds keys). */
export function makeTestPki(dir: string): TestPki {
  newCa(dir, 'ca');
  newCa(dir, 'other-ca');
  newLeaf(dir, 'server', 'ca', ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth']);
  newLeaf(dir, 'client', 'ca', ['extendedKeyUsage=clientAuth']);
  newLeaf(dir, 'stranger', 'other-ca', ['extendedKeyUsage=clientAuth']);
  const at = (file: string) => join(dir, file);
  return {
    ca: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    strangerCert: at('stranger.pem'),
    strangerKey: at('stranger.key'),
  };
}

/** A running mutual-TLS proxy. */
export interface TlsProxy {
  /** `127.0.0.1:<port>`. */
  address: string;
  /** Connections whose client certificate the CA signed (piped to the dev server). */
  readonly accepted: number;
  /** TLS handshakes refused (no client certificate, or one the CA did not sign). */
  readonly refused: number;
  close(): Promise<void>;
}

/** Starts a mutual-TLS proxy on 127.0.0.1 in front of `target` (`host:port`), trusting client certificates of `ca`. */
export async function startTlsProxy(options: { target: string; pki: TestPki }): Promise<TlsProxy> {
  const [host, port] = splitAddress(options.target);
  let accepted = 0;
  let refused = 0;
  const sockets = new Set<{ destroy(): void }>();
  const server = createServer(
    {
      key: readFileSync(options.pki.serverKey),
      cert: readFileSync(options.pki.serverCert),
      ca: readFileSync(options.pki.ca),
      requestCert: true,
      rejectUnauthorized: true,
      // gRPC runs over HTTP/2: clients offer `h2` and expect it back.
      ALPNProtocols: ['h2'],
    },
    (client) => {
      accepted += 1;
      const upstream = connect(port, host);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    },
  );
  server.on('tlsClientError', () => (refused += 1));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port: listening } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${listening}`,
    get accepted() {
      return accepted;
    },
    get refused() {
      return refused;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((closed) => server.close(() => closed()));
    },
  };
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}

/** A running API-key proxy. */
export interface ApiKeyProxy {
  /** `127.0.0.1:<port>`. */
  address: string;
  /** Requests that carried `authorization: Bearer <the key>` (forwarded to the dev server). */
  readonly authorized: number;
  /** Requests without the key, or with another one (answered UNAUTHENTICATED). */
  readonly refused: number;
  close(): Promise<void>;
}

const GRPC_UNAUTHENTICATED = '16';

/**
 * Starts a gRPC proxy on 127.0.0.1 (HTTP/2 over TLS, the server certificate of `pki`, no client certificate) that
 * forwards to `target` every request carrying `authorization: Bearer <apiKey>` — the header Temporal's connections
 * send for an API key — and answers any other request UNAUTHENTICATED, as Temporal Cloud does.
 */
export async function startApiKeyProxy(options: {
  target: string;
  pki: TestPki;
  apiKey: string;
}): Promise<ApiKeyProxy> {
  const upstream = http2Connect(`http://${options.target}`);
  upstream.on('error', () => undefined);
  let authorized = 0;
  let refused = 0;
  const server = createSecureServer({
    key: readFileSync(options.pki.serverKey),
    cert: readFileSync(options.pki.serverCert),
  });
  const sessions = new Set<{ destroy(): void }>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (headers.authorization !== `Bearer ${options.apiKey}`) {
      refused += 1;
      const answer = { 'content-type': 'application/grpc', 'grpc-status': GRPC_UNAUTHENTICATED };
      stream.respond({ ':status': 200, ...answer, 'grpc-message': 'missing or unknown API key' }, { endStream: true });
      return;
    }
    authorized += 1;
    forward(stream, headers, upstream);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    get authorized() {
      return authorized;
    },
    get refused() {
      return refused;
    },
    async close() {
      // Clients keep their HTTP/2 sessions open (a worker's polls, a client's channel): end them here.
      for (const session of sessions) session.destroy();
      upstream.destroy();
      await new Promise<void>((closed) => server.close(() => closed()));
    },
  };
}

/** Forwards one gRPC call: request headers and body up, response headers, body and trailers down. */
function forward(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, upstream: ClientHttp2Session): void {
  const request = upstream.request(withoutPseudoHeaders(headers, { ':method': 'POST', ':path': headers[':path'] }));
  request.on('error', () => stream.close());
  stream.pipe(request);
  let trailers: IncomingHttpHeaders = {};
  request.on('trailers', (received: IncomingHttpHeaders) => {
    trailers = received;
  });
  request.on('response', (response) => {
    // A trailers-only answer (an error status in the headers) ends the call at once.
    const endStream = response['grpc-status'] !== undefined;
    stream.respond(withoutPseudoHeaders(response, { ':status': response[':status'] }), {
      endStream,
      waitForTrailers: !endStream,
    });
    if (!endStream) request.pipe(stream);
  });
  stream.on('wantTrailers', () => stream.sendTrailers(withoutPseudoHeaders(trailers, {})));
  stream.on('close', () => request.close());
}

function withoutPseudoHeaders(headers: IncomingHttpHeaders, pseudo: Record<string, unknown>): OutgoingHttpHeaders {
  const kept = Object.entries(headers).filter(([name]) => !name.startsWith(':'));
  return { ...(pseudo as OutgoingHttpHeaders), ...Object.fromEntries(kept) };
}

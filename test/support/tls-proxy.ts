/**
 * Mutual TLS in front of the suite's dev server (which speaks plain gRPC only): certificates made with `openssl`
 * (a CA, a server certificate for 127.0.0.1 and localhost, a client certificate signed by the CA and one signed by
 * another CA), and a TLS-terminating TCP proxy on 127.0.0.1 that asks every client for a certificate, refuses one
 * the CA did not sign, and pipes the rest to the dev server.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
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

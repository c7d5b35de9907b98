import { createServer } from 'node:net';

/** The only address the embedded dev server binds to. */
export const LOOPBACK = '127.0.0.1';

/** Asks the OS for a free TCP port on `ip` (default 127.0.0.1): binds port 0, reads the port, closes. */
export function freePort(ip: string = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: ip, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => {
        if (port === undefined) reject(new Error(`could not read the port bound on ${ip}`));
        else resolve(port);
      });
    });
  });
}

/**
 * True when nothing listens on `ip:port` (a test bind succeeds). False when the port is taken
 * (`EADDRINUSE`) or reserved (`EACCES`); other errors are thrown.
 */
export function isPortFree(port: number, ip: string = LOOPBACK): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    });
    server.listen({ host: ip, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

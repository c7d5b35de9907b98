/** Loopback addresses: what Slipway's HTTP endpoints bind unless told otherwise, and where they may stay open. */

/** Loopback addresses. */
export const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'] as const;
/** A loopback address. */
export type LoopbackHost = (typeof LOOPBACK_HOSTS)[number];

/** Whether `host` is a loopback address (only this machine can reach an endpoint bound there). */
export function isLoopbackHost(host: string): boolean {
  return (LOOPBACK_HOSTS as readonly string[]).includes(host);
}

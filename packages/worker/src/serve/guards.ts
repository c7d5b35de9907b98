/**
 * The model server's request guards (hono middleware): browser cross-origin requests are refused (403), requests
 * that change state must be `application/json` (415), and the control plane needs the bearer token (401).
 */
import type { MiddlewareHandler } from 'hono';
import type { ModelServerToken } from '../config/model-server-token.js';
import { bearerCheck, bearerRefusal } from '../net/bearer.js';
import { isLoopbackHost } from '../net/loopback.js';
import { ServeError, ServeErrorCode } from './protocol.js';

/**
 * Refuses browser cross-origin requests: an `Origin` header other than the server's own loopback origin, or
 * `Sec-Fetch-Site: cross-site` / `same-site`. A page a developer visits cannot reach the route; programs (which send
 * neither header) and the server's own origin can.
 */
export const sameOriginOnly: MiddlewareHandler = async (c, next) => {
  const site = c.req.header('sec-fetch-site')?.toLowerCase();
  if (site === 'cross-site' || site === 'same-site') {
    throw new ServeError(
      403,
      ServeErrorCode.CrossOriginRefused,
      `Refused a browser request from another site (Sec-Fetch-Site: ${site}) to ${c.req.method} ${c.req.path}`,
    );
  }
  const origin = c.req.header('origin');
  if (origin !== undefined && !isOwnOrigin(origin, c.req.url)) {
    throw new ServeError(
      403,
      ServeErrorCode.CrossOriginRefused,
      `Refused a cross-origin request (Origin: ${origin.slice(0, 200)}) to ${c.req.method} ${c.req.path}; ` +
        'the model server answers only its own origin',
    );
  }
  await next();
};

/** Refuses a request whose body is not declared `application/json` (a form or `text/plain` POST from a page). */
export const jsonOnly: MiddlewareHandler = async (c, next) => {
  const type = c.req.header('content-type');
  const media = type?.split(';')[0]?.trim().toLowerCase();
  if (media !== 'application/json') {
    throw new ServeError(
      415,
      ServeErrorCode.UnsupportedMediaType,
      `${c.req.method} ${c.req.path} needs a JSON body with "content-type: application/json"` +
        (type ? `, not "${type.slice(0, 100)}"` : '; the request had no content-type'),
    );
  }
  await next();
};

/**
 * Requires `Authorization: Bearer <token>`, compared in constant time. The 401 says where the token is configured
 * and never echoes a token.
 */
export function bearerToken(token: ModelServerToken): MiddlewareHandler {
  const accepts = bearerCheck(token.value);
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (!accepts(header)) {
      c.header('WWW-Authenticate', 'Bearer realm="slipway-model-server"');
      const what = `${c.req.method} ${c.req.path}`;
      throw new ServeError(
        401,
        ServeErrorCode.Unauthorized,
        bearerRefusal(what, header, "model server's control-plane token", token.source),
      );
    }
    await next();
  };
}

/** True when `origin` is the loopback origin the request was sent to (scheme, host and port). */
function isOwnOrigin(origin: string, requestUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // e.g. "null" from a sandboxed page or a file
  }
  // An IPv6 host name comes bracketed in a URL (`[::1]`).
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return isLoopbackHost(host) && parsed.origin === new URL(requestUrl).origin;
}

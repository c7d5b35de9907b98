/** Registry URLs (`sqlite:<path>`, `mlflow+http(s)://…`), parsed without loading any registry adapter. */
import { isAbsolute, resolve } from 'node:path';

/** Where the registry lives: a SQLite file, or an MLflow tracking server. */
export type RegistryLocation =
  { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'mlflow'; readonly trackingUrl: string };

const EXPECTED =
  'expected sqlite:<path> (e.g. sqlite:.slipway/registry.db) or mlflow+http(s)://host:port (e.g. mlflow+http://127.0.0.1:5000)';

/**
 * Parses a registry URL: `sqlite:<path>` (relative to `cwd`) or `mlflow+http://host:port` /
 * `mlflow+https://host:port/prefix`. Anything else throws an error that says what is expected.
 */
export function parseRegistryLocation(url: string, cwd: string = process.cwd()): RegistryLocation {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path.trim() === '') throw new Error(`Registry URL "${url}" names no file: ${EXPECTED}`);
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  const match = /^mlflow\+(https?:\/\/.*)$/i.exec(url);
  if (!match?.[1]) throw new Error(`Registry URL "${url}" is not valid: ${EXPECTED}`);
  return { kind: 'mlflow', trackingUrl: checkTrackingUrl(url, match[1]) };
}

function checkTrackingUrl(url: string, http: string): string {
  let parsed: URL;
  try {
    parsed = new URL(http);
  } catch {
    throw new Error(`Registry URL "${url}" is not a valid URL: ${EXPECTED}`);
  }
  const problem =
    parsed.hostname === ''
      ? 'it names no host'
      : parsed.username !== '' || parsed.password !== ''
        ? 'credentials in the URL are not supported'
        : parsed.search !== '' || parsed.hash !== ''
          ? 'it has a query or fragment'
          : undefined;
  if (problem) throw new Error(`Registry URL "${url}" is not valid: ${problem}; ${EXPECTED}`);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
}

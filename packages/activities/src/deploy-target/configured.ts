/**
 * Which configured deploy target a step's `serverUrl` names. A run input only names a URL; the adapter, its base URL
 * and its token come from the worker's configuration, so a token is sent to the origin it was configured for only.
 */
import type { DeployTargetAccess } from '../ports.js';

/**
 * A URL as targets are matched by: origin and path without trailing slashes (`https://a.example/x/` and
 * `https://a.example/x` are one target); query and fragment are not part of a target's URL.
 *
 * @throws TypeError when `url` is not an absolute URL.
 */
export function targetUrlKey(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

/** The configured target whose URL `serverUrl` is, or undefined when none is. */
export function configuredTargetFor(
  targets: readonly DeployTargetAccess[] | undefined,
  serverUrl: string,
): DeployTargetAccess | undefined {
  if (!targets || targets.length === 0) return undefined;
  let key: string;
  try {
    key = targetUrlKey(serverUrl);
  } catch {
    return undefined;
  }
  return targets.find((target) => targetUrlKey(target.url) === key);
}

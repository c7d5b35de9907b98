import { SlipwayErrorType, finalFailure } from '@slipway/sdk';

/** The reserved alias that always resolves to a model's highest version; it cannot be set. */
export const LATEST_ALIAS = 'latest';

/** A parsed `versionOrAlias`: an explicit version, a named alias, or the latest version. */
export type VersionSpec =
  | { readonly kind: 'version'; readonly version: number }
  | { readonly kind: 'alias'; readonly alias: string }
  | { readonly kind: 'latest' };

const VERSION_PATTERN = /^v?(\d+)$/i;
const ALIAS_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Parses what `ModelRegistry.resolve` accepts: `3`, `'3'` or `'v3'` (a version), `'latest'`, or an alias
 * such as `'champion'`. A version must be a positive integer; anything else fails with `SlipwayInvalidInput`.
 */
export function parseVersionSpec(spec: string | number): VersionSpec {
  if (typeof spec === 'number') return { kind: 'version', version: positiveVersion(spec, String(spec)) };
  const match = VERSION_PATTERN.exec(spec);
  if (match?.[1] !== undefined) return { kind: 'version', version: positiveVersion(Number(match[1]), spec) };
  if (spec.toLowerCase() === LATEST_ALIAS) return { kind: 'latest' };
  if (spec.length === 0) {
    throw finalFailure(SlipwayErrorType.InvalidInput, 'Empty version or alias: expected 3, "v3" or an alias name');
  }
  return { kind: 'alias', alias: spec };
}

function positiveVersion(version: number, written: string): number {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Version ${JSON.stringify(written)} is not valid: model versions are integers from 1`,
      { version: written },
    );
  }
  return version;
}

/**
 * Checks an alias name for `setAlias`: 1–100 letters, digits, `_` or `-`, and neither `latest` nor
 * version-like (`3`, `v3`), which `resolve` would read as versions.
 */
export function assertAliasName(alias: string): void {
  const problem = !ALIAS_PATTERN.test(alias)
    ? 'expected 1 to 100 letters, digits, "_" or "-"'
    : VERSION_PATTERN.test(alias)
      ? 'it would be read as a version number'
      : alias.toLowerCase() === LATEST_ALIAS
        ? `"${LATEST_ALIAS}" is reserved for the highest version`
        : undefined;
  if (problem !== undefined) {
    throw finalFailure(SlipwayErrorType.InvalidInput, `Alias ${JSON.stringify(alias)} is not valid: ${problem}`, {
      alias,
    });
  }
}

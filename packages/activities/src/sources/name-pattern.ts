/**
 * A glob on a file's base name, as a dataset template's `pattern` writes it: `*` matches any run of characters, `?`
 * one character, and everything else itself (no ranges, braces or path separators: the pattern is matched against
 * the name only, never against a directory).
 *
 * ```ts
 * const match = namePattern('churn-*.csv');
 * match('churn-2026-12-01.csv'); // true
 * match('churn.csv');            // false
 * ```
 */
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';

/**
 * A predicate for base names matching `pattern` (all of the name, case-sensitive).
 *
 * @throws a final `SlipwayInvalidInput` when the pattern holds a `/` (it is matched against base names only).
 */
export function namePattern(pattern: string): (name: string) => boolean {
  if (pattern.includes('/')) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `the pattern ${JSON.stringify(pattern)} holds a "/": it is matched against file names only (e.g. "*.csv")`,
      { pattern },
    );
  }
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`, 'su');
  return (name) => regex.test(name);
}

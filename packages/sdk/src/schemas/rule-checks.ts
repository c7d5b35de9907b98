/**
 * The checks a declared rule gets when it is loaded, before any data is read: a range whose bounds leave nothing
 * to pass, a pattern that is not a regular expression. Row schemas and expectation sets share them, so a rule is
 * refused for the same reason wherever it is written.
 */

/**
 * Why a range can hold no value, or undefined when it can: its lower bound above its upper bound, or equal
 * bounds that are excluded (`strict`). `names` are the bounds' field names, for the message.
 */
export function rangeProblem(
  min: number | undefined,
  max: number | undefined,
  options: { names?: readonly [string, string]; strict?: boolean } = {},
): string | undefined {
  if (min === undefined || max === undefined) return undefined;
  const [low, high] = options.names ?? ['min', 'max'];
  if (min > max) return `${low} ${min} is greater than ${high} ${max}, so nothing can pass`;
  if (options.strict && min === max)
    return `${low} and ${high} are both ${min} and strict excludes them, so nothing can pass`;
  return undefined;
}

/** Why `pattern` is not a regular expression (compiled with `flags`), or undefined when it is one. */
export function regexProblem(pattern: string, flags = ''): string | undefined {
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return `pattern ${JSON.stringify(pattern)} is not a valid regular expression (${reason})`;
  }
}

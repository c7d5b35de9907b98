/**
 * How much of a dataset's content a message may quote. Error messages and step results travel into workflow
 * history, terminals and logs, where anyone who can read a run can read them; a dataset may be a file nobody
 * meant to share. So messages name positions, columns and counts, and quote at most a short sample of values,
 * each cut short — never whole lines of a file that was not recognised as the expected format.
 *
 * ```ts
 * quoteValue('a very long cell …');            // '"a very long cell …"', at most 40 characters inside the quotes
 * quoteSample(['a', 'b', 'c', 'd', 'e']);      // '"a", "b", "c" and 2 more'
 * ```
 */

/** At most this many values of a dataset are quoted in one message (or kept with their values in a step result). */
export const SAMPLE_MAX_VALUES = 3;

/** At most this many characters of one value are quoted; longer values end in `…`. */
export const SAMPLE_MAX_CHARS = 40;

/** A value cut to `maxChars` characters (the last one `…` when cut), never splitting a surrogate pair. */
export function shortValue(text: string, maxChars = SAMPLE_MAX_CHARS): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(0, maxChars - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate whose low half would be cut off
  return `${text.slice(0, end)}…`;
}

/** A value as a message quotes it: cut with {@link shortValue}, then in JSON quotes (control characters escaped). */
export function quoteValue(text: string): string {
  return JSON.stringify(shortValue(text));
}

/** The first `maxValues` values of a list (what a message or a result may carry of it). */
export function sampleOf<T>(values: readonly T[], maxValues = SAMPLE_MAX_VALUES): T[] {
  return values.slice(0, maxValues);
}

/**
 * A bounded list of values for a message: the first `maxValues`, each quoted with {@link quoteValue}, then how
 * many more there are: `"a", "b", "c" and 2 more`. An empty list is `(none)`.
 */
export function quoteSample(values: readonly string[], maxValues = SAMPLE_MAX_VALUES): string {
  if (values.length === 0) return '(none)';
  const shown = sampleOf(values, maxValues).map(quoteValue).join(', ');
  const more = values.length - Math.min(values.length, maxValues);
  return more > 0 ? `${shown} and ${more} more` : shown;
}

/** What {@link withoutValue} puts where a message quoted a value. */
export const VALUE_NOT_SHOWN = '[value not shown]';

/**
 * A message with the value it quotes taken out: the last occurrence of `quoted` (the exact quoted text the
 * message was built with) becomes {@link VALUE_NOT_SHOWN}. A message that quotes nothing is returned as it is.
 */
export function withoutValue(message: string, quoted: string | undefined): string {
  if (quoted === undefined || quoted === '') return message;
  const at = message.lastIndexOf(quoted);
  return at < 0 ? message : `${message.slice(0, at)}${VALUE_NOT_SHOWN}${message.slice(at + quoted.length)}`;
}

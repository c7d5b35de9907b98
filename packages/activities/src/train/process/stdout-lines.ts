import {
  FinalErrorType,
  TRAINER_MESSAGE_TYPES,
  TrainerStdoutMessage,
  describeIssues,
  finalFailure,
} from '@slipway/sdk';
import { shortValue } from '../../util/bounded-sample.js';

/** The longest stdout line a trainer may write (1 MiB); a longer one fails the attempt. */
export const MAX_STDOUT_LINE_BYTES = 1024 * 1024;

/** How many characters of a bad stdout line an error quotes. */
const QUOTED_LINE_CHARS = 200;

/** One line of a trainer's stdout, numbered from 1, without its line break. */
export interface StdoutLine {
  number: number;
  text: string;
}

/**
 * Splits a byte stream into lines (`\n`, an `\r` before it dropped), in bounded memory: a line longer than
 * `maxBytes` fails with a final `SlipwayTrainerFailed` naming its number. A last line without a line break counts.
 */
export async function* stdoutLines(
  stream: AsyncIterable<Buffer>,
  trainer: string,
  maxBytes = MAX_STDOUT_LINE_BYTES,
): AsyncGenerator<StdoutLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  const line = (last: Buffer): StdoutLine => {
    const bytes = Buffer.concat([...pending, last]);
    pending = [];
    pendingBytes = 0;
    number += 1;
    const text = bytes.toString('utf8');
    return { number, text: text.endsWith('\r') ? text.slice(0, -1) : text };
  };
  for await (const chunk of stream) {
    let start = 0;
    for (let end = chunk.indexOf(10); end >= 0; end = chunk.indexOf(10, start)) {
      if (pendingBytes + end - start > maxBytes) throw lineTooLong(trainer, number + 1, maxBytes);
      yield line(chunk.subarray(start, end));
      start = end + 1;
    }
    pending.push(chunk.subarray(start));
    pendingBytes += chunk.length - start;
    if (pendingBytes > maxBytes) throw lineTooLong(trainer, number + 1, maxBytes);
  }
  if (pendingBytes > 0) yield line(Buffer.alloc(0));
}

function lineTooLong(trainer: string, number: number, maxBytes: number): Error {
  return finalFailure(
    FinalErrorType.TrainerFailed,
    `Trainer "${trainer}" wrote stdout line ${number} longer than ${maxBytes} bytes; a protocol message is one ` +
      'JSON object a line, and other output belongs on stderr',
    { trainer, line: number },
  );
}

/** What a stdout line is: a protocol message, or other text (kept as a log line; libraries print). */
export type TrainerLine = { kind: 'message'; message: TrainerStdoutMessage } | { kind: 'text'; text: string };

const PROTOCOL_TYPE = new RegExp(`"type"\\s*:\\s*"(${TRAINER_MESSAGE_TYPES.join('|')})"`);

/**
 * Classifies one stdout line. A JSON object whose `type` is a protocol message type must be a valid message: a
 * malformed one (e.g. a progress without `step`), or a line that looks like one but is not JSON (`NaN` written by
 * a JSON encoder), fails with a final `SlipwayTrainerFailed` naming the line number and the field.
 */
export function classifyTrainerLine(line: StdoutLine, trainer: string): TrainerLine {
  const trimmed = line.text.trim();
  if (!trimmed.startsWith('{')) return { kind: 'text', text: line.text };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (err) {
    const type = PROTOCOL_TYPE.exec(trimmed)?.[1];
    if (type === undefined) return { kind: 'text', text: line.text };
    const reason = err instanceof Error ? err.message : String(err);
    throw badLine(
      trainer,
      line,
      `looks like a ${type} message but is not JSON (${reason}; NaN and Infinity are not JSON)`,
    );
  }
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (!TRAINER_MESSAGE_TYPES.some((known) => known === type)) return { kind: 'text', text: line.text };
  const parsed = TrainerStdoutMessage.safeParse(value);
  if (!parsed.success)
    throw badLine(trainer, line, `is an invalid ${String(type)} message: ${describeIssues(parsed.error)}`);
  return { kind: 'message', message: parsed.data };
}

function badLine(trainer: string, line: StdoutLine, problem: string): Error {
  return finalFailure(
    FinalErrorType.TrainerFailed,
    `Trainer "${trainer}" stdout line ${line.number} ${problem} (the line: ${shortValue(line.text.trim(), QUOTED_LINE_CHARS)})`,
    { trainer, line: line.number },
  );
}

/**
 * The pure parts of the trainer runner: splitting stdout into bounded lines whatever the chunking, classifying a
 * line (protocol message, other text, malformed message), and the bounded stderr tail.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FinalErrorType, failureType } from '../../../packages/sdk/src/index.js';
import {
  classifyTrainerLine,
  createStderrTail,
  stdoutLines,
  type StdoutLine,
} from '../../../packages/activities/src/train/process/index.js';

async function linesOf(chunks: readonly (string | Buffer)[], maxBytes?: number): Promise<StdoutLine[]> {
  const stream = Readable.from(chunks.map((chunk) => (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))));
  const lines: StdoutLine[] = [];
  for await (const line of stdoutLines(stream, 'fixture', maxBytes)) lines.push(line);
  return lines;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('stdoutLines', () => {
  it('splits lines across chunk boundaries, drops \\r before \\n, and keeps a last line without a break', async () => {
    const euro = Buffer.from('€');
    const lines = await linesOf(['one\r\ntw', 'o\n\n', euro.subarray(0, 1), euro.subarray(1), '\nlast']);
    expect(lines).toEqual([
      { number: 1, text: 'one' },
      { number: 2, text: 'two' },
      { number: 3, text: '' },
      { number: 4, text: '€' },
      { number: 5, text: 'last' },
    ]);
  });

  it('fails on a line over the bound, naming its number, whether or not its end has arrived', async () => {
    for (const chunks of [
      ['ok\n', 'x'.repeat(11), '\n'],
      ['ok\n', 'x'.repeat(6), 'x'.repeat(6)],
    ]) {
      const err = await linesOf(chunks, 10).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(failureType(err)).toBe(FinalErrorType.TrainerFailed);
      expect(err?.message).toContain('Trainer "fixture" wrote stdout line 2 longer than 10 bytes');
    }
    expect(await linesOf(['x'.repeat(10), '\n'], 10)).toEqual([{ number: 1, text: 'x'.repeat(10) }]);
  });
});

describe('classifyTrainerLine', () => {
  const classify = (text: string) => classifyTrainerLine({ number: 4, text }, 'fixture');

  it('reads protocol messages and keeps anything else as text', () => {
    expect(classify('{"type":"progress","step":3}')).toEqual({
      kind: 'message',
      message: { type: 'progress', step: 3, metrics: {} },
    });
    for (const text of ['Epoch 1/3', '{"type":"metric","value":1}', '[1, 2]', '{not json at all', '"progress"']) {
      expect(classify(text)).toEqual({ kind: 'text', text });
    }
  });

  it('fails on a malformed protocol message, naming the line, the field and quoting the line', () => {
    const err = errorOf(() => classify('{"type":"checkpoint","step":1}'));
    expect(failureType(err)).toBe(FinalErrorType.TrainerFailed);
    expect(err.message).toMatch(/^Trainer "fixture" stdout line 4 is an invalid checkpoint message: path: /);
    expect(err.message).toContain('(the line: {"type":"checkpoint","step":1})');
    const nan = errorOf(() => classify('{"type": "progress", "step": 1, "metrics": {"loss": NaN}}'));
    expect(nan.message).toContain('stdout line 4 looks like a progress message but is not JSON');
  });

  it('quotes at most 200 characters of a bad line', () => {
    const err = errorOf(() => classify(`{"type":"log","level":"info","message":${'1'.repeat(5000)}}`));
    expect(err.message.length).toBeLessThan(400);
  });
});

describe('createStderrTail', () => {
  it('keeps the last 20 non-empty lines', () => {
    const tail = createStderrTail();
    for (let i = 1; i <= 100; i++) tail.push(Buffer.from(`line ${i}\n\n`));
    expect(tail.text()).toBe(Array.from({ length: 20 }, (_, i) => `line ${i + 81}`).join('\n'));
  });

  it('keeps at most 4 KB, cut at a line start', () => {
    const tail = createStderrTail();
    tail.push(Buffer.from(`${'a'.repeat(3000)}\n${'b'.repeat(3000)}\n${'c'.repeat(1000)}\n`));
    expect(tail.text()).toBe(`${'b'.repeat(3000)}\n${'c'.repeat(1000)}`);
    const long = createStderrTail();
    long.push(Buffer.from('d'.repeat(10_000)));
    expect(Buffer.byteLength(long.text())).toBe(4096);
  });
});

/** Reading a secret (a password) without echoing it, or from standard input for scripts. */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * The first line of standard input (`fromStdin`, for scripts), else what the person types on the terminal, not
 * echoed. Refuses when neither is possible (no terminal and no `--password-stdin`).
 */
export async function readSecretLine(prompt: string, options: { fromStdin: boolean }): Promise<string> {
  if (options.fromStdin) return firstLine(await readAll(process.stdin));
  if (process.stdin.isTTY !== true) {
    throw new Error('not a terminal: pass --password-stdin and write the password to standard input');
  }
  process.stdout.write(prompt);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.once('line', resolve));
  } finally {
    rl.close();
    process.stdout.write('\n');
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}

/**
 * Asking the person at the keyboard before Slipway signs for them: a y/N question on a terminal. Scripts never
 * get asked; they must name what they sign (`--yes --evidence <digest>`).
 */
import { createInterface } from 'node:readline/promises';

/** True when the answer to `question` on the terminal is yes; false on anything else or end of input. */
export async function confirmOnTerminal(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    prompt.close();
  }
}

/** Whether the command can ask (stdin and stdout are a terminal). */
export function canAsk(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

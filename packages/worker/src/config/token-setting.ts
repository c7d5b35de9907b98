/**
 * The shape of a bearer token, in one place for every token Slipway reads: the configured ones (the model server's
 * control plane, a worker's `/metrics`) and the ones read from files (the model server's token file, a deploy
 * target's `tokenFile`).
 */
import { z } from 'zod';

/** The fewest characters a token may have. */
export const MIN_TOKEN_LENGTH = 16;

/** Whitespace or a control character: a token holds neither (a header would carry it mangled or not at all). */
const NOT_A_TOKEN_CHARACTER = /[\s\p{Cc}]/u;

/** What is wrong with a token's shape, or undefined when nothing is. */
export type TokenShapeProblem = 'short' | 'whitespace';

/** What is wrong with `value` as a token: fewer than {@link MIN_TOKEN_LENGTH} characters, or whitespace in it. */
export function tokenShapeProblem(value: string): TokenShapeProblem | undefined {
  if (value.length < MIN_TOKEN_LENGTH) return 'short';
  if (NOT_A_TOKEN_CHARACTER.test(value)) return 'whitespace';
  return undefined;
}

const SETTING_MESSAGES: Record<TokenShapeProblem, string> = {
  short: `must be at least ${MIN_TOKEN_LENGTH} characters`,
  whitespace: 'must not contain whitespace',
};

/** A configured bearer token: at least {@link MIN_TOKEN_LENGTH} characters, no whitespace or control characters. */
export const TokenSetting = z.string().superRefine((value, ctx) => {
  const problem = tokenShapeProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: SETTING_MESSAGES[problem] });
});

/**
 * Checks the shape of a token read from somewhere other than the configuration (a file); the error names `where`
 * and what the token is for (`what`, default `model server token`), never the value.
 */
export function checkTokenValue(value: string, where: string, what = 'model server token'): string {
  const problem = tokenShapeProblem(value);
  if (problem === 'short') throw new Error(`${where} holds a ${what} shorter than ${MIN_TOKEN_LENGTH} characters`);
  if (problem === 'whitespace') throw new Error(`${where} holds a ${what} with whitespace in it`);
  return value;
}

import { describe, expect, it } from 'vitest';
import { MIN_TOKEN_LENGTH, TokenSetting, checkTokenValue } from '../../../packages/worker/src/config/token-setting.js';

const CASES: { token: string; refused: false | RegExp; why: string }[] = [
  { token: 'a'.repeat(MIN_TOKEN_LENGTH), refused: false, why: 'exactly the fewest characters' },
  { token: 'ü'.repeat(MIN_TOKEN_LENGTH + 4), refused: false, why: 'characters outside ASCII' },
  { token: 'a'.repeat(MIN_TOKEN_LENGTH - 1), refused: /shorter than 16 characters/, why: 'one character short' },
  { token: '', refused: /shorter than 16 characters/, why: 'empty' },
  { token: `${'a'.repeat(10)} ${'b'.repeat(10)}`, refused: /with whitespace in it/, why: 'a space inside' },
  { token: `${'a'.repeat(20)}\t`, refused: /with whitespace in it/, why: 'a trailing tab' },
  { token: `${'a'.repeat(20)}\u0000`, refused: /with whitespace in it/, why: 'a control character' },
];

describe('the shape of a token, one rule for configured tokens and tokens read from files', () => {
  for (const { token, refused, why } of CASES) {
    it(`${refused ? 'refuses' : 'accepts'} a token with ${why}, configured or read from a file`, () => {
      const setting = TokenSetting.safeParse(token);
      expect(setting.success).toBe(!refused);
      if (refused) {
        expect(() => checkTokenValue(token, 'The file t.token')).toThrow(refused);
        expect(() => checkTokenValue(token, 'The file t.token')).toThrow(
          /^The file t\.token holds a model server token/,
        );
      } else {
        expect(checkTokenValue(token, 'The file t.token')).toBe(token);
      }
    });
  }

  it('says what a configured token must be, and never echoes the token', () => {
    const sixteen = TokenSetting.safeParse('secret-is-sixtee');
    expect(sixteen.success).toBe(true);
    const shorter = TokenSetting.safeParse('s3cret');
    expect(shorter.error?.issues[0]?.message).toBe('must be at least 16 characters');
    const spaced = TokenSetting.safeParse('s3cret s3cret s3cret');
    expect(spaced.error?.issues[0]?.message).toBe('must not contain whitespace');
    expect(() => checkTokenValue('s3cret', 'The file t.token', 'deploy target token')).toThrow(
      'The file t.token holds a deploy target token shorter than 16 characters',
    );
    expect(() => checkTokenValue('s3cret', 'x')).not.toThrow(/s3cret/);
  });
});

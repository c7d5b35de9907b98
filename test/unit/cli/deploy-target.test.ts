/** `slipway deploy <model>@<version>`: the target is a model and a positive version, or a clear refusal. */
import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../../packages/worker/src/cli/commands/deploy.js';

describe('slipway deploy target', () => {
  it('reads <model>@<version> and <model>@v<version>', () => {
    expect(parseTarget('churn@3')).toEqual({ model: 'churn', version: 3 });
    expect(parseTarget('churn-eu@v12')).toEqual({ model: 'churn-eu', version: 12 });
  });

  it('refuses anything else, naming what was given', () => {
    for (const bad of ['churn', 'churn@', 'churn@0', 'churn@champion', '@3', 'churn@3.5']) {
      expect(() => parseTarget(bad), bad).toThrow(`expected <model>@<version> (e.g. churn@3), got "${bad}"`);
    }
  });
});

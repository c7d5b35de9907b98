/**
 * `slipway rollback`: its arguments are checked before anything is contacted (a version that is not a number, a
 * missing `--as` or `--reason`), and a finished rollback prints what was taken down, what serves, the alias and why.
 */
import { describe, expect, it } from 'vitest';
import { describeRollback } from '../../../packages/worker/src/cli/commands/rollback.js';
import { runCli } from '../../support/processes.js';

/** Runs `slipway rollback <args>` against an address where nothing listens; it must fail before contacting it. */
async function parseError(args: string[]): Promise<string> {
  const { code, output } = await runCli(['--address', '127.0.0.1:1', 'rollback', ...args]);
  expect(code).toBe(1);
  return output;
}

describe('slipway rollback', () => {
  it('refuses a version that is not a version number', async () => {
    const message = await parseError(['churn', '--to', 'latest', '--as', 'maria', '--reason', 'x']);
    expect(message).toContain('expected a version number such as 3 or v3, got "latest"');
  });

  it('needs --as and --reason', async () => {
    expect(await parseError(['churn', '--reason', 'x'])).toContain("required option '--as <name>'");
    expect(await parseError(['churn', '--as', 'maria'])).toContain("required option '--reason <text>'");
  });

  it('prints what was taken down, what serves, the alias and why', () => {
    const text = describeRollback({
      status: 'rolled_back',
      model: 'churn',
      rolledBack: { version: 7, deploymentId: 'churn-v7-a' },
      live: { version: 6, deploymentId: 'churn-v6-b' },
      method: 'rollback',
      alias: 'champion',
      aliasVersion: 6,
      by: 'maria',
      reason: 'bad labels',
    });
    expect(text).toContain("churn: v7 rolled back by maria; v6 serves (the server's rollback)");
    expect(text).toContain('champion → v6; reason: bad labels');
  });
});

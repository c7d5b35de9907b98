#!/usr/bin/env node
/**
 * The `slipway` command line: a dev server, workers, the model server, runs, status, approvals, datasets,
 * registered models with their lineage, the audit trail, signing keys and the signed directory of people.
 * Exit codes: 0 success, 1 the command failed (the message says why); `data validate` and `audit verify` say
 * more with 1 and 2.
 */
import pc from 'picocolors';
import { programFor } from './program.js';

const program = await programFor(process.argv.slice(2));
program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`${pc.red('error:')} ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});

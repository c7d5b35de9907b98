import type { Command } from '@commander-js/extra-typings';
import {
  compareWithMirror,
  defaultAuditLogPath,
  readAuditEntries,
  verifyAuditLog,
  type AuditVerification,
  type MirrorComparison,
} from '@slipway/activities';
import pc from 'picocolors';
import { configuredAuditMirror, type SlipwayConfig } from '../../config/index.js';
import { commandConfig, type GlobalOptions } from '../context.js';
import { renderAuditTrail } from '../render-model.js';

/** Exit codes of `slipway audit verify`. */
export const AuditVerifyExit = {
  /** The chain is intact. */
  intact: 0,
  /** A line breaks the chain: edited, removed, reordered, duplicated, cut or not JSON. */
  broken: 1,
  /** The log, or its S3 mirror, cannot be read (missing, unreadable, unreachable). */
  unreadable: 2,
} as const;

/** `slipway audit verify` and `slipway audit list`: the registry's hash-chained audit trail. */
export function registerAuditCommands(program: Command, globals: () => GlobalOptions): void {
  const audit = program
    .command('audit')
    .description('the audit trail of every registry change (register, alias, approval, deployment, rollback)');
  audit
    .command('verify')
    .description(
      'check the hash chain of the audit log: exits 0 when intact, 1 naming the first line that breaks it ' +
        '(edited, removed, reordered, duplicated, cut) or the first that differs from the S3 mirror, 2 when the ' +
        'log or the mirror cannot be read',
    )
    .option('--log <path>', 'the audit log (default: <home>/audit.log)')
    .option('--no-mirror', 'skip the comparison with the S3 mirror (made when artifacts live in S3)')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      process.exitCode = await verifyCommand(commandConfig(globals()), options);
    });
  audit
    .command('sync')
    .description('copy every audit line the S3 mirror lacks (when artifacts live in S3), e.g. after an S3 outage')
    .action(async () => {
      const config = commandConfig(globals());
      const mirror = configuredAuditMirror(config);
      if (mirror === undefined) throw new Error(`artifacts live in ${config.artifacts}: there is no S3 mirror to sync`);
      try {
        const stored = await mirror.sync();
        console.log(`${pc.green('✔')} ${mirror.location}: ${stored} missing ${stored === 1 ? 'line' : 'lines'} stored`);
      } finally {
        mirror.close();
      }
    });
  audit
    .command('list')
    .description('list audit entries, oldest first')
    .option('--log <path>', 'the audit log (default: <home>/audit.log)')
    .option('--model <name>', 'only entries about this model')
    .option('--json', 'print the entries as JSON')
    .action(async (options) => {
      const path = options.log ?? defaultAuditLogPath(commandConfig(globals()).home);
      const entries = (await readAuditEntries(path)).filter((e) => !options.model || e.model === options.model);
      console.log(options.json ? JSON.stringify(entries, null, 2) : renderAuditTrail(entries));
    });
}

/** Options of `slipway audit verify`. */
interface VerifyOptions {
  log?: string;
  mirror: boolean;
  json?: boolean;
}

/** Verifies the chain, then (artifacts in S3) the mirror; prints the outcome and returns the exit code. */
async function verifyCommand(config: SlipwayConfig, options: VerifyOptions): Promise<number> {
  const path = options.log ?? defaultAuditLogPath(config.home);
  let result: AuditVerification;
  try {
    result = await verifyAuditLog(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err);
    console.error(`${pc.red('✖')} cannot read the audit log ${path}: ${reason}`);
    return AuditVerifyExit.unreadable;
  }
  let mirror: Awaited<ReturnType<typeof mirrorComparison>>;
  try {
    mirror = options.mirror && options.log === undefined ? await mirrorComparison(config, path) : undefined;
  } catch (err) {
    console.log(describeVerification(path, result));
    console.error(`${pc.red('✖')} cannot read the S3 mirror: ${err instanceof Error ? err.message : String(err)}`);
    return AuditVerifyExit.unreadable;
  }
  if (options.json) console.log(JSON.stringify({ path, ...result, ...(mirror ? { mirror } : {}) }, null, 2));
  else console.log(describeVerification(path, result) + (mirror ? `\n${describeMirror(mirror)}` : ''));
  const intact = result.ok && (mirror === undefined || mirror.ok);
  return intact ? AuditVerifyExit.intact : AuditVerifyExit.broken;
}

/** The comparison of the local log with its S3 mirror, or undefined when artifacts are local. */
async function mirrorComparison(
  config: SlipwayConfig,
  path: string,
): Promise<(MirrorComparison & { location: string }) | undefined> {
  const mirror = configuredAuditMirror(config);
  if (mirror === undefined) return undefined;
  try {
    return { location: mirror.location, ...(await compareWithMirror(mirror, await readAuditEntries(path))) };
  } finally {
    mirror.close();
  }
}

function describeMirror(mirror: MirrorComparison & { location: string }): string {
  if (!mirror.ok) return `${pc.red('✖')} mirror ${mirror.location}: ${mirror.message}`;
  const missing = mirror.missing.length;
  const gap = missing === 0 ? '' : pc.yellow(`; ${missing} local lines not mirrored yet (slipway audit sync)`);
  return `${pc.green('✔')} mirror ${mirror.location}: its ${mirror.lines} lines match the local log${gap}`;
}

function describeVerification(path: string, result: AuditVerification): string {
  if (result.ok) {
    return `${pc.green('✔')} ${path}: intact, ${result.entries} ${result.entries === 1 ? 'entry' : 'entries'}; head ${result.head}`;
  }
  const intact =
    result.entries === 0
      ? 'no line before it'
      : result.entries === 1
        ? 'line 1 is intact'
        : `lines 1 to ${result.entries} are intact`;
  return (
    `${pc.red('✖')} ${path}: line ${result.line} breaks the chain (${result.reason}): ${result.message}\n` +
    pc.dim(`  ${intact}; nothing from line ${result.line} on can be trusted`)
  );
}

import type { Command } from '@commander-js/extra-typings';
import { defaultAuditLogPath, readAuditEntries, verifyAuditLog, type AuditVerification } from '@slipway/activities';
import pc from 'picocolors';
import { commandConfig, type GlobalOptions } from '../context.js';
import { renderAuditTrail } from '../render-model.js';

/** Exit codes of `slipway audit verify`. */
export const AuditVerifyExit = {
  /** The chain is intact. */
  intact: 0,
  /** A line breaks the chain: edited, removed, reordered, duplicated, cut or not JSON. */
  broken: 1,
  /** The log cannot be read (missing, unreadable). */
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
        '(edited, removed, reordered, duplicated, cut), 2 when the log cannot be read',
    )
    .option('--log <path>', 'the audit log (default: <home>/audit.log)')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      const path = options.log ?? defaultAuditLogPath(commandConfig(globals()).home);
      let result: AuditVerification;
      try {
        result = await verifyAuditLog(path);
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err);
        console.error(`${pc.red('✖')} cannot read the audit log ${path}: ${reason}`);
        process.exitCode = AuditVerifyExit.unreadable;
        return;
      }
      console.log(options.json ? JSON.stringify({ path, ...result }, null, 2) : describeVerification(path, result));
      process.exitCode = result.ok ? AuditVerifyExit.intact : AuditVerifyExit.broken;
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

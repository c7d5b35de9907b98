import { userInfo } from 'node:os';
import type { Command } from '@commander-js/extra-typings';
import { defaultAuditLogPath, readAuditEntries, recordAuditKey, tornFileOf } from '@slipway/activities';
import pc from 'picocolors';
import { configuredAuditMirror, openConfiguredAuditLog, withConfiguredRegistry } from '../../config/index.js';
import { commandConfig, type GlobalOptions } from '../context.js';
import { renderAuditTrail } from '../render-model.js';
import { verifyCommand } from './audit-verify.js';

export { AuditVerifyExit } from './audit-verify.js';

/** `slipway audit verify|sync|list|repair`: the registry's hash-chained, signed audit trail. */
export function registerAuditCommands(program: Command, globals: () => GlobalOptions): void {
  const audit = program
    .command('audit')
    .description('the audit trail of every registry change (register, alias, approval, deployment, rollback)');
  audit
    .command('verify')
    .description(
      'check the audit log against the registry: its hash chain, every line’s signature with the keys the ' +
        'registry records, and that it reaches the head the registry stored with its last change. Exits 0 when ' +
        'intact (pending and torn lines are reported), 1 naming the first line that breaks it (edited, removed, ' +
        'reordered, duplicated, cut, unsigned, forged) or the first that differs from the S3 mirror, 2 when the ' +
        'log or the mirror cannot be read. It also checks the signature of every decision on approval lines ' +
        'against the configured directory of people: 1 naming the line and the approver when one does not verify, ' +
        '3 when signed decisions could not be checked (no directory configured, or an approver without a key)',
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
    .command('repair')
    .description(
      'set aside a torn last line of the audit log (a write cut short by a crash) into <log>.torn, and record ' +
        'that with a signed `repair` entry (the key is recorded in the registry first); does nothing when the ' +
        'last line is whole',
    )
    .action(async () => {
      const config = commandConfig(globals());
      const log = openConfiguredAuditLog(config);
      // The repair line is signed: the registry must know the key that signs it.
      await withConfiguredRegistry(config, (registry) => recordAuditKey(registry, log));
      const result = await log.repair({ actor: `user:${userInfo().username}` });
      if (!result.repaired || !result.torn || !result.entry) {
        console.log(`${pc.green('✔')} ${log.path}: nothing to repair, its last line is whole`);
        return;
      }
      console.log(
        `${pc.green('✔')} ${log.path}: set aside its torn last line (${result.torn.bytes} bytes at offset ` +
          `${result.torn.offset}) into ${tornFileOf(log.path)}; recorded as line ${result.entry.seq} (repair)`,
      );
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

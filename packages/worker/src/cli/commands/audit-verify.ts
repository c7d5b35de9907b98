/** `slipway audit verify`: the audit trail checked against the registry, and against its S3 mirror. */
import {
  checkDecisionSignatures,
  compareWithMirror,
  defaultAuditLogPath,
  readAuditEntries,
  type AuditVerification,
  type DecisionSignatures,
  type LoadedDirectory,
  type MirrorComparison,
} from '@slipway/activities';
import pc from 'picocolors';
import {
  configuredAuditMirror,
  configuredDirectory,
  verifyConfiguredAuditLog,
  type SlipwayConfig,
} from '../../config/index.js';

/** Exit codes of `slipway audit verify`. */
export const AuditVerifyExit = {
  /** The trail is intact and reaches the registry's head (pending lines and a torn last line are reported). */
  intact: 0,
  /** A line breaks the trail: edited, removed, reordered, duplicated, cut, unsigned, forged, or not JSON. */
  broken: 1,
  /** The log, its S3 mirror or the directory of people cannot be read (missing, unreadable, unreachable, invalid). */
  unreadable: 2,
  /**
   * The trail is intact, but some signed decisions on its approval lines could not be checked: no directory of
   * people is configured, or an approver has no public key in it. Not a pass: nothing vouches for those decisions.
   */
  signaturesUnchecked: 3,
} as const;

/** Options of `slipway audit verify`. */
export interface VerifyOptions {
  log?: string;
  mirror: boolean;
  json?: boolean;
}

/** Verifies the trail, then (artifacts in S3) the mirror; prints the outcome and returns the exit code. */
export async function verifyCommand(config: SlipwayConfig, options: VerifyOptions): Promise<number> {
  const path = options.log ?? defaultAuditLogPath(config.home);
  let result: AuditVerification;
  try {
    result = await verifyConfiguredAuditLog(config, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || (err as NodeJS.ErrnoException).path !== path) throw err;
    console.error(`${pc.red('✖')} cannot read the audit log ${path}: no such file`);
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
  let signatures: DecisionSignatures | undefined;
  try {
    signatures = result.ok ? await decisionSignatures(config, path) : undefined;
  } catch (err) {
    console.log(describeVerification(path, result));
    console.error(`${pc.red('✖')} ${err instanceof Error ? err.message : String(err)}`);
    return AuditVerifyExit.unreadable;
  }
  if (options.json) {
    const extra = { ...(mirror ? { mirror } : {}), ...(signatures ? { decisionSignatures: signatures } : {}) };
    console.log(JSON.stringify({ path, ...result, ...extra }, null, 2));
  } else {
    const lines = [describeVerification(path, result)];
    if (mirror) lines.push(describeMirror(mirror));
    if (signatures) lines.push(...describeDecisionSignatures(signatures));
    console.log(lines.join('\n'));
  }
  if (!result.ok || (mirror !== undefined && !mirror.ok) || signatures?.ok === false) return AuditVerifyExit.broken;
  const unchecked =
    signatures !== undefined && (signatures.noDirectory !== undefined || signatures.unchecked.length > 0);
  return unchecked ? AuditVerifyExit.signaturesUnchecked : AuditVerifyExit.intact;
}

/**
 * The decisions on the log's approval lines checked against the configured directory of people (see
 * `checkDecisionSignatures`); without a configured directory they are counted as unchecked. A directory that
 * cannot be read is an error naming it.
 */
async function decisionSignatures(config: SlipwayConfig, path: string): Promise<DecisionSignatures> {
  const entries = await readAuditEntries(path);
  let directory: LoadedDirectory | undefined;
  if (config.directory !== undefined) {
    try {
      // The same source the worker reads its directory through.
      directory = await configuredDirectory(config)?.read();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`cannot check the signatures of decisions: the directory of people cannot be used: ${reason}`);
    }
  }
  return checkDecisionSignatures(entries, directory);
}

/** The outcome of the decision-signature check, for people: one line, then one per decision left unchecked. */
export function describeDecisionSignatures(s: DecisionSignatures): string[] {
  const legacy =
    s.legacy > 0 ? `; ${s.legacy} approval ${s.legacy === 1 ? 'line' : 'lines'} from before decisions were signed` : '';
  if (s.broken) {
    return [
      `${pc.red('✖')} line ${s.broken.line}: the decision of ${s.broken.approver} does not verify against the directory ` +
        `of people: ${s.broken.message}`,
    ];
  }
  if (s.noDirectory) {
    const n = s.noDirectory.decisions;
    return [
      pc.yellow(
        `! signatures not checked: no directory configured (${n} signed ${n === 1 ? 'decision' : 'decisions'} on ` +
          `${s.lines} approval ${s.lines === 1 ? 'line' : 'lines'}); set \`directory\` (or SLIPWAY_DIRECTORY) to ` +
          `the signed directory of people to check them${legacy}`,
      ),
    ];
  }
  const notes = s.unchecked.map((u) =>
    pc.yellow(`! line ${u.line}: the decision of ${u.approver} is not checked: ${u.reason}`),
  );
  if (s.lines === 0 && s.legacy === 0) return notes;
  const verified = `${s.verified} decision ${s.verified === 1 ? 'signature' : 'signatures'} verified`;
  return [`${pc.green('✔')} ${verified} on ${s.lines} approval ${s.lines === 1 ? 'line' : 'lines'}${legacy}`, ...notes];
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

/** The outcome of a verification, for people. */
export function describeVerification(path: string, result: AuditVerification): string {
  if (!result.ok) {
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
  const count = `${result.entries} ${result.entries === 1 ? 'entry' : 'entries'}`;
  const anchored =
    result.registryHead === null
      ? 'the registry records no mutation with it yet'
      : `it reaches the registry’s head, line ${result.registryHead.seq}`;
  const legacy = result.legacy > 0 ? ` (${result.legacy} unsigned lines from before signing, adopted)` : '';
  const notes = [`${pc.green('✔')} ${path}: intact, ${count}, signed${legacy}; ${anchored}; head ${result.head}`];
  if (result.pending.length > 0) {
    notes.push(
      pc.yellow(
        `! ${plural(result.pending, 'line')} ${result.pending.join(', ')} ${result.pending.length === 1 ? 'is' : 'are'} ` +
          'pending: signed, but the registry has not applied the change yet (interrupted; the retry applies it)',
      ),
    );
  }
  if (result.torn) {
    notes.push(
      pc.yellow(
        `! line ${result.torn.line} is torn (${result.torn.bytes} bytes, no newline): a write cut short, set aside and ` +
          'not part of the trail; `slipway audit repair` moves it out and records that',
      ),
    );
  }
  return notes.join('\n');
}

function plural(items: readonly unknown[], word: string): string {
  return items.length === 1 ? word : `${word}s`;
}

/**
 * The "nothing lost, nothing twice" check after a fault scenario, from the project's own readers: the registry's
 * versions and deployment records, the audit log (read and verified against the registry's anchor), and the model
 * server's state next to the registry's champion.
 */
import {
  createModelServerClient,
  readAuditEntries,
  verifyAuditLog,
  type AuditEntry,
  type ModelRegistry,
} from '@slipway/activities';
import type { Tally } from './outcome.js';

/** Which model to check, which runs must each have registered exactly one version, and where it serves. */
export interface LedgerCheck {
  registry: ModelRegistry;
  model: string;
  /** Workflow ids of the runs that ran: each must have registered exactly one version. */
  runIds: readonly string[];
  /** The audit log of the registry's home (`defaultAuditLogPath(home)`). */
  auditLog: string;
  /** The model server: its stable version must be the registry's champion. */
  serverUrl?: string;
}

/** Counts lost and duplicated outcomes into `tally`. */
export async function checkLedger(check: LedgerCheck, tally: Tally): Promise<void> {
  const { registry, model } = check;
  const versions = await registry.listVersions(model);
  for (const runId of check.runIds) {
    const mine = versions.filter((v) => v.lineage.workflowId === runId).map((v) => v.version);
    // A run already counted lost (it failed) is not counted again for the version it never registered.
    const counted = tally.lost.some((line) => line.includes(runId));
    if (mine.length === 0 && !counted) tally.lost.push(`run ${runId} registered no version of ${model}`);
    if (mine.length > 1) tally.duplicates.push(`run ${runId} registered ${model} versions ${mine.join(', ')}`);
  }
  for (const version of versions) {
    const deployed = version.deployments.filter((d) => d.status === 'deployed');
    if (deployed.length > 1) {
      const ids = deployed.map((d) => d.deploymentId).join(', ');
      tally.duplicates.push(`${model} v${version.version} has ${deployed.length} deployed records (${ids})`);
    }
  }
  await checkAuditLog(registry, check.auditLog, model, tally);
  if (check.serverUrl) await checkServer(registry, model, check.serverUrl, tally);
  tally.checked.push(`${model}: ${versions.length} versions, none registered, approved, deployed or moved twice`);
}

/** Per version: one register line, one approval, one champion move, one deployment; and the log verifies. */
async function checkAuditLog(registry: ModelRegistry, path: string, model: string, tally: Tally): Promise<void> {
  const verified = await verifyAuditLog(path, registry);
  if (!verified.ok) tally.problems.push(`the audit log does not verify: ${JSON.stringify(verified)}`);
  const entries = (await readAuditEntries(path)).filter((e) => e.model === model);
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const key = auditKey(entry);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, count] of counts) {
    if (count > 1) tally.duplicates.push(`audit log: ${count} × ${key}`);
  }
}

/** What must happen at most once per version, as a key; undefined for lines that may repeat. */
function auditKey(entry: AuditEntry): string | undefined {
  const at = `${entry.model} v${entry.version}`;
  switch (entry.kind) {
    case 'register':
      return `register ${at}`;
    case 'approval':
      return `approval of ${at}`;
    case 'alias':
      return `alias ${String(entry.data['alias'])} → ${at}`;
    case 'deployment':
      return entry.data['status'] === 'deployed' ? `deployment of ${at}` : undefined;
    case 'rollback':
    case 'guardian':
    case 'repair':
      return undefined;
  }
}

async function checkServer(registry: ModelRegistry, model: string, serverUrl: string, tally: Tally): Promise<void> {
  const champion = await registry.resolve(model, 'champion');
  const served = await createModelServerClient(serverUrl).status(model);
  if (champion?.version !== served.stable?.version) {
    tally.problems.push(
      `registry champion v${champion?.version} but the model server serves v${served.stable?.version}`,
    );
  }
}

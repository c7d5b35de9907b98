/**
 * `withAudit(registry, log)`: a `ModelRegistry` that appends one audit entry for every mutation that changed
 * something, after it succeeded.
 */
import type { ArtifactRef } from '@slipway/sdk';
import type {
  ArtifactStore,
  ModelRegistry,
  ModelVersionRecord,
  RecordApprovalInput,
  RecordDeploymentInput,
} from '../ports.js';
import { currentStepIdentity } from '../util/idempotency.js';
import type { AuditEntry, AuditEntryInput } from './audit-entry.js';
import type { AuditLog } from './audit-log.js';
import { MODEL_CARD_MEDIA_TYPE, renderModelCard } from './model-card.js';

/** Options of {@link withAudit}. */
export interface AuditOptions {
  /**
   * Who acts, for entries that do not name it themselves (approvals name their approvers). By default the
   * workflow whose activity makes the change (`workflow:<id>`), when there is one.
   */
  actor?: () => string | undefined;
  /**
   * Where to store each new version's markdown model card (`renderModelCard`); its reference goes into the
   * version's `register` entry as `data.modelCard`. Without it no card is stored.
   */
  artifacts?: ArtifactStore;
}

type Mutations = Pick<ModelRegistry, 'registerVersion' | 'setAlias' | 'recordApproval' | 'recordDeployment'>;

const AUDIT_LOG_PATH = Symbol.for('slipway.audit.logPath');

/** The audit log path a registry made by {@link withAudit} appends to; undefined for any other registry. */
export function auditLogPathOf(registry: ModelRegistry): string | undefined {
  const path = (registry as unknown as Record<symbol, unknown>)[AUDIT_LOG_PATH];
  return typeof path === 'string' ? path : undefined;
}

/**
 * Wraps a registry so that every mutation that changed something appends one entry to `log`, after the mutation
 * succeeded:
 *
 * | call | entry `kind` | `data` |
 * |---|---|---|
 * | `registerVersion` (`created`) | `register` | `artifact`, `metrics`, `lineage`, `idempotencyKey`, `modelCard` |
 * | `setAlias` (the alias moved) | `alias` | `alias`, `previous` |
 * | `recordApproval` (`created`) | `approval` | `outcome`, `decisions`, `evidenceDigest`, `workflowId`, `runId`, `idempotencyKey` |
 * | `recordDeployment` (`created`) | `deployment`, or `rollback` for status `rolled_back` | `deploymentId`, `status`, `alias`, `previousVersion`, `serverUrl`, `detail`, `idempotencyKey` |
 *
 * Every entry also carries `data.step` (workflow, run and activity ids) when made inside an activity.
 *
 * Idempotency carries through: a retried call that changes nothing (`created: false`, an alias already there)
 * adds no line. If a process dies after the registry write and before the append, the retry, which changes
 * nothing, finds the entry missing from the log and appends it then (once, checked under the log's lock; a
 * catch-up of an alias is marked `data.reconciled`). Reads, and any method this wrapper does not know, pass
 * through unchanged. Wrapping a registry already audited into the same log returns it as it is.
 *
 * ```ts
 * const registry = withAudit(openSqliteRegistry(dbPath), openAuditLog(defaultAuditLogPath(home)), { artifacts });
 * ```
 */
export function withAudit(registry: ModelRegistry, log: AuditLog, options: AuditOptions = {}): ModelRegistry {
  if (auditLogPathOf(registry) === log.path) return registry;
  const audit = new Auditor(log, options);
  const mutations: Mutations = {
    registerVersion: async (input) => {
      const result = await registry.registerVersion(input);
      await audit.registered(result.version, input.idempotencyKey, result.created);
      return result;
    },
    setAlias: async (name, alias, version, options) => {
      const result = await registry.setAlias(name, alias, version, options);
      await audit.aliasMoved(name, alias, version, result.previous);
      return result;
    },
    recordApproval: async (input) => {
      const result = await registry.recordApproval(input);
      await audit.recorded(approvalEntry(input, audit.actor()), input.idempotencyKey, result.created);
      return result;
    },
    recordDeployment: async (input) => {
      const result = await registry.recordDeployment(input);
      await audit.recorded(deploymentEntry(input, audit.actor()), input.idempotencyKey, result.created);
      return result;
    },
  };
  return new Proxy(registry, {
    get(target, property) {
      if (property === AUDIT_LOG_PATH) return log.path;
      if (typeof property === 'string' && Object.hasOwn(mutations, property)) {
        return mutations[property as keyof Mutations];
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

class Auditor {
  constructor(
    private readonly log: AuditLog,
    private readonly options: AuditOptions,
  ) {}

  actor(): string | undefined {
    const step = currentStepIdentity();
    return this.options.actor?.() ?? (step ? `workflow:${step.workflowId}` : undefined);
  }

  async registered(record: ModelVersionRecord, idempotencyKey: string, created: boolean): Promise<void> {
    const same = (e: AuditEntry) => e.kind === 'register' && e.model === record.name && e.version === record.version;
    if (!created && (await this.log.entries()).some(same)) return;
    const modelCard = await this.storeModelCard(record);
    const entry = registerEntry(record, idempotencyKey, modelCard, this.actor());
    await this.log.append(entry, created ? {} : { unless: (entries) => entries.some(same) });
  }

  async aliasMoved(name: string, alias: string, version: number, previous: number | null): Promise<void> {
    const actor = this.actor();
    if (previous !== version) {
      await this.log.append(withStep({ kind: 'alias', model: name, version, actor, data: { alias, previous } }));
      return;
    }
    // Nothing moved: a retry after a move the log may have missed, or the alias was already there.
    const logged = (entries: readonly AuditEntry[]) =>
      entries.findLast((e) => e.kind === 'alias' && e.model === name && e.data.alias === alias);
    const last = logged(await this.log.entries());
    if (last?.version === version) return;
    const data = { alias, previous: last?.version ?? null, reconciled: true };
    await this.log.append(withStep({ kind: 'alias', model: name, version, actor, data }), {
      unless: (entries) => logged(entries)?.version === version,
    });
  }

  async recorded(entry: AuditEntryInput, idempotencyKey: string, created: boolean): Promise<void> {
    const same = (e: AuditEntry) =>
      e.kind === entry.kind && e.model === entry.model && e.data.idempotencyKey === idempotencyKey;
    if (!created && (await this.log.entries()).some(same)) return;
    await this.log.append(entry, created ? {} : { unless: (entries) => entries.some(same) });
  }

  private async storeModelCard(record: ModelVersionRecord): Promise<ArtifactRef | undefined> {
    if (this.options.artifacts === undefined) return undefined;
    return this.options.artifacts.putBytes(Buffer.from(renderModelCard(record), 'utf8'), {
      mediaType: MODEL_CARD_MEDIA_TYPE,
      extension: '.md',
    });
  }
}

function withStep(entry: AuditEntryInput): AuditEntryInput {
  const step = currentStepIdentity();
  return step === undefined ? entry : { ...entry, data: { ...entry.data, step } };
}

function registerEntry(
  record: ModelVersionRecord,
  idempotencyKey: string,
  modelCard: ArtifactRef | undefined,
  actor: string | undefined,
): AuditEntryInput {
  return withStep({
    kind: 'register',
    model: record.name,
    version: record.version,
    actor,
    data: { artifact: record.artifact, metrics: record.metrics, lineage: record.lineage, idempotencyKey, modelCard },
  });
}

function approvalEntry(input: RecordApprovalInput, actor: string | undefined): AuditEntryInput {
  const approvers = [...new Set(input.decisions.map((d) => d.approver))];
  const { name, version, idempotencyKey, outcome, decisions, evidenceDigest, workflowId, runId } = input;
  return withStep({
    kind: 'approval',
    model: name,
    version,
    actor: approvers.length > 0 ? approvers.join(', ') : actor,
    data: { outcome, decisions, evidenceDigest, workflowId, runId, idempotencyKey },
  });
}

function deploymentEntry(input: RecordDeploymentInput, actor: string | undefined): AuditEntryInput {
  const { name, version, idempotencyKey, deploymentId, status, alias, previousVersion, serverUrl, detail } = input;
  return withStep({
    kind: status === 'rolled_back' ? 'rollback' : 'deployment',
    model: name,
    version,
    actor,
    data: { deploymentId, status, alias, previousVersion, serverUrl, detail, idempotencyKey },
  });
}

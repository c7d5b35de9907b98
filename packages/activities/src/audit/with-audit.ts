/**
 * `withAudit(registry, log)`: a `ModelRegistry` whose every mutation that changes something is first written to
 * the audit log as a signed line, then applied by the registry together with that line's head.
 */
import type { ArtifactRef } from '@slipway/sdk';
import type {
  ArtifactStore,
  AuditHead,
  AuditRecorder,
  ModelRegistry,
  ModelVersionRecord,
  PlannedMutation,
  RecordApprovalInput,
  RecordDeploymentInput,
} from '../ports.js';
import { currentStepIdentity } from '../util/idempotency.js';
import { headOf, type AuditEntry, type AuditEntryInput } from './audit-entry.js';
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
 * Wraps a registry so that every mutation that changes something is audited: the registry determines what will
 * change (inside its transaction, for SQLite), the change is appended to `log` as a signed line, and the registry
 * applies the change together with that line's head (`MutationOptions.audit`), so the registry's head always
 * covers its last mutation's own line and `verifyAuditLog` can tell a removed or appended line.
 *
 * | call | entry `kind` | `data` |
 * |---|---|---|
 * | `registerVersion` (`created`) | `register` | `artifact`, `metrics`, `lineage`, `idempotencyKey`, `modelCard` |
 * | `setAlias` (the alias moves) | `alias` | `alias`, `previous`, `idempotencyKey` (when keyed) |
 * | `recordApproval` (`created`) | `approval` | `outcome`, `decisions` (each with its `signature` and `signedAt`), `evidenceDigest`, `workflowId`, `runId`, `gateNonce`, `startedBy` (the verified signer of the run's start), `refused` (every decision the gate refused, with its reason), `idempotencyKey` |
 * | `recordDeployment` (`created`) | `deployment`, or `rollback` for status `rolled_back` | `deploymentId`, `status`, `alias`, `previousVersion`, `serverUrl`, `detail`, `idempotencyKey` |
 *
 * Every entry also carries `data.step` (workflow, run and activity ids) when made inside an activity. Before its
 * first mutation the wrapper records the log's public key in the registry (`registerAuditKey`).
 *
 * Idempotency carries through: a retried call that changes nothing adds no line. If a process dies after the
 * append and before the registry write, the line stays *pending* (`verifyAuditLog` reports it so); the retry
 * finds it under the log's lock and applies the mutation with that line's head instead of appending another.
 * A failed mutation appends nothing when it fails before the registry calls the recorder (bad input, unknown
 * version, a reused key). Reads, and any method this wrapper does not know, pass through unchanged. Wrapping a
 * registry already audited into the same log returns it as it is; into another log is refused.
 *
 * One case leaves a line the registry never applies: a registration whose line was written, then the process
 * died, and another registration took that version number before the retry (SQLite); the retry writes a second
 * line for the same key with the version it really got.
 *
 * ```ts
 * const registry = withAudit(openSqliteRegistry(dbPath), openAuditLog(defaultAuditLogPath(home)), { artifacts });
 * ```
 */
export function withAudit(registry: ModelRegistry, log: AuditLog, options: AuditOptions = {}): ModelRegistry {
  const audited = auditLogPathOf(registry);
  if (audited === log.path) return registry;
  if (audited !== undefined) {
    throw new Error(
      `This registry is already audited into ${audited}; it cannot also be audited into ${log.path}: each mutation ` +
        'stores the head of one audit line',
    );
  }
  const audit = new Auditor(registry, log, options);
  const mutations: Mutations = {
    registerVersion: async (input, opts) => registry.registerVersion(input, { ...opts, audit: await audit.recorder() }),
    setAlias: async (name, alias, version, opts) =>
      registry.setAlias(name, alias, version, { ...opts, audit: await audit.recorder() }),
    recordApproval: async (input, opts) => registry.recordApproval(input, { ...opts, audit: await audit.recorder() }),
    recordDeployment: async (input, opts) =>
      registry.recordDeployment(input, { ...opts, audit: await audit.recorder() }),
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
  private keyRegistered: Promise<void> | undefined;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly log: AuditLog,
    private readonly options: AuditOptions,
  ) {}

  /** The recorder passed to the registry, once the log's key is recorded there. */
  async recorder(): Promise<AuditRecorder> {
    this.keyRegistered ??= this.registerKey().catch((err: unknown) => {
      this.keyRegistered = undefined;
      throw err;
    });
    await this.keyRegistered;
    return (planned) => this.record(planned);
  }

  private registerKey(): Promise<void> {
    return recordAuditKey(this.registry, this.log);
  }

  private async record(planned: PlannedMutation): Promise<AuditHead> {
    const actor = this.options.actor?.() ?? defaultActor();
    const input =
      planned.kind === 'register'
        ? registerEntry(planned.record, planned.idempotencyKey, await this.storeModelCard(planned.record), actor)
        : planned.kind === 'alias'
          ? aliasEntry(planned, actor)
          : planned.kind === 'approval'
            ? approvalEntry(planned.input, actor)
            : deploymentEntry(planned.input, actor);
    const entry = await this.log.append(input, { reuse: (entries) => pendingLine(entries, planned) });
    return headOf(entry, await this.log.id());
  }

  private async storeModelCard(record: ModelVersionRecord): Promise<ArtifactRef | undefined> {
    if (this.options.artifacts === undefined) return undefined;
    return this.options.artifacts.putBytes(Buffer.from(renderModelCard(record), 'utf8'), {
      mediaType: MODEL_CARD_MEDIA_TYPE,
      extension: '.md',
    });
  }
}

/**
 * Records the log's signing key in the registry (`registerAuditKey`), adopting the unsigned lines of a log
 * written before lines were signed (its last line, when unsigned, becomes the key's `legacyHead`). `withAudit`
 * does it before its first mutation; anything else that signs lines into the log (`slipway audit repair`) does
 * it first too.
 */
export async function recordAuditKey(registry: ModelRegistry, log: AuditLog): Promise<void> {
  const signer = await log.signer();
  const last = await log.last();
  const logId = await log.id();
  const legacy = last !== undefined && last.sig === undefined ? { legacyHead: { seq: last.seq, hash: last.hash } } : {};
  await registry.registerAuditKey({ logId, keyId: signer.keyId, publicKey: signer.publicKey, ...legacy });
}

function defaultActor(): string | undefined {
  const step = currentStepIdentity();
  return step ? `workflow:${step.workflowId}` : undefined;
}

/**
 * The line an earlier attempt of the same mutation wrote and the registry has not applied (it would not plan
 * the mutation again if it had): the same key, or for an unkeyed alias move the last move of that alias, to the
 * same version from the same previous one.
 */
function pendingLine(entries: readonly AuditEntry[], planned: PlannedMutation): AuditEntry | undefined {
  switch (planned.kind) {
    case 'register': {
      const { name, version } = planned.record;
      return entries.findLast(
        (e) =>
          e.kind === 'register' &&
          e.model === name &&
          e.version === version &&
          e.data.idempotencyKey === planned.idempotencyKey,
      );
    }
    case 'alias': {
      const last = entries.findLast(
        (e) => e.kind === 'alias' && e.model === planned.name && e.data.alias === planned.alias,
      );
      const same = last?.version === planned.version && last.data.previous === planned.previous;
      return same && last.data.idempotencyKey === planned.idempotencyKey ? last : undefined;
    }
    case 'approval':
    case 'deployment': {
      const { name, version, idempotencyKey } = planned.input;
      const kinds: readonly string[] = planned.kind === 'approval' ? ['approval'] : ['deployment', 'rollback'];
      return entries.findLast(
        (e) =>
          kinds.includes(e.kind) &&
          e.model === name &&
          e.version === version &&
          e.data.idempotencyKey === idempotencyKey,
      );
    }
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

function aliasEntry(planned: Extract<PlannedMutation, { kind: 'alias' }>, actor: string | undefined): AuditEntryInput {
  const { name, alias, version, previous, idempotencyKey } = planned;
  return withStep({ kind: 'alias', model: name, version, actor, data: { alias, previous, idempotencyKey } });
}

function approvalEntry(input: RecordApprovalInput, actor: string | undefined): AuditEntryInput {
  const approvers = [...new Set(input.decisions.map((d) => d.approver))];
  const { name, version, idempotencyKey, outcome, decisions, evidenceDigest, workflowId, runId } = input;
  const { gateNonce, startedBy, refused, proof } = input;
  return withStep({
    kind: 'approval',
    model: name,
    version,
    actor: approvers.length > 0 ? approvers.join(', ') : actor,
    data: {
      outcome,
      decisions,
      evidenceDigest,
      workflowId,
      runId,
      gateNonce,
      startedBy,
      refused,
      idempotencyKey,
      ...(proof ? { proof: { uri: proof.uri, digest: proof.digest } } : {}),
    },
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

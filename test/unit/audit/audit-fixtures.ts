/**
 * Shared by the audit tests: a demo-like history written through the audited registry, byte surgery on a
 * log, and the audit sources transpiled to plain ESM for child processes.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import type { GateDecision } from '@slipway/sdk';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import {
  GENESIS_HASH,
  auditEntryHash,
  defaultAuditLogPath,
  openAuditLog,
  withAudit,
  type AuditEntry,
  type AuditLog,
  type AuditSigner,
} from '../../../packages/activities/src/audit/index.js';
import { canonicalJson } from '../../../packages/activities/src/util/digest.js';
import type {
  AuditAnchor,
  AuditKeyRecord,
  ModelRegistry,
  MutationOptions,
} from '../../../packages/activities/src/ports.js';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';
import { approvalInput, deploymentInput, versionInput } from '../registry/registry-fixtures.js';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

/** A registry, audited into `<home>/audit.log`, with model cards stored in `<home>/artifacts`. */
export function openAuditedHome(home: string): { registry: ModelRegistry; log: AuditLog; artifactsDir: string } {
  const log = openAuditLog(defaultAuditLogPath(home));
  const artifactsDir = join(home, 'artifacts');
  const registry = withAudit(openSqliteRegistry(join(home, 'registry.db')), log, {
    artifacts: createFsArtifactStore(artifactsDir),
  });
  return { registry, log, artifactsDir };
}

function decision(approver: string, comment: string): GateDecision {
  return { decision: 'approve', approver, comment, at: '2026-02-01T10:00:00.000Z', via: 'update' };
}

/**
 * What the churn demo does to the registry, then a second version deployed and rolled back: 11 audit lines.
 * 1 register v1, 2 alias candidate, 3 approval, 4 alias champion, 5 deployment, 6 register v2, 7 approval,
 * 8 alias champion → v2, 9 deployment v2, 10 rollback v2, 11 alias champion → v1.
 */
export async function writeDemoHistory(registry: ModelRegistry): Promise<void> {
  await registry.registerVersion(versionInput('churn', 'register-1'));
  await registry.setAlias('churn', 'candidate', 1);
  await registry.recordApproval({
    ...approvalInput('churn', 1, 'approval-1'),
    decisions: [decision('maria', 'metrics hold up in every segment'), decision('lee', 'ok | ship it')],
  });
  await registry.setAlias('churn', 'champion', 1);
  await registry.recordDeployment(deploymentInput('churn', 1, 'deploy-1'));
  await registry.registerVersion(versionInput('churn', 'register-2', { metrics: { accuracy: 0.93, auc: 0.96 } }));
  await registry.recordApproval({
    ...approvalInput('churn', 2, 'approval-2'),
    decisions: [decision('maria', 'better')],
  });
  await registry.setAlias('churn', 'champion', 2);
  await registry.recordDeployment({ ...deploymentInput('churn', 2, 'deploy-2'), previousVersion: 1 });
  await registry.recordDeployment({
    ...deploymentInput('churn', 2, 'rollback-2'),
    deploymentId: 'dep-deploy-2',
    previousVersion: 1,
    status: 'rolled_back',
    detail: 'p99 latency guard failed at 10%',
  });
  await registry.setAlias('churn', 'champion', 1);
}

/** The log's lines (without newlines). */
export async function readLines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').slice(0, -1);
}

/** Writes `lines` back as a log (each followed by a newline). */
export async function writeLines(path: string, lines: readonly string[]): Promise<void> {
  await writeFile(path, lines.map((line) => `${line}\n`).join(''));
}

/** Flips one byte of a file in place (a different, printable byte), as a careless or malicious edit would. */
export async function flipByte(path: string, offset: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[offset] = (bytes[offset] ?? 0) === 0x41 ? 0x42 : 0x41;
  await writeFile(path, bytes);
}

/**
 * A child-process script that opens the log, says it is ready (`<barrier>.ready-<writer>`), waits for the file
 * `<barrier>` to exist, then appends `count` entries concurrently. Arguments: `<logPath> <writer> <count> <barrier>`.
 */
export const APPEND_CHILD_SCRIPT = `
import { existsSync, writeFileSync } from 'node:fs';
import { openAuditLog } from './audit/audit-log.js';
const [path, writer, count, barrier] = process.argv.slice(2);
const log = openAuditLog(path);
writeFileSync(barrier + '.ready-' + writer, '');
while (!existsSync(barrier)) await new Promise((r) => setTimeout(r, 2));
await Promise.all(Array.from({ length: Number(count) }, (_, i) =>
  log.append({ kind: 'alias', model: 'm', version: 1, actor: writer, data: { writer, i } })));
`;

/** Resolves once every file in `paths` exists (the children announce that they are ready this way). */
export async function filesExist(paths: readonly string[]): Promise<void> {
  while (!paths.every((p) => existsSync(p))) await new Promise((done) => setTimeout(done, 5));
}

/** What a registry would vouch for a log written only with `log`'s key: its key, and no mutation head. */
export async function keyOnlyAnchor(log: AuditLog): Promise<AuditAnchor> {
  const signer = await log.signer();
  const record: AuditKeyRecord = {
    logId: await log.id(),
    keyId: signer.keyId,
    publicKey: signer.publicKey,
    registeredAt: new Date(0).toISOString(),
  };
  return {
    registerAuditKey: () => Promise.resolve({ created: false }),
    auditKeys: (logId) => Promise.resolve(logId === record.logId ? [record] : []),
    auditHead: () => Promise.resolve(undefined),
  };
}

/** Transpiles the audit sources (and the utilities they use) into `outDir`; returns the child script's path. */
export async function prepareAppendChild(outDir: string): Promise<string> {
  for (const dir of ['audit', 'util']) {
    const from = join(repoRoot, 'packages', 'activities', 'src', dir);
    await mkdir(join(outDir, dir), { recursive: true });
    for (const entry of (await readdir(from)).filter((name) => name.endsWith('.ts'))) {
      const output = ts.transpileModule(await readFile(join(from, entry), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        fileName: entry,
      });
      await writeFile(join(outDir, dir, entry.replace(/\.ts$/, '.js')), output.outputText);
    }
  }
  await writeFile(join(outDir, 'package.json'), JSON.stringify({ type: 'module' }));
  await symlink(join(repoRoot, 'node_modules'), join(outDir, 'node_modules'), 'junction');
  const script = join(outDir, 'append-child.js');
  await writeFile(script, APPEND_CHILD_SCRIPT);
  return script;
}

/**
 * The log's lines with line `from + 1` edited (actor `mallory`) and every hash from there recomputed, as someone
 * without the key would: the old signatures are kept, unless `resign` signs each line again (with another key).
 */
export function rechain(lines: readonly string[], from: number, resign?: AuditSigner): string[] {
  let prev = from === 0 ? GENESIS_HASH : (JSON.parse(lines[from - 1] as string) as AuditEntry).hash;
  return lines.map((line, i) => {
    if (i < from) return line;
    const entry = JSON.parse(line) as AuditEntry;
    const { hash: _hash, sig, ...rest } = { ...entry, prev, ...(i === from ? { actor: 'mallory' } : {}) };
    const body = resign ? { ...rest, keyId: resign.keyId } : rest;
    const hash = auditEntryHash(body);
    prev = hash;
    return canonicalJson({ ...body, hash, sig: resign ? resign.sign(hash) : sig });
  });
}

/** A view of `registry` whose audited mutations die right after their audit line is written, before they apply. */
export function crashAfterAudit(registry: ModelRegistry): ModelRegistry {
  const crash = (options: MutationOptions | undefined): MutationOptions => ({
    ...options,
    audit: async (planned) => {
      await options?.audit?.(planned);
      throw new Error('crashed after the audit line');
    },
  });
  return Object.assign(Object.create(registry) as ModelRegistry, {
    registerVersion: (input, options) => registry.registerVersion(input, crash(options)),
    setAlias: (name, alias, version, options) => registry.setAlias(name, alias, version, crash(options)),
    recordApproval: (input, options) => registry.recordApproval(input, crash(options)),
    recordDeployment: (input, options) => registry.recordDeployment(input, crash(options)),
  } satisfies Partial<ModelRegistry>);
}

/**
 * The SQLite registry's file and its audit anchor: every SQLite error names the file (a corrupt file, a failing
 * query), each audited row carries the head of its audit line, and a tampered key row is refused.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAuditSigner } from '../../../packages/activities/src/audit/index.js';
import type { AuditHead } from '../../../packages/activities/src/ports.js';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';
import { approvalInput, deploymentInput, failureOf, versionInput } from './registry-fixtures.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-sqlite-integrity-'));
  path = join(dir, 'registry.db');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const head = (seq: number): AuditHead => ({ logId: 'host-1', seq, hash: `sha256:${String(seq % 10).repeat(64)}` });
const recorder = (seq: number) => () => Promise.resolve(head(seq));

describe('the SQLite registry file', () => {
  it('names the file, and what to do, when it is not a database', async () => {
    await writeFile(path, Buffer.from('these bytes are no SQLite database, just garbage '.repeat(200)));
    expect(() => openSqliteRegistry(path)).toThrow(
      `The SQLite registry ${path} failed: file is not a database (SQLITE_NOTADB): restore it from a backup, ` +
        'or move it aside to start a new registry',
    );
  });

  it('names the file when a query fails', async () => {
    const registry = openSqliteRegistry(path);
    try {
      const other = new Database(path);
      other.exec('DROP TABLE audit_heads');
      other.close();
      const failure = await failureOf(registry.auditHead('host-1'));
      expect(failure.message).toBe(`The SQLite registry ${path} failed: no such table: audit_heads (SQLITE_ERROR)`);
      expect((failure as Error & { code?: string }).code).toBe('SQLITE_ERROR');
    } finally {
      await registry.close();
    }
  });
});

describe('audit heads in the SQLite registry', () => {
  it('stores each audited mutation’s head on its row and moves the log’s head, in the same transaction', async () => {
    const registry = openSqliteRegistry(path);
    await registry.registerVersion(versionInput('churn', 'k1'), { audit: recorder(1) });
    await registry.setAlias('churn', 'champion', 1, { audit: recorder(2) });
    await registry.recordApproval(approvalInput('churn', 1, 'a1'), { audit: recorder(3) });
    await registry.recordDeployment(deploymentInput('churn', 1, 'd1'), { audit: recorder(4) });
    await registry.recordDeployment(deploymentInput('churn', 1, 'd2'));
    await registry.close();
    const raw = new Database(path, { readonly: true });
    try {
      const column = (sql: string): unknown[] =>
        (raw.prepare(sql).pluck().all() as (string | null)[]).map((v) =>
          v === null ? null : (JSON.parse(v) as unknown),
        );
      expect(column('SELECT audit_head FROM model_versions')).toEqual([head(1)]);
      expect(column('SELECT audit_head FROM alias_history')).toEqual([head(2)]);
      expect(column('SELECT audit_head FROM approvals')).toEqual([head(3)]);
      expect(column('SELECT audit_head FROM deployments ORDER BY id')).toEqual([head(4), null]);
      expect(raw.prepare('SELECT log_id, seq, hash FROM audit_heads').all()).toEqual([
        { log_id: 'host-1', seq: 4, hash: head(4).hash },
      ]);
    } finally {
      raw.close();
    }
  });

  it('refuses a key whose public key was changed in the file', async () => {
    const signer = await loadAuditSigner(join(dir, 'audit-key.pem'));
    const registry = openSqliteRegistry(path);
    try {
      const key = { logId: 'host-1', keyId: signer.keyId, publicKey: signer.publicKey };
      await registry.registerAuditKey(key);
      const other = new Database(path);
      other.prepare('UPDATE audit_keys SET public_key = ?').run(Buffer.alloc(44, 1).toString('base64'));
      other.close();
      const failure = await failureOf(registry.registerAuditKey(key));
      expect(failure.message).toMatch(
        `already records key ${signer.keyId} of audit log host-1 with another public key`,
      );
    } finally {
      await registry.close();
    }
  });
});

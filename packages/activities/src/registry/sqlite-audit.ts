/**
 * The audit trail's anchor in the SQLite registry: the `audit_keys` and `audit_heads` tables (schema 3).
 */
import type { SqliteDatabase } from './sqlite-database.js';
import type { AuditAnchor, AuditHead, AuditKeyRecord } from '../ports.js';
import { keyConflict } from './key-conflicts.js';
import { parseAuditKeyInput } from './registry-input.js';

interface KeyRow {
  log_id: string;
  key_id: string;
  public_key: string;
  legacy_seq: number | null;
  legacy_hash: string | null;
  registered_at: string;
}

/** The statements of the audit anchor, prepared once per connection. */
export interface AuditQueries {
  keys(logId: string): KeyRow[];
  key(logId: string, keyId: string): KeyRow | undefined;
  insertKey(row: KeyRow): void;
  head(logId: string): AuditHead | undefined;
  /** Moves a log's head forward to `head` (never back: a retry may apply an older pending line last). */
  advanceHead(head: AuditHead, at: string): void;
}

/** Prepares the audit anchor's statements on `db`. */
export function prepareAuditQueries(db: SqliteDatabase): AuditQueries {
  const columns = 'log_id, key_id, public_key, legacy_seq, legacy_hash, registered_at';
  const keys = db.prepare<[string], KeyRow>(
    `SELECT ${columns} FROM audit_keys WHERE log_id = ? ORDER BY registered_at, key_id`,
  );
  const key = db.prepare<[string, string], KeyRow>(`SELECT ${columns} FROM audit_keys WHERE log_id = ? AND key_id = ?`);
  const insertKey = db.prepare<KeyRow>(
    `INSERT INTO audit_keys (${columns}) VALUES (@log_id, @key_id, @public_key, @legacy_seq, @legacy_hash, @registered_at)`,
  );
  const head = db.prepare<[string], { seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_heads WHERE log_id = ?',
  );
  const advance = db.prepare<AuditHead & { at: string }>(
    `INSERT INTO audit_heads (log_id, seq, hash, updated_at) VALUES (@logId, @seq, @hash, @at)
       ON CONFLICT (log_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, updated_at = excluded.updated_at
       WHERE excluded.seq > audit_heads.seq`,
  );
  return {
    keys: (logId) => keys.all(logId),
    key: (logId, keyId) => key.get(logId, keyId),
    insertKey: (row) => {
      insertKey.run(row);
    },
    head: (logId) => {
      const row = head.get(logId);
      return row === undefined ? undefined : { logId, seq: row.seq, hash: row.hash };
    },
    advanceHead: (value, at) => {
      advance.run({ ...value, at });
    },
  };
}

/** Records a writer's key, once; the same key id with another public key is refused. Runs in a write transaction. */
export function registerAuditKey(
  q: AuditQueries,
  key: Omit<AuditKeyRecord, 'registeredAt'>,
  now: string,
): { created: boolean } {
  const existing = q.key(key.logId, key.keyId);
  if (existing) {
    if (existing.public_key !== key.publicKey) throw keyConflict(key, existing.public_key);
    return { created: false };
  }
  q.insertKey({
    log_id: key.logId,
    key_id: key.keyId,
    public_key: key.publicKey,
    legacy_seq: key.legacyHead?.seq ?? null,
    legacy_hash: key.legacyHead?.hash ?? null,
    registered_at: now,
  });
  return { created: true };
}

/** The keys of a log, as records. */
export function auditKeys(q: AuditQueries, logId: string): AuditKeyRecord[] {
  return q.keys(logId).map((row) => ({
    logId: row.log_id,
    keyId: row.key_id,
    publicKey: row.public_key,
    ...(row.legacy_seq !== null && row.legacy_hash !== null
      ? { legacyHead: { seq: row.legacy_seq, hash: row.legacy_hash } }
      : {}),
    registeredAt: row.registered_at,
  }));
}

/** The anchor half of the SQLite registry, on its connection's transactions. */
export function sqliteAuditAnchor(
  q: AuditQueries,
  io: {
    read: <T>(fn: () => T) => Promise<T>;
    write: <I, T>(validate: () => I, mutate: (valid: I) => T) => Promise<T>;
    now: () => string;
  },
): AuditAnchor {
  return {
    registerAuditKey: (key) =>
      io.write(
        () => parseAuditKeyInput(key),
        (valid) => registerAuditKey(q, valid, io.now()),
      ),
    auditKeys: (logId) => io.read(() => auditKeys(q, logId)),
    auditHead: (logId) => io.read(() => q.head(logId)),
  };
}

/**
 * The S3 mirror of an audit log: every line of the local log also stored as one object, next to the
 * artifacts, so that the trail survives the loss of a machine and a local edit can be told from the copy.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3StoreFailure } from '../artifacts/s3-store-errors.js';
import { s3Failure, type S3ObjectContext } from '../sources/s3-errors.js';
import { createS3Client, describeS3Endpoint, type S3Settings } from '../sources/s3-settings.js';
import { parseAuditLine, serializeAuditEntry, type AuditEntry } from './audit-entry.js';
import { defaultAuditLogId, readAuditEntries, type AuditSink } from './audit-log.js';

/** Options of {@link createS3AuditMirror}. */
export interface S3AuditMirrorOptions {
  bucket: string;
  /** The artifact store's key prefix (no leading or trailing `/`); the mirror lives under `<prefix>/audit/`. */
  prefix?: string;
  settings?: S3Settings;
  /** The local log this mirrors (read to catch up on lines the mirror missed). */
  logPath: string;
  /**
   * Names this log among others mirrored to the same place (each machine's home keeps its own chain). Default:
   * the host name and a short hash of the log's absolute path.
   */
  logId?: string;
}

/** An {@link AuditSink} into S3 that can also catch up and be read back. */
export interface S3AuditMirror extends AuditSink {
  /** `s3://bucket/<prefix>/audit/<logId>/`. */
  readonly location: string;
  /** Stores every local line the mirror does not have yet; returns how many it stored. */
  sync(): Promise<number>;
  /** The mirrored lines, in `seq` order, joined as the local file holds them (each with its newline). */
  read(): Promise<{ bytes: Buffer; seqs: number[] }>;
  /** Releases the client's connections. */
  close(): void;
}

const SEQ_DIGITS = 12;

/**
 * Mirrors an audit log into S3: line `seq` goes to `<prefix>/audit/<logId>/<seq, 12 digits>.jsonl` holding
 * the exact bytes of the local line. The same line always goes to the same key with the same bytes, so a
 * retried or repeated write is harmless. The first write of a process, and the first after a failed one,
 * first stores every earlier local line the mirror lacks (a mirror that was down catches up).
 *
 * ```ts
 * const mirror = createS3AuditMirror({ bucket: 'ml-artifacts', prefix: 'slipway', settings, logPath });
 * const log = openAuditLog(logPath, { sinks: [mirror] });
 * ```
 */
export function createS3AuditMirror(options: S3AuditMirrorOptions): S3AuditMirror {
  const settings = options.settings ?? {};
  const client = createS3Client(settings);
  const base = [options.prefix, 'audit', options.logId ?? defaultAuditLogId(options.logPath)]
    .filter((part) => part !== undefined && part !== '')
    .join('/');
  const mirror = new Mirror(client, options.bucket, base, describeS3Endpoint(settings), options.logPath);
  let caughtUp = false;
  return {
    name: `s3://${options.bucket}/${base}/`,
    location: `s3://${options.bucket}/${base}/`,
    async write(entry, line) {
      try {
        if (!caughtUp) await mirror.sync(entry.seq);
        await mirror.put(entry.seq, line);
        caughtUp = true;
      } catch (err) {
        caughtUp = false;
        throw err;
      }
    },
    sync: () => mirror.sync(Number.POSITIVE_INFINITY),
    read: () => mirror.read(),
    close: () => client.destroy(),
  };
}

class Mirror {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly base: string,
    private readonly endpoint: string,
    private readonly logPath: string,
  ) {}

  keyOf(seq: number): string {
    return `${this.base}/${String(seq).padStart(SEQ_DIGITS, '0')}.jsonl`;
  }

  async put(seq: number, line: string): Promise<void> {
    const key = this.keyOf(seq);
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: line, ContentType: 'application/x-ndjson' }),
      );
    } catch (err) {
      throw s3StoreFailure(err, this.context(key), 'write');
    }
  }

  /** Stores every local entry below `belowSeq` that the mirror lacks. */
  async sync(belowSeq: number): Promise<number> {
    const have = new Set(await this.listSeqs());
    const missing = (await readAuditEntries(this.logPath)).filter((e) => e.seq < belowSeq && !have.has(e.seq));
    for (const entry of missing) await this.put(entry.seq, serializeAuditEntry(entry));
    return missing.length;
  }

  async read(): Promise<{ bytes: Buffer; seqs: number[] }> {
    const seqs = (await this.listSeqs()).sort((a, b) => a - b);
    const lines: Buffer[] = [];
    for (const seq of seqs) lines.push(await this.get(this.keyOf(seq)));
    return { bytes: Buffer.concat(lines), seqs };
  }

  private async get(key: string): Promise<Buffer> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Buffer.from((await answer.Body?.transformToByteArray()) ?? new Uint8Array());
    } catch (err) {
      throw s3Failure(err, this.context(key));
    }
  }

  private async listSeqs(): Promise<number[]> {
    const seqs: number[] = [];
    let token: string | undefined;
    do {
      const page = await this.listPage(token);
      for (const object of page.Contents ?? []) {
        const match = /\/(\d+)\.jsonl$/.exec(object.Key ?? '');
        if (match?.[1] !== undefined) seqs.push(Number(match[1]));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return seqs;
  }

  private async listPage(token: string | undefined) {
    try {
      return await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.base}/`, ContinuationToken: token }),
      );
    } catch (err) {
      throw s3StoreFailure(err, this.context(`${this.base}/`), 'list');
    }
  }

  private context(key: string): S3ObjectContext {
    return { uri: `s3://${this.bucket}/${key}`, bucket: this.bucket, key, endpoint: this.endpoint };
  }
}

/** What comparing a mirror with its local log found. */
export type MirrorComparison =
  { ok: true; lines: number; missing: number[] } | { ok: false; seq: number; message: string };

/**
 * Compares the mirrored lines with the local log: every mirrored line must be byte for byte the local line
 * with the same `seq`. Local lines the mirror lacks are listed in `missing` (it was down; `sync` fills them in).
 */
export async function compareWithMirror(
  mirror: S3AuditMirror,
  local: readonly AuditEntry[],
): Promise<MirrorComparison> {
  const { bytes } = await mirror.read();
  const mirrored = bytes.toString('utf8').split('\n').slice(0, -1);
  const bySeq = new Map(local.map((entry) => [entry.seq, serializeAuditEntry(entry)]));
  const seen = new Set<number>();
  for (const line of mirrored) {
    const seq = parseAuditLine(line)?.seq;
    if (seq === undefined) return { ok: false, seq: -1, message: `a mirrored line is not an audit entry: ${line}` };
    seen.add(seq);
    const localLine = bySeq.get(seq);
    if (localLine === undefined) {
      return { ok: false, seq, message: `line ${seq} is in the mirror but not in the local log` };
    }
    if (`${line}\n` !== localLine) {
      return { ok: false, seq, message: `line ${seq} differs between the local log and the mirror` };
    }
  }
  const missing = [...bySeq.keys()].filter((seq) => !seen.has(seq));
  return { ok: true, lines: mirrored.length, missing };
}

/**
 * Editing a directory file as an administrator does (`slipway directory sign`, `slipway directory set-key`): the
 * file keeps its format (JSON stays pretty-printed JSON, YAML stays YAML with its comments), the result is checked
 * with the loader before anything is written, and it replaces the file atomically (temporary file, fsync, rename).
 */
import { randomUUID } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { directorySignatureProblem, signDirectory, type DirectorySignature, type PublicKey } from '@slipway/sdk';
import { parseDocument } from 'yaml';
import { syncDirectory, writeAll } from '../util/durable-file.js';
import {
  directoryFormat,
  invalidDirectory,
  parsePeopleDirectory,
  readDirectoryText,
  type LoadedDirectory,
} from './load-directory.js';

/** What signing a directory file did. */
export interface SignedDirectoryFile {
  /** The file signed. */
  path: string;
  /** The digest the signature covers (the directory's people and groups, their keys included). */
  digest: `sha256:${string}`;
  /** The signature written into the file's `signature` field. */
  signature: DirectorySignature;
  /** The key of the signature it replaced, when the file was signed by another key before. */
  replacedSigner?: string;
}

/**
 * Signs the directory file at `path` with the administrator's private key (base64url seed): validates the file
 * (with the loader's errors naming the file and the line or field), writes the signature into its `signature`
 * field, and checks that the file as written verifies before it replaces the original.
 */
export async function signDirectoryFile(path: string, adminPrivateKey: string): Promise<SignedDirectoryFile> {
  return editDirectoryFile(path, (loaded) => {
    const signature = signDirectory(loaded.directory, adminPrivateKey);
    const previous = loaded.directory.signature?.publicKey;
    return {
      changes: [{ path: ['signature'], value: signature }],
      check: (written) => {
        const problem = directorySignatureProblem(written.directory, signature.publicKey);
        return problem === undefined ? undefined : `the signed file would not verify: ${problem}`;
      },
      result: (written) => ({
        path,
        digest: written.digest,
        signature,
        ...(previous !== undefined && previous !== signature.publicKey ? { replacedSigner: previous } : {}),
      }),
    };
  });
}

/** What setting a person's public key did. */
export interface DirectoryKeyChange {
  /** The file changed. */
  path: string;
  /** The person was not in the directory and was added (in no group). */
  added: boolean;
  /** The key the person had before, if any. */
  previousKey?: string;
  /** The file was signed before the change; the signature was removed, so it must be signed again. */
  signatureRemoved: boolean;
  /** The directory's digest after the change. */
  digest: `sha256:${string}`;
}

/**
 * Sets (adds or replaces) a person's public key in the directory file at `path`, adding the person (in no group)
 * when absent. Any administrator signature is removed: the file stays unsigned, and refused by workers, until it is
 * signed again.
 */
export async function setDirectoryPersonKey(
  path: string,
  person: string,
  publicKey: PublicKey,
): Promise<DirectoryKeyChange> {
  return editDirectoryFile(path, (loaded) => {
    const before = Object.hasOwn(loaded.directory.people, person) ? loaded.directory.people[person] : undefined;
    const signed = loaded.directory.signature !== undefined;
    return {
      changes: [
        ...(before === undefined
          ? [{ path: ['people', person], value: { groups: [], publicKey } }]
          : [{ path: ['people', person, 'publicKey'], value: publicKey }]),
        ...(signed ? [{ path: ['signature'], value: undefined }] : []),
      ],
      check: (written) => {
        const now = Object.hasOwn(written.directory.people, person) ? written.directory.people[person] : undefined;
        if (now?.publicKey !== publicKey) return `the changed file would not hold ${person}'s key`;
        return written.directory.signature === undefined ? undefined : 'the changed file would still be signed';
      },
      result: (written) => ({
        path,
        added: before === undefined,
        ...(before?.publicKey !== undefined ? { previousKey: before.publicKey } : {}),
        signatureRemoved: signed,
        digest: written.digest,
      }),
    };
  });
}

/** What `setDirectoryPersonPassword` changed. */
export interface DirectoryPasswordChange {
  path: string;
  /** The person had a password hash before, which this one replaced. */
  replaced: boolean;
  signatureRemoved: boolean;
  digest: string;
}

/**
 * Sets a person's `passwordHash` (for the approvals page's local sign-in) in a directory file, JSON or YAML, keeping
 * its layout; removes the signature, so the file is refused until an administrator signs it again. The person must
 * already be in the directory.
 */
export async function setDirectoryPersonPassword(
  path: string,
  person: string,
  passwordHash: string,
): Promise<DirectoryPasswordChange> {
  return editDirectoryFile(path, (loaded) => {
    const before = Object.hasOwn(loaded.directory.people, person) ? loaded.directory.people[person] : undefined;
    if (before === undefined) {
      throw invalidDirectory(path, `${person} is not in the directory: add them (with their key) first`);
    }
    const signed = loaded.directory.signature !== undefined;
    return {
      changes: [
        { path: ['people', person, 'passwordHash'], value: passwordHash },
        ...(signed ? [{ path: ['signature'], value: undefined }] : []),
      ],
      check: (written) => {
        const now = Object.hasOwn(written.directory.people, person) ? written.directory.people[person] : undefined;
        if (now?.passwordHash !== passwordHash) return `the changed file would not hold ${person}'s password hash`;
        return written.directory.signature === undefined ? undefined : 'the changed file would still be signed';
      },
      result: (written) => ({
        path,
        replaced: before.passwordHash !== undefined,
        signatureRemoved: signed,
        digest: written.digest,
      }),
    };
  });
}

/** A value to set at a path of the file's content; `undefined` removes the key. */
interface Change {
  path: string[];
  value: unknown;
}

/** An edit of a directory file: its changes, a check of the edited content, and what to return. */
interface Edit<T> {
  changes: Change[];
  check: (written: LoadedDirectory) => string | undefined;
  result: (written: LoadedDirectory) => T;
}

async function editDirectoryFile<T>(path: string, plan: (loaded: LoadedDirectory) => Edit<T>): Promise<T> {
  const format = directoryFormat(path);
  const text = await readDirectoryText(path);
  const edit = plan(parsePeopleDirectory(path, text));
  const next = format === 'json' ? editJson(text, edit.changes) : editYaml(text, edit.changes);
  const written = parsePeopleDirectory(path, next);
  const problem = edit.check(written);
  if (problem !== undefined) throw invalidDirectory(path, `${problem}; the file was not changed`);
  await replaceFile(path, text, next);
  return edit.result(written);
}

function editJson(text: string, changes: Change[]): string {
  const root = JSON.parse(text) as Record<string, unknown>;
  for (const { path, value } of changes) {
    const keys = [...path];
    const last = keys.pop() as string;
    let node = root;
    for (const key of keys) node = ownValue(node, key) as Record<string, unknown>;
    if (value === undefined) delete node[last];
    // A plain assignment would treat a person named `__proto__` as the object's prototype.
    else Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
  }
  return `${JSON.stringify(root, null, 2)}\n`;
}

function ownValue(node: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(node, key) ? node[key] : undefined;
}

function editYaml(text: string, changes: Change[]): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  for (const { path, value } of changes) {
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, doc.createNode(value));
  }
  return doc.toString({ flowCollectionPadding: false });
}

/**
 * Replaces the file with `next` (same mode) through a temporary file in the same directory, fsynced and renamed
 * into place; refuses when the file changed since it was read as `original`, so no one's edit is lost.
 */
async function replaceFile(path: string, original: string, next: string): Promise<void> {
  const mode = (await stat(path)).mode & 0o777;
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomUUID()}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.chmod(mode);
      await writeAll(handle, Buffer.from(next, 'utf8'));
      await handle.sync();
    } finally {
      await handle.close();
    }
    if ((await readDirectoryText(path)) !== original) {
      throw invalidDirectory(
        path,
        'the file changed while it was being edited; nothing was written, run the command again',
      );
    }
    await rename(temp, path);
    await syncDirectory(dirname(path));
  } finally {
    await rm(temp, { force: true });
  }
}

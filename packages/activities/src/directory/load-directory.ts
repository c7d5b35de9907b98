/**
 * Reading the directory of people (JSON or YAML) a worker resolves approver groups from, with errors that name
 * the file and the line or field that is wrong, and its digest over canonical content.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { PeopleDirectory, SlipwayErrorType, describeIssues, directoryDigest, finalFailure } from '@slipway/sdk';
import type { ApplicationFailure } from '@temporalio/common';
import { parse as parseYaml, parseDocument } from 'yaml';

/** A directory as read: where from, its validated content and the sha256 of its canonical content. */
export interface LoadedDirectory {
  location: string;
  directory: PeopleDirectory;
  digest: `sha256:${string}`;
}

/** The largest directory file read (a directory of people is small; anything bigger is a mistake). */
export const MAX_DIRECTORY_BYTES = 8 * 1024 * 1024;

/**
 * Reads and validates a directory file: `.json`, `.yaml` or `.yml`. Every problem is a non-retryable
 * `SlipwayInvalidDirectory` failure that names the file and the line (syntax, duplicate names) or the field
 * (schema), e.g. `people.maria.groups.0: expected string`.
 */
export async function loadPeopleDirectory(path: string): Promise<LoadedDirectory> {
  directoryFormat(path);
  return parsePeopleDirectory(path, await readDirectoryText(path));
}

/**
 * Validates the text of a directory file named `path` (its extension gives the format), with the errors of
 * {@link loadPeopleDirectory}; used to check what an edit of the file would write before writing it.
 */
export function parsePeopleDirectory(path: string, text: string): LoadedDirectory {
  const raw = directoryFormat(path) === 'json' ? parseJson(path, text) : parseYamlText(path, text);
  const result = PeopleDirectory.safeParse(raw);
  if (!result.success) throw invalidDirectory(path, `not a valid directory of people: ${describeIssues(result.error)}`);
  return { location: path, directory: result.data, digest: directoryDigest(result.data) };
}

/** The digest of a directory (the one definition is in `@slipway/sdk`). */
export { directoryDigest };

/** The format of a directory file by its extension. @throws the `SlipwayInvalidDirectory` failure for any other. */
export function directoryFormat(path: string): 'json' | 'yaml' {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  throw invalidDirectory(path, 'the directory of people must be a .json, .yaml or .yml file');
}

/**
 * The text of a directory file, refused (as the `SlipwayInvalidDirectory` failure naming the file) when it is not a
 * regular file, is larger than {@link MAX_DIRECTORY_BYTES} or cannot be read.
 */
export async function readDirectoryText(path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > MAX_DIRECTORY_BYTES) throw new Error(`${info.size} bytes, more than ${MAX_DIRECTORY_BYTES}`);
    return await readFile(path, 'utf8');
  } catch (err) {
    throw invalidDirectory(
      path,
      `cannot read the directory of people: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function parseJson(path: string, text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const position = /at position (\d+)/.exec(message)?.[1];
    const where =
      position === undefined || /\(line \d+/.test(message) ? '' : ` (${lineColumn(text, Number(position))})`;
    throw invalidDirectory(path, `not valid JSON: ${message}${where}`);
  }
  // JSON.parse keeps the last of two equal keys silently; a directory must not list a person twice.
  rejectDuplicateKeys(path, text);
  return value;
}

function parseYamlText(path: string, text: string): unknown {
  try {
    return parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 }) as unknown;
  } catch (err) {
    throw invalidDirectory(path, `not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function rejectDuplicateKeys(path: string, text: string): void {
  const duplicate = parseDocument(text, { uniqueKeys: true }).errors.find((e) => e.code === 'DUPLICATE_KEY');
  if (!duplicate) return;
  const at = duplicate.linePos?.[0];
  throw invalidDirectory(
    path,
    `a key appears twice in the same object${at ? ` at line ${at.line}, column ${at.col}` : ''}`,
  );
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `line ${line}, column ${position - before.lastIndexOf('\n')}`;
}

/** The non-retryable `SlipwayInvalidDirectory` failure: `<path>: <message>`. */
export function invalidDirectory(path: string, message: string): ApplicationFailure {
  return finalFailure(SlipwayErrorType.InvalidDirectory, `${path}: ${message}`);
}

/**
 * Pinned Python requirements: reading a `requirements.txt` (exact pins only), and the set of what a shared
 * virtualenv holds (pins by package, local packages installed editable with their extras and the digest of their
 * `pyproject.toml`), merged as consumers with different needs add theirs.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';

/** A pinned requirement: `name==version` (extras allowed: `name[extra]==version`). */
const PIN = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9._,-]+\])?==([A-Za-z0-9.+!_-]+)$/;

/** A local package installed editable (`pip install -e <path>[extras]`). */
export interface EditablePackage {
  /** The package's directory (absolute). */
  readonly path: string;
  /** The extras to install with it (e.g. `onnx`). */
  readonly extras?: readonly string[] | undefined;
}

/** What a virtualenv holds, or what a consumer needs of it. */
export interface PythonEnvContents {
  /** Exact pins (`name==version`), by normalized package name. */
  readonly pins: ReadonlyMap<string, string>;
  /** Editable packages by path: their extras and the digest of their `pyproject.toml`. */
  readonly editable: ReadonlyMap<string, { readonly extras: readonly string[]; readonly digest: string }>;
}

/** A package name as pip compares them (PEP 503): lowercase, runs of `-`, `_`, `.` as one `-`. */
export function normalizePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * The package name of a pinned requirement line.
 *
 * @throws Error naming `where` when the line is not an exact pin.
 */
export function pinnedPackage(line: string, where: string): string {
  const match = PIN.exec(line.trim());
  if (!match?.[1]) {
    throw new Error(`${where}: "${line.trim()}" is not an exact pin (name==version); unpinned requirements move`);
  }
  return normalizePackageName(match[1]);
}

/**
 * Reads a `requirements.txt` of exact pins: one `name==version` per line; blank lines and `#` comments are skipped.
 *
 * @throws Error naming the file and line of anything else (options, URLs, ranges), or of a package pinned twice.
 */
export function readRequirementsFile(file: string): string[] {
  const seen = new Map<string, number>();
  const pins: string[] = [];
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = raw.replace(/(^|\s)#.*$/, '').trim();
      if (line === '') return;
      const where = `${file}:${index + 1}`;
      const name = pinnedPackage(line, where);
      const first = seen.get(name);
      if (first !== undefined) throw new Error(`${where}: ${name} is pinned twice (first on line ${first})`);
      seen.set(name, index + 1);
      pins.push(line);
    });
  return pins;
}

/** The contents a consumer needs: its pins and editable packages (with their `pyproject.toml` digests). */
export function contentsOf(
  pins: readonly string[],
  editable: readonly (EditablePackage & { digest: string })[],
  where: string,
): PythonEnvContents {
  const byName = new Map<string, string>();
  for (const pin of pins) {
    const name = pinnedPackage(pin, where);
    const other = byName.get(name);
    if (other !== undefined && other !== pin.trim())
      throw new Error(`${where}: ${name} is pinned as ${other} and ${pin}`);
    byName.set(name, pin.trim());
  }
  const packages = new Map(
    editable.map((e) => [e.path, { extras: [...new Set(e.extras ?? [])].sort(), digest: e.digest }]),
  );
  return { pins: byName, editable: packages };
}

/** Whether `held` already has everything `wanted` needs: the same pins, the same digests, the extras. */
export function covers(held: PythonEnvContents, wanted: PythonEnvContents): boolean {
  for (const [name, pin] of wanted.pins) if (held.pins.get(name) !== pin) return false;
  for (const [path, want] of wanted.editable) {
    const have = held.editable.get(path);
    if (have?.digest !== want.digest || !want.extras.every((x) => have.extras.includes(x))) return false;
  }
  return true;
}

/**
 * What the virtualenv holds after installing `wanted` into one that holds `held`: the union, where `wanted`'s pin
 * of a package replaces `held`'s (the newest consumer's version is installed; consumers that share an environment
 * keep their pins equal, which a test checks), and an editable package's extras accumulate. An editable package
 * `held` lists at a path that is gone, or under the same name as one of `wanted`'s at another path (the project was
 * moved, or a second checkout shares the environment), is dropped: pip cannot install one package from two paths.
 * `packageNameAt` reads a package's name at a path (undefined when there is none there).
 */
export function merge(
  held: PythonEnvContents,
  wanted: PythonEnvContents,
  packageNameAt: (path: string) => string | undefined = () => undefined,
): PythonEnvContents {
  const pins = new Map([...held.pins, ...wanted.pins]);
  const wantedNames = new Set([...wanted.editable.keys()].map(packageNameAt).filter((n) => n !== undefined));
  const editable = new Map(
    [...held.editable].filter(([path]) => {
      if (wanted.editable.has(path)) return true;
      const name = packageNameAt(path);
      return name !== undefined && !wantedNames.has(name);
    }),
  );
  for (const [path, want] of wanted.editable) {
    const have = editable.get(path);
    const extras = [...new Set([...(have?.extras ?? []), ...want.extras])].sort();
    editable.set(path, { extras, digest: want.digest });
  }
  return { pins, editable };
}

/** The marker text that records `contents` (sorted: the same contents are the same text). */
export function markerText(contents: PythonEnvContents): string {
  const pins = [...contents.pins.values()].sort();
  const editable = [...contents.editable.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, e]) => `-e ${path}${e.extras.length ? `[${e.extras.join(',')}]` : ''} ${e.digest}`);
  return [...pins, ...editable].join('\n') + '\n';
}

/** Parses a marker written by {@link markerText}; `undefined` for anything else (then the environment is rebuilt). */
export function parseMarker(text: string): PythonEnvContents | undefined {
  const pins = new Map<string, string>();
  const editable = new Map<string, { extras: string[]; digest: string }>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const e = /^-e (.+?)(?:\[([^\]]*)\])? (sha256:[0-9a-f]{64})$/.exec(line);
    if (e?.[1] && e[3]) {
      if (!isAbsolute(e[1])) return undefined; // an older marker's relative path: rebuild
      editable.set(e[1], { extras: e[2] ? e[2].split(',') : [], digest: e[3] });
      continue;
    }
    const match = PIN.exec(line);
    if (!match?.[1]) return undefined;
    pins.set(normalizePackageName(match[1]), line);
  }
  return { pins, editable };
}

/** The `pip install` arguments that install `contents`: every pin, then each editable package with its extras. */
export function pipInstallArgs(contents: PythonEnvContents): string[] {
  const args = [...contents.pins.values()].sort();
  for (const [path, e] of contents.editable) {
    args.push('-e', e.extras.length ? `${path}[${e.extras.join(',')}]` : path);
  }
  return args;
}

/**
 * A record of JSON values (`{ [key]: string | finite number | boolean | null | array | object }`), checked in one
 * pass over the value. It takes and refuses what `z.record(z.string(), z.json())` does, at a fraction of the cost:
 * zod's `z.json()` tries a union of six schemas at every node, and these records are parsed in workflow code on
 * every notification and guardian record.
 */
import { z } from 'zod';

/** The path (from the record) of the first value in `value` that is not JSON, or undefined when all of it is. */
export function firstNonJson(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstNonJson(value[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const found = firstNonJson(item, [...path, key]);
      if (found) return found;
    }
    return undefined;
  }
  return path;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

/** A record of JSON values; a value that is not JSON is refused at its own path. */
export const JsonRecord = z.record(z.string(), z.unknown()).check((ctx) => {
  for (const [key, item] of Object.entries(ctx.value)) {
    const path = firstNonJson(item, [key]);
    if (path) {
      ctx.issues.push({
        code: 'custom',
        input: item,
        path,
        message: 'expected a JSON value (string, finite number, boolean, null, array or object)',
        // Later checks (e.g. a size limit that serializes the record) see JSON only.
        continue: false,
      });
      return;
    }
  }
});
/** A record of JSON values. */
export type JsonRecord = Record<string, unknown>;

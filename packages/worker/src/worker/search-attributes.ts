import { SlipwaySearchAttribute } from '@slipway/sdk';
import type { NativeConnection } from '@temporalio/worker';

/** Temporal's `IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD`. */
const KEYWORD = 2;

/**
 * Makes sure the namespace knows Slipway's search attributes (pending gates are listed by them). Adds the
 * missing ones; returns the names it added. Where the caller may not manage search attributes (e.g. a cloud
 * namespace), the error says which attributes to register by hand.
 */
export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<string[]> {
  const wanted = Object.values(SlipwaySearchAttribute);
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([...Object.keys(listed.customAttributes ?? {}), ...Object.keys(listed.systemAttributes ?? {})]);
  const missing = wanted.filter((name) => !known.has(name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  } catch (err) {
    const how = missing.map((n) => `temporal operator search-attribute create --name ${n} --type Keyword`).join('; ');
    throw new Error(
      `namespace "${namespace}" lacks the search attributes ${missing.join(', ')} and they could not be added (${err instanceof Error ? err.message : String(err)}). Add them with: ${how}`,
    );
  }
  return missing;
}

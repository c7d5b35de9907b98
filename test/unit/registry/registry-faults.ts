/** Fault injection for registry tests: a write that happens, followed by an answer that never arrives. */
import type { ModelRegistry } from '../../../packages/activities/src/ports.js';

/** The message of an injected failure. */
export const INJECTED = 'injected failure: the write happened, the answer was lost';

/**
 * A view of `registry` whose first call of `method` calls through (the write happens) and then throws, as if
 * the worker died or the connection dropped after the write and before the return. Later calls pass through.
 */
export function failAfterWrite<M extends keyof ModelRegistry>(registry: ModelRegistry, method: M): ModelRegistry {
  let failed = false;
  return new Proxy(registry, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      if (property !== method || failed) return fn.bind(target);
      return async (...args: unknown[]) => {
        await fn.apply(target, args);
        failed = true;
        throw new Error(INJECTED);
      };
    },
  });
}

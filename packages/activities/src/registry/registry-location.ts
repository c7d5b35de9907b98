import { parseRegistryLocation, type RegistryLocation } from './registry-url.js';
import type { ModelRegistry } from '../ports.js';
import { createMlflowRegistry, type MlflowRegistryOptions } from './mlflow-registry.js';
import { openSqliteRegistry, type SqliteRegistryOptions } from './sqlite-registry.js';

export { parseRegistryLocation, type RegistryLocation } from './registry-url.js';

/** Options of {@link openRegistry}, by adapter. */
export interface OpenRegistryOptions {
  sqlite?: SqliteRegistryOptions;
  mlflow?: Omit<MlflowRegistryOptions, 'trackingUrl'>;
}

/**
 * Opens the registry a location (or registry URL) names. SQLite opens (and migrates) the file at once; MLflow
 * contacts nothing until the first call: use {@link checkRegistry} to find out at start-up whether it answers.
 */
export function openRegistry(location: RegistryLocation | string, options: OpenRegistryOptions = {}): ModelRegistry {
  const parsed = typeof location === 'string' ? parseRegistryLocation(location) : location;
  switch (parsed.kind) {
    case 'sqlite':
      return openSqliteRegistry(parsed.path, options.sqlite);
    case 'mlflow':
      return createMlflowRegistry({ ...options.mlflow, trackingUrl: parsed.trackingUrl });
  }
}

/** The registry URL of a location, as `parseRegistryLocation` reads it. */
export function registryUrl(location: RegistryLocation): string {
  return location.kind === 'sqlite' ? `sqlite:${location.path}` : `mlflow+${location.trackingUrl}`;
}

/**
 * Throws a clear failure when a registry cannot be used, e.g. an MLflow server that does not answer (retryable,
 * naming the URL) or a URL that is not an MLflow server (final). A registry without a `check` method passes.
 */
export async function checkRegistry(registry: ModelRegistry): Promise<void> {
  const check = (registry as Partial<{ check: () => Promise<void> }>).check;
  if (typeof check === 'function') await check.call(registry);
}

/**
 * What the approvals page works with: the configuration, Temporal (through `GateAccess`), the signed directory of
 * people (read and verified on each use, so a re-signed directory takes effect at once), the service key it signs
 * with, the artifact store, the registry, the audit trail and the sessions.
 */
import {
  defaultAuditLogPath,
  readAuditEntries,
  renderModelCard,
  type ArtifactStore,
  type AuditEntry,
  type LoadedDirectory,
} from '@slipway/activities';
import type { SlipwayConfig } from '../config/index.js';
import { configuredDirectory, withConfiguredRegistry } from '../config/index.js';
import type { GateAccess } from './gate-access.js';
import type { SessionStore } from './sessions.js';

/** Everything a request handler needs. */
export interface UiContext {
  config: SlipwayConfig;
  access: GateAccess;
  /** The service the page signs as, when configured. */
  service?: string;
  artifacts: ArtifactStore;
  sessions: SessionStore;
  /** Origins a form may be posted from: the page's own. */
  origins: string[];
  /** The signed directory of people, verified against the administrator key. */
  directory(): Promise<LoadedDirectory>;
  /** The audit trail's entries (oldest first). */
  audit(): Promise<AuditEntry[]>;
  /** A version's model card (markdown), from what the registry knows now; undefined when it is not registered. */
  modelCard(model: string, version: number): Promise<string | undefined>;
}

/** The directory, audit and registry readers of a configuration. */
export function configuredReaders(config: SlipwayConfig): Pick<UiContext, 'directory' | 'audit' | 'modelCard'> {
  const source = configuredDirectory(config);
  return {
    directory: async () => {
      if (source === undefined) {
        throw new Error(
          'no directory of people is configured (`directory` in slipway.config.json): nobody can sign in',
        );
      }
      return source.read();
    },
    audit: () => readAuditEntries(defaultAuditLogPath(config.home)),
    modelCard: (model, version) =>
      withConfiguredRegistry(
        config,
        async (registry) => {
          const record = await registry.getVersion(model, version);
          return record === undefined ? undefined : renderModelCard(record);
        },
        () => undefined,
      ),
  };
}

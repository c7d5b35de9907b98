import { writeFile } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import {
  defaultAuditLogPath,
  readAuditEntries,
  registryUrl,
  renderModelCard,
  type AuditEntry,
  type ModelVersionRecord,
} from '@slipway/activities';
import { ArtifactRef } from '@slipway/sdk';
import pc from 'picocolors';
import { withConfiguredRegistry, type SlipwayConfig } from '../../config/index.js';
import { commandConfig, type GlobalOptions } from '../context.js';
import { renderModelList, renderModelVersion } from '../render-model.js';
import { registerImportCommand } from './models-import.js';

/** `name@alias`, `name@3`, `name@v3`, or `name` alone (its latest version). */
export interface ModelReference {
  name: string;
  ref: string;
}

/** Parses `churn@champion`, `churn@3`, `churn@v3` or `churn` (the latest version). */
export function parseModelReference(text: string): ModelReference {
  const at = text.indexOf('@');
  const name = at === -1 ? text : text.slice(0, at);
  const ref = at === -1 ? 'latest' : text.slice(at + 1);
  if (name === '' || ref === '') {
    throw new Error(`"${text}" is not a model reference: expected <name>@<alias|version>, e.g. churn@champion`);
  }
  return { name, ref };
}

/** `slipway models list|show|card|import`: registered models, their lineage and model cards; importing one. */
export function registerModelCommands(program: Command, globals: () => GlobalOptions): void {
  const models = program.command('models').description('registered models: versions, lineage and model cards');
  registerListCommand(models, globals);
  registerShowCommand(models, globals);
  registerCardCommand(models, globals);
  registerImportCommand(models, globals);
}

function registerListCommand(models: Command, globals: () => GlobalOptions): void {
  models
    .command('list')
    .description('list registered models with their latest version and aliases')
    .option('--json', 'print the models as JSON')
    .action(async (options) => {
      const config = commandConfig(globals());
      const list = await withConfiguredRegistry(
        config,
        (registry) => registry.listModels(),
        () => [],
      );
      if (list.length === 0 && !options.json) {
        console.log(`No models are registered yet in ${registryUrl(config.registry)}.`);
        return;
      }
      console.log(options.json ? JSON.stringify(list, null, 2) : renderModelList(list));
    });
}

function registerShowCommand(models: Command, globals: () => GlobalOptions): void {
  models
    .command('show')
    .description('show a version with its lineage, approvals, deployments, rollbacks and audit trail')
    .argument('<model>', 'name@alias or name@version, e.g. churn@champion, churn@3 (name alone: latest)')
    .option('--json', 'print the version record, its model card reference and its audit entries as JSON')
    .option('--log <path>', 'the audit log (default: <home>/audit.log)')
    .action(async (model, options) => {
      const config = commandConfig(globals());
      const record = await findVersion(config, parseModelReference(model));
      const history = versionHistory(await readAuditEntries(options.log ?? defaultAuditLogPath(config.home)), record);
      const modelCard = modelCardOf(history);
      if (options.json) {
        console.log(JSON.stringify({ ...record, modelCard: modelCard ?? null, audit: history }, null, 2));
        return;
      }
      console.log(renderModelVersion(record, { history, ...(modelCard ? { modelCard } : {}) }));
    });
}

function registerCardCommand(models: Command, globals: () => GlobalOptions): void {
  models
    .command('card')
    .description("print a version's markdown model card, from what the registry knows now")
    .argument('<model>', 'name@alias or name@version, e.g. churn@champion')
    .option('--out <file>', 'write the card to this file instead of printing it')
    .action(async (model, options) => {
      const record = await findVersion(commandConfig(globals()), parseModelReference(model));
      const card = renderModelCard(record);
      if (options.out === undefined) {
        process.stdout.write(card);
        return;
      }
      await writeFile(options.out, card);
      console.error(`${pc.green('✔')} model card of ${record.name} v${record.version} written to ${options.out}`);
    });
}

/** The version a reference names; a clear error names what exists when it does not. */
async function findVersion(config: SlipwayConfig, reference: ModelReference): Promise<ModelVersionRecord> {
  return withConfiguredRegistry(config, async (registry) => {
    const record = await registry.resolve(reference.name, reference.ref);
    if (record !== undefined) return record;
    const summary = (await registry.listModels()).find((m) => m.name === reference.name);
    if (summary === undefined) throw new Error(`no model named "${reference.name}" is registered`);
    const aliases = Object.entries(summary.aliases).map(([alias, version]) => `${alias} → v${version}`);
    throw new Error(
      `model "${reference.name}" has no version or alias "${reference.ref}": it has versions 1 to ${summary.latestVersion}` +
        (aliases.length > 0 ? ` and aliases ${aliases.join(', ')}` : ' and no aliases'),
    );
  });
}

/** The audit entries about a version: its own, and alias moves away from it. */
function versionHistory(entries: readonly AuditEntry[], record: ModelVersionRecord): AuditEntry[] {
  return entries.filter(
    (e) =>
      e.model === record.name &&
      (e.version === record.version || (e.kind === 'alias' && e.data.previous === record.version)),
  );
}

/** The model card stored when the version was registered, as its `register` entry names it. */
function modelCardOf(history: readonly AuditEntry[]): ArtifactRef | undefined {
  const registered = history.find((e) => e.kind === 'register');
  const parsed = ArtifactRef.safeParse(registered?.data.modelCard);
  return parsed.success ? parsed.data : undefined;
}

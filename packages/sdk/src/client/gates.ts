/**
 * Listing approval gates from the visibility store alone: one `workflow.list` whose query names the gate status
 * search attribute (and the model), each gate read from the `GateListing` its run publishes in its memo. No query
 * per run: a thousand pending gates are one paged list call.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { SlipwayMemo, SlipwaySearchAttribute } from '../messages.js';
import { GateListing } from '../schemas/approval.js';
import { ModelName } from '../schemas/model.js';
import { ClientErrorCode, SlipwayClientError } from './errors.js';

/** Which gates `listGates` lists. */
export interface ListGatesOptions {
  /** `pending`: gates waiting for a decision (in running runs); `closed`: approved, rejected or expired; default both. */
  status?: 'pending' | 'closed';
  /** Only the gates of this model. */
  model?: string;
  /** At most this many gates, most recently started first as the visibility store returns them (default 1000). */
  limit?: number;
}

/** One gate as listed: its run, and the listing the gate published (null for a run whose gate opened before). */
export interface GateListEntry {
  /** The run's id: its Temporal workflow id. */
  runId: string;
  pipeline: string;
  startTime: Date;
  /** What the gate published in its run's memo; null when the run's gate opened before gates published one. */
  listing: GateListing | null;
}

/** The default most gates one `listGates` call returns. */
export const DEFAULT_GATE_LIST_LIMIT = 1000;

/**
 * What a list of gates that reached its limit must say: that more may be waiting beyond it (never a silent cut);
 * undefined while the list is shorter than its limit.
 */
export function gateListCutNotice(shown: number, limit: number = DEFAULT_GATE_LIST_LIMIT): string | undefined {
  if (shown < limit) return undefined;
  return `this list stops at ${limit} gates, the most recently started: more may be waiting (list one model's with listGates({ model }))`;
}

/** The visibility query of a gate list (validated options only). */
export function gateListQuery(options: ListGatesOptions): string {
  const status = SlipwaySearchAttribute.gateStatus;
  const clauses =
    options.status === 'pending'
      ? ['ExecutionStatus = "Running"', `${status} = "pending"`]
      : options.status === 'closed'
        ? [`${status} IN ("approved", "rejected", "expired")`]
        : [`${status} IN ("pending", "approved", "rejected", "expired")`];
  if (options.model !== undefined) clauses.push(`${SlipwaySearchAttribute.model} = "${options.model}"`);
  return clauses.join(' AND ');
}

/** Lists gates with one visibility list call (see {@link ListGatesOptions}); pending ones oldest first. */
export async function listGates(temporal: Client, options: ListGatesOptions = {}): Promise<GateListEntry[]> {
  checkOptions(options);
  const limit = options.limit ?? DEFAULT_GATE_LIST_LIMIT;
  const entries: GateListEntry[] = [];
  const listed = temporal.workflow.list({ query: gateListQuery(options), pageSize: Math.min(limit, 1000) });
  for await (const execution of listed) {
    if (entries.length >= limit) break;
    entries.push(entryOf(execution));
  }
  const byStart = (a: GateListEntry, b: GateListEntry) => a.startTime.getTime() - b.startTime.getTime();
  return options.status === 'pending' ? entries.sort(byStart) : entries;
}

function entryOf(execution: WorkflowExecutionInfo): GateListEntry {
  const published = GateListing.safeParse(execution.memo?.[SlipwayMemo.gate]);
  return {
    runId: execution.workflowId,
    pipeline: execution.type,
    startTime: execution.startTime,
    listing: published.success ? published.data : null,
  };
}

function checkOptions(options: ListGatesOptions): void {
  const invalid = (message: string) => new SlipwayClientError(ClientErrorCode.InvalidInput, message);
  if (options.status !== undefined && options.status !== 'pending' && options.status !== 'closed') {
    throw invalid(`listGates: status must be "pending" or "closed" (got ${JSON.stringify(options.status)})`);
  }
  if (options.model !== undefined && !ModelName.safeParse(options.model).success) {
    throw invalid(
      `listGates: ${JSON.stringify(options.model)} is not a model name (lowercase letters, digits, ".", "_", "-")`,
    );
  }
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit > 0)) {
    throw invalid(`listGates: limit must be a positive whole number (got ${String(options.limit)})`);
  }
}

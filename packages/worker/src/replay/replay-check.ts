/**
 * The replay check before an upgrade (`slipway replay-check`): replays recorded workflow histories — JSON files (as
 * `temporal workflow show --output json` or the Web UI export them) or the last runs of a namespace — against the
 * workflow bundle a worker is about to run, and says for each run whether the new code makes the same decisions.
 * A change that is not guarded by `patched()` fails here, naming the run and the event where they part, before a
 * single production run meets it.
 */
import { readFile } from 'node:fs/promises';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';

/** A workflow history, as Temporal's client fetches it. */
type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
/** One event of a history. */
type HistoryEvent = NonNullable<History['events']>[number];

/** One history to replay: the run it records and its events. */
export interface HistoryToReplay {
  workflowId: string;
  /** Where it came from, for people: a file, or `<namespace>/<workflowId>/<runId>`. */
  source: string;
  history: History;
}

/** How one run replayed. */
export interface ReplayOutcome {
  workflowId: string;
  source: string;
  ok: boolean;
  /** The determinism error (or other failure) of a run that did not replay. */
  error?: string;
  /** The event the replay parted from the history at, when the error names or implies one. */
  eventId?: number;
  /** That event's type (and activity), e.g. `ActivityTaskScheduled slipway.train`. */
  event?: string;
}

/**
 * Reads JSON history files; each must hold `events` with the workflow's start first (its workflow id names the
 * run). Throws naming the file for one that cannot be read or is not a history.
 */
export async function historiesFromFiles(paths: readonly string[]): Promise<HistoryToReplay[]> {
  return Promise.all(
    paths.map(async (path) => {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(path, 'utf8'));
      } catch (err) {
        throw new Error(`${path}: not a readable JSON history (${err instanceof Error ? err.message : String(err)})`);
      }
      const workflowId = recordedWorkflowId(json);
      if (workflowId === undefined) {
        throw new Error(
          `${path}: not a workflow history: expected "events" whose first is WorkflowExecutionStarted (export one with \`temporal workflow show --output json\`)`,
        );
      }
      return { workflowId, source: path, history: historyFromJSON(json) };
    }),
  );
}

/** The histories of the last `limit` runs matching a visibility `query` (newest first), fetched from Temporal. */
export async function historiesFromNamespace(
  client: Client,
  options: { query?: string | undefined; limit: number },
): Promise<HistoryToReplay[]> {
  const histories: HistoryToReplay[] = [];
  const runs = client.workflow.list(options.query ? { query: options.query } : {});
  for await (const run of runs) {
    if (histories.length >= options.limit) break;
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    const source = `${client.options.namespace}/${run.workflowId}/${run.runId}`;
    histories.push({ workflowId: run.workflowId, source, history });
  }
  return histories;
}

/** Replays every history against `bundle` on one replay worker; one outcome per history, in order. */
export async function replayHistories(
  bundle: NonNullable<ReplayWorkerOptions['workflowBundle']>,
  histories: readonly HistoryToReplay[],
): Promise<ReplayOutcome[]> {
  // Runs replay under their own workflow ids; two histories of one id (two runs) are told apart by order.
  const pending = new Map<string, HistoryToReplay[]>();
  for (const h of histories) pending.set(h.workflowId, [...(pending.get(h.workflowId) ?? []), h]);
  const outcomes: ReplayOutcome[] = [];
  const iterable = histories.map((h) => ({ workflowId: h.workflowId, history: h.history }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, iterable)) {
    const from = pending.get(result.workflowId)?.shift();
    const source = from?.source ?? result.workflowId;
    if (!result.error) {
      outcomes.push({ workflowId: result.workflowId, source, ok: true });
      continue;
    }
    const error = coreMessage(result.error.message) ?? `${result.error.name}: ${result.error.message}`;
    const event = from ? eventOf(error, from.history) : undefined;
    outcomes.push({ workflowId: result.workflowId, source, ok: false, error, ...event });
  }
  return outcomes;
}

/** The workflow id a JSON history records (its first event, the start, names it). */
export function recordedWorkflowId(json: unknown): string | undefined {
  const events = (json as { events?: { workflowExecutionStartedEventAttributes?: { workflowId?: string } }[] })?.events;
  return Array.isArray(events) ? events[0]?.workflowExecutionStartedEventAttributes?.workflowId : undefined;
}

/** The message Temporal's core gave (`[TMPRL1100] Nondeterminism error: …`), without the wrapping, when present. */
function coreMessage(message: string): string | undefined {
  return /message: "((?:[^"\\]|\\.)*)"/.exec(message)?.[1]?.replace(/\\"/g, '"');
}

/**
 * The event where the replay parted from the history: the one the error names by id (`HistoryEvent(id: 12`,
 * `event_id: 12`), or for a changed activity, the first scheduled event of the activity type the history recorded
 * (`scheduled event 'slipway.train'`); with its type and activity, for people.
 */
function eventOf(error: string, history: HistoryToReplay['history']): Pick<ReplayOutcome, 'eventId' | 'event'> {
  const events = history.events ?? [];
  const byId = /(?:HistoryEvent\(id: |event_id: |event id )(\d+)/i.exec(error);
  const scheduled = /scheduled event '([^']+)'/.exec(error)?.[1];
  const found = byId
    ? events.find((e) => Number(e.eventId) === Number(byId[1]))
    : scheduled
      ? events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === scheduled)
      : undefined;
  if (!found) return {};
  const type = eventTypeOf(found);
  const activity = found.activityTaskScheduledEventAttributes?.activityType?.name;
  return { eventId: Number(found.eventId), event: activity ? `${type} ${activity}` : type };
}

/** An event's type, from the attributes it carries (`activityTaskScheduledEventAttributes` → `ActivityTaskScheduled`). */
function eventTypeOf(event: HistoryEvent): string {
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes') && event[k as keyof typeof event]);
  if (!key) return 'event';
  const name = key.slice(0, -'EventAttributes'.length);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

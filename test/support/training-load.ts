/**
 * Training that lasts seconds, not milliseconds, for tests that act on a worker while it trains (kill it, stop it):
 * a bigger churn dataset, and the train activity's last checkpoint heartbeat.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SlipwayClient } from '@slipway/sdk/client';
import { DATA_DIR } from '../../examples/churn/src/input.js';

/** The churn data repeated ten times (20,000 rows, renumbered) in `dir`; returns the file's path. */
export async function biggerChurnDataset(dir: string): Promise<string> {
  const [header, ...rows] = (await readFile(join(DATA_DIR, 'churn.csv'), 'utf8')).trimEnd().split('\n');
  const path = join(dir, 'churn-x10.csv');
  // Each copy gets its own customer ids, so the expectations (one row per customer) still hold.
  const copies = Array.from({ length: 10 }, () => rows).flat();
  const renumbered = copies.map((row, i) => row.replace(/^C\d{5}/, `C${String(i + 1).padStart(5, '0')}`));
  await writeFile(path, [header, ...renumbered].join('\n') + '\n');
  return path;
}

/** The train activity's last heartbeat details, if it is running and has reported a checkpoint. */
export async function trainCheckpointEpoch(client: SlipwayClient, runId: string): Promise<number | undefined> {
  const description = await client.temporal.workflow.getHandle(runId).describe();
  const pending = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'slipway.train');
  const payload = pending?.heartbeatDetails?.payloads?.[0]?.data;
  if (!payload) return undefined;
  const details = JSON.parse(Buffer.from(payload).toString('utf8')) as { phase?: string; epoch?: number };
  return details.phase === 'train' && (details.epoch ?? 0) > 0 ? details.epoch : undefined;
}

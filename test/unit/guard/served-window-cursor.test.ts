/**
 * A window's cursor is a shortcut: when the model server refuses it (it belongs to the version served before the
 * champion changed, or to a log rotated away), the check reads the log from its start and the window's bounds decide
 * which rows count. Any other refusal, and a refusal of the log's start, still fails the check.
 */
import { FinalErrorType, finalFailure, type ServedRow } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';
import { SERVED_LOG_START, readServedWindow } from '../../../packages/activities/src/guard/served-window.js';

const row = (ts: string): ServedRow => ({
  ts,
  deploymentId: 'churn-v2-a',
  features: { tenure: 1 },
  version: 2,
  shadow: false,
});

/** A served log of version 2 that refuses every cursor but its own `start` (an error path: the server's refusal). */
function serverRefusingCursor(rows: ServedRow[], message = 'the cursor belongs to model "churn" version 1') {
  const asked: string[] = [];
  return {
    asked,
    client: {
      served: (_model: string, _version: number, limit: number, after?: string) => {
        asked.push(after ?? '');
        if (after !== SERVED_LOG_START)
          return Promise.reject(finalFailure(FinalErrorType.ModelServerRejected, message));
        const page = {
          model: 'churn',
          version: 2,
          total: rows.length,
          cursor: 'v2-cursor',
          rows: rows.slice(0, limit),
        };
        return Promise.resolve(page);
      },
    },
  };
}

describe('readServedWindow with a refused cursor', () => {
  it('reads the log from its start and keeps only the rows inside the window', async () => {
    const log = serverRefusingCursor([
      row('2026-12-03T10:00:00.000Z'),
      row('2026-12-03T10:00:05.000Z'),
      row('2026-12-03T10:00:09.000Z'),
    ]);
    const window = await readServedWindow({
      client: log.client,
      model: 'churn',
      version: 2,
      window: { from: '2026-12-03T10:00:01.000Z', to: '2026-12-03T10:00:10.000Z', cursor: 'v1-cursor' },
      maxRows: 100,
    });
    expect(log.asked).toEqual(['v1-cursor', SERVED_LOG_START]);
    expect(window.rows.map((r) => r.ts)).toEqual(['2026-12-03T10:00:05.000Z', '2026-12-03T10:00:09.000Z']);
    expect(window.cursor).toBe('v2-cursor');
  });

  it('still fails when the server refuses the log itself', async () => {
    const refusing = {
      served: () => Promise.reject(finalFailure(FinalErrorType.ModelServerRejected, 'unknown model')),
    };
    await expect(
      readServedWindow({
        client: refusing,
        model: 'churn',
        version: 2,
        window: { to: '2026-12-03T10:00:10.000Z' },
        maxRows: 100,
      }),
    ).rejects.toThrow('unknown model');
  });
});

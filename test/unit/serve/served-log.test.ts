import { appendFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createServedLog, servedLogPath } from '../../../packages/worker/src/serve/served-log.js';
import { tempDir } from './fixtures.js';

describe('served log', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('keeps the newest rows in order for any limit, and counts them all', async () => {
    const dir = await tempDir('served-log');
    cleanups.push(dir.cleanup);
    const log = createServedLog(dir.path);
    await Promise.all(Array.from({ length: 10 }, (_, i) => log.append('m', 1, 'd', [{ features: { i } }])));
    for (const limit of [1, 3, 5, 10, 25]) {
      const { total, rows } = await log.tail('m', 1, limit);
      expect(total).toBe(10);
      const expected = Array.from({ length: 10 }, (_, i) => i).slice(-limit);
      expect(rows.map((r) => r.features['i'])).toEqual(expected);
    }
  });

  it('skips a torn last line and answers nothing for a version never served', async () => {
    const dir = await tempDir('served-log');
    cleanups.push(dir.cleanup);
    const log = createServedLog(dir.path);
    await log.append('m', 2, 'd', [{ features: { a: 1 } }, { features: { a: 2 } }]);
    await appendFile(servedLogPath(dir.path, 'm', 2), '{"ts":"2026-01-01T00:00:00Z","deploymentId":"d","feat');
    expect(await log.tail('m', 2, 10)).toMatchObject({
      total: 2,
      rows: [{ features: { a: 1 } }, { features: { a: 2 } }],
    });
    expect(await log.tail('m', 3, 10)).toEqual({ total: 0, rows: [] });
  });
});

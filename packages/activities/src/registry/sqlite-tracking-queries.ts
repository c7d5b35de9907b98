import type { SqliteDatabase } from './sqlite-database.js';

/** A `runs` row. */
export interface RunRow {
  run_id: string;
  experiment: string;
  name: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  idempotency_key: string;
}

/** A `metric_logs` row: one `logMetrics` or `logMetricSeries` call. */
export interface MetricLogRow {
  id: number;
  run_id: string;
  kind: 'metrics' | 'series';
  logged_at: string;
  idempotency_key: string;
}

/** A key and value (tags, params). */
export interface KeyValueRow {
  key: string;
  value: string;
}

/** A metric value at one step. */
export interface MetricRow {
  key: string;
  step: number;
  value: number;
}

/** Every SQL statement of the SQLite tracking tables, prepared once per connection. */
export interface TrackingQueries {
  runByKey(key: string): RunRow | undefined;
  run(runId: string): RunRow | undefined;
  insertRun(row: RunRow): void;
  insertTag(runId: string, key: string, value: string): void;
  tags(runId: string): KeyValueRow[];
  params(runId: string): KeyValueRow[];
  insertParam(runId: string, key: string, value: string): void;
  finish(runId: string, status: string, endedAt: string): void;
  metricLogByKey(key: string): MetricLogRow | undefined;
  /** Inserts a metric log and returns its id. */
  insertMetricLog(row: Omit<MetricLogRow, 'id'>): number;
  /** Sets the value of a metric at a step (a later log replaces an earlier value at the same step). */
  putMetric(runId: string, row: MetricRow, logId: number): void;
  /** Every metric's value at its highest step. */
  latestMetrics(runId: string): MetricRow[];
  series(runId: string, key: string): MetricRow[];
  /** Ids of runs with a tag of this value, oldest first. */
  runsWithTag(key: string, value: string): string[];
}

const RUN_COLUMNS = 'run_id, experiment, name, status, started_at, ended_at, idempotency_key';

/** Prepares the tracking statements on an open, migrated registry database. */
export function prepareTrackingQueries(db: SqliteDatabase): TrackingQueries {
  return { ...prepareRunQueries(db), ...prepareMetricQueries(db) };
}

function prepareRunQueries(db: SqliteDatabase): Omit<TrackingQueries, keyof ReturnType<typeof prepareMetricQueries>> {
  const byKey = db.prepare<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE idempotency_key = ?`);
  const byId = db.prepare<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id = ?`);
  const insert = db.prepare<RunRow>(
    `INSERT INTO runs (${RUN_COLUMNS})
       VALUES (@run_id, @experiment, @name, @status, @started_at, @ended_at, @idempotency_key)`,
  );
  const insertTag = db.prepare<[string, string, string]>('INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)');
  const tags = db.prepare<[string], KeyValueRow>('SELECT key, value FROM run_tags WHERE run_id = ? ORDER BY key');
  const params = db.prepare<[string], KeyValueRow>('SELECT key, value FROM run_params WHERE run_id = ? ORDER BY key');
  const insertParam = db.prepare<[string, string, string]>(
    'INSERT INTO run_params (run_id, key, value) VALUES (?, ?, ?)',
  );
  const finish = db.prepare<[string, string, string]>(
    "UPDATE runs SET status = ?, ended_at = ? WHERE run_id = ? AND status = 'running'",
  );
  const withTag = db.prepare<[string, string], { run_id: string }>(
    `SELECT runs.run_id FROM run_tags JOIN runs ON runs.run_id = run_tags.run_id
       WHERE run_tags.key = ? AND run_tags.value = ? ORDER BY runs.started_at, runs.run_id`,
  );
  return {
    runByKey: (key) => byKey.get(key),
    run: (runId) => byId.get(runId),
    insertRun: (row) => void insert.run(row),
    insertTag: (runId, key, value) => void insertTag.run(runId, key, value),
    tags: (runId) => tags.all(runId),
    params: (runId) => params.all(runId),
    insertParam: (runId, key, value) => void insertParam.run(runId, key, value),
    finish: (runId, status, endedAt) => void finish.run(status, endedAt, runId),
    runsWithTag: (key, value) => withTag.all(key, value).map((row) => row.run_id),
  };
}

function prepareMetricQueries(db: SqliteDatabase) {
  const logByKey = db.prepare<[string], MetricLogRow>(
    'SELECT id, run_id, kind, logged_at, idempotency_key FROM metric_logs WHERE idempotency_key = ?',
  );
  const insertLog = db.prepare<Omit<MetricLogRow, 'id'>>(
    `INSERT INTO metric_logs (run_id, kind, logged_at, idempotency_key)
       VALUES (@run_id, @kind, @logged_at, @idempotency_key)`,
  );
  const put = db.prepare<[string, string, number, number, number]>(
    `INSERT INTO run_metrics (run_id, key, step, value, log_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id, key, step) DO UPDATE SET value = excluded.value, log_id = excluded.log_id`,
  );
  const latest = db.prepare<[string], MetricRow>(
    `SELECT key, step, value FROM run_metrics AS m
       WHERE run_id = ? AND step = (SELECT MAX(step) FROM run_metrics WHERE run_id = m.run_id AND key = m.key)
       ORDER BY key`,
  );
  const series = db.prepare<[string, string], MetricRow>(
    'SELECT key, step, value FROM run_metrics WHERE run_id = ? AND key = ? ORDER BY step',
  );
  return {
    metricLogByKey: (key: string) => logByKey.get(key),
    insertMetricLog: (row: Omit<MetricLogRow, 'id'>) => Number(insertLog.run(row).lastInsertRowid),
    putMetric: (runId: string, row: MetricRow, logId: number) =>
      void put.run(runId, row.key, row.step, row.value, logId),
    latestMetrics: (runId: string) => latest.all(runId),
    series: (runId: string, key: string) => series.all(runId, key),
  };
}

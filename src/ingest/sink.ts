/**
 * A RowSink that appends into the stage_* tables with DuckDB appenders (bulk, not INSERTs).
 * Column lists mirror the DDL in src/model/schema; a test checks them against DESCRIBE.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { RowSink } from './rows.js';

type Kind = 'str' | 'i64' | 'i32' | 'u32' | 'i8' | 'f64' | 'bool' | 'u64';

export const COLUMNS: Record<string, [string, Kind][]> = {
  resources: [
    ['resource_id', 'str'],
    ['service_name', 'str'],
    ['attributes', 'str'],
    ['schema_url', 'str'],
    ['dropped_attributes_count', 'i32'],
  ],
  scopes: [
    ['scope_id', 'str'],
    ['name', 'str'],
    ['version', 'str'],
    ['attributes', 'str'],
    ['schema_url', 'str'],
  ],
  spans: [
    ['record_key', 'i64'],
    ['trace_id', 'str'],
    ['span_id', 'str'],
    ['parent_span_id', 'str'],
    ['trace_state', 'str'],
    ['name', 'str'],
    ['kind', 'i8'],
    ['start_time_unix_nano', 'i64'],
    ['end_time_unix_nano', 'i64'],
    ['status_code', 'i8'],
    ['status_message', 'str'],
    ['flags', 'u32'],
    ['attributes', 'str'],
    ['dropped_attributes_count', 'i32'],
    ['event_count', 'i32'],
    ['link_count', 'i32'],
    ['resource_id', 'str'],
    ['scope_id', 'str'],
  ],
  span_events: [
    ['span_key', 'i64'],
    ['seq', 'i32'],
    ['trace_id', 'str'],
    ['span_id', 'str'],
    ['time_unix_nano', 'i64'],
    ['name', 'str'],
    ['attributes', 'str'],
  ],
  span_links: [
    ['span_key', 'i64'],
    ['seq', 'i32'],
    ['trace_id', 'str'],
    ['span_id', 'str'],
    ['linked_trace_id', 'str'],
    ['linked_span_id', 'str'],
    ['trace_state', 'str'],
    ['flags', 'u32'],
    ['attributes', 'str'],
  ],
  logs: [
    ['record_key', 'i64'],
    ['time_unix_nano', 'i64'],
    ['observed_time_unix_nano', 'i64'],
    ['ts_unix_nano', 'i64'],
    ['severity_number', 'i8'],
    ['severity_text', 'str'],
    ['body', 'str'],
    ['attributes', 'str'],
    ['dropped_attributes_count', 'i32'],
    ['flags', 'u32'],
    ['trace_id', 'str'],
    ['span_id', 'str'],
    ['event_name', 'str'],
    ['resource_id', 'str'],
    ['scope_id', 'str'],
  ],
};

const POINT_BASE: [string, Kind][] = [
  ['record_key', 'i64'],
  ['metric_name', 'str'],
  ['description', 'str'],
  ['unit', 'str'],
  ['temporality', 'i8'],
  ['start_time_unix_nano', 'i64'],
  ['time_unix_nano', 'i64'],
  ['attributes', 'str'],
  ['flags', 'u32'],
  ['exemplar_count', 'i32'],
  ['resource_id', 'str'],
  ['scope_id', 'str'],
];
COLUMNS.metric_number_points = [...POINT_BASE, ['metric_type', 'str'], ['is_monotonic', 'bool'], ['value_int', 'i64'], ['value_double', 'f64']];
const HIST_STATS: [string, Kind][] = [
  ['count', 'u64'],
  ['sum', 'f64'],
  ['min', 'f64'],
  ['max', 'f64'],
];
COLUMNS.metric_histogram_points = [...POINT_BASE, ...HIST_STATS, ['bucket_counts', 'str'], ['explicit_bounds', 'str']];
COLUMNS.metric_exp_histogram_points = [
  ...POINT_BASE,
  ...HIST_STATS,
  ['scale', 'i32'],
  ['zero_count', 'u64'],
  ['zero_threshold', 'f64'],
  ['positive_offset', 'i32'],
  ['positive_bucket_counts', 'str'],
  ['negative_offset', 'i32'],
  ['negative_bucket_counts', 'str'],
];
COLUMNS.metric_summary_points = [...POINT_BASE, ['count', 'u64'], ['sum', 'f64'], ['quantile_values', 'str']];

/** Tables whose rows carry the file_id of the file that held them (appended as the last column). */
const WITH_FILE_ID = new Set(['spans', 'span_events', 'span_links', 'logs', 'metric_number_points', 'metric_histogram_points', 'metric_exp_histogram_points', 'metric_summary_points']);

function appendValue(a: DuckDBAppender, kind: Kind, v: unknown): void {
  if (v === null || v === undefined) {
    a.appendNull();
    return;
  }
  switch (kind) {
    case 'str':
      a.appendVarchar(v as string);
      break;
    case 'i64':
      a.appendBigInt(v as bigint);
      break;
    case 'u64':
      a.appendUBigInt(v as bigint);
      break;
    case 'i32':
      a.appendInteger(v as number);
      break;
    case 'u32':
      a.appendUInteger(v as number);
      break;
    case 'i8':
      a.appendTinyInt(v as number);
      break;
    case 'f64':
      a.appendDouble(v as number);
      break;
    case 'bool':
      a.appendBoolean(v as boolean);
      break;
  }
}

export class StageSink implements RowSink {
  fileId = 0;
  private appenders = new Map<string, DuckDBAppender>();

  private constructor() {}

  static async open(conn: DuckDBConnection): Promise<StageSink> {
    const s = new StageSink();
    for (const t of Object.keys(COLUMNS)) s.appenders.set(t, await conn.createAppender(`stage_${t}`));
    return s;
  }

  private put(table: string, row: object): void {
    const a = this.appenders.get(table)!;
    const r = row as Record<string, unknown>;
    for (const [col, kind] of COLUMNS[table]) appendValue(a, kind, r[col]);
    if (WITH_FILE_ID.has(table)) a.appendInteger(this.fileId);
    a.endRow();
  }

  resource = (r: object) => this.put('resources', r);
  scope = (r: object) => this.put('scopes', r);
  span = (r: object) => this.put('spans', r);
  spanEvent = (r: object) => this.put('span_events', r);
  spanLink = (r: object) => this.put('span_links', r);
  log = (r: object) => this.put('logs', r);
  numberPoint = (r: object) => this.put('metric_number_points', r);
  histogramPoint = (r: object) => this.put('metric_histogram_points', r);
  expHistogramPoint = (r: object) => this.put('metric_exp_histogram_points', r);
  summaryPoint = (r: object) => this.put('metric_summary_points', r);

  flush(): void {
    for (const a of this.appenders.values()) a.flushSync();
  }

  close(): void {
    for (const a of this.appenders.values()) a.closeSync();
    this.appenders.clear();
  }
}

/**
 * Column lists of the raw tables, in DDL order (src/model/schema; a test checks them against the
 * database), and the CSV sink that stages rows for DuckDB's bulk loader.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RowSink } from './rows.js';

export type Kind = 'str' | 'i64' | 'i32' | 'u32' | 'i8' | 'f64' | 'bool' | 'u64';

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
export const WITH_FILE_ID = new Set(['spans', 'span_events', 'span_links', 'logs', 'metric_number_points', 'metric_histogram_points', 'metric_exp_histogram_points', 'metric_summary_points']);

const RS = '\x1e';

function csvField(kind: Kind, v: unknown): string {
  if (v === null || v === undefined) return '';
  switch (kind) {
    case 'str': {
      // The quote is the control character RS (0x1e): JSON text never holds it raw, so the
      // attribute JSON is written as is, without the copy that escaping '"' would cost.
      const t = v as string;
      return t.indexOf(RS) < 0 ? RS + t + RS : RS + t.split(RS).join(RS + RS) + RS;
    }
    case 'f64':
      // JS prints the shortest text that reads back to the same double; DuckDB reads NaN/Infinity.
      return String(v);
    case 'bool':
      return v ? 'true' : 'false';
    default:
      return String(v);
  }
}

/**
 * A RowSink that writes one CSV file per table (on a worker thread), which DuckDB then loads with
 * its parallel CSV reader: appending value by value through N-API cost more than parsing the input.
 * Strings are always quoted (with RS, 0x1e), so an unquoted empty field is NULL and a quoted empty
 * one is an empty string.
 */
export class CsvSink implements RowSink {
  fileId = 0;
  private buffers = new Map<string, string[]>();
  private sizes = new Map<string, number>();
  private fds = new Map<string, number>();
  readonly files: { table: string; path: string }[] = [];

  constructor(
    private readonly dir: string,
    private readonly tag: string,
    private readonly flushAt = 4 << 20,
  ) {}

  private put(table: string, row: object): void {
    const r = row as Record<string, unknown>;
    const cols = COLUMNS[table];
    let line = '';
    for (let i = 0; i < cols.length; i++) line += (i ? ',' : '') + csvField(cols[i][1], r[cols[i][0]]);
    if (WITH_FILE_ID.has(table)) line += ',' + this.fileId;
    line += '\n';
    let buf = this.buffers.get(table);
    if (!buf) this.buffers.set(table, (buf = []));
    buf.push(line);
    const size = (this.sizes.get(table) ?? 0) + line.length;
    this.sizes.set(table, size);
    if (size >= this.flushAt) this.flushTable(table);
  }

  private flushTable(table: string): void {
    const buf = this.buffers.get(table);
    if (!buf || buf.length === 0) return;
    let fd = this.fds.get(table);
    if (fd === undefined) {
      const path = join(this.dir, `${table}.${this.tag}.csv`);
      fd = openSync(path, 'w');
      this.fds.set(table, fd);
      this.files.push({ table, path });
    }
    writeSync(fd, buf.join(''));
    this.buffers.set(table, []);
    this.sizes.set(table, 0);
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

  /** Write what is buffered and close the files; returns every file written. */
  finish(): { table: string; path: string }[] {
    for (const t of this.buffers.keys()) this.flushTable(t);
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    return this.files;
  }
}

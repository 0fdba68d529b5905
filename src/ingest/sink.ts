/**
 * Column lists of the raw tables, in DDL order (src/model/schema; a test checks them against the
 * database), and the CSV sink that stages rows for DuckDB's bulk loader.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RawSpans } from './otlp-json.js';
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

// Strings are quoted with RS (0x1e): JSON text never holds it raw, so the attribute JSON is
// written as is, without the copy that escaping '"' would cost.
function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  const t = v as string;
  return t.indexOf(RS) < 0 ? RS + t + RS : RS + t.split(RS).join(RS + RS) + RS;
}

// Numbers and 64-bit integers (bigint or canonical digit text); JS prints the shortest text that
// reads back to the same double, and DuckDB reads NaN/Infinity.
function num(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function boolText(v: unknown): string {
  return v === null || v === undefined ? '' : v ? 'true' : 'false';
}

type RowWriter = (row: object, fileId: number) => string;

/**
 * One CSV line writer per table, generated from COLUMNS: a straight concatenation of the row's
 * fields, which costs a third of a loop that looks up each column's kind per value.
 */
function rowWriter(table: string): RowWriter {
  const parts = COLUMNS[table].map(([name, kind]) => `${kind === 'str' ? 'str' : kind === 'bool' ? 'boolText' : 'num'}(r[${JSON.stringify(name)}])`);
  if (WITH_FILE_ID.has(table)) parts.push('fileId');
  const body = `return (r, fileId) => ${parts.join(" + ',' + ")} + '\\n';`;
  return new Function('str', 'num', 'boolText', body)(str, num, boolText) as RowWriter;
}

class TableFile {
  private readonly buf: Buffer;
  private used = 0;
  private fd: number | null = null;

  constructor(
    readonly table: string,
    readonly path: string,
    readonly write: RowWriter,
    private readonly size: number,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  add(line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; Buffer.write would cut a line that did not fit.
    if (this.used + line.length * 3 > this.size) {
      this.flush();
      if (line.length * 3 > this.size) {
        this.writeOut(Buffer.from(line, 'utf8'));
        return;
      }
    }
    this.used += this.buf.write(line, this.used, 'utf8');
  }

  /** Bytes that are whole rows already (RawSpans). */
  addBytes(b: Buffer): void {
    if (this.used + b.length > this.size) {
      this.flush();
      if (b.length > this.size) {
        this.writeOut(b);
        return;
      }
    }
    this.used += b.copy(this.buf, this.used);
  }

  private writeOut(b: Buffer): void {
    if (b.length === 0) return;
    if (this.fd === null) this.fd = openSync(this.path, 'w');
    writeSync(this.fd, b);
  }

  flush(): void {
    this.writeOut(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  /** Flush and close; true when the file exists (something was written). */
  close(): boolean {
    this.flush();
    if (this.fd === null) return false;
    closeSync(this.fd);
    this.fd = null;
    return true;
  }
}

/**
 * A RowSink that writes one CSV file per table (on a worker thread), which DuckDB then loads with
 * its parallel CSV reader: appending value by value through N-API cost more than parsing the input.
 * Strings are always quoted (with RS, 0x1e), so an unquoted empty field is NULL and a quoted empty
 * one is an empty string. otlp-json.ts writes span rows in this same format (RawSpans).
 */
export class CsvSink implements RowSink {
  fileId = 0;
  private tables = new Map<string, TableFile>();
  private written: { table: string; path: string }[] = [];

  constructor(
    private readonly dir: string,
    private readonly tag: string,
    private readonly bufferBytes = 4 << 20,
  ) {}

  private file(table: string): TableFile {
    let f = this.tables.get(table);
    if (!f) {
      f = new TableFile(table, join(this.dir, `${table}.${this.tag}.csv`), rowWriter(table), this.bufferBytes);
      this.tables.set(table, f);
    }
    return f;
  }

  private put(table: string, row: object): void {
    const f = this.tables.get(table) ?? this.file(table);
    f.add(f.write(row, this.fileId));
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
  rawSpans = (raw: RawSpans, resourceId: string, scopeId: string) => {
    const rows = raw.rows(resourceId, scopeId);
    if (rows.spans.length) this.file('spans').addBytes(rows.spans);
    if (rows.events.length) this.file('span_events').addBytes(rows.events);
  };

  /** Write what is buffered and close the files; returns every file written. */
  finish(): { table: string; path: string }[] {
    for (const f of this.tables.values()) if (f.close()) this.written.push({ table: f.table, path: f.path });
    this.tables.clear();
    return this.written;
  }
}

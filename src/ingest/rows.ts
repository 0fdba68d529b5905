/**
 * Row shapes of the raw tables (src/model/schema/*.sql). The flattener produces them, the loader
 * appends them; column order here is the column order of the DDL.
 * 64-bit values travel as canonical decimal text (`Int64`; record keys as bigint), JSON columns
 * as JSON text.
 */
import type { RawSpans } from './otlp-json.js';

/** A 64-bit integer as canonical decimal digits (anyvalue.ts int64Text). */
export type Int64 = string;

export interface ResourceRow {
  resource_id: string;
  service_name: string;
  attributes: string;
  schema_url: string;
  dropped_attributes_count: number;
}

export interface ScopeRow {
  scope_id: string;
  name: string;
  version: string;
  attributes: string;
  schema_url: string;
}

export interface SpanRow {
  record_key: bigint;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  trace_state: string;
  name: string;
  kind: number;
  start_time_unix_nano: Int64;
  end_time_unix_nano: Int64;
  status_code: number;
  status_message: string;
  flags: number;
  attributes: string;
  dropped_attributes_count: number;
  event_count: number;
  link_count: number;
  resource_id: string;
  scope_id: string;
}

export interface SpanEventRow {
  span_key: bigint;
  seq: number;
  trace_id: string;
  span_id: string;
  time_unix_nano: Int64;
  name: string;
  attributes: string;
}

export interface SpanLinkRow {
  span_key: bigint;
  seq: number;
  trace_id: string;
  span_id: string;
  linked_trace_id: string;
  linked_span_id: string;
  trace_state: string;
  flags: number;
  attributes: string;
}

export interface LogRow {
  record_key: bigint;
  time_unix_nano: Int64;
  observed_time_unix_nano: Int64;
  /** time, else observed time, else the `event.timestamp` attribute; 0 when none is known. */
  ts_unix_nano: Int64;
  severity_number: number;
  severity_text: string;
  body: string;
  attributes: string;
  dropped_attributes_count: number;
  flags: number;
  trace_id: string;
  span_id: string;
  event_name: string;
  resource_id: string;
  scope_id: string;
}

interface PointBase {
  record_key: bigint;
  metric_name: string;
  description: string;
  unit: string;
  temporality: number;
  start_time_unix_nano: Int64;
  time_unix_nano: Int64;
  attributes: string;
  flags: number;
  exemplar_count: number;
  resource_id: string;
  scope_id: string;
}

export interface NumberPointRow extends PointBase {
  metric_type: 'gauge' | 'sum';
  is_monotonic: boolean;
  value_int: Int64 | null;
  value_double: number | null;
}

export interface HistogramPointRow extends PointBase {
  count: Int64;
  sum: number | null;
  min: number | null;
  max: number | null;
  bucket_counts: string;
  explicit_bounds: string;
}

export interface ExpHistogramPointRow extends PointBase {
  count: Int64;
  sum: number | null;
  min: number | null;
  max: number | null;
  scale: number;
  zero_count: Int64;
  zero_threshold: number;
  positive_offset: number;
  positive_bucket_counts: string;
  negative_offset: number;
  negative_bucket_counts: string;
}

export interface SummaryPointRow extends PointBase {
  count: Int64;
  sum: number;
  quantile_values: string;
}

export interface RowSink {
  /** Span rows the parser wrote as CSV (otlp-json.ts RawSpans); only CsvSink takes them. */
  rawSpans?(raw: RawSpans, resourceId: string, scopeId: string): void;
  resource(r: ResourceRow): void;
  scope(r: ScopeRow): void;
  span(r: SpanRow): void;
  spanEvent(r: SpanEventRow): void;
  spanLink(r: SpanLinkRow): void;
  log(r: LogRow): void;
  numberPoint(r: NumberPointRow): void;
  histogramPoint(r: HistogramPointRow): void;
  expHistogramPoint(r: ExpHistogramPointRow): void;
  summaryPoint(r: SummaryPointRow): void;
}

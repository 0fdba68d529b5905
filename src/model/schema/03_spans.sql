-- Spans. record_key identifies the span (trace id, span id, start) across files and encodings.
CREATE TABLE IF NOT EXISTS spans (
  record_key BIGINT NOT NULL,
  trace_id VARCHAR NOT NULL,
  span_id VARCHAR NOT NULL,
  parent_span_id VARCHAR NOT NULL,
  trace_state VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  kind TINYINT NOT NULL,
  start_time_unix_nano BIGINT NOT NULL,
  end_time_unix_nano BIGINT NOT NULL,
  status_code TINYINT NOT NULL,
  status_message VARCHAR NOT NULL,
  flags UINTEGER NOT NULL,
  attributes JSON NOT NULL,
  dropped_attributes_count INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  link_count INTEGER NOT NULL,
  resource_id VARCHAR NOT NULL,
  scope_id VARCHAR NOT NULL,
  file_id INTEGER NOT NULL
);

-- Span events, one row each, joined to spans by span_key = spans.record_key.
CREATE TABLE IF NOT EXISTS span_events (
  span_key BIGINT NOT NULL,
  seq INTEGER NOT NULL,
  trace_id VARCHAR NOT NULL,
  span_id VARCHAR NOT NULL,
  time_unix_nano BIGINT NOT NULL,
  name VARCHAR NOT NULL,
  attributes JSON NOT NULL,
  file_id INTEGER NOT NULL
);

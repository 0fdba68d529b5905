-- Span links, one row each, joined to spans by span_key = spans.record_key.
CREATE TABLE IF NOT EXISTS span_links (
  span_key BIGINT NOT NULL,
  seq INTEGER NOT NULL,
  trace_id VARCHAR NOT NULL,
  span_id VARCHAR NOT NULL,
  linked_trace_id VARCHAR NOT NULL,
  linked_span_id VARCHAR NOT NULL,
  trace_state VARCHAR NOT NULL,
  flags UINTEGER NOT NULL,
  attributes JSON NOT NULL,
  file_id INTEGER NOT NULL
);

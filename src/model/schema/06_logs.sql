-- Log records. ts_unix_nano is the record's effective time: time_unix_nano, else the observed
-- time, else the event.timestamp attribute (Codex sends time_unix_nano = 0).
CREATE TABLE IF NOT EXISTS logs (
  record_key BIGINT NOT NULL,
  time_unix_nano BIGINT NOT NULL,
  observed_time_unix_nano BIGINT NOT NULL,
  ts_unix_nano BIGINT NOT NULL,
  severity_number TINYINT NOT NULL,
  severity_text VARCHAR NOT NULL,
  body JSON NOT NULL,
  attributes JSON NOT NULL,
  dropped_attributes_count INTEGER NOT NULL,
  flags UINTEGER NOT NULL,
  trace_id VARCHAR NOT NULL,
  span_id VARCHAR NOT NULL,
  event_name VARCHAR NOT NULL,
  resource_id VARCHAR NOT NULL,
  scope_id VARCHAR NOT NULL,
  file_id INTEGER NOT NULL
);

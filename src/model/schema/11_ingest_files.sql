-- One row per input file per load. status 'loaded' or 'already-loaded' (same sha256 seen before).
-- records_* count what the file held; new_* what this load added (the rest were duplicates).
CREATE TABLE IF NOT EXISTS ingest_files (
  file_id INTEGER NOT NULL,
  path VARCHAR NOT NULL,
  size_bytes UBIGINT NOT NULL,
  sha256 VARCHAR NOT NULL,
  compression VARCHAR NOT NULL,
  format VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  requests INTEGER NOT NULL,
  spans BIGINT NOT NULL,
  logs BIGINT NOT NULL,
  metric_points BIGINT NOT NULL,
  new_spans BIGINT NOT NULL,
  new_logs BIGINT NOT NULL,
  new_metric_points BIGINT NOT NULL,
  skipped BIGINT NOT NULL,
  errors INTEGER NOT NULL,
  min_time_unix_nano BIGINT,
  max_time_unix_nano BIGINT,
  service_names VARCHAR[] NOT NULL,
  loaded_at TIMESTAMP NOT NULL,
  duration_ms DOUBLE NOT NULL
);

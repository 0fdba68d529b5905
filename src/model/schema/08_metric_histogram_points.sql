-- Explicit-bucket histogram data points; bucket_counts and explicit_bounds are JSON arrays
-- (cast to UBIGINT[] / DOUBLE[] when needed: they are rarely read and appending lists is slow).
CREATE TABLE IF NOT EXISTS metric_histogram_points (
  record_key BIGINT NOT NULL,
  metric_name VARCHAR NOT NULL,
  description VARCHAR NOT NULL,
  unit VARCHAR NOT NULL,
  temporality TINYINT NOT NULL,
  start_time_unix_nano BIGINT NOT NULL,
  time_unix_nano BIGINT NOT NULL,
  attributes JSON NOT NULL,
  flags UINTEGER NOT NULL,
  exemplar_count INTEGER NOT NULL,
  resource_id VARCHAR NOT NULL,
  scope_id VARCHAR NOT NULL,
  count UBIGINT NOT NULL,
  sum DOUBLE,
  min DOUBLE,
  max DOUBLE,
  bucket_counts JSON NOT NULL,
  explicit_bounds JSON NOT NULL,
  file_id INTEGER NOT NULL
);

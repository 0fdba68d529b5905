-- Gauge and Sum data points. temporality: 0 none (gauge), 1 DELTA, 2 CUMULATIVE.
-- Exactly one of value_int / value_double is set.
CREATE TABLE IF NOT EXISTS metric_number_points (
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
  metric_type VARCHAR NOT NULL,
  is_monotonic BOOLEAN NOT NULL,
  value_int BIGINT,
  value_double DOUBLE,
  file_id INTEGER NOT NULL
);

-- Summary data points (quantiles cannot be aggregated; kept for completeness).
CREATE TABLE IF NOT EXISTS metric_summary_points (
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
  sum DOUBLE NOT NULL,
  quantile_values JSON NOT NULL,
  file_id INTEGER NOT NULL
);

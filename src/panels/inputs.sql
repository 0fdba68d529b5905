-- What was loaded into this database, over all loads (files, records, skipped, problems).

-- name: files
SELECT file_id, path, size_bytes, compression, format, status, requests, spans, logs, metric_points,
       new_spans, new_logs, new_metric_points, skipped, errors, service_names
FROM ingest_files
ORDER BY file_id;

-- name: errors
SELECT e.path, e.line, e.byte_offset, e.records_skipped, e.message
FROM ingest_errors e
ORDER BY e.file_id, e.line NULLS LAST, e.byte_offset NULLS LAST
LIMIT 500;

-- name: stored
SELECT
  (SELECT count(*) FROM spans) AS spans,
  (SELECT count(*) FROM logs) AS logs,
  (SELECT count(*) FROM metric_number_points) + (SELECT count(*) FROM metric_histogram_points)
  + (SELECT count(*) FROM metric_exp_histogram_points) + (SELECT count(*) FROM metric_summary_points) AS metric_points,
  (SELECT min(ts_unix_nano) FROM logs WHERE ts_unix_nano > 0) AS min_log_ns,
  (SELECT max(ts_unix_nano) FROM logs) AS max_log_ns;

-- name: range
SELECT min(ts) AS first_ts, max(ts) AS last_ts FROM model_calls;

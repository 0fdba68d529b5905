-- What was loaded into this database, over all loads (files, records, skipped, problems).

-- name: file_totals
SELECT
  count(*) AS files,
  count(*) FILTER (WHERE status = 'loaded') AS loaded,
  count(*) FILTER (WHERE status IN ('not-telemetry', 'empty')) AS not_telemetry,
  coalesce(sum(spans), 0) AS spans,
  coalesce(sum(logs), 0) AS logs,
  coalesce(sum(metric_points), 0) AS metric_points,
  coalesce(sum(skipped), 0) AS skipped
FROM ingest_files;

-- name: files
-- At most 500, in load order: an archive of one request per file is thousands (the 1 GB bench as
-- bodies: 13,218 files, a 3.9 MB summary.json and +0.15 s per report when all were listed). When
-- there are more, the files with skipped records or not loaded are kept first.
SELECT file_id, path, size_bytes, compression, format, status, requests, spans, logs, metric_points,
       new_spans, new_logs, new_metric_points, skipped, errors, service_names
FROM (
  SELECT *, row_number() OVER (ORDER BY CASE WHEN skipped > 0 OR status NOT IN ('loaded', 'already-loaded') THEN 0 ELSE 1 END, file_id) AS pick
  FROM ingest_files
) f
WHERE pick <= 500
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

-- After load_csv.sql: each record once. A record held by several files (a JSONL line and the same
-- request as a raw body, a replay in a rotated file, a file loaded by an earlier run) belongs to
-- the first file that held it (lowest file_id); the later copies are deleted. Only keys that this
-- load ($first_file_id and up) brought in are examined, so the cost follows the keys, not history.
DELETE FROM spans WHERE rowid IN (
  SELECT rowid FROM spans
  WHERE record_key IN (
    SELECT record_key FROM spans
    WHERE record_key IN (SELECT record_key FROM spans WHERE file_id >= $first_file_id)
    GROUP BY record_key HAVING count(*) > 1)
  QUALIFY row_number() OVER (PARTITION BY record_key ORDER BY file_id, rowid) > 1);

DELETE FROM span_events WHERE rowid IN (
  SELECT rowid FROM span_events
  WHERE (span_key, seq) IN (
    SELECT (span_key, seq) FROM span_events
    WHERE span_key IN (SELECT span_key FROM span_events WHERE file_id >= $first_file_id)
    GROUP BY span_key, seq HAVING count(*) > 1)
  QUALIFY row_number() OVER (PARTITION BY span_key, seq ORDER BY file_id, rowid) > 1);

DELETE FROM span_links WHERE rowid IN (
  SELECT rowid FROM span_links
  WHERE (span_key, seq) IN (
    SELECT (span_key, seq) FROM span_links
    WHERE span_key IN (SELECT span_key FROM span_links WHERE file_id >= $first_file_id)
    GROUP BY span_key, seq HAVING count(*) > 1)
  QUALIFY row_number() OVER (PARTITION BY span_key, seq ORDER BY file_id, rowid) > 1);

DELETE FROM logs WHERE rowid IN (
  SELECT rowid FROM logs
  WHERE record_key IN (
    SELECT record_key FROM logs
    WHERE record_key IN (SELECT record_key FROM logs WHERE file_id >= $first_file_id)
    GROUP BY record_key HAVING count(*) > 1)
  QUALIFY row_number() OVER (PARTITION BY record_key ORDER BY file_id, rowid) > 1);

DELETE FROM metric_number_points WHERE rowid IN (
  SELECT rowid FROM metric_number_points
  WHERE record_key IN (
    SELECT record_key FROM metric_number_points
    WHERE record_key IN (SELECT record_key FROM metric_number_points WHERE file_id >= $first_file_id)
    GROUP BY record_key HAVING count(*) > 1)
  QUALIFY row_number() OVER (PARTITION BY record_key ORDER BY file_id, rowid) > 1);

DELETE FROM metric_histogram_points WHERE rowid IN (
  SELECT rowid FROM metric_histogram_points
  WHERE record_key IN (
    SELECT record_key FROM metric_histogram_points
    WHERE record_key IN (SELECT record_key FROM metric_histogram_points WHERE file_id >= $first_file_id)
    GROUP BY record_key HAVING count(*) > 1)
  QUALIFY row_number() OVER (PARTITION BY record_key ORDER BY file_id, rowid) > 1);

DELETE FROM metric_exp_histogram_points WHERE rowid IN (
  SELECT rowid FROM metric_exp_histogram_points
  WHERE record_key IN (
    SELECT record_key FROM metric_exp_histogram_points
    WHERE record_key IN (SELECT record_key FROM metric_exp_histogram_points WHERE file_id >= $first_file_id)
    GROUP BY record_key HAVING count(*) > 1)
  QUALIFY row_number() OVER (PARTITION BY record_key ORDER BY file_id, rowid) > 1);

DELETE FROM metric_summary_points WHERE rowid IN (
  SELECT rowid FROM metric_summary_points
  WHERE record_key IN (
    SELECT record_key FROM metric_summary_points
    WHERE record_key IN (SELECT record_key FROM metric_summary_points WHERE file_id >= $first_file_id)
    GROUP BY record_key HAVING count(*) > 1)
  QUALIFY row_number() OVER (PARTITION BY record_key ORDER BY file_id, rowid) > 1);

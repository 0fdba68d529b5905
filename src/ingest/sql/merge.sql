-- Move staged records into the real tables, each record once: the first file (lowest file_id)
-- that held a record owns it; records already stored by an earlier load are dropped.
INSERT INTO resources
SELECT DISTINCT ON (resource_id) * FROM stage_resources s
WHERE NOT EXISTS (SELECT 1 FROM resources t WHERE t.resource_id = s.resource_id);

INSERT INTO scopes
SELECT DISTINCT ON (scope_id) * FROM stage_scopes s
WHERE NOT EXISTS (SELECT 1 FROM scopes t WHERE t.scope_id = s.scope_id);

INSERT INTO spans
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY record_key ORDER BY file_id) AS rn FROM stage_spans
) s
WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM spans t WHERE t.record_key = s.record_key);

INSERT INTO span_events
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY span_key, seq ORDER BY file_id) AS rn FROM stage_span_events
) s
WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM span_events t WHERE t.span_key = s.span_key AND t.seq = s.seq);

INSERT INTO span_links
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY span_key, seq ORDER BY file_id) AS rn FROM stage_span_links
) s
WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM span_links t WHERE t.span_key = s.span_key AND t.seq = s.seq);

INSERT INTO logs
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY record_key ORDER BY file_id) AS rn FROM stage_logs
) s
WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM logs t WHERE t.record_key = s.record_key);

INSERT INTO metric_number_points
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY record_key ORDER BY file_id) AS rn FROM stage_metric_number_points
) s
WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM metric_number_points t WHERE t.record_key = s.record_key);

INSERT INTO metric_histogram_points
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY record_key ORDER BY file_id) AS rn FROM stage_metric_histogram_points
) s
WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM metric_histogram_points t WHERE t.record_key = s.record_key);

INSERT INTO metric_exp_histogram_points
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY record_key ORDER BY file_id) AS rn FROM stage_metric_exp_histogram_points
) s
WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM metric_exp_histogram_points t WHERE t.record_key = s.record_key);

INSERT INTO metric_summary_points
SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY record_key ORDER BY file_id) AS rn FROM stage_metric_summary_points
) s
WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM metric_summary_points t WHERE t.record_key = s.record_key);

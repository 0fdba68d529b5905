-- Records each file of this load kept (after dedup.sql): the rest of what it held were duplicates.
WITH kept AS (
  SELECT file_id, 'span' AS kind FROM spans WHERE file_id >= $first_file_id
  UNION ALL SELECT file_id, 'log' FROM logs WHERE file_id >= $first_file_id
  UNION ALL SELECT file_id, 'point' FROM metric_number_points WHERE file_id >= $first_file_id
  UNION ALL SELECT file_id, 'point' FROM metric_histogram_points WHERE file_id >= $first_file_id
  UNION ALL SELECT file_id, 'point' FROM metric_exp_histogram_points WHERE file_id >= $first_file_id
  UNION ALL SELECT file_id, 'point' FROM metric_summary_points WHERE file_id >= $first_file_id
)
SELECT file_id,
  count(*) FILTER (WHERE kind = 'span') AS new_spans,
  count(*) FILTER (WHERE kind = 'log') AS new_logs,
  count(*) FILTER (WHERE kind = 'point') AS new_metric_points
FROM kept
GROUP BY file_id
ORDER BY file_id;

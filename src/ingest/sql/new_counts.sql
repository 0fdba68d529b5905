-- Records each file of this load added (after merge.sql): the rest of what it held were duplicates.
SELECT f.file_id,
  (SELECT count(*) FROM spans s WHERE s.file_id = f.file_id) AS new_spans,
  (SELECT count(*) FROM logs l WHERE l.file_id = f.file_id) AS new_logs,
  (SELECT count(*) FROM metric_number_points p WHERE p.file_id = f.file_id)
  + (SELECT count(*) FROM metric_histogram_points p WHERE p.file_id = f.file_id)
  + (SELECT count(*) FROM metric_exp_histogram_points p WHERE p.file_id = f.file_id)
  + (SELECT count(*) FROM metric_summary_points p WHERE p.file_id = f.file_id) AS new_metric_points
FROM (SELECT unnest($file_ids::INTEGER[]) AS file_id) f
ORDER BY f.file_id;

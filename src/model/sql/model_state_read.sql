-- The stored facts' version and the loads they cover, beside the loads in the database now. Only
-- files that were loaded count: a run that adds nothing (files seen before, files that are not
-- telemetry) leaves the facts current.
SELECT
  (SELECT version FROM model_state) AS version,
  (SELECT max_file_id FROM model_state) AS max_file_id,
  (SELECT coalesce(max(file_id), 0) FROM ingest_files WHERE status = 'loaded') AS loaded_max_file_id;

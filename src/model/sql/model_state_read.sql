-- The stored facts' version and the loads they cover, beside the loads in the database now.
SELECT
  (SELECT version FROM model_state) AS version,
  (SELECT max_file_id FROM model_state) AS max_file_id,
  (SELECT coalesce(max(file_id), 0) FROM ingest_files) AS loaded_max_file_id;

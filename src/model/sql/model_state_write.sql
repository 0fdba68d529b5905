-- Record which model version built the fact_* tables, and from which loads (the files loaded).
CREATE OR REPLACE TABLE model_state AS
SELECT CAST($version AS VARCHAR) AS version,
       (SELECT coalesce(max(file_id), 0) FROM ingest_files WHERE status = 'loaded') AS max_file_id,
       CAST(now() AS TIMESTAMP) AS built_at;

-- Record which model version built the fact_* tables, and from which loads.
CREATE OR REPLACE TABLE model_state AS
SELECT CAST($version AS VARCHAR) AS version,
       (SELECT coalesce(max(file_id), 0) FROM ingest_files) AS max_file_id,
       CAST(now() AS TIMESTAMP) AS built_at;

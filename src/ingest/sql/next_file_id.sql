-- The next free file id.
SELECT coalesce(max(file_id), 0) + 1 AS next_id FROM ingest_files;

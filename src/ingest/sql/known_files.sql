-- Files loaded before, by content hash: a file with the same bytes is not read again.
SELECT sha256, min(path) AS path, min(compression) AS compression, min(format) AS format
FROM ingest_files
WHERE status = 'loaded'
GROUP BY sha256;

-- Contents recorded by earlier loads, by hash. A file with the same bytes as a loaded one is not
-- read again (`loaded`, with where it was loaded from); a file with the same bytes as any recorded
-- one (loaded, or judged not telemetry or empty) is not recorded again.
SELECT sha256,
       bool_or(status = 'loaded') AS loaded,
       min(path) FILTER (WHERE status = 'loaded') AS path,
       min(compression) FILTER (WHERE status = 'loaded') AS compression,
       min(format) FILTER (WHERE status = 'loaded') AS format
FROM ingest_files
GROUP BY sha256;

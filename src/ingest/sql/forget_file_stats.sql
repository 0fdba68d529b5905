-- Before the files hashed by this load are recorded again: their earlier rows.
DELETE FROM ingest_file_stats WHERE path IN (SELECT unnest($paths));

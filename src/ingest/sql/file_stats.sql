-- The files hashed by earlier loads, as they looked then (model/schema/14_ingest_file_stats.sql).
SELECT path, size_bytes, mtime_ns, ctime_ns, inode, sha256, hashed_at_ns FROM ingest_file_stats;

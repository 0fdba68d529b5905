-- What each file looked like when its bytes were last hashed, by absolute path. A file whose size,
-- modification and change times and inode are all as recorded, and that had not changed for a
-- while before it was hashed (hashed_at_ns), is taken to hold the same bytes: it is recognised
-- without being read again (src/ingest/load.ts).
CREATE TABLE IF NOT EXISTS ingest_file_stats (
  path VARCHAR NOT NULL,
  size_bytes UBIGINT NOT NULL,
  mtime_ns BIGINT NOT NULL,
  ctime_ns BIGINT NOT NULL,
  inode UBIGINT NOT NULL,
  sha256 VARCHAR NOT NULL,
  hashed_at_ns BIGINT NOT NULL
);

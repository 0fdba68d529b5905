-- Every problem found while loading: file, where (line or byte offset), what.
CREATE TABLE IF NOT EXISTS ingest_errors (
  file_id INTEGER NOT NULL,
  path VARCHAR NOT NULL,
  line BIGINT,
  byte_offset BIGINT,
  records_skipped BIGINT NOT NULL,
  message VARCHAR NOT NULL
);

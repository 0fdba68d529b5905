// Regenerates src/ingest/sql/load_csv.sql and dedup.sql from the column lists in src/ingest/sink.ts
// (src/ingest/load-sql.ts makes the text). Run from the repository root after npm run build:
//   node scripts/gen-ingest-sql.mjs
import { writeFileSync } from 'node:fs';
import { dedupSql, loadCsvSql } from '../dist/src/ingest/load-sql.js';

writeFileSync('src/ingest/sql/load_csv.sql', loadCsvSql());
writeFileSync('src/ingest/sql/dedup.sql', dedupSql());

/**
 * @duckdb/node-api, loaded through `require`. The package is CommonJS; importing it as ESM makes
 * Node's loader scan every file it re-exports for named exports, ~100 ms of every command's
 * start-up (measured: `import()` 190–250 ms, `require` ~100 ms). Both give the same module instance.
 */
import { createRequire } from 'node:module';
import type * as Api from '@duckdb/node-api';

const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof Api;

export const { DuckDBInstance, DuckDBDecimalValue, LIST, VARCHAR, dateValue, listValue, timestampValue } = duckdb;
export type { DuckDBAppender, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
export type DuckDBInstance = Api.DuckDBInstance;

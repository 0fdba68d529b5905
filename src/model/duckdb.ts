/**
 * @duckdb/node-api, loaded as one file with V8's code cache when the build made that file
 * (scripts/bundle-duckdb.mjs, for the installed version), else through `require`.
 *
 * The package is 181 CommonJS files. Importing it as ESM makes Node's loader scan every file it
 * re-exports for named exports (`import()` 190–250 ms); `require` finds, reads and compiles them
 * one by one, with no code cache on Node 20 (~100 ms); the bundle with its code cache takes ~40 ms
 * (measured with the first query included: ~150 → ~90 ms). All three give the same API. Everything
 * here uses this module's classes and values, never the package's own: the API checks values with
 * `instanceof`, and the bundle's classes are not the package's.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Api from '@duckdb/node-api';
import { loadBundle, type LoadedBundle } from '../code-cache.js';
import { fromRoot } from '../paths.js';

const require = createRequire(import.meta.url);
let bundle: LoadedBundle | undefined;

function load(): typeof Api {
  try {
    const { version } = require('@duckdb/node-api/package.json') as { version: string };
    const file = fromRoot('dist', 'vendor', `duckdb-node-api-${version}.cjs`);
    if (existsSync(file)) {
      bundle = loadBundle(file, { '@duckdb/node-bindings': require('@duckdb/node-bindings'), os: require('node:os') }, 'duckdb');
      return bundle.exports as unknown as typeof Api;
    }
  } catch {
    // a bundle that does not load (another version's requires, say): the package itself
  }
  return require('@duckdb/node-api') as typeof Api;
}

const duckdb = load();

export const { DuckDBInstance, DuckDBDecimalValue, LIST, VARCHAR, dateValue, listValue, timestampValue } = duckdb;
export type { DuckDBAppender, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
export type DuckDBInstance = Api.DuckDBInstance;

/** Keep the bundle's compiled code for the next run (once; the cache-loading run skips this). */
export function saveDuckDBCodeCache(): void {
  bundle?.saveCache();
}

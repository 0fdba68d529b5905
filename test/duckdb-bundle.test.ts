/**
 * @duckdb/node-api as one file (scripts/bundle-duckdb.mjs, run by `npm run build`, which `npm test`
 * runs first): the same API as the package, working, and what src/model/duckdb.ts loads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../src/code-cache.js';
import * as ours from '../src/model/duckdb.js';
import { fromRoot } from '../src/paths.js';

const require = createRequire(import.meta.url);
const pkg = require('@duckdb/node-api') as Record<string, unknown>;
const { version } = require('@duckdb/node-api/package.json') as { version: string };
const file = fromRoot('dist', 'vendor', `duckdb-node-api-${version}.cjs`);
const deps = { '@duckdb/node-bindings': require('@duckdb/node-bindings'), os: require('node:os') };

describe('@duckdb/node-api bundle', () => {
  it('is built for the installed version', () => {
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8').split('\n', 1)[0]).toContain(`@duckdb/node-api ${version}`);
  });

  it('exports what the package exports, and runs queries with its own values', async () => {
    const api = loadBundle(file, deps).exports as typeof import('@duckdb/node-api');
    expect(Object.keys(api).sort()).toEqual(Object.keys(pkg).sort());
    expect(api.DuckDBInstance).not.toBe(pkg.DuckDBInstance);
    const instance = await api.DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const reader = await conn.runAndReadAll('SELECT list_sum($xs) AS total, $name AS name, CAST($t AS TIMESTAMP) AS t', {
      xs: api.listValue([1, 2, 39]),
      name: 'model',
      t: '2026-11-30 12:00:00',
    });
    expect(reader.getRowObjectsJson()).toEqual([{ total: '42', name: 'model', t: '2026-11-30 12:00:00' }]);
    conn.closeSync();
    instance.closeSync();
  });

  it('is what the product uses', () => {
    // A class of the bundle, not the package's (the bundle is a separate copy of its code).
    expect(ours.DuckDBInstance).not.toBe(pkg.DuckDBInstance);
    expect(ours.DuckDBInstance.name).toBe('DuckDBInstance');
  });
});

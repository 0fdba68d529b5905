/**
 * Every SQL file has a registry entry and every entry a file; the generated ingest SQL is current;
 * the appender column lists match the DDL; every charted panel has its SQL and its chart spec.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dedupSql, loadCsvSql } from '../src/ingest/load-sql.js';
import { COLUMNS } from '../src/ingest/sink.js';
import { openDb } from '../src/model/db.js';
import { FACTS } from '../src/model/facts.js';
import { ALL_SQL_FILES, AGENT_FILES } from '../src/model/registry.js';
import { CHART_PANELS } from '../src/panels/index.js';

const SRC = resolve(__dirname, '../src');

function sqlFilesOnDisk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sqlFilesOnDisk(p);
    return f.endsWith('.sql') ? [relative(SRC, p)] : [];
  });
}

describe('SQL registry', () => {
  it('names every .sql file under src/, and every name has a file', () => {
    const onDisk = sqlFilesOnDisk(SRC).sort();
    expect([...ALL_SQL_FILES].sort()).toEqual(onDisk);
    expect(new Set(ALL_SQL_FILES).size).toBe(ALL_SQL_FILES.length);
  });

  it('the generated ingest SQL is what the column lists make (node scripts/gen-ingest-sql.mjs)', () => {
    expect(readFileSync(join(SRC, 'ingest/sql/load_csv.sql'), 'utf8')).toBe(loadCsvSql());
    expect(readFileSync(join(SRC, 'ingest/sql/dedup.sql'), 'utf8')).toBe(dedupSql());
  });

  it('each charted panel has <id>.sql and <id>.vl.json', () => {
    for (const id of CHART_PANELS) {
      expect(existsSync(join(SRC, 'panels', `${id}.sql`)), `${id}.sql`).toBe(true);
      expect(existsSync(join(SRC, 'panels', `${id}.vl.json`)), `${id}.vl.json`).toBe(true);
    }
  });
});

describe('schema', () => {
  it('appender column lists equal the DDL (plus file_id on record tables)', async () => {
    const db = await openDb();
    try {
      for (const [table, cols] of Object.entries(COLUMNS)) {
        const r = await db.conn.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_name = $t ORDER BY ordinal_position`, { t: table });
        const ddl = r.getRowObjectsJson().map((x) => x.column_name);
        const expected = cols.map(([c]) => c);
        if (ddl.at(-1) === 'file_id') expected.push('file_id');
        expect(ddl, table).toEqual(expected);
      }
    } finally {
      db.close();
    }
  });

  it('every agent mapping defines the four fact views with exactly the contract columns', async () => {
    const { runSqlFile } = await import('../src/model/db.js');
    const { BASE_FILES } = await import('../src/model/registry.js');
    const db = await openDb();
    try {
      for (const f of BASE_FILES) await runSqlFile(db.conn, f);
      for (const a of AGENT_FILES) {
        await runSqlFile(db.conn, a.file);
        for (const [fact, cols] of Object.entries(FACTS)) {
          const r = await db.conn.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_name = $t`, { t: `${a.agent}_${fact}` });
          const got = r.getRowObjectsJson().map((x) => x.column_name as string).sort();
          expect(got, `${a.file}: ${a.agent}_${fact}`).toEqual(cols.map(([c]) => c).sort());
        }
      }
    } finally {
      db.close();
    }
  });
});

describe('memory limit', () => {
  const limitBytes = async (db: Awaited<ReturnType<typeof openDb>>) => {
    const r = await db.conn.runAndReadAll(`SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'`);
    const [, n, unit] = /^([\d.]+) (\w+)$/.exec(String(r.getRowObjectsJson()[0].value))!;
    return Number(n) * { KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 }[unit]!;
  };
  const withEnv = async (value: string | undefined, f: () => Promise<void>) => {
    const before = process.env.OTEL_AGENT_REPORT_MEMORY_LIMIT;
    if (value === undefined) delete process.env.OTEL_AGENT_REPORT_MEMORY_LIMIT;
    else process.env.OTEL_AGENT_REPORT_MEMORY_LIMIT = value;
    try {
      await f();
    } finally {
      if (before === undefined) delete process.env.OTEL_AGENT_REPORT_MEMORY_LIMIT;
      else process.env.OTEL_AGENT_REPORT_MEMORY_LIMIT = before;
    }
  };

  it('a phase runs at its share of the configured limit, restored after it (even when it fails)', async () => {
    const { withMemoryShare } = await import('../src/model/db.js');
    await withEnv('1G', async () => {
      const db = await openDb();
      try {
        const full = await limitBytes(db);
        expect(full / 1e9).toBeCloseTo(1, 2); // DuckDB prints it in MiB: 953.6 MiB
        const inside = await withMemoryShare(db.conn, 0.5, () => limitBytes(db));
        expect(inside / 1e6).toBeCloseTo(500, 0);
        expect(await limitBytes(db)).toBe(full);
        await expect(withMemoryShare(db.conn, 0.25, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
        expect(await limitBytes(db)).toBe(full);
      } finally {
        db.close();
      }
    });
  });

  it('a limit it cannot read is left as configured', async () => {
    const { withMemoryShare } = await import('../src/model/db.js');
    await withEnv('none', async () => {
      const db = await openDb();
      try {
        const setting = async () => (await db.conn.runAndReadAll(`SELECT current_setting('memory_limit') AS v`)).getRowObjectsJson()[0].v;
        const full = await setting();
        expect(await withMemoryShare(db.conn, 0.5, setting)).toBe(full);
      } finally {
        db.close();
      }
    });
  });
});

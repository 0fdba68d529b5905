/**
 * The bad-input corpus (fixtures/bad, built from real capture lines by fixtures/bad/make.mjs):
 * every broken file yields a named problem at the right line or byte, and every valid record in
 * it still loads.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverInputs } from '../src/ingest/discover.js';
import { ingest } from '../src/ingest/load.js';
import { openDb } from '../src/model/db.js';
import { runCli } from './helpers/cli.js';

interface Case {
  file: string;
  description: string;
  expect: {
    spans?: number;
    logs?: number;
    metricPoints?: number;
    minRecords?: number;
    skipped?: number;
    status?: string;
    problems: { where?: string; includes: string }[];
  };
}

const BAD = resolve(__dirname, '../fixtures/bad');
const cases = JSON.parse(readFileSync(resolve(BAD, 'cases.json'), 'utf8')) as Case[];

async function stored(db: Awaited<ReturnType<typeof openDb>>) {
  const r = await db.conn.runAndReadAll(
    `SELECT (SELECT count(*) FROM spans) AS spans, (SELECT count(*) FROM logs) AS logs,
            (SELECT count(*) FROM metric_number_points) + (SELECT count(*) FROM metric_histogram_points) AS points`,
  );
  const row = r.getRowObjectsJson()[0];
  return { spans: Number(row.spans), logs: Number(row.logs), metricPoints: Number(row.points) };
}

describe('bad input corpus', () => {
  it('has at least 20 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const c of cases) {
    it(`${c.file}: ${c.description}`, async () => {
      const db = await openDb();
      try {
        const [report] = await ingest(db, await discoverInputs([resolve(BAD, c.file)]));
        const got = await stored(db);
        const e = c.expect;
        if (e.spans !== undefined) expect(got).toEqual({ spans: e.spans, logs: e.logs, metricPoints: e.metricPoints });
        if (e.minRecords !== undefined) expect(got.spans + got.logs + got.metricPoints).toBeGreaterThanOrEqual(e.minRecords);
        // What the report says was added equals what the database holds: nothing silently lost.
        expect({ spans: report.newSpans, logs: report.newLogs, metricPoints: report.newMetricPoints }).toEqual(got);
        if (e.skipped !== undefined) expect(report.skipped).toBe(e.skipped);
        if (e.status !== undefined) expect(report.status).toBe(e.status);
        expect(report.problems.length).toBe(e.problems.length === 0 ? 0 : report.problems.length);
        for (const p of e.problems) {
          const hit = report.problems.find((q) => q.message.includes(p.includes) && (p.where === undefined || q.where === p.where));
          expect(hit, `expected a problem ${p.where ?? ''} containing "${p.includes}"; got ${JSON.stringify(report.problems)}`).toBeDefined();
          expect(hit!.where).toMatch(/^(line \d+|byte \d+)$/);
        }
        if (e.problems.length === 0) expect(report.problems).toEqual([]);
      } finally {
        db.close();
      }
    });
  }

  it('the CLI names file and line for each problem, loads the rest, and --strict exits 3', async () => {
    const r = await runCli(['ingest', BAD]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/error: .*01-truncated-line\.jsonl: line 2: invalid JSON/);
    expect(r.stdout).toMatch(/error: .*04-truncated\.jsonl\.gz: byte \d+: gzip stream is damaged or cut off/);
    const strict = await runCli(['ingest', BAD, '--strict']);
    expect(strict.code).toBe(3);
    const json = await runCli(['ingest', BAD, '--json']);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.totals.skipped).toBeGreaterThan(0);
    expect(json.stderr).toBe('');
  });

  it('a directory without telemetry is a clear message and exit code 4', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oar-empty-'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ not: 'telemetry' }));
    writeFileSync(join(dir, 'empty.jsonl'), '');
    const r = await runCli(['ingest', dir]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/no telemetry found/);
  });

  it('a missing path is a clear error', async () => {
    const r = await runCli(['ingest', resolve(BAD, 'no-such-file.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read .*no-such-file\.jsonl: no such file or directory/);
  });
});

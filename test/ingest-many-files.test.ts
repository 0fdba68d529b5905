/**
 * An archive of one request per file (OTLP/HTTP bodies saved as they came): thousands of small
 * files. They are read whole, cut without parsing on the main thread, and go to the decode
 * workers in batches that hold several files (load.ts Batches), so every row must still carry
 * its own file's id. The real captures, each line of otlp.jsonl in a file of its own, against the
 * JSON lines themselves.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decompress, DecompressError, fileChunks } from '../src/ingest/bytes.js';
import { decodeUnit, type UnitProblem } from '../src/ingest/decode.js';
import { discoverInputs } from '../src/ingest/discover.js';
import { flattenRequest } from '../src/ingest/flatten.js';
import { closesAtEnd, jsonValues, namesOtlpSignal } from '../src/ingest/json-values.js';
import { ingest, type FileReport } from '../src/ingest/load.js';
import { DecodePool } from '../src/ingest/pool.js';
import type { RowSink } from '../src/ingest/rows.js';
import type { DecodedRequest } from '../src/ingest/types.js';
import { openDb, type Db } from '../src/model/db.js';
import { capturePath, rows, type Agent } from './helpers/captures.js';
import { runCli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'oar-many-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const NULL_SINK = new Proxy({}, { get: () => () => {} }) as RowSink;

/** The records of one JSON value, counted by decoding it alone. */
function countsOf(text: string): { spans: number; logs: number; points: number } {
  const requests: DecodedRequest[] = [];
  const problems: UnitProblem[] = [];
  decodeUnit({ kind: 'json', text: Buffer.from(text), location: { line: 1 } }, requests, problems);
  expect(problems).toEqual([]);
  const c = { spans: 0, logs: 0, points: 0 };
  for (const r of requests) {
    const f = flattenRequest(r.signal, r.body, NULL_SINK);
    c.spans += f.spans;
    c.logs += f.logs;
    c.points += f.metricPoints;
  }
  return c;
}

const TABLES = ['resources', 'scopes', 'spans', 'span_events', 'logs', 'metric_number_points', 'metric_histogram_points', 'metric_exp_histogram_points', 'metric_summary_points'];

/** Every stored row but its file id, in a fixed order. */
async function content(db: Db): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    const hasFile = (await rows(db, `SELECT count(*) AS n FROM duckdb_columns() WHERE table_name = '${t}' AND column_name = 'file_id'`))[0].n;
    out[t] = await rows(db, `SELECT * ${Number(hasFile) ? 'EXCLUDE (file_id)' : ''} FROM ${t} ORDER BY ALL`);
  }
  return out;
}

/** Stored rows per file id: spans, logs, metric points. */
async function perFileId(db: Db): Promise<Map<number, { spans: number; logs: number; points: number }>> {
  const m = new Map<number, { spans: number; logs: number; points: number }>();
  const get = (id: number) => m.get(id) ?? (m.set(id, { spans: 0, logs: 0, points: 0 }), m.get(id)!);
  for (const [t, k] of [['spans', 'spans'], ['logs', 'logs'], ['metric_number_points', 'points'], ['metric_histogram_points', 'points'], ['metric_exp_histogram_points', 'points'], ['metric_summary_points', 'points']] as const) {
    for (const r of await rows(db, `SELECT file_id, count(*) AS n FROM ${t} GROUP BY file_id`)) get(Number(r.file_id))[k] += Number(r.n);
  }
  return m;
}

describe.each(['codex', 'claude', 'gemini'] as Agent[])('%s capture, one request per file', (agent) => {
  const lines = readFileSync(capturePath(agent, 'otlp.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  const dir = join(tmp, agent);
  mkdirSync(dir, { recursive: true });
  // Every other file without its final newline (a body saved as it came).
  lines.forEach((l, i) => writeFileSync(join(dir, `r-${String(i + 1).padStart(5, '0')}.json`), i % 2 ? l : l + '\n'));

  it.each([2, 0])('stores what the JSON lines store, each row under its own file (%i workers)', async (workers) => {
    const files = await openDb();
    const jsonl = await openDb();
    try {
      const reports = await ingest(files, await discoverInputs([dir]), { workers });
      await ingest(jsonl, await discoverInputs([capturePath(agent, 'otlp.jsonl')]), { workers });
      expect(reports.length).toBe(lines.length);
      expect(await content(files)).toEqual(await content(jsonl));
      // Each file's report and its stored rows are that line's own records.
      const stored = await perFileId(files);
      let records = 0;
      for (const r of reports as FileReport[]) {
        const i = Number(/r-(\d+)\.json$/.exec(r.path)![1]) - 1;
        const want = countsOf(lines[i]);
        records += want.spans + want.logs + want.points;
        expect({ path: r.path, status: r.status, format: r.format, requests: r.requests, spans: r.spans, logs: r.logs, points: r.metricPoints, problems: r.problems }).toEqual({
          path: r.path,
          status: 'loaded',
          format: 'otlp-json',
          requests: 1,
          spans: want.spans,
          logs: want.logs,
          points: want.points,
          problems: [],
        });
        expect(stored.get(r.fileId) ?? { spans: 0, logs: 0, points: 0 }, r.path).toEqual(want);
      }
      expect(records).toBeGreaterThan(lines.length);
    } finally {
      files.close();
      jsonl.close();
    }
  });
});

describe('cutting a file without parsing it on the main thread', () => {
  const span = JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: {}, spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'a', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] });

  async function items(text: string): Promise<unknown[]> {
    const out: unknown[] = [];
    async function* src() {
      yield Buffer.from(text);
    }
    for await (const it of jsonValues(src())) out.push('text' in it ? { text: it.text.toString(), line: it.line } : it);
    return out;
  }

  it('closesAtEnd: one object or array that closes at its last byte, from strings and brackets', () => {
    const yes = ['{}', '[]', '{"a":"}{"}', '{"a":"\\"}"}', '[{"a":[1,{"b":"]"}]}]', '{"a": tru}'];
    const no = ['{', '{"a":1}{"b":2}', '{"a":1} }', '{"a":"}', '"x"', '1', '{"a":1}]', '[{]}'];
    for (const t of yes) expect(closesAtEnd(Buffer.from(t)), t).toBe(true);
    for (const t of no) expect(closesAtEnd(Buffer.from(t)), t).toBe(false);
  });

  it('namesOtlpSignal: a signal key among the value’s own keys, else false (the caller parses)', () => {
    const yes = [span, `[${span}]`, ' { "resourceLogs" : [] }', '{"x":{"resourceSpans":1},"y":"}","resource_metrics":[]}', '{"a":[1,2,{"b":"\\""}],"resourceMetrics":[]}'];
    const no = ['{"x":{"resourceSpans":[]}}', '{"resource\\u0053pans":[]}', '[1,{"resourceSpans":[]}]', '{"resourceSpan":[]}', '{"a":', '"resourceSpans"', '{"a" 1,"resourceSpans":[]}'];
    for (const t of yes) expect(namesOtlpSignal(Buffer.from(t)), t).toBe(true);
    for (const t of no) expect(namesOtlpSignal(Buffer.from(t)), t).toBe(false);
  });

  it('a first line that closes but is not JSON, then pretty-printed values: the scanner takes over at line 2', async () => {
    const pretty = JSON.stringify(JSON.parse(span), null, 2);
    expect(await items(`{"a": tru}\n${pretty}\n`)).toEqual([
      { text: '{"a": tru}', line: 1 },
      { text: pretty, line: 2 },
    ]);
    // The same when the first line is valid: JSON lines, so the pretty value is lines of bad JSON.
    const got = await items(`${span}\n${pretty}\n`);
    expect(got[0]).toEqual({ text: span, line: 1 });
    expect(got.length).toBe(pretty.split('\n').length + 1);
  });

  it('two requests on one line, and one request without a newline, are cut as before', async () => {
    expect(await items(`${span}${span}`)).toEqual([
      { text: span, line: 1 },
      { text: span, line: 1 },
    ]);
    expect(await items(span)).toEqual([{ text: span, line: 1 }]);
    expect(await items(`\n\n${span}\n\n`)).toEqual([{ text: span, line: 3 }]);
  });

  it('the whole ingest: such files load every request they hold and report the bad line', async () => {
    const d = join(tmp, 'odd');
    mkdirSync(d, { recursive: true });
    const pretty = JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: {}, spans: [{ traceId: '5b8efff798038103d269b633813fc60d', spanId: 'eee19b7ec3c1b175', name: 'b', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] }, null, 2);
    writeFileSync(join(d, 'a.json'), `{"a": tru}\n${pretty}\n`);
    writeFileSync(join(d, 'b.json'), `${span}${pretty}`);
    const db = await openDb();
    try {
      const reports = await ingest(db, await discoverInputs([d]), { workers: 2 });
      expect(reports.map((r) => [r.path.slice(-6), r.spans, r.skipped, r.problems.map((p) => p.where)])).toEqual([
        ['a.json', 1, 1, ['line 1']],
        ['b.json', 2, 0, []],
      ]);
    } finally {
      db.close();
    }
  });
});

describe('DecodePool', () => {
  it('shares batches between idle workers (it gave nearly all of them to the first)', async () => {
    const dir = mkdtempSync(join(tmp, 'pool-'));
    const pool = new DecodePool(dir, 2);
    try {
      const span = (i: number) => Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: `eee19b7ec3c1b1${String(i).padStart(2, '0')}`, name: 'a' }] }] }] }));
      for (let i = 0; i < 4; i++) {
        const { result } = await pool.submit([{ fileId: 1, units: [{ kind: 'json', text: span(i), location: { line: i + 1 } }] }]);
        expect((await result)[0].spans).toBe(1); // each batch done before the next: both workers idle
      }
      const files = await pool.finish();
      expect(new Set(files.filter((f) => f.table === 'spans').map((f) => /\.(w\d)\.csv$/.exec(f.path)![1]))).toEqual(new Set(['w0', 'w1']));
    } finally {
      await pool.close();
    }
  });
});

describe('the report of an archive of many files', () => {
  it('counts every file, lists 500 in summary.json (a file with problems among them) and says where the rest are', async () => {
    const d = join(tmp, 'report-many');
    mkdirSync(d, { recursive: true });
    const lines = readFileSync(capturePath('codex', 'otlp.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
    // 520 files of distinct bytes (trailing spaces), then one with a bad line, last in load order.
    for (let i = 0; i < 520; i++) writeFileSync(join(d, `a-${String(i).padStart(4, '0')}.json`), lines[i % lines.length] + ' '.repeat(Math.floor(i / lines.length)) + '\n');
    writeFileSync(join(d, 'z-bad.json'), `${lines[0]}\n{"resourceSpans": [\n`);
    // The text of an ingest shows 100 files, the one with problems among them.
    const text = await runCli(['ingest', d]);
    const table = text.stdout.split('\n\n')[0].split('\n');
    expect(table.length).toBe(2 + 100 + 1);
    expect(table.filter((l) => l.includes('z-bad.json'))).toHaveLength(1);
    expect(table.at(-1)).toBe('… and 421 more files without problems (--json lists every file)');
    const db = join(tmp, 'report-many.duckdb');
    const ing = await runCli(['ingest', d, '--db', db, '--json']);
    expect(ing.code).toBe(0);
    const totals = JSON.parse(ing.stdout).totals;
    expect(totals.files).toBe(521);
    const out = join(tmp, 'report-many-out');
    expect((await runCli(['report', '--db', db, '--out', out])).code).toBe(0);
    const inputs = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).inputs;
    expect({ files: inputs.files, loaded: inputs.filesLoaded, listed: inputs.fileList.length, skipped: inputs.skipped, records: inputs.records }).toEqual({
      files: 521,
      loaded: 521,
      listed: 500,
      skipped: totals.skipped,
      records: { spans: totals.spans, logs: totals.logs, metricPoints: totals.metricPoints },
    });
    expect(totals.skipped).toBe(1);
    const paths: string[] = inputs.fileList.map((f: { path: string }) => f.path);
    expect(paths.at(-1)).toMatch(/z-bad\.json$/);
    expect(inputs.fileList.at(-1).skipped).toBe(1);
    expect(paths.slice(0, -1)).toEqual([...paths.slice(0, -1)].sort()); // load order
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('… and 421 more (summary.json lists 500 of them, picking files with problems first).');
  });
});

describe('gzip and zstd: a small file decoded in one call, a large one as a stream (zstd: by the zstd program, which CI installs)', () => {
  async function decoded(src: AsyncIterable<Buffer>, compression: 'gzip' | 'zstd'): Promise<{ out: Buffer; error?: unknown }> {
    const parts: Buffer[] = [];
    try {
      for await (const c of decompress(src, compression)) parts.push(c);
      return { out: Buffer.concat(parts) };
    } catch (error) {
      return { out: Buffer.concat(parts), error };
    }
  }

  it.each([
    ['gzip', 'claude', 1 << 20],
    ['gzip', 'codex', 1 << 20],
    ['zstd', 'claude', 256 << 10],
    ['zstd', 'codex', 256 << 10],
  ] as const)('%s, %s otlp.jsonl: the same bytes whole and in 64 kB chunks; a cut-off copy keeps what came before the cut', async (compression, agent, small) => {
    // The codex capture twice: over the one-call limit of both, once compressed.
    const one = readFileSync(capturePath(agent, 'otlp.jsonl'));
    const plain = agent === 'codex' ? Buffer.concat([one, one]) : one;
    const source = join(tmp, `${agent}-${compression}.jsonl`);
    writeFileSync(source, plain);
    const packed = `${source}.${compression}`;
    if (compression === 'gzip') writeFileSync(packed, execFileSync('gzip', ['-c', '-n', '-6', source], { maxBuffer: 1 << 30 }));
    else execFileSync('zstd', ['-q', '-f', '-3', source, '-o', packed]);
    const whole = readFileSync(packed);
    expect(whole.length > small).toBe(agent === 'codex'); // one on each side of the one-call limit
    expect((await decoded(fileChunks(packed), compression)).out.equals(plain)).toBe(true);
    // In chunks of 64 kB (stdin, say): the first chunk is small, yet more follow.
    async function* chunks(b: Buffer) {
      for (let at = 0; at < b.length; at += 64 << 10) yield b.subarray(at, at + (64 << 10));
    }
    expect((await decoded(chunks(whole), compression)).out.equals(plain)).toBe(true);
    const cut = `${source}.cut.${compression}`;
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const got = await decoded(fileChunks(cut), compression);
    expect(got.error).toBeInstanceOf(DecompressError);
    expect((got.error as Error).message).toMatch(new RegExp(`^${compression} stream is damaged or cut off near compressed byte \\d+`));
    expect(got.out.length).toBeGreaterThan(0);
    expect(plain.subarray(0, got.out.length).equals(got.out)).toBe(true);
  });
});

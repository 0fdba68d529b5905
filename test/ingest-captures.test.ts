/**
 * Every encoding of the real captures loads completely and agrees: per request, the records the
 * reader finds equal the manifest's `items`, for JSON Lines, raw JSON bodies and raw protobuf
 * (HTTP and gRPC framing, gzip at rest, Gemini's gRPC gzip inside), and the Gemini outfile.
 * Loading the JSONL and the raw bodies together stores each record once.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileChunks } from '../src/ingest/bytes.js';
import { decodeUnit, type UnitProblem } from '../src/ingest/decode.js';
import type { DecodedRequest } from '../src/ingest/types.js';
import { discoverInputs } from '../src/ingest/discover.js';
import { flattenRequest } from '../src/ingest/flatten.js';
import { inspectInputs } from '../src/ingest/inspect.js';
import { ingest } from '../src/ingest/load.js';
import { readSource, type ReadInfo } from '../src/ingest/read.js';
import type { RowSink } from '../src/ingest/rows.js';
import { openDb } from '../src/model/db.js';
import { capturePath, readJsonl, rows, type Agent } from './helpers/captures.js';
import { runCli } from './helpers/cli.js';

interface ManifestLine {
  seq: number;
  session: string;
  signal: 'traces' | 'logs' | 'metrics';
  protocol: string;
  file: string;
  jsonlLine: number;
  items: number;
}

const AGENTS: Agent[] = ['codex', 'claude', 'gemini'];
const NULL_SINK = new Proxy({}, { get: () => () => {} }) as RowSink;

/** Items per request as our reader sees them: spans, log records, or metrics (not points). */
async function itemsPerRequest(path: string): Promise<{ key: string; signal: string; items: number }[]> {
  const out: { key: string; signal: string; items: number }[] = [];
  const info: ReadInfo = { compression: 'none', format: 'empty' };
  for await (const ev of readSource(fileChunks(path), path, info)) {
    if (ev.kind === 'problem') throw new Error(`${path}: ${ev.message}`);
    const requests: DecodedRequest[] = [];
    const problems: UnitProblem[] = [];
    decodeUnit(ev.unit, requests, problems);
    expect(problems).toEqual([]);
    for (const req of requests) {
      const r = flattenRequest(req.signal, req.body, NULL_SINK);
      expect(r.skipped).toBe(0);
      out.push({
        key: String(req.location.line ?? req.location.byteOffset),
        signal: req.signal,
        items: req.signal === 'traces' ? r.spans : req.signal === 'logs' ? r.logs : r.metrics,
      });
    }
  }
  return out;
}

describe.each(AGENTS)('%s capture', (agent) => {
  const manifest = readJsonl<ManifestLine>(capturePath(agent, 'manifest.jsonl'));

  it('otlp.jsonl: every line holds exactly the manifest items', async () => {
    const got = await itemsPerRequest(capturePath(agent, 'otlp.jsonl'));
    const byLine = new Map(got.map((g) => [Number(g.key), g]));
    const withLine = manifest.filter((m) => m.jsonlLine);
    expect(got.length).toBe(withLine.length);
    for (const m of withLine) {
      expect(byLine.get(m.jsonlLine), `line ${m.jsonlLine}`).toEqual({ key: String(m.jsonlLine), signal: m.signal, items: m.items });
    }
  });

  it('raw bodies (JSON and protobuf, every framing) hold exactly the manifest items', async () => {
    const files = manifest.filter((m) => m.file);
    expect(files.length).toBeGreaterThan(0);
    for (const m of files) {
      const got = await itemsPerRequest(capturePath(agent, m.file));
      const total = got.reduce((s, g) => s + g.items, 0);
      expect({ file: m.file, signal: got[0]?.signal ?? m.signal, items: total }).toEqual({ file: m.file, signal: m.signal, items: m.items });
    }
  });

  it('JSONL and raw bodies together store each record once (and equal the JSONL alone)', async () => {
    const alone = await openDb();
    const both = await openDb();
    try {
      await ingest(alone, await discoverInputs([capturePath(agent, 'otlp.jsonl')]));
      const reports = await ingest(both, await discoverInputs([capturePath(agent, 'otlp.jsonl'), capturePath(agent, 'raw')]));
      const count = `SELECT (SELECT count(*) FROM spans) s, (SELECT count(*) FROM logs) l,
        (SELECT count(*) FROM metric_number_points) n, (SELECT count(*) FROM metric_histogram_points) h,
        (SELECT count(DISTINCT record_key) FROM logs) lk, (SELECT sum(hash(attributes)) FROM logs) la`;
      expect(await rows(both, count)).toEqual(await rows(alone, count));
      // The raw bodies added nothing: they were all duplicates of the JSONL lines.
      const raw = reports.filter((r) => r.path.includes('/raw/'));
      expect(raw.reduce((s, r) => s + r.newSpans + r.newLogs + r.newMetricPoints, 0)).toBe(0);
      expect(raw.reduce((s, r) => s + r.spans + r.logs + r.metricPoints, 0)).toBeGreaterThan(0);
    } finally {
      alone.close();
      both.close();
    }
  });
});

describe('idempotent loads into a persistent database', () => {
  it('the same file twice adds nothing; a renamed copy is recognised by content', async () => {
    const { mkdtempSync, copyFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'oar-db-'));
    const dbFile = join(dir, 'a.duckdb');
    const src = capturePath('claude', 'otlp.jsonl');
    const first = await runCli(['ingest', src, '--db', dbFile, '--json']);
    expect(first.code).toBe(0);
    const t1 = JSON.parse(first.stdout).totals;
    expect(t1.newLogs).toBe(155);
    copyFileSync(src, join(dir, 'renamed-rotated.jsonl'));
    const again = await runCli(['ingest', src, join(dir, 'renamed-rotated.jsonl'), '--db', dbFile, '--json']);
    const t2 = JSON.parse(again.stdout);
    expect(t2.totals.newSpans + t2.totals.newLogs + t2.totals.newMetricPoints).toBe(0);
    expect(t2.files.map((f: { status: string }) => f.status)).toEqual(['already-loaded', 'already-loaded']);
    // A new file (another agent) adds only its own records.
    const more = await runCli(['ingest', capturePath('gemini', 'outfile'), '--db', dbFile, '--json']);
    const t3 = JSON.parse(more.stdout).totals;
    expect(t3.newLogs).toBeGreaterThan(0);
    expect(t3.filesLoaded).toBe(1);
  });

  it('a run that adds nothing records nothing and leaves the stored facts current', async () => {
    const { mkdtempSync, copyFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'oar-db-'));
    const archive = join(dir, 'archive');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(archive);
    copyFileSync(capturePath('claude', 'otlp.jsonl'), join(archive, 'a.jsonl'));
    copyFileSync(capturePath('claude', 'otlp.jsonl'), join(archive, 'b-same-bytes.jsonl'));
    writeFileSync(join(archive, 'notes.txt'), 'not telemetry\n');
    const dbFile = join(dir, 'a.duckdb');
    const state = async () => {
      const db = await openDb(dbFile);
      try {
        return { files: await rows(db, 'SELECT path, status FROM ingest_files ORDER BY file_id'), built: (await rows(db, 'SELECT built_at FROM model_state'))[0].built_at };
      } finally {
        db.close();
      }
    };
    const statuses = async () => JSON.parse((await runCli(['ingest', archive, '--db', dbFile, '--json'])).stdout).files.map((f: { status: string }) => f.status);
    expect(await statuses()).toEqual(['loaded', 'already-loaded', 'not-telemetry']);
    const first = await state();
    // The same bytes twice in one run are both recorded (the second says where the first is).
    expect(first.files.map((f) => f.status)).toEqual(['loaded', 'already-loaded', 'not-telemetry']);
    expect(await statuses()).toEqual(['already-loaded', 'already-loaded', 'not-telemetry']);
    expect((await runCli(['summary', '--db', dbFile, '--json'])).code).toBe(0);
    expect(await state()).toEqual(first); // no row added, the facts not rebuilt by the summary
    // A new file that is not telemetry is recorded once, and the facts stay current.
    writeFileSync(join(archive, 'more-notes.txt'), 'still not telemetry\n');
    await statuses();
    await statuses();
    expect((await runCli(['summary', '--db', dbFile, '--json'])).code).toBe(0);
    const later = await state();
    expect(later.files.map((f) => f.status)).toEqual(['loaded', 'already-loaded', 'not-telemetry', 'not-telemetry']);
    expect(later.built).toEqual(first.built);
  });

  it('an unchanged file of loaded content is recognised from its stat, without being read; a changed one is read', async () => {
    const { mkdtempSync, copyFileSync, readFileSync, writeFileSync, statSync, utimesSync, mkdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'oar-stat-'));
    const archive = join(dir, 'archive');
    mkdirSync(archive);
    const a = join(archive, 'a.jsonl');
    const b = join(archive, 'b.jsonl');
    copyFileSync(capturePath('claude', 'otlp.jsonl'), a);
    copyFileSync(capturePath('gemini', 'otlp.jsonl'), b);
    utimesSync(a, 1_790_000_000, 1_790_000_000); // whole seconds, which utimes can put back exactly
    const dbFile = join(dir, 'stat.duckdb');
    // settleMs 0: trust a stat however recently the file changed (the default wants 1 s of rest).
    const run = async (settleMs: number) => {
      const db = await openDb(dbFile);
      try {
        const reports = await ingest(db, await discoverInputs([archive]), { settleMs });
        return reports.map((r) => ({ file: r.path.slice(-7), status: r.status, unread: /not read again/.test(r.note ?? ''), added: r.newSpans + r.newLogs + r.newMetricPoints }));
      } finally {
        db.close();
      }
    };
    const first = await run(0);
    expect(first.map((r) => [r.file, r.status, r.unread])).toEqual([['a.jsonl', 'loaded', false], ['b.jsonl', 'loaded', false]]);
    expect(await run(0)).toEqual([
      { file: 'a.jsonl', status: 'already-loaded', unread: true, added: 0 },
      { file: 'b.jsonl', status: 'already-loaded', unread: true, added: 0 },
    ]);
    // Not settled long enough before it was hashed: read (and hashed) again, recognised by content.
    expect((await run(3_600_000)).map((r) => [r.status, r.unread])).toEqual([['already-loaded', false], ['already-loaded', false]]);
    // Other bytes of the same size, with the modification time put back: the change time gives it away.
    const before = statSync(a);
    const text = readFileSync(a, 'utf8');
    const i = text.indexOf('claude-code');
    expect(i).toBeGreaterThan(0);
    writeFileSync(a, text.slice(0, i) + 'claude-cod3' + text.slice(i + 11));
    utimesSync(a, 1_790_000_000, 1_790_000_000);
    expect(statSync(a, { bigint: true }).size).toBe(BigInt(before.size));
    expect(statSync(a, { bigint: true }).mtimeNs).toBe(1_790_000_000_000_000_000n);
    const after = await run(0);
    // Read and loaded (its records are the same records under another resource name, so the
    // record keys find them all stored already).
    expect(after[0]).toMatchObject({ file: 'a.jsonl', status: 'loaded', unread: false });
    expect(after[1]).toMatchObject({ file: 'b.jsonl', status: 'already-loaded', unread: true });
  });

  it('reads stdin (-) and recognises repeated content there too', async () => {
    const { readFileSync } = await import('node:fs');
    const input = readFileSync(capturePath('gemini', 'otlp.jsonl'));
    const r = await runCli(['ingest', '-', '--json'], { input });
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.totals.logs).toBe(151);
    expect(parsed.totals.spans).toBe(36);
  });
});

describe('inspect', () => {
  it('describes every file of a capture without a database', async () => {
    const raw = readdirSync(capturePath('gemini', 'raw'));
    const reports = await inspectInputs(await discoverInputs([capturePath('gemini')]));
    expect(reports.length).toBe(raw.length + readdirSync(capturePath('gemini', 'cli-stdout')).length + 4);
    const outfile = reports.find((r) => r.path.endsWith('.telemetry.log'))!;
    expect(outfile.format).toBe('gemini-outfile');
    // The capture stored gRPC messages without their 5-byte frame (gzip at rest): raw bodies.
    const grpc = reports.find((r) => r.path.includes('grpc'))!;
    expect(grpc.format).toBe('otlp-protobuf');
    expect(grpc.compression).toBe('gzip');
    expect(grpc.logs + grpc.spans + grpc.metricPoints).toBeGreaterThan(0);
    expect(reports.find((r) => r.path.endsWith('manifest.jsonl'))!.status).toBe('not-telemetry');
    const jsonl = reports.find((r) => r.path.endsWith('otlp.jsonl'))!;
    expect(jsonl.serviceNames).toEqual(['gemini-cli']);
    expect(jsonl.minTimeNs! < jsonl.maxTimeNs!).toBe(true);
  });
});

/**
 * The ingest stage: inputs → CSV from the decode workers → raw tables, de-duplicated, with a
 * report per file.
 *
 * Idempotency has two levels. A file whose bytes (sha256) were loaded before is not read again.
 * Within new files, each record has a content key (flatten.ts), so the same request seen as a
 * JSONL line and as a raw protobuf body, or replayed in a rotated file, is stored once.
 */
import { createHash, hash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { LIST, VARCHAR, listValue, timestampValue } from '../model/duckdb.js';
import type { Db } from '../model/db.js';
import { querySqlFile, runSqlFile, withMemoryShare } from '../model/db.js';
import { fileChunks, type Compression } from './bytes.js';
import type { Input } from './discover.js';
import type { Unit, UnitProblem } from './decode.js';
import { DecodePool, defaultWorkers } from './pool.js';
import type { BatchResult } from './process.js';
import { readSource, type Format, type ReadInfo, type ReadOptions } from './read.js';
import { COLUMNS } from './sink.js';
import { formatLocation, type SourceLocation } from './types.js';
import { lap } from '../timing.js';

export interface FileProblem {
  location: SourceLocation;
  /** "line 12" / "byte 3456". */
  where: string;
  message: string;
  /** Records (or whole requests, when a request could not be parsed) lost to this problem. */
  skipped: number;
}

export interface FileReport {
  fileId: number;
  path: string;
  sizeBytes: number;
  sha256: string;
  compression: Compression;
  format: Format;
  status: 'loaded' | 'already-loaded' | 'not-telemetry' | 'empty';
  note?: string;
  requests: number;
  spans: number;
  logs: number;
  metricPoints: number;
  /** Metric messages holding those points (OTLP senders count these, e.g. the captures' manifests). */
  metrics: number;
  newSpans: number;
  newLogs: number;
  newMetricPoints: number;
  skipped: number;
  problems: FileProblem[];
  serviceNames: string[];
  minTimeNs: string | null;
  maxTimeNs: string | null;
  durationMs: number;
}

export interface Progress {
  file: string;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  records: number;
}

export interface IngestOptions {
  onProgress?: (p: Progress) => void;
  /** Problems kept per file in the report (all are stored in ingest_errors). */
  maxProblemsPerFile?: number;
  /** stdin for `-` (tests pass their own). */
  stdin?: AsyncIterable<Buffer>;
  /** Decode worker threads (default: one per core; 0 decodes on the main thread). */
  workers?: number;
  /** Where the decode workers' CSV files go (default: the system temp folder). */
  tempDir?: string;
  /** JSON values larger than `above` bytes are cut into requests of about `part` bytes (json-split.ts; tests shrink both). */
  split?: { above: number; part: number; maxUnit?: number };
  /** How long a file must have been unchanged before it was hashed for its recorded stat to be trusted (default SETTLE_MS). */
  settleMs?: number;
}

/**
 * A file is recognised from its recorded stat (size, modification and change times, inode: what
 * git's index and backup tools compare) without being read only if it had not changed for this
 * long before it was hashed. A file rewritten within the same tick of the clock that stamps change
 * times, right after it was hashed, would keep all four; a file that had settled for longer than a
 * tick cannot. The coarsest common tick is FAT's 2 s.
 */
const SETTLE_MS = 2000;

interface FileStat {
  path: string;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
  sha256: string;
  hashedAtNs: bigint;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}

/**
 * Files up to this size are read in one synchronous call, hashed from memory and decoded from the
 * same bytes; a larger one is hashed as a stream, then read again as a stream (never held whole).
 * An archive of one request per file (OTLP/HTTP bodies saved as they came) is thousands of small
 * files, and each asynchronous read is several round trips to libuv's thread pool: 5,000 files of
 * the 1 GB bench's requests (~65 kB each), warm, took 1.25 s of CPU with fs/promises readFile and
 * 0.09–0.17 s with readFileSync.
 */
const WHOLE_FILE = 4 << 20;

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** Pass chunks through, showing each to `onChunk` (hashing and sizing stdin as it streams). */
export async function* tee(src: AsyncIterable<Buffer>, onChunk: (c: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const c of src) {
    onChunk(c);
    yield c;
  }
}

export async function ingest(db: Db, inputs: Input[], opts: IngestOptions = {}): Promise<FileReport[]> {
  lap('start');
  const conn = db.conn;
  const known = new Map<string, Record<string, unknown>>();
  // Contents recorded by earlier loads, whatever they were judged: a file with the same bytes is
  // not recorded again (a nightly run over a whole archive added a row per file and night).
  const recorded = new Set<string>();
  for (const r of await querySqlFile(conn, 'ingest/sql/known_files.sql')) {
    recorded.add(r.sha256 as string);
    if (r.loaded) known.set(r.sha256 as string, r);
  }
  // Stats of the files hashed by earlier loads: an unchanged file of loaded content is not read.
  const stats = new Map<string, Record<string, unknown>>();
  for (const r of await querySqlFile(conn, 'ingest/sql/file_stats.sql')) stats.set(r.path as string, r);
  const settleNs = BigInt(opts.settleMs ?? SETTLE_MS) * 1_000_000n;
  const hashed: FileStat[] = [];
  const nextId = Number((await querySqlFile(conn, 'ingest/sql/next_file_id.sql'))[0].next_id);
  const maxProblems = opts.maxProblemsPerFile ?? 1000;
  const dir = mkdtempSync(join(opts.tempDir ?? tmpdir(), 'otel-agent-report-'));
  const pool = new DecodePool(dir, opts.workers ?? defaultWorkers());
  const reports: FileReport[] = [];
  let bytesDone = 0;
  let records = 0;
  try {
    const perFile: Promise<BatchResult>[][] = [];
    const batches = new Batches((runs) => pool.submit(runs));
    // Inputs recognised as a repeat only once read (stdin): their rows are dropped after the load.
    const readRepeats: number[] = [];
    for (const [i, input] of inputs.entries()) {
      const started = performance.now();
      const report = emptyReport(nextId + i, input.path);
      reports.push(report);
      const results: Promise<BatchResult>[] = [];
      perFile.push(results);
      let chunks: AsyncIterable<Buffer>;
      const hasher = input.stdin ? createHash('sha256') : null;
      if (input.stdin) {
        chunks = tee(opts.stdin ?? (process.stdin as AsyncIterable<Buffer>), (c) => {
          hasher!.update(c);
          report.sizeBytes += c.length;
        });
      } else {
        const path = resolve(input.path);
        const st = statSync(input.path, { bigint: true });
        const was = stats.get(path);
        const unchanged =
          was !== undefined &&
          known.has(was.sha256 as string) &&
          BigInt(was.size_bytes as string) === st.size &&
          BigInt(was.mtime_ns as string) === st.mtimeNs &&
          BigInt(was.ctime_ns as string) === st.ctimeNs &&
          BigInt(was.inode as string) === st.ino &&
          st.ctimeNs < BigInt(was.hashed_at_ns as string) - settleNs;
        let bytes: Buffer | undefined;
        if (unchanged) {
          report.sizeBytes = Number(st.size);
          report.sha256 = was.sha256 as string;
        } else {
          const hashedAtNs = BigInt(Date.now()) * 1_000_000n;
          bytes = st.size <= WHOLE_FILE ? readFileSync(input.path) : undefined;
          report.sizeBytes = bytes ? bytes.length : Number(st.size);
          report.sha256 = bytes ? hash('sha256', bytes, 'hex') : await sha256File(input.path);
          hashed.push({ path, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, ino: st.ino, sha256: report.sha256, hashedAtNs });
        }
        const prev = known.get(report.sha256);
        if (prev) {
          markRepeat(report, prev);
          if (unchanged) report.note += '; unchanged since it was read (size, times, inode), so not read again';
          continue;
        }
        chunks = bytes ? once(bytes) : fileChunks(input.path);
      }
      const read: ReadOptions = { spoolDir: dir, splitAbove: opts.split?.above, splitPart: opts.split?.part, splitMaxUnit: opts.split?.maxUnit };
      await readUnitsInto(chunks, input.path, report, maxProblems, batches, results, read);
      if (hasher) report.sha256 = hasher.digest('hex');
      const prev = known.get(report.sha256);
      if (input.stdin && prev) {
        markRepeat(report, prev);
        readRepeats.push(report.fileId); // read before it was known: its rows go
      } else known.set(report.sha256, { path: input.path, compression: report.compression, format: report.format });
      bytesDone += report.sizeBytes;
      report.durationMs = performance.now() - started;
      opts.onProgress?.({ file: input.path, filesDone: i + 1, filesTotal: inputs.length, bytesDone, records });
    }
    await batches.flush();
    // Results arrive out of order across workers; applying them in submission order keeps the
    // report (problem order included) deterministic.
    for (const [i, results] of perFile.entries()) {
      for (const r of await Promise.all(results)) {
        applyResult(reports[i], r, maxProblems);
        records += r.spans + r.logs + r.metricPoints;
      }
      finishReport(reports[i]);
    }
    lap('read + decode');
    const files = await pool.finish();
    lap('workers finished');
    // One transaction: a load that fails leaves the database as it was. At half the memory limit
    // (withMemoryShare says why); the facts build after it runs at three quarters (buildModel).
    await withMemoryShare(conn, 0.5, async () => {
      await conn.run('BEGIN TRANSACTION');
      try {
        await runSqlFile(conn, 'ingest/sql/load_csv.sql', csvParams(dir, files));
        lap('csv loaded');
        // Rows of stdin input that turned out to be a repeat go first, then later copies of records.
        if (readRepeats.length) await runSqlFile(conn, 'ingest/sql/drop_files.sql', { file_ids: listValue(readRepeats) });
        // Nothing loaded (a run over an archive seen before): nothing to de-duplicate or count. The
        // statements would still scan the tables (~0.5 s at 1 GB).
        const loaded = reports.some((r) => r.status === 'loaded');
        if (loaded) await runSqlFile(conn, 'ingest/sql/dedup.sql', { first_file_id: nextId });
        lap('duplicates dropped');
        const byId = new Map(reports.map((r) => [r.fileId, r])); // thousands of files: no search per row
        for (const row of loaded ? await querySqlFile(conn, 'ingest/sql/new_counts.sql', { first_file_id: nextId }) : []) {
          const r = byId.get(Number(row.file_id));
          if (!r || r.status !== 'loaded') continue;
          r.newSpans = Number(row.new_spans);
          r.newLogs = Number(row.new_logs);
          r.newMetricPoints = Number(row.new_metric_points);
        }
        await recordFiles(db, reports.filter((r) => r.status === 'loaded' || !recorded.has(r.sha256)));
        await recordStats(db, hashed);
        await conn.run('COMMIT');
        // DuckDB compresses and writes at commit what the load still held in memory (tables of less
        // than a row group: the logs and metric points at 1 GB), then syncs the file: 1.1–2.3 s at
        // 1 GB here, which the phase timings used to count in the first agent's facts.
        lap('committed');
      } catch (e) {
        await conn.run('ROLLBACK');
        throw e;
      }
    });
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return reports;
}

function markRepeat(report: FileReport, prev: Record<string, unknown>): void {
  report.status = 'already-loaded';
  report.compression = prev.compression as Compression;
  report.format = prev.format as Format;
  report.note = prev.path === report.path ? 'loaded before' : `same content as ${prev.path}, loaded before`;
}

/** Parameters of load_csv.sql: per table, its CSV files (an empty file where a table got none). */
function csvParams(dir: string, files: { table: string; path: string }[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const table of Object.keys(COLUMNS)) {
    const paths = files.filter((f) => f.table === table).map((f) => f.path);
    if (paths.length === 0) {
      const empty = join(dir, `${table}.empty.csv`);
      writeFileSync(empty, '');
      paths.push(empty);
    }
    params[table] = listValue(paths);
  }
  return params;
}

const BATCH_BYTES = 4 << 20;

/** What `Batches` hands on: runs of units, each run of one file; resolves to one result per run. */
export type SubmitRuns = (runs: { fileId: number; units: Unit[] }[]) => Promise<{ result: Promise<BatchResult[]> }>;

/**
 * Units in batches of about 4 MB, across files: an archive of one request per file would otherwise
 * be a batch (a message to a worker and one back) per file of a few kB. A batch is runs of units,
 * each run of one file, and each file's result promise is pushed onto that file's list, in the
 * order of its batches. The parts of a split request whose parts must stay together
 * (json-split.ts, `pinned`) go in batches of their own (pool.ts sends those to the request's worker).
 */
export class Batches {
  private runs: { fileId: number; units: Unit[]; results: Promise<BatchResult>[] }[] = [];
  private size = 0;
  private pin: number | undefined;

  constructor(private readonly submit: SubmitRuns) {}

  async add(fileId: number, results: Promise<BatchResult>[], unit: Unit): Promise<void> {
    const split = unit.kind === 'json' ? unit.split : undefined;
    const pin = split?.pinned ? split.id : undefined;
    if (pin !== this.pin) await this.flush();
    this.pin = pin;
    let run = this.runs[this.runs.length - 1];
    if (run?.fileId !== fileId) this.runs.push((run = { fileId, units: [], results }));
    run.units.push(unit);
    this.size += unit.kind === 'json' ? unit.text.length : unit.bytes.length;
    if (this.size >= BATCH_BYTES || (pin !== undefined && split?.last)) await this.flush();
  }

  /** Send what is held (before the results are awaited). */
  async flush(): Promise<void> {
    const runs = this.runs;
    if (!runs.length) return;
    this.runs = [];
    this.size = 0;
    const { result } = await this.submit(runs.map(({ fileId, units }) => ({ fileId, units })));
    for (const [k, r] of runs.entries()) r.results.push(result.then((all) => all[k]));
  }
}

/**
 * Cut one input into units and add them to `batches`, their results going to `results`; problems
 * found while cutting (bad lines, damaged streams, frames) go straight into the report.
 */
export async function readUnitsInto(
  chunks: AsyncIterable<Buffer>,
  path: string,
  report: FileReport,
  maxProblems: number,
  batches: Batches,
  results: Promise<BatchResult>[],
  read: ReadOptions = {},
): Promise<void> {
  const info: ReadInfo = { compression: 'none', format: 'empty' };
  for await (const ev of readSource(chunks, basename(path), info, read)) {
    if (ev.kind === 'problem') {
      addProblem(report, { location: ev.location, message: ev.message, records: ev.records ?? 0 }, maxProblems);
      continue;
    }
    await batches.add(report.fileId, results, ev.unit);
  }
  report.compression = info.compression;
  report.format = info.format;
  if (info.note) report.note = info.note;
}

function addProblem(report: FileReport, p: UnitProblem, maxProblems: number): void {
  report.skipped += p.records;
  if (report.problems.length < maxProblems) report.problems.push({ location: p.location, where: formatLocation(p.location), message: p.message, skipped: p.records });
}

export function applyResult(report: FileReport, r: BatchResult, maxProblems: number): void {
  report.requests += r.requests;
  report.spans += r.spans;
  report.logs += r.logs;
  report.metrics += r.metrics;
  report.metricPoints += r.metricPoints;
  for (const p of r.problems) addProblem(report, p, maxProblems);
  report.serviceNames = [...new Set([...report.serviceNames, ...r.serviceNames])].sort();
  if (r.minTimeNs !== null && (report.minTimeNs === null || BigInt(r.minTimeNs) < BigInt(report.minTimeNs))) report.minTimeNs = r.minTimeNs;
  if (r.maxTimeNs !== null && (report.maxTimeNs === null || BigInt(r.maxTimeNs) > BigInt(report.maxTimeNs))) report.maxTimeNs = r.maxTimeNs;
}

/** Status and notes once all of a file's batches are in; problems sorted by position. */
export function finishReport(report: FileReport): void {
  // By line, then byte (the parts of a value too large to read whole can share a line).
  const pos = (p: FileProblem) => p.location.line ?? p.location.byteOffset ?? 0;
  report.problems.sort((a, b) => pos(a) - pos(b) || (a.location.byteOffset ?? 0) - (b.location.byteOffset ?? 0));
  if (report.status === 'already-loaded') return;
  if (report.format === 'not-telemetry') report.status = 'not-telemetry';
  else if (report.format === 'empty') {
    report.status = 'empty';
    report.note = report.problems.length ? 'nothing could be read: see the errors' : 'empty file';
  }
}

export function emptyReport(fileId: number, path: string): FileReport {
  return {
    fileId,
    path,
    sizeBytes: 0,
    sha256: '',
    compression: 'none',
    format: 'empty',
    status: 'loaded',
    requests: 0,
    spans: 0,
    logs: 0,
    metricPoints: 0,
    metrics: 0,
    newSpans: 0,
    newLogs: 0,
    newMetricPoints: 0,
    skipped: 0,
    problems: [],
    serviceNames: [],
    minTimeNs: null,
    maxTimeNs: null,
    durationMs: 0,
  };
}

/** The stat of each file hashed by this load, replacing what was recorded for its path. */
async function recordStats(db: Db, hashed: FileStat[]): Promise<void> {
  if (!hashed.length) return;
  await runSqlFile(db.conn, 'ingest/sql/forget_file_stats.sql', { paths: listValue(hashed.map((h) => h.path)) });
  const a = await db.conn.createAppender('ingest_file_stats');
  for (const h of hashed) {
    a.appendVarchar(h.path);
    a.appendUBigInt(h.size);
    for (const n of [h.mtimeNs, h.ctimeNs]) a.appendBigInt(n);
    a.appendUBigInt(h.ino);
    a.appendVarchar(h.sha256);
    a.appendBigInt(h.hashedAtNs);
    a.endRow();
  }
  a.closeSync();
}

async function recordFiles(db: Db, reports: FileReport[]): Promise<void> {
  const files = await db.conn.createAppender('ingest_files');
  const errors = await db.conn.createAppender('ingest_errors');
  const now = Date.now();
  for (const r of reports) {
    files.appendInteger(r.fileId);
    files.appendVarchar(r.path);
    files.appendUBigInt(BigInt(r.sizeBytes));
    files.appendVarchar(r.sha256);
    files.appendVarchar(r.compression);
    files.appendVarchar(r.format);
    files.appendVarchar(r.status);
    files.appendInteger(r.requests);
    for (const n of [r.spans, r.logs, r.metricPoints, r.newSpans, r.newLogs, r.newMetricPoints, r.skipped]) files.appendBigInt(BigInt(n));
    files.appendInteger(r.problems.length);
    if (r.minTimeNs === null) files.appendNull();
    else files.appendBigInt(BigInt(r.minTimeNs));
    if (r.maxTimeNs === null) files.appendNull();
    else files.appendBigInt(BigInt(r.maxTimeNs));
    files.appendList(listValue(r.serviceNames), LIST(VARCHAR));
    files.appendTimestamp(timestampValue(BigInt(now) * 1000n));
    files.appendDouble(r.durationMs);
    files.endRow();
    for (const p of r.problems) {
      errors.appendInteger(r.fileId);
      errors.appendVarchar(r.path);
      if (p.location.line === undefined) errors.appendNull();
      else errors.appendBigInt(BigInt(p.location.line));
      if (p.location.byteOffset === undefined) errors.appendNull();
      else errors.appendBigInt(BigInt(p.location.byteOffset));
      errors.appendBigInt(BigInt(p.skipped));
      errors.appendVarchar(p.message);
      errors.endRow();
    }
  }
  files.closeSync();
  errors.closeSync();
}

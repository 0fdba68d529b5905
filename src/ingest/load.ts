/**
 * The ingest stage: inputs → stage tables → de-duplicated raw tables, with a report per file.
 *
 * Idempotency has two levels. A file whose bytes (sha256) were loaded before is not read again.
 * Within new files, each record has a content key (flatten.ts), so the same request seen as a
 * JSONL line and as a raw protobuf body, or replayed in a rotated file, is stored once.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { LIST, VARCHAR, listValue, timestampValue } from '@duckdb/node-api';
import type { Db } from '../model/db.js';
import { querySqlFile, runSqlFile } from '../model/db.js';
import { fileChunks, type Compression } from './bytes.js';
import type { Input } from './discover.js';
import { flattenRequest } from './flatten.js';
import type { RowSink } from './rows.js';
import { readSource, type Format, type ReadInfo } from './read.js';
import { StageSink } from './sink.js';
import { formatLocation, type SourceLocation } from './types.js';

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
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}

async function* tee(src: AsyncIterable<Buffer>, onChunk: (c: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const c of src) {
    onChunk(c);
    yield c;
  }
}

export async function ingest(db: Db, inputs: Input[], opts: IngestOptions = {}): Promise<FileReport[]> {
  const conn = db.conn;
  const known = new Map<string, Record<string, unknown>>();
  for (const r of await querySqlFile(conn, 'ingest/sql/known_files.sql')) known.set(r.sha256 as string, r);
  const nextId = Number((await querySqlFile(conn, 'ingest/sql/next_file_id.sql'))[0].next_id);

  await runSqlFile(conn, 'ingest/sql/stage.sql');
  const sink = await StageSink.open(conn);
  const reports: FileReport[] = [];
  const maxProblems = opts.maxProblemsPerFile ?? 1000;
  let bytesDone = 0;
  let records = 0;
  try {
    for (const [i, input] of inputs.entries()) {
      const started = performance.now();
      const fileId = nextId + i;
      const report = emptyReport(fileId, input.path);
      reports.push(report);
      let chunks: AsyncIterable<Buffer>;
      const hasher = input.stdin ? createHash('sha256') : null;
      if (input.stdin) {
        chunks = tee(opts.stdin ?? (process.stdin as AsyncIterable<Buffer>), (c) => {
          hasher!.update(c);
          report.sizeBytes += c.length;
        });
      } else {
        report.sizeBytes = statSync(input.path).size;
        report.sha256 = await sha256File(input.path);
        const prev = known.get(report.sha256);
        if (prev) {
          Object.assign(report, {
            status: 'already-loaded',
            compression: prev.compression,
            format: prev.format,
            note: `same content as ${prev.path}, loaded before`,
          });
          report.durationMs = performance.now() - started;
          continue;
        }
        chunks = fileChunks(input.path);
      }
      sink.fileId = fileId;
      const counted = await readInto(chunks, input.path, sink, report, maxProblems);
      records += counted;
      if (hasher) report.sha256 = hasher.digest('hex');
      if (input.stdin && known.has(report.sha256)) {
        report.status = 'already-loaded';
        report.note = `same content as ${known.get(report.sha256)!.path}, loaded before`;
      }
      known.set(report.sha256, { path: input.path, compression: report.compression, format: report.format });
      bytesDone += report.sizeBytes;
      report.durationMs = performance.now() - started;
      opts.onProgress?.({ file: input.path, filesDone: i + 1, filesTotal: inputs.length, bytesDone, records });
    }
    sink.close();
    // Rows staged by stdin input that turned out to be a repeat are dropped before the merge.
    const repeatIds = reports.filter((r) => r.status === 'already-loaded').map((r) => r.fileId);
    if (repeatIds.length) await runSqlFile(conn, 'ingest/sql/unstage_files.sql', { file_ids: listValue(repeatIds) });
    await runSqlFile(conn, 'ingest/sql/merge.sql');
    const loadedIds = reports.filter((r) => r.status === 'loaded').map((r) => r.fileId);
    if (loadedIds.length) {
      for (const row of await querySqlFile(conn, 'ingest/sql/new_counts.sql', { file_ids: listValue(loadedIds) })) {
        const r = reports.find((x) => x.fileId === Number(row.file_id))!;
        r.newSpans = Number(row.new_spans);
        r.newLogs = Number(row.new_logs);
        r.newMetricPoints = Number(row.new_metric_points);
      }
    }
    await recordFiles(db, reports);
  } finally {
    sink.close();
    await runSqlFile(conn, 'ingest/sql/drop_stage.sql');
  }
  return reports;
}

/**
 * Read one input into `sink`, filling the report's format, counts, time range, services and
 * problems. Returns the number of records read. Shared by `ingest` and `inspect`.
 */
export async function readInto(chunks: AsyncIterable<Buffer>, path: string, sink: RowSink, report: FileReport, maxProblems: number): Promise<number> {
  const info: ReadInfo = { compression: 'none', format: 'empty' };
  const services = new Set<string>();
  let minT: bigint | null = null;
  let maxT: bigint | null = null;
  let records = 0;
  const problem = (location: SourceLocation, message: string, skipped: number) => {
    report.skipped += skipped;
    if (report.problems.length < maxProblems) report.problems.push({ location, where: formatLocation(location), message, skipped });
  };
  for await (const ev of readSource(chunks, basename(path), info)) {
    if (ev.kind === 'problem') {
      problem(ev.location, ev.message, ev.records ?? 0);
      continue;
    }
    report.requests++;
    const r = flattenRequest(ev.request.signal, ev.request.body, sink);
    report.spans += r.spans;
    report.logs += r.logs;
    report.metricPoints += r.metricPoints;
    report.metrics += r.metrics;
    records += r.spans + r.logs + r.metricPoints;
    for (const s of r.serviceNames) services.add(s);
    if (r.minTimeNs !== null && (minT === null || r.minTimeNs < minT)) minT = r.minTimeNs;
    if (r.maxTimeNs !== null && (maxT === null || r.maxTimeNs > maxT)) maxT = r.maxTimeNs;
    for (const p of r.problems) problem(ev.request.location, `record skipped: ${p}`, 1);
  }
  report.compression = info.compression;
  report.format = info.format;
  if (info.note) report.note = info.note;
  if (info.format === 'not-telemetry') report.status = 'not-telemetry';
  else if (info.format === 'empty') {
    report.status = 'empty';
    report.note = report.problems.length ? 'nothing could be read: see the errors' : 'empty file';
  }
  report.serviceNames = [...services].sort();
  report.minTimeNs = minT?.toString() ?? null;
  report.maxTimeNs = maxT?.toString() ?? null;
  return records;
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

/**
 * Plain-text and JSON renderings of ingest/inspect results (the per-file table a person reads,
 * and the JSON another program reads).
 */
import type { FileReport } from '../ingest/load.js';

export interface IngestTotals {
  files: number;
  filesLoaded: number;
  filesAlreadyLoaded: number;
  filesNotTelemetry: number;
  requests: number;
  spans: number;
  logs: number;
  metricPoints: number;
  newSpans: number;
  newLogs: number;
  newMetricPoints: number;
  duplicates: number;
  skipped: number;
  problems: number;
  bytes: number;
}

export function totals(files: FileReport[]): IngestTotals {
  const t: IngestTotals = {
    files: files.length,
    filesLoaded: 0,
    filesAlreadyLoaded: 0,
    filesNotTelemetry: 0,
    requests: 0,
    spans: 0,
    logs: 0,
    metricPoints: 0,
    newSpans: 0,
    newLogs: 0,
    newMetricPoints: 0,
    duplicates: 0,
    skipped: 0,
    problems: 0,
    bytes: 0,
  };
  for (const f of files) {
    if (f.status === 'loaded') t.filesLoaded++;
    else if (f.status === 'already-loaded') t.filesAlreadyLoaded++;
    else t.filesNotTelemetry++;
    t.requests += f.requests;
    t.spans += f.spans;
    t.logs += f.logs;
    t.metricPoints += f.metricPoints;
    t.newSpans += f.newSpans;
    t.newLogs += f.newLogs;
    t.newMetricPoints += f.newMetricPoints;
    if (f.status === 'loaded') t.duplicates += f.spans + f.logs + f.metricPoints - f.newSpans - f.newLogs - f.newMetricPoints;
    t.skipped += f.skipped;
    t.problems += f.problems.length;
    t.bytes += f.sizeBytes;
  }
  return t;
}

function nsToIso(ns: string | null): string | null {
  if (ns === null) return null;
  return new Date(Number(BigInt(ns) / 1_000_000n)).toISOString();
}

/** JSON for `ingest --json` / `inspect --json`: stable key order, times as ISO strings too. */
export function filesJson(files: FileReport[], mode: 'ingest' | 'inspect'): unknown {
  return {
    files: files.map((f) => ({
      path: f.path,
      sizeBytes: f.sizeBytes,
      sha256: f.sha256,
      compression: f.compression,
      format: f.format,
      status: mode === 'inspect' && f.status === 'loaded' ? 'telemetry' : f.status,
      ...(f.note ? { note: f.note } : {}),
      requests: f.requests,
      records: { spans: f.spans, logs: f.logs, metrics: f.metrics, metricPoints: f.metricPoints },
      ...(mode === 'ingest' ? { added: { spans: f.newSpans, logs: f.newLogs, metricPoints: f.newMetricPoints } } : {}),
      skipped: f.skipped,
      problems: f.problems.map((p) => ({ where: p.where, ...p.location, message: p.message, skipped: p.skipped })),
      serviceNames: f.serviceNames,
      timeRange: { start: nsToIso(f.minTimeNs), end: nsToIso(f.maxTimeNs) },
    })),
    totals: totals(files),
  };
}

function timeRange(f: FileReport): string {
  const a = nsToIso(f.minTimeNs);
  const b = nsToIso(f.maxTimeNs);
  if (!a || !b) return '';
  const short = (x: string) => x.slice(0, 16).replace('T', ' ');
  return `${short(a)} – ${a.slice(0, 10) === b.slice(0, 10) ? short(b).slice(11) : short(b)}`;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** Rows of the text table; an archive of one request per file is thousands of files (--json lists all). */
export const TEXT_ROWS = 100;

/** Human-readable table; problems listed after it, each naming the file and line/byte. */
export function filesText(files: FileReport[], mode: 'ingest' | 'inspect'): string {
  // Beyond TEXT_ROWS files, the rows shown are picked: files not loaded or with skipped records
  // first, then the others, in the order read.
  const odd = (f: FileReport) => f.skipped > 0 || (f.status !== 'loaded' && f.status !== 'already-loaded');
  const picked = new Set(files.length <= TEXT_ROWS ? files : [...files.filter(odd), ...files.filter((f) => !odd(f))].slice(0, TEXT_ROWS));
  const shown = files.filter((f) => picked.has(f));
  const left = files.filter((f) => !picked.has(f));
  const rows = shown.map((f) => [
    f.path,
    f.status === 'loaded' || f.status === f.format ? f.format : `${f.format} (${f.status})`,
    f.compression,
    String(f.spans),
    String(f.logs),
    String(f.metricPoints),
    mode === 'ingest' ? String(f.newSpans + f.newLogs + f.newMetricPoints) : f.serviceNames.join(','),
    String(f.skipped),
    ...(mode === 'inspect' ? [timeRange(f)] : []),
  ]);
  const head = ['file', 'format', 'compression', 'spans', 'logs', 'metric pts', mode === 'ingest' ? 'added' : 'services', 'skipped', ...(mode === 'inspect' ? ['time range (UTC)'] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = (i: number) => i >= 3 && i <= 7 && !(mode === 'inspect' && i === 6);
  const line = (r: string[]) => r.map((c, i) => pad(c, widths[i], numeric(i))).join('  ').trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (left.length) out.push(`… and ${left.length} more files${left.some(odd) ? '' : ' without problems'} (--json lists every file)`);
  const t = totals(files);
  out.push('');
  out.push(
    `${t.files} files (${t.filesLoaded} ${mode === 'ingest' ? 'loaded' : 'with telemetry'}, ${t.filesAlreadyLoaded} already loaded, ${t.filesNotTelemetry} not telemetry or empty): ` +
      `${t.spans} spans, ${t.logs} log records, ${t.metricPoints} metric points` +
      (mode === 'ingest' ? `; added ${t.newSpans + t.newLogs + t.newMetricPoints}, duplicates dropped ${t.duplicates}` : '') +
      `; skipped ${t.skipped}.`,
  );
  const notes = shown.filter((f) => f.note && f.status !== 'loaded'); // (the files left out are summed up above)
  for (const f of notes) out.push(`note: ${f.path}: ${f.note}`);
  for (const f of files) {
    for (const p of f.problems) out.push(`error: ${f.path}: ${p.where}: ${p.message}`);
    const hidden = f.skipped > 0 && f.problems.length === 0;
    if (hidden) out.push(`error: ${f.path}: ${f.skipped} records skipped`);
  }
  return out.join('\n') + '\n';
}

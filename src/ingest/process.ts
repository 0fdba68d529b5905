/**
 * Decode and flatten a batch of units into a sink, returning what a file report needs.
 * Runs on worker threads (worker.ts) and, for `inspect` and without workers, in-process.
 */
import { decodeUnit, type Unit, type UnitProblem } from './decode.js';
import { cmpInt, flattenRequest } from './flatten.js';
import type { RowSink } from './rows.js';
import { CsvSink } from './sink.js';
import type { DecodedRequest } from './types.js';

export interface BatchResult {
  requests: number;
  spans: number;
  logs: number;
  metrics: number;
  metricPoints: number;
  problems: UnitProblem[];
  serviceNames: string[];
  minTimeNs: string | null;
  maxTimeNs: string | null;
}

/**
 * `spanRows`: spans come to the sink as the CSV rows the parser writes while reading them
 * (otlp-json.ts RawSpans), which only CsvSink takes; tests turn it off to compare both ways.
 */
export function processUnits(units: Unit[], sink: RowSink, spanRows = sink instanceof CsvSink): BatchResult {
  const out: BatchResult = { requests: 0, spans: 0, logs: 0, metrics: 0, metricPoints: 0, problems: [], serviceNames: [], minTimeNs: null, maxTimeNs: null };
  const rawFileId = spanRows ? (sink as CsvSink).fileId : undefined;
  const services = new Set<string>();
  let minT: string | null = null;
  let maxT: string | null = null;
  for (const unit of units) {
    const requests: DecodedRequest[] = [];
    decodeUnit(unit, requests, out.problems, rawFileId);
    for (const req of requests) {
      out.requests++;
      const r = flattenRequest(req.signal, req.body, sink);
      out.spans += r.spans;
      out.logs += r.logs;
      out.metrics += r.metrics;
      out.metricPoints += r.metricPoints;
      for (const s of r.serviceNames) services.add(s);
      if (r.minTimeNs !== null && (minT === null || cmpInt(r.minTimeNs, minT) < 0)) minT = r.minTimeNs;
      if (r.maxTimeNs !== null && (maxT === null || cmpInt(r.maxTimeNs, maxT) > 0)) maxT = r.maxTimeNs;
      for (const p of r.problems) out.problems.push({ location: req.location, message: `record skipped: ${p}`, records: 1 });
    }
  }
  out.serviceNames = [...services];
  out.minTimeNs = minT;
  out.maxTimeNs = maxT;
  return out;
}

/**
 * Decode and flatten a batch of units into a sink, returning what a file report needs.
 * Runs on worker threads (worker.ts) and, for `inspect` and without workers, in-process.
 */
import { decodeUnit, type Unit, type UnitProblem } from './decode.js';
import { cmpInt, flattenRequest, KeyMaker } from './flatten.js';
import type { UnitSplit } from './json-split.js';
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
    const split = unit.kind === 'json' ? unit.split : undefined;
    const keys = split?.pinned ? splitKeys(split) : undefined;
    const requests: DecodedRequest[] = [];
    decodeUnit(unit, requests, out.problems, rawFileId);
    for (const req of requests) {
      if (!split || split.part === 0) out.requests++;
      const r = flattenRequest(req.signal, req.body, sink, keys);
      out.spans += r.spans;
      out.logs += r.logs;
      out.metrics += r.metrics;
      out.metricPoints += r.metricPoints;
      for (const s of r.serviceNames) services.add(s);
      if (r.minTimeNs !== null && (minT === null || cmpInt(r.minTimeNs, minT) < 0)) minT = r.minTimeNs;
      if (r.maxTimeNs !== null && (maxT === null || cmpInt(r.maxTimeNs, maxT) > 0)) maxT = r.maxTimeNs;
      for (const p of r.problems) out.problems.push({ location: req.location, message: `record skipped: ${split ? rebased(p, split.bases) : p}`, records: 1 });
    }
  }
  out.serviceNames = [...services];
  out.minTimeNs = minT;
  out.maxTimeNs = maxT;
  return out;
}

// The record-key counters of split requests whose last part has not come yet (their parts come in
// order to one thread: load.ts Batches, pool.ts).
const counters = new Map<number, KeyMaker>();

function splitKeys(split: UnitSplit): KeyMaker {
  let keys = counters.get(split.id);
  if (!keys) counters.set(split.id, (keys = new LargeKeyMaker()));
  if (split.last) counters.delete(split.id);
  return keys;
}

/** A record path of a part (`resourceLogs[0].scopeLogs[0].logRecords[2]…`) with the whole value's indexes. */
export function rebased(problem: string, bases: number[]): string {
  let k = 0;
  return problem.replace(/^(\w+)\[(\d+)\](?:\.(\w+)\[(\d+)\](?:\.(\w+)\[(\d+)\])?)?/, (m: string) =>
    m.replace(/\[(\d+)\]/g, (_: string, i: string) => `[${Number(i) + (bases[k++] ?? 0)}]`),
  );
}

/**
 * A KeyMaker for requests of millions of records: the hashes seen are kept in typed arrays (open
 * addressing, 12 bytes a slot, outside the worker's capped heap) instead of a Map (~80 bytes an
 * entry inside it), so a request of gigabytes does not run the worker out of memory.
 */
export class LargeKeyMaker extends KeyMaker {
  private hashes = new BigInt64Array(1 << 12);
  private counts = new Uint32Array(1 << 12);
  private used = 0;
  private zero = 0; // occurrences of the hash 0, which marks an empty slot

  protected override occurrence(first: bigint): number {
    if (first === 0n) return ++this.zero;
    if (2 * (this.used + 1) > this.hashes.length) this.grow();
    const i = this.slot(this.hashes, first);
    if (this.counts[i] === 0) {
      this.hashes[i] = first;
      this.used++;
    }
    return ++this.counts[i];
  }

  private slot(hashes: BigInt64Array, h: bigint): number {
    const mask = hashes.length - 1;
    let i = Number(BigInt.asUintN(32, h)) & mask;
    while (hashes[i] !== 0n && hashes[i] !== h) i = (i + 1) & mask;
    return i;
  }

  private grow(): void {
    const hashes = new BigInt64Array(this.hashes.length * 2);
    const counts = new Uint32Array(hashes.length);
    for (let i = 0; i < this.hashes.length; i++) {
      if (this.counts[i] === 0) continue;
      const j = this.slot(hashes, this.hashes[i]);
      hashes[j] = this.hashes[i];
      counts[j] = this.counts[i];
    }
    this.hashes = hashes;
    this.counts = counts;
  }
}

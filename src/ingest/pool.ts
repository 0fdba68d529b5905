/**
 * Parallel decode: the main thread cuts units out of files; a pool of worker threads decodes and
 * flattens them into CSV files for DuckDB. Batches carry their units' bytes in one transferred
 * buffer. At most two batches per worker are in flight, so memory stays bounded whatever the
 * input size. With 0 workers (OTEL_AGENT_REPORT_WORKERS=0) the same code runs in-process.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { fromRoot } from '../paths.js';
import type { Unit } from './decode.js';
import type { UnitSplit } from './json-split.js';
import { processUnits, type BatchResult } from './process.js';
import { CsvSink } from './sink.js';
import type { Signal, SourceLocation } from './types.js';

interface WireUnit {
  kind: 'json' | 'protobuf';
  signal?: Signal;
  split?: UnitSplit;
  location: SourceLocation;
  start: number;
  end: number;
}

export interface WireBatch {
  type: 'batch';
  id: number;
  /** Consecutive runs of the units, each of one file. */
  runs: { fileId: number; units: number }[];
  units: WireUnit[];
  buffer: ArrayBuffer;
}

/** A batch's runs of units, each run of one file. */
export type Runs = { fileId: number; units: Unit[] }[];

export function toWire(id: number, runs: Runs): WireBatch {
  const units = runs.flatMap((r) => r.units);
  let size = 0;
  for (const u of units) size += u.kind === 'json' ? u.text.length : u.bytes.length;
  const buf = Buffer.allocUnsafeSlow(size);
  const wire: WireUnit[] = [];
  let pos = 0;
  for (const u of units) {
    const src = u.kind === 'json' ? u.text : u.bytes;
    src.copy(buf, pos);
    wire.push({ kind: u.kind, signal: u.kind === 'protobuf' ? u.signal : undefined, split: u.kind === 'json' ? u.split : undefined, location: u.location, start: pos, end: pos + src.length });
    pos += src.length;
  }
  return { type: 'batch', id, runs: runs.map((r) => ({ fileId: r.fileId, units: r.units.length })), units: wire, buffer: buf.buffer as ArrayBuffer };
}

export function fromWire(b: WireBatch): Runs {
  const buf = Buffer.from(b.buffer);
  const units: Unit[] = b.units.map((u) =>
    u.kind === 'json'
      ? { kind: 'json', text: buf.subarray(u.start, u.end), location: u.location, split: u.split }
      : { kind: 'protobuf', bytes: buf.subarray(u.start, u.end), signal: u.signal!, location: u.location },
  );
  let at = 0;
  return b.runs.map((r) => ({ fileId: r.fileId, units: units.slice(at, (at += r.units)) }));
}

/** Decode a batch's runs into `sink`, each run's rows under its file id: a result per run. */
export function processRuns(runs: Runs, sink: CsvSink): BatchResult[] {
  return runs.map((r) => {
    sink.fileId = r.fileId;
    return processUnits(r.units, sink);
  });
}

export function defaultWorkers(): number {
  const env = process.env.OTEL_AGENT_REPORT_WORKERS;
  if (env !== undefined && /^\d+$/.test(env)) return Number(env);
  return Math.max(1, Math.min(8, availableParallelism()));
}

type Pending = { resolve: (r: BatchResult[]) => void; reject: (e: Error) => void };

export class DecodePool {
  private workers: Worker[] = [];
  private inflight: number[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private turn = 0;
  private waiters: (() => void)[] = [];
  private local: CsvSink | null = null;
  private failure: Error | null = null;
  /** The worker of each split request whose last part is still to come. */
  private pinned = new Map<number, number>();

  constructor(
    private readonly dir: string,
    size: number,
  ) {
    if (size === 0) {
      this.local = new CsvSink(dir, 'main');
      return;
    }
    // Always the compiled worker: Node cannot start a worker from TypeScript source (tests).
    const script = fromRoot('dist', 'src', 'ingest', 'worker.js');
    for (let i = 0; i < size; i++) {
      // A bounded heap makes V8 collect early instead of growing each worker to gigabytes. A young
      // generation of 64 MB instead of the 32 MB V8 grows to: fewer objects live long enough to be
      // copied (1 GB bench, JSON lines, 3 alternating runs each: 6-11 % less CPU, same peak RSS).
      const w = new Worker(script, { workerData: { dir, tag: `w${i}` }, resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 64 } });
      w.on('message', (m: { type: string; id: number; result?: BatchResult[]; message?: string }) => {
        if (m.type !== 'done' && m.type !== 'failed') return;
        this.inflight[i]--;
        const p = this.pending.get(m.id)!;
        this.pending.delete(m.id);
        if (m.type === 'done') p.resolve(m.result!);
        else p.reject(new Error(`decoding failed in a worker thread: ${m.message}`));
        this.waiters.shift()?.();
      });
      w.on('error', (e) => this.fail(e));
      this.workers.push(w);
      this.inflight.push(0);
    }
  }

  private fail(e: Error): void {
    this.failure = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Queue a batch; resolves once there is room (back-pressure) to a holder of the result promise
   * (a holder, because a promise resolved with a promise would wait for the batch itself).
   * A batch of parts of a pinned split request (load.ts Batches gives them batches of their own)
   * goes to that request's worker, so that its parts are decoded in order.
   */
  async submit(runs: Runs): Promise<{ result: Promise<BatchResult[]> }> {
    const first = runs[0]?.units[0];
    const split = first?.kind === 'json' && first.split?.pinned ? first.split : undefined;
    if (this.local) return { result: Promise.resolve(processRuns(runs, this.local)) };
    for (;;) {
      if (this.failure) throw this.failure;
      // The least busy worker; among equals, the one after the last chosen (when the workers keep
      // up with the reading, all are idle at each batch, and the first alone got nearly all).
      const n = this.workers.length;
      let best = this.turn % n;
      for (let k = 1; k < n; k++) {
        const i = (this.turn + k) % n;
        if (this.inflight[i] < this.inflight[best]) best = i;
      }
      if (split) {
        best = this.pinned.get(split.id) ?? best;
        this.pinned.set(split.id, best);
      }
      if (this.inflight[best] < 2) {
        if (split && runs.some((r) => r.units.some((u) => u.kind === 'json' && u.split?.last))) this.pinned.delete(split.id);
        this.turn = best + 1;
        const id = this.nextId++;
        const batch = toWire(id, runs);
        this.inflight[best]++;
        const result = new Promise<BatchResult[]>((resolve, reject) => this.pending.set(id, { resolve, reject }));
        this.workers[best].postMessage(batch, [batch.buffer]);
        return { result };
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Wait for every batch, close the CSV files, stop the workers; returns the files written. */
  async finish(): Promise<{ table: string; path: string }[]> {
    if (this.local) return this.local.finish();
    const files = await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<{ table: string; path: string }[]>((resolve, reject) => {
            w.on('message', (m: { type: string; files?: { table: string; path: string }[] }) => {
              if (m.type === 'finished') resolve(m.files!);
            });
            w.once('error', reject);
            w.postMessage({ type: 'finish' });
          }),
      ),
    );
    await this.close();
    return files.flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}

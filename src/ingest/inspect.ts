/**
 * `inspect`: what each file is, without a database. Reads through the same decoders and
 * flattener as `ingest`, into a sink that only counts.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { fileChunks } from './bytes.js';
import type { Input } from './discover.js';
import { applyResult, Batches, emptyReport, finishReport, readUnitsInto, tee, type FileReport } from './load.js';
import { processUnits, type BatchResult } from './process.js';
import type { RowSink } from './rows.js';

const COUNT_ONLY: RowSink = {
  resource() {},
  scope() {},
  span() {},
  spanEvent() {},
  spanLink() {},
  log() {},
  numberPoint() {},
  histogramPoint() {},
  expHistogramPoint() {},
  summaryPoint() {},
};

export async function inspectInputs(inputs: Input[], stdin?: AsyncIterable<Buffer>): Promise<FileReport[]> {
  const out: FileReport[] = [];
  for (const [i, input] of inputs.entries()) {
    const started = performance.now();
    const report = emptyReport(i + 1, input.path);
    const hash = createHash('sha256');
    const src = input.stdin ? (stdin ?? (process.stdin as AsyncIterable<Buffer>)) : fileChunks(input.path);
    const results: Promise<BatchResult>[] = [];
    const hashed = tee(src, (c) => {
      hash.update(c);
      report.sizeBytes += c.length;
    });
    const batches = new Batches(async (runs) => ({ result: Promise.resolve(runs.map((r) => processUnits(r.units, COUNT_ONLY))) }));
    await readUnitsInto(hashed, input.path, report, 50, batches, results);
    await batches.flush();
    for (const r of await Promise.all(results)) applyResult(report, r, 50);
    finishReport(report);
    report.sha256 = hash.digest('hex');
    if (!input.stdin) report.sizeBytes = statSync(input.path).size;
    report.durationMs = performance.now() - started;
    out.push(report);
  }
  return out;
}

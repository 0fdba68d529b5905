/**
 * Worker thread: decodes and flattens batches of units into per-table CSV files (CsvSink).
 * Messages: {type:'batch', id, runs, units, buffer} → {type:'done', id, result} (a result per run);
 * {type:'finish'} → {type:'finished', files}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fromWire, processRuns, type WireBatch } from './pool.js';
import { CsvSink } from './sink.js';

const { dir, tag } = workerData as { dir: string; tag: string };
const sink = new CsvSink(dir, tag);

parentPort!.on('message', (msg: WireBatch | { type: 'finish' }) => {
  try {
    if (msg.type === 'finish') {
      parentPort!.postMessage({ type: 'finished', files: sink.finish() });
      return;
    }
    const result = processRuns(fromWire(msg), sink);
    parentPort!.postMessage({ type: 'done', id: msg.id, result });
  } catch (e) {
    parentPort!.postMessage({ type: 'failed', id: (msg as WireBatch).id, message: (e as Error).stack ?? String(e) });
  }
});

/**
 * The chart thread's entry point (see chart-thread.ts): loads Vega at once, then draws the charts
 * it is sent, one message per chart, in the order they arrive; once it has drawn every panel's
 * chart, it caches Vega's compiled code for the next run (src/code-cache.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CHART_PANELS } from '../panels/ids.js';
import { preloadVega, renderChart, saveVegaCodeCache, type Chart, type ChartId, type ChartInput } from './charts.js';

export interface ChartWorkerData {
  cacheTag: string;
}
export interface ChartRequest {
  /** The caller's number for this request, given back in the reply. */
  seq: number;
  id: ChartId;
  input: ChartInput;
  colors: Map<string, string>;
}
export type ChartWorkerMessage = { seq: number; kind: 'chart'; chart: Chart } | { seq: number; kind: 'error'; error: string };

const data = workerData as ChartWorkerData;
const post = (m: ChartWorkerMessage) => parentPort!.postMessage(m);

preloadVega(data.cacheTag);
const notDrawn = new Set<ChartId>(CHART_PANELS);
let queue = Promise.resolve();
parentPort!.on('message', (r: ChartRequest) => {
  // One chart at a time (a render awaits inside Vega): a request waits for the one before it.
  queue = queue.then(async () => {
    try {
      post({ seq: r.seq, kind: 'chart', chart: await renderChart(r.id, r.input, r.colors) });
    } catch (e) {
      post({ seq: r.seq, kind: 'error', error: (e as Error).message });
    }
    notDrawn.delete(r.id);
    if (notDrawn.size === 0) saveVegaCodeCache();
  });
});

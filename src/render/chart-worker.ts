/**
 * The chart thread's entry point (see chart-thread.ts): loads Vega at once, then renders the charts
 * it is sent, one message per request; after the first, it caches Vega's compiled code for the
 * next run (src/code-cache.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { preloadVega, renderChart, saveVegaCodeCache, type Chart, type ChartId } from './charts.js';
import { modelColors } from './colors.js';
import type { ChartedSummary } from './summary.js';

export interface ChartWorkerData {
  cacheTag: string;
}
export interface ChartRequest {
  summary: ChartedSummary;
  ids: ChartId[];
}
export type ChartWorkerMessage = { kind: 'charts'; charts: Chart[] } | { kind: 'error'; error: string };

const data = workerData as ChartWorkerData;
const post = (m: ChartWorkerMessage) => parentPort!.postMessage(m);

preloadVega(data.cacheTag);
parentPort!.on('message', async ({ summary, ids }: ChartRequest) => {
  try {
    const colors = modelColors(summary);
    const charts: Chart[] = [];
    for (const id of ids) charts.push(await renderChart(id, summary, colors));
    post({ kind: 'charts', charts });
  } catch (e) {
    post({ kind: 'error', error: (e as Error).message });
  }
  saveVegaCodeCache();
});

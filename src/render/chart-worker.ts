/**
 * The chart thread's entry point (see chart-thread.ts): loads Vega at once, then renders the charts
 * it is sent, one message per request; after the first, it caches Vega's compiled code for the
 * next run (code-cache.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { modelColors, preloadVega, renderChart, saveVegaCodeCache, type Chart, type ChartId } from './charts.js';
import type { ChartedSummary } from './summary.js';

export interface ChartRequest {
  summary: ChartedSummary;
  ids: ChartId[];
}
export type ChartReply = { charts: Chart[] } | { error: string };

preloadVega((workerData as { cacheTag: string }).cacheTag);
parentPort!.on('message', async ({ summary, ids }: ChartRequest) => {
  let reply: ChartReply;
  try {
    const colors = modelColors(summary);
    const charts: Chart[] = [];
    for (const id of ids) charts.push(await renderChart(id, summary, colors));
    reply = { charts };
  } catch (e) {
    reply = { error: (e as Error).message };
  }
  parentPort!.postMessage(reply);
  saveVegaCodeCache();
});

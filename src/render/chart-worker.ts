/**
 * The chart thread's entry point (see chart-thread.ts): loads Vega at once, then renders the charts
 * it is sent, one message per request.
 */
import { parentPort } from 'node:worker_threads';
import { modelColors, preloadVega, renderChart, type Chart, type ChartId } from './charts.js';
import type { ChartedSummary } from './summary.js';

export interface ChartRequest {
  summary: ChartedSummary;
  ids: ChartId[];
}
export type ChartReply = { charts: Chart[] } | { error: string };

preloadVega();
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
});

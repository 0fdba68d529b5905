/**
 * Charts rendered on a worker thread. Vega is single-threaded and, after the queries, the largest
 * cost of a report. The worker starts with the report command and loads Vega while the queries
 * run; it draws the charts as soon as their panels are done, while the rollups still run, and
 * this thread compiles the templates meanwhile. (Two workers, one for the token chart and one for
 * the rest, finished no sooner on this project's 2-core machines: they cost a second Vega load and
 * warm-up, about 250 ms of CPU. Precompiling the templates on the worker during the queries did
 * not help either.)
 */
import { Worker } from 'node:worker_threads';
import { CHART_PANELS } from '../panels/ids.js';
import { fromRoot } from '../paths.js';
import type { ChartRequest, ChartWorkerData, ChartWorkerMessage } from './chart-worker.js';
import type { Chart } from './charts.js';
import type { ChartedSummary } from './summary.js';

export interface ChartThread {
  /** The five panel charts, in report order (like `renderCharts`). */
  render(summary: ChartedSummary): Promise<Chart[]>;
  /** Stop the worker (idempotent). */
  close(): void;
}

interface ChartWorker {
  draw(request: ChartRequest): Promise<Chart[]>;
  close(): void;
}

/** The worker, answering one request at a time. */
function chartWorker(data: ChartWorkerData): ChartWorker {
  // Always the compiled worker: Node cannot start a worker from TypeScript source (tests).
  const worker = new Worker(fromRoot('dist', 'src', 'render', 'chart-worker.js'), { workerData: data });
  let failure: Error | undefined;
  let waiting: { resolve: (c: Chart[]) => void; reject: (e: Error) => void } | undefined;
  worker.on('message', (m: ChartWorkerMessage) => {
    const w = waiting;
    waiting = undefined;
    worker.unref();
    if (m.kind === 'charts') w?.resolve(m.charts);
    else w?.reject(new Error(m.error));
  });
  worker.on('error', (e) => {
    failure = e;
    waiting?.reject(e);
    waiting = undefined;
  });
  // Idle, the worker never keeps the process alive (after the listeners: adding one refs it).
  worker.unref();
  return {
    draw(request) {
      if (failure) return Promise.reject(failure);
      const reply = new Promise<Chart[]>((resolve, reject) => (waiting = { resolve, reject }));
      worker.ref();
      worker.postMessage(request);
      return reply;
    },
    close() {
      void worker.terminate();
    },
  };
}

let started: ChartThread | undefined;

/** Start the chart worker (once per process: a second call returns the same one). */
export function startChartThread(): ChartThread {
  if (started) return started;
  const worker = chartWorker({ cacheTag: CHART_PANELS.join(',') });
  started = {
    async render(summary) {
      // What the charts read of the summary (not the file list, rollups or data quality).
      const { filters, tokens, sessions, tools, api, cost } = summary;
      const charted: ChartedSummary = { filters, tokens, sessions, tools, api, cost };
      const drawn = await worker.draw({ summary: charted, ids: [...CHART_PANELS] });
      return CHART_PANELS.map((id) => drawn.find((c) => c.id === id)!);
    },
    close() {
      worker.close();
    },
  };
  return started;
}

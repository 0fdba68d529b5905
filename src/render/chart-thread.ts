/**
 * Charts rendered on a worker thread. Vega is single-threaded and, after the queries, the largest
 * cost of a report. The worker starts with the report command and loads Vega while the queries
 * run; it draws the charts as soon as their panels are done, one request each, while the rollups
 * still run, and this thread renders the pages meanwhile.
 * (Two workers, one for the token chart and one for the rest, finished no sooner on this project's
 * 2-core machines: they cost a second Vega load and warm-up, about 250 ms of CPU. Precompiling the
 * templates on the worker during the queries did not help either.)
 */
import { Worker } from 'node:worker_threads';
import { CHART_PANELS } from '../panels/ids.js';
import { fromRoot } from '../paths.js';
import type { ChartRequest, ChartWorkerData, ChartWorkerMessage } from './chart-worker.js';
import type { Chart, ChartId, ChartInput } from './charts.js';
import { modelColors } from './colors.js';
import { SECTION_OF_CHART, type ChartedSummary } from './summary.js';

export interface ChartThread {
  /** The five panel charts, in report order (like `renderCharts`). */
  render(summary: ChartedSummary): Promise<Chart[]>;
  /** Stop the worker (idempotent). */
  close(): void;
}

/** The worker; requests are answered in order, one chart each. */
function chartWorker(data: ChartWorkerData) {
  // Always the compiled worker: Node cannot start a worker from TypeScript source (tests).
  const worker = new Worker(fromRoot('dist', 'src', 'render', 'chart-worker.js'), { workerData: data });
  let failure: Error | undefined;
  let seq = 0;
  const waiting = new Map<number, { resolve: (c: Chart) => void; reject: (e: Error) => void }>();
  worker.on('message', (m: ChartWorkerMessage) => {
    const w = waiting.get(m.seq);
    waiting.delete(m.seq);
    if (waiting.size === 0) worker.unref();
    if (m.kind === 'chart') w?.resolve(m.chart);
    else w?.reject(new Error(m.error));
  });
  worker.on('error', (e) => {
    failure = e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  });
  // Idle, the worker never keeps the process alive (after the listeners: adding one refs it).
  worker.unref();
  return {
    draw(request: Omit<ChartRequest, 'seq'>): Promise<Chart> {
      if (failure) return Promise.reject(failure);
      const n = ++seq;
      const reply = new Promise<Chart>((resolve, reject) => waiting.set(n, { resolve, reject }));
      worker.ref();
      worker.postMessage({ ...request, seq: n } satisfies ChartRequest);
      return reply;
    },
    close() {
      void worker.terminate();
    },
  };
}

/** What a chart reads of the summary: the filters and its own section (not the file list, rollups or data quality). */
function inputOf(id: ChartId, summary: ChartInput): ChartInput {
  const section = SECTION_OF_CHART[id];
  return { filters: summary.filters, [section]: summary[section] };
}

let started: ChartThread | undefined;

/** Start the chart worker (once per process: a second call returns the same one). */
export function startChartThread(): ChartThread {
  if (started) return started;
  const worker = chartWorker({ cacheTag: CHART_PANELS.join(',') });
  started = {
    render(summary) {
      const colors = modelColors(summary);
      return Promise.all(CHART_PANELS.map((id) => worker.draw({ id, input: inputOf(id, summary), colors })));
    },
    close() {
      worker.close();
    },
  };
  return started;
}

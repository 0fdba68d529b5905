/**
 * Charts rendered on worker threads. Vega is single-threaded and, after the queries, the largest
 * cost of a report; the token chart alone takes about as long as the other four together. So two
 * workers draw them, one the token chart and one the rest, each starting at once to load Vega
 * while the queries run. The second also precompiles the report's templates meanwhile, so that
 * this thread need not load the Handlebars compiler.
 */
import { Worker } from 'node:worker_threads';
import { CHART_PANELS } from '../panels/ids.js';
import { fromRoot } from '../paths.js';
import type { ChartRequest, ChartWorkerData, ChartWorkerMessage } from './chart-worker.js';
import type { Chart, ChartId } from './charts.js';
import type { ChartedSummary } from './summary.js';
import type { PrecompiledTemplates } from './templates.js';

/** The charts each worker draws. */
const SHARES: readonly (readonly ChartId[])[] = [['tokens'], ['sessions', 'tools', 'api_errors', 'cost']];

export interface ChartThreads {
  /** The five panel charts, in report order (like `renderCharts`). */
  render(summary: ChartedSummary): Promise<Chart[]>;
  /** The report's templates, precompiled (undefined if that failed: then compile them here). */
  templates(): Promise<PrecompiledTemplates | undefined>;
  /** Stop the workers (idempotent). */
  close(): void;
}

interface ChartWorker {
  draw(request: ChartRequest): Promise<Chart[]>;
  templates: Promise<PrecompiledTemplates | undefined>;
  close(): void;
}

/** One worker, answering one request at a time. */
function chartWorker(data: ChartWorkerData): ChartWorker {
  // Always the compiled worker: Node cannot start a worker from TypeScript source (tests).
  const worker = new Worker(fromRoot('dist', 'src', 'render', 'chart-worker.js'), { workerData: data });
  let failure: Error | undefined;
  let waiting: { resolve: (c: Chart[]) => void; reject: (e: Error) => void } | undefined;
  let gotTemplates: (t: PrecompiledTemplates | undefined) => void = () => {};
  const templates = data.templates ? new Promise<PrecompiledTemplates | undefined>((resolve) => (gotTemplates = resolve)) : Promise.resolve(undefined);
  worker.on('message', (m: ChartWorkerMessage) => {
    if (m.kind === 'templates') return gotTemplates(m.templates ?? undefined);
    const w = waiting;
    waiting = undefined;
    worker.unref();
    if (m.kind === 'charts') w?.resolve(m.charts);
    else w?.reject(new Error(m.error));
  });
  worker.on('error', (e) => {
    failure = e;
    gotTemplates(undefined);
    waiting?.reject(e);
    waiting = undefined;
  });
  worker.on('exit', () => gotTemplates(undefined));
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
    templates,
    close() {
      void worker.terminate();
    },
  };
}

let started: ChartThreads | undefined;

/** Start the chart workers (once per process: a second call returns the same ones). */
export function startChartThreads(): ChartThreads {
  if (started) return started;
  const workers = SHARES.map((share, i) => chartWorker({ cacheTag: share.join(','), templates: i === SHARES.length - 1 }));
  started = {
    async render(summary) {
      // What the charts read of the summary (not the file list, rollups or data quality).
      const { filters, tokens, sessions, tools, api, cost } = summary;
      const charted: ChartedSummary = { filters, tokens, sessions, tools, api, cost };
      const drawn = (await Promise.all(workers.map((w, i) => w.draw({ summary: charted, ids: [...SHARES[i]] })))).flat();
      return CHART_PANELS.map((id) => drawn.find((c) => c.id === id)!);
    },
    templates() {
      return workers[workers.length - 1].templates;
    },
    close() {
      for (const w of workers) w.close();
    },
  };
  return started;
}

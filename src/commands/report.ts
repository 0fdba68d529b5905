import { Option, type Command } from 'commander';
import { analyse, type ChartedAnalysis } from '../pipeline.js';
import { lap } from '../timing.js';
import type { Chart } from '../render/charts.js';
import { buildSummary, chartedSections, type ChartedSummary, type Summary } from '../render/summary.js';
import { startChartThread } from '../render/chart-thread.js';
import type { ReportFiles } from '../render/write.js';
import { registerDemo } from './demo.js';
import { progressPrinter } from './ingest.js';
import { analysisOptions, progressWanted, toAnalysisOptions, type AnalysisFlags } from './options.js';

export interface ReportFlags extends AnalysisFlags {
  out: string;
  interactive?: boolean;
  email?: boolean;
  prComment?: boolean;
}

/** Flags of the report files, shared by `report` and `demo`. */
export function outputOptions(defaultOut?: string): Option[] {
  const out = new Option('--out <dir>', 'folder to write report.html, report.md, summary.json and charts/ into (created if missing)');
  return [
    defaultOut ? out.default(defaultOut) : out.makeOptionMandatory(),
    new Option('--interactive', 'inline the Vega runtime in report.html for tooltips and zoom (still no network requests)'),
    new Option('--email', 'also write report-email.html, for mail clients (inline styles, charts as images, under 1 MB)'),
    new Option('--pr-comment', 'also write pr-comment.md, a compact Markdown summary that fits a GitHub comment'),
  ];
}

/** Analyse, write the report folder, print the written paths on stdout (one per line). */
export async function runReport(paths: string[], o: ReportFlags, files: Omit<ReportFiles, 'out'> = {}): Promise<void> {
  // The charts are drawn on a worker thread, started now: it loads Vega while the queries run, and
  // draws as soon as the charts' panels are done, while the rollups still run. This thread renders
  // the pages meanwhile (writeReport). (Drawing each chart as soon as its own panel was done, the
  // token chart ~150 ms sooner, finished no sooner: 12 alternating runs, median 0.88 s either way,
  // and 0.08 s more CPU, as the chart then competes with the queries for the two cores.)
  const chartThread = startChartThread();
  let written: string[];
  try {
    let charted: ChartedSummary | undefined;
    let charts: Promise<Chart[]> | undefined;
    const onChartPanels = (a: ChartedAnalysis) => {
      try {
        charted = chartedSections(a);
      } catch {
        return; // buildSummary meets the same error below
      }
      charts = chartThread.render(charted);
      charts.catch(() => {}); // awaited by writeReport
      lap('charts started');
    };
    const { db, analysis } = await analyse(toAnalysisOptions(paths, o, progressWanted(o) ? progressPrinter() : undefined), { onChartPanels });
    let summary: Summary;
    try {
      summary = buildSummary(analysis, new Date(), charted);
    } finally {
      db.close();
    }
    lap('summary built');
    const drawn = charts ?? chartThread.render(summary);
    const { writeReport } = await import('../render/write.js');
    lap('renderers loaded');
    const options = { out: o.out, interactive: o.interactive, email: o.email, prComment: o.prComment, ...files };
    written = await writeReport(summary, { ...options, renderCharts: () => drawn });
  } finally {
    chartThread.close();
  }
  process.stdout.write(written.join('\n') + '\n');
  lap('report written');
}

/** Registers `report`, and `demo` (the same report from the bundled sample). */
export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('write an HTML and a Markdown report (with summary.json and charts/*.svg) into a folder, and print the paths')
    .argument('[paths...]', 'files, directories, globs or - (or use --db with data loaded by `ingest`)');
  for (const o of [...analysisOptions(), ...outputOptions()]) cmd.addOption(o);
  cmd
    .addHelpText(
      'after',
      '\nExamples:\n  otel-agent-report report ~/otel-archive --since 7d --out weekly\n  otel-agent-report report --db agents.duckdb --out pr-report --pr-comment\n  otel-agent-report report dumps/ --out mail --email --interactive',
    )
    .action(async (paths: string[], o: ReportFlags) => runReport(paths, o));
  registerDemo(program);
}

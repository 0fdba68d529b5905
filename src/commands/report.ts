import { Option, type Command } from 'commander';
import { analyse, type ChartedAnalysis } from '../pipeline.js';
import { lap } from '../timing.js';
import { CHART_PANELS, type ChartId } from '../panels/ids.js';
import type { Chart } from '../render/charts.js';
import { colorsFor } from '../render/colors.js';
import { buildSummary, CHART_SECTIONS, filtersSection, SECTION_OF_CHART, type ChartedSummary, type Summary } from '../render/summary.js';
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
  // draws each chart as soon as its panel is done, while the other panels and the rollups still
  // run. This thread compiles the templates meanwhile (writeReport).
  const chartThread = startChartThread();
  let written: string[];
  try {
    const sections: Partial<ChartedSummary> = {};
    const drawn = new Map<ChartId, Promise<Chart>>();
    let colors: Map<string, string> | undefined;
    const onChartPanel = (id: ChartId, a: ChartedAnalysis, models: (string | null)[]) => {
      const key = SECTION_OF_CHART[id];
      try {
        sections.filters ??= filtersSection(a.filters);
        (sections as Record<string, unknown>)[key] = CHART_SECTIONS[key](a);
      } catch {
        return; // buildSummary meets the same error below
      }
      colors ??= colorsFor(models);
      const chart = chartThread.draw(id, { filters: sections.filters, [key]: sections[key] }, colors);
      chart.catch(() => {}); // awaited by writeReport
      drawn.set(id, chart);
      lap(`${id} chart started`);
    };
    const { db, analysis } = await analyse(toAnalysisOptions(paths, o, progressWanted(o) ? progressPrinter() : undefined), { onChartPanel });
    const early = drawn.size === CHART_PANELS.length;
    let summary: Summary;
    try {
      // The sections the charts were drawn from, unless one failed (then buildSummary raises it).
      summary = buildSummary(analysis, new Date(), early ? (sections as ChartedSummary) : undefined);
    } finally {
      db.close();
    }
    lap('summary built');
    const charts = early ? Promise.all(CHART_PANELS.map((id) => drawn.get(id)!)) : chartThread.render(summary);
    charts.catch(() => {}); // awaited by writeReport
    const { writeReport } = await import('../render/write.js');
    lap('renderers loaded');
    const options = { out: o.out, interactive: o.interactive, email: o.email, prComment: o.prComment, ...files };
    written = await writeReport(summary, { ...options, renderCharts: () => charts });
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

/**
 * Writes a report folder: summary.json, charts/<id>.svg, report.html, report.md, and on request
 * report-email.html and pr-comment.md. Every file is rendered from the one summary, so their
 * numbers agree; all are deterministic apart from the generated-at line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCharts, vegaRuntimeScripts, type Chart } from './charts.js';
import { renderEmail } from './email.js';
import { LIMITS, viewWithoutCharts, withCharts } from './format.js';
import { renderHtml, renderHtmlLater } from './html.js';
import { renderMarkdown, renderMarkdownLater, renderPrComment } from './markdown.js';
import { template } from './templates.js';
import { CHART_PANELS } from '../panels/ids.js';
import type { Summary } from './summary.js';
import { lap } from '../timing.js';

export interface ReportFiles {
  out: string;
  interactive?: boolean;
  email?: boolean;
  prComment?: boolean;
  /** Renders the charts (default: `renderCharts`, on this thread). */
  renderCharts?: (summary: Summary) => Promise<Chart[]>;
}

/**
 * Compile the templates these files need ahead of the render (while the charts are drawn on
 * another thread). Errors are left for the render to raise.
 */
export function prepareTemplates(o: Omit<ReportFiles, 'out'>): void {
  for (const name of ['html', 'markdown', ...(o.email ? ['email' as const] : []), ...(o.prComment ? ['prComment' as const] : [])] as const) {
    try {
      template(name);
    } catch {
      // the render meets the same error, where it always has
    }
  }
}

/** Writes the files and returns their paths, in a stable order. */
export async function writeReport(summary: Summary, o: ReportFiles): Promise<string[]> {
  const charts = (o.renderCharts ?? renderCharts)(summary);
  charts.catch(() => {}); // awaited just below
  // What does not need the charts is done while they are drawn: the view, and the HTML and
  // Markdown pages with stand-ins where the charts go (not the interactive page).
  prepareTemplates(o);
  const json = JSON.stringify(summary, null, 2) + '\n';
  const viewBase = viewWithoutCharts(summary, LIMITS.full);
  const later = o.interactive ? null : { html: renderHtmlLater(viewBase, CHART_PANELS), md: renderMarkdownLater(viewBase, CHART_PANELS) };
  lap('templates compiled, pages rendered without charts');
  const rendered = await charts;
  lap('charts rendered');
  for (const c of rendered) {
    if (!/^[a-z0-9_-]+$/.test(c.id)) throw new Error(`chart id ${JSON.stringify(c.id)} cannot be a file name`);
  }
  // (A page the charts cannot simply go into is rendered again, whole: see markerCharts.)
  const view = withCharts(viewBase, rendered);
  const html = later?.html(rendered) ?? renderHtml(view, { runtime: o.interactive ? vegaRuntimeScripts() : undefined });
  const md = later?.md(rendered) ?? renderMarkdown(view);
  const files: [string, string][] = [
    ['summary.json', json],
    ...rendered.map((c): [string, string] => [join('charts', `${c.id}.svg`), c.svg.endsWith('\n') ? c.svg : c.svg + '\n']),
    ['report.html', html],
    ['report.md', md],
  ];
  lap('html and markdown rendered');
  if (o.email) files.push(['report-email.html', renderEmail(summary, rendered)]);
  if (o.prComment) files.push(['pr-comment.md', renderPrComment(summary)]);

  mkdirSync(join(o.out, 'charts'), { recursive: true });
  const written: string[] = [];
  for (const [name, text] of files) {
    const path = join(o.out, name);
    writeFileSync(path, text);
    written.push(path);
  }
  return written;
}

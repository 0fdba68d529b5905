/**
 * report-email.html: the weekly mail. Mail clients drop <style> and scripts and often inline SVG,
 * so everything is styled inline, laid out with tables, and each chart is an <img> with the SVG as
 * a data: URI and a text alternative. Under 1 MB whatever the input: tables are short, and charts
 * are left out (and the mail says so) if they alone would pass the limit.
 */
import { buildView, LIMITS, type ReportView } from './format.js';
import { assertSafeSvg, BASE_CSP } from './html.js';
import { packageVersion } from '../paths.js';
import { template } from './templates.js';
import type { Chart } from './format.js';
import type { Summary } from './summary.js';

export const EMAIL_MAX_BYTES = 1_000_000;
const MAX_FLAGS = 15;

function emailView(s: Summary, charts: Chart[]): { view: ReportView; moreFlags: number } {
  const full = buildView(s, charts, LIMITS.email);
  return {
    // A mail is read once, top to bottom: each panel's main table, the two main rollups.
    view: { ...full, flags: full.flags.slice(0, MAX_FLAGS), panels: full.panels.map((p) => ({ ...p, tables: p.tables.slice(0, 1) })), rollups: full.rollups.slice(0, 2) },
    moreFlags: Math.max(0, full.flags.length - MAX_FLAGS),
  };
}

export function renderEmail(s: Summary, charts: Chart[]): string {
  const email = template('email');
  const render = (withCharts: boolean) => {
    const { view, moreFlags } = emailView(s, withCharts ? charts : []);
    const panels = view.panels.map((p) => {
      if (!p.chart) return p;
      assertSafeSvg(p.chart.id, p.chart.svg);
      return { ...p, chart: { ...p.chart, dataUri: `data:image/svg+xml;base64,${Buffer.from(p.chart.svg, 'utf8').toString('base64')}` } };
    });
    return email({ view: { ...view, panels }, moreFlags, csp: BASE_CSP, version: packageVersion() });
  };
  const html = render(true);
  return Buffer.byteLength(html, 'utf8') <= EMAIL_MAX_BYTES ? html : render(false);
}

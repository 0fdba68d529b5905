/**
 * report.html: one self-contained file (inline CSS and SVG, no request ever) from
 * templates/report.html.hbs. Handlebars escapes every value; the only raw insertions are the
 * stylesheet, the chart SVGs (checked below) and, with --interactive, the inlined scripts, each
 * allowed by its hash in the Content-Security-Policy.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fromRoot, packageVersion } from '../paths.js';
import { markerCharts, withCharts, type Chart, type ReportView } from './format.js';
import { escapeHtml, template } from './templates.js';

export const BASE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

let stylesheet: string | undefined;

/** templates/report.css, as inlined in report.html. */
function css(): string {
  stylesheet ??= readFileSync(fromRoot('templates', 'report.css'), 'utf8').trim();
  return stylesheet;
}

/** Attributes whose value could load something (`url(…)` other than a local `#id`). */
const URL_ATTRS = new Set(['style', 'src', 'fill', 'stroke', 'clip-path', 'filter', 'mask', 'marker-start', 'marker-mid', 'marker-end', 'cursor']);
const DANGEROUS_TAGS = new Set(['script', 'foreignobject', 'iframe', 'object', 'embed', 'image', 'use', 'a', 'animate', 'set', 'style']);

/**
 * Chart SVG is inserted as markup, so check it is inert: no scripts, event handlers, links or
 * external references. Text from telemetry inside it must arrive escaped (`&lt;`), never as tags.
 */
export function assertSafeSvg(id: string, svg: string): void {
  for (const m of svg.matchAll(/<([A-Za-z][\w:-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g)) {
    const tag = m[1].toLowerCase();
    if (DANGEROUS_TAGS.has(tag)) throw new Error(`chart ${id}: unexpected <${tag}> element in the SVG`);
    for (const a of m[2].matchAll(/\s+([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g)) {
      const name = a[1].toLowerCase();
      const value = (a[2] ?? '').replace(/^["']|["']$/g, '').trim().toLowerCase();
      if (name.startsWith('on') || name.endsWith('href') || (URL_ATTRS.has(name) && /(javascript|data|https?):|url\(\s*['"]?(?!#)/.test(value))) {
        throw new Error(`chart ${id}: unsafe attribute ${name} in the SVG`);
      }
    }
  }
  if (/<!\[CDATA\[|<\?|<!DOCTYPE/i.test(svg.replace(/^<\?xml[^>]*\?>/, ''))) throw new Error(`chart ${id}: unexpected markup declaration in the SVG`);
}

/**
 * Turns the static charts into Vega views (tooltips, zoom) when --interactive, through the embed
 * function the runtime defines. A chart that cannot be drawn keeps its static SVG.
 */
const INIT_SCRIPT = `(function () {
  var embed = window.otelAgentReportEmbed;
  if (typeof embed !== 'function') return;
  Array.prototype.forEach.call(document.querySelectorAll('figure.chart[data-spec]'), function (fig) {
    var box = fig.querySelector('.svg');
    var holder = document.createElement('div');
    try {
      embed(holder, JSON.parse(fig.getAttribute('data-spec'))).then(function () { box.replaceChildren(holder); }, function (e) {
        console.warn('chart ' + fig.getAttribute('data-chart') + ' stays static: ' + e.message);
      });
    } catch (e) {
      console.warn('chart ' + fig.getAttribute('data-chart') + ' stays static: ' + e.message);
    }
  });
})();`;

/** `vegaRuntimeScripts()` may return bare JavaScript or <script> elements; either way, their bodies. */
export function scriptBodies(runtime: string): string[] {
  const t = runtime.trim();
  if (!t.startsWith('<')) return [t];
  const bodies = [...t.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1]);
  if (bodies.length === 0) throw new Error('the Vega runtime has no <script> element');
  return bodies;
}

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

export interface HtmlOptions {
  /** The inlined Vega runtime (from `vegaRuntimeScripts()`); makes the report interactive. */
  runtime?: string;
}

export function renderHtml(view: ReportView, opts: HtmlOptions = {}): string {
  const scripts = opts.runtime ? [...scriptBodies(opts.runtime), INIT_SCRIPT] : [];
  for (const s of scripts) {
    if (/<\/script/i.test(s)) throw new Error('an inlined script contains "</script": it cannot be embedded safely');
  }
  // Vega compiles its expressions with `new Function`, so the interactive page needs 'unsafe-eval';
  // only the hashed inline scripts can run at all, and nothing can be loaded.
  const csp = scripts.length ? `${BASE_CSP}; script-src ${scripts.map(sha256).join(' ')} 'unsafe-eval'` : BASE_CSP;
  const panels = view.panels.map((p) => {
    if (!p.chart) return p;
    assertSafeSvg(p.chart.id, p.chart.svg);
    const chart: Chart & { specJson?: string } = { ...p.chart, svg: stripXmlDeclaration(p.chart.svg) };
    if (opts.runtime) chart.specJson = JSON.stringify(p.chart.spec);
    return { ...p, chart };
  });
  return template('html')({
    view: { ...view, panels },
    csp,
    css: css(),
    scripts,
    version: packageVersion(),
  });
}

/**
 * report.html rendered now from a view without charts, with the charts `ids` put in later:
 * `finish(charts)` gives the same page as `renderHtml` of the view with them, or null if a chart
 * is missing or has warnings. (The page renders while the charts are drawn; not for the
 * interactive page.)
 */
export function renderHtmlLater(view: ReportView, ids: readonly string[]): (charts: Chart[]) => string | null {
  const markers = markerCharts(ids);
  const page = renderHtml(withCharts(view, markers.charts));
  return (charts) => {
    for (const c of charts) assertSafeSvg(c.id, c.svg);
    return markers.fill(page, charts, (c, field) => (field === 'svg' ? stripXmlDeclaration(c.svg) : escapeHtml(c[field])));
  };
}

function stripXmlDeclaration(svg: string): string {
  return svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '');
}

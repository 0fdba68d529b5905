/**
 * report.md (GitHub-flavoured Markdown, the same sections as the HTML, charts as relative image
 * links) and pr-comment.md (a compact version that always fits a GitHub comment).
 *
 * Templates are compiled without HTML escaping; instead every string of the view is escaped for
 * Markdown first (so telemetry renders as text: no tags, no emphasis, no broken table cells).
 */
import { buildView, LIMITS, markerCharts, withCharts, type Chart, type Limits, type ReportView, type Table } from './format.js';
import { packageVersion } from '../paths.js';
import { template } from './templates.js';
import type { Summary } from './summary.js';

/** GitHub's limit is 65,536 characters; stay under it in UTF-8 bytes too, with room to spare. */
export const PR_COMMENT_MAX = 65_000;

/** The characters mdEscape changes (most cells, numbers and plain words, have none). */
const MD_SPECIAL = /[\r\n\t\\`*[\]#|~$_&<>@]/;

/**
 * Text → Markdown that renders as exactly that text, inline or in a table cell: HTML special
 * characters become entities, Markdown punctuation that could start emphasis, code, links, tables,
 * headings or issue references is backslash-escaped ($ too: GitHub renders $…$ as math), @ is an
 * entity (no mentions), and line breaks become spaces.
 */
export function mdEscape(text: string): string {
  if (!MD_SPECIAL.test(text)) return text;
  return text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\\`*[\]#|~$]/g, (c) => `\\${c}`)
    // An underscore only starts or ends emphasis at a word boundary (exec_command is safe).
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;');
}

/** Keys whose values are ours and already in their final form (never telemetry). */
const RAW_KEYS = new Set(['href', 'svg', 'spec', 'num', 'flagged', 'more', 'id']);

function escapeDeep<T>(v: T, key = ''): T {
  if (typeof v === 'string') return (RAW_KEYS.has(key) ? v : mdEscape(v)) as T;
  if (Array.isArray(v)) return v.map((x) => escapeDeep(x)) as T;
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, RAW_KEYS.has(k) && typeof x !== 'string' ? x : escapeDeep(x, k)])) as T;
  }
  return v;
}

/** Mark flagged rows in the first cell, since Markdown has no row colour. */
function markFlagged(t: Table): Table {
  return { ...t, rows: t.rows.map((r) => (r.flagged ? { ...r, cells: r.cells.map((c, i) => (i === 0 ? { ...c, text: `⚠ ${c.text}` } : c)) } : r)) };
}

function markdownView(view: ReportView): ReportView {
  const tables = (ts: Table[]) => ts.map(markFlagged);
  const v: ReportView = {
    ...view,
    panels: view.panels.map((p) => ({ ...p, tables: tables(p.tables), chart: p.chart ? { ...p.chart, svg: '', spec: {} } : null })),
    rollups: tables(view.rollups),
    sessions: tables(view.sessions),
    quality: { ...view.quality, tables: tables(view.quality.tables) },
    methodology: { ...view.methodology, prices: tables(view.methodology.prices) },
  };
  const escaped = escapeDeep(v);
  for (const p of escaped.panels) {
    if (p.chart) {
      if (!/^[a-z0-9_-]+$/.test(p.chart.id)) throw new Error(`chart id ${JSON.stringify(p.chart.id)} cannot be a file name`);
      (p.chart as Chart & { href: string }).href = `charts/${p.chart.id}.svg`;
    }
  }
  return escaped;
}

/** Tidy the template's whitespace: no trailing spaces, at most one blank line, one final newline. */
function tidy(md: string): string {
  return md.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}

export function renderMarkdown(view: ReportView): string {
  return tidy(template('markdown')({ view: markdownView(view), version: packageVersion() }));
}

/**
 * report.md rendered now from a view without charts, with the charts `ids` put in later:
 * `finish(charts)` gives the same text as `renderMarkdown` of the view with them, or null if a
 * chart is missing or has warnings. (Titles and alt texts go in on one line, escaped as the
 * view's are.)
 */
export function renderMarkdownLater(view: ReportView, ids: readonly string[]): (charts: Chart[]) => string | null {
  const markers = markerCharts(ids);
  const md = renderMarkdown(withCharts(view, markers.charts));
  return (charts) => markers.fill(md, charts, (c, field) => mdEscape(c[field]));
}

function compactView(s: Summary, lim: Limits, maxFlags: number): { view: ReportView; moreFlags: number } {
  const full = buildView(s, [], lim);
  const view: ReportView = {
    ...full,
    flags: full.flags.slice(0, maxFlags).map((f) => ({ ...f, text: cutText(f.text, lim.cell * 3) })),
    panels: full.panels.map((p) => ({ ...p, reading: cutText(p.reading, lim.cell * 4), chart: null, tables: p.tables.slice(0, 1) })),
    rollups: full.rollups.slice(0, 1),
    filters: full.filters.map((f) => ({ ...f, text: cutText(f.text, lim.cell) })),
  };
  return { view, moreFlags: full.flags.length - view.flags.length };
}

function cutText(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : text;
}

/**
 * The PR comment: key figures, flags, one reading per panel and the main tables folded away.
 * Whatever the input, it fits: tables shrink until it does, and as a last resort it is cut.
 */
export function renderPrComment(s: Summary): string {
  const prComment = template('prComment');
  const tries: [Limits, number][] = [
    [LIMITS.compact, 10],
    [{ rows: 4, sessions: 3, cell: 40 }, 5],
    [{ rows: 2, sessions: 2, cell: 24 }, 3],
    [{ rows: 0, sessions: 0, cell: 16 }, 1],
  ];
  let md = '';
  for (const [lim, maxFlags] of tries) {
    const { view, moreFlags } = compactView(s, lim, maxFlags);
    const v = markdownView(view);
    const kpi = Object.fromEntries(v.kpis.map((k) => [k.id, k.value]));
    const filterText = v.filters
      .filter((f) => !['Time zone', 'Slow session', 'Tool flag'].includes(f.term))
      .map((f) => `${f.term}: ${f.text}`)
      .join('; ');
    md = tidy(prComment({ view: v, kpi, filterText, moreFlags, version: packageVersion() }));
    if (Buffer.byteLength(md, 'utf8') <= PR_COMMENT_MAX) return md;
  }
  const note = '\n\n_… cut to fit a GitHub comment; see report.md for everything._\n';
  let cut = md.slice(0, PR_COMMENT_MAX - note.length * 4);
  while (Buffer.byteLength(cut, 'utf8') > PR_COMMENT_MAX - note.length * 4) cut = cut.slice(0, -1000);
  cut = cut.slice(0, cut.lastIndexOf('\n'));
  return cut + (cut.includes('<details>') ? '\n\n</details>' : '') + note;
}

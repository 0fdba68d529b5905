/**
 * Charts: one Vega-Lite spec per panel (`src/panels/<id>.vl.json`), filled with data from the JSON
 * summary and rendered to SVG on the server by vega (headless, no canvas, no browser).
 *
 * A spec file receives three things, each checked against the spec so a renamed field fails loudly
 * and names the `.vl.json` file:
 *   - `datasets`: the spec declares empty named datasets; every one is filled, no other is accepted;
 *   - top-level `params` with a `value` (arrays such as axis ticks), set by name;
 *   - `${name}` placeholders in strings (time zone, bucket, thresholds) for titles and labels.
 * Every `color` encoding on the field `model` gets the one model colour scale of the report
 * (chart-spec.ts fills the spec). A chart is drawn from its panel's precompiled template when it
 * fits (chart-templates.ts: no Vega-Lite compile at report time), else compiled here.
 *
 * Output is deterministic: fixed sizes and fonts, en-US formats built into vega (not the machine
 * locale), times shown as UTC wall clock of the report's time zone, and SVG ids renumbered per chart
 * (vega's counters are process-wide, and several charts share one HTML page).
 */
import { readFileSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { CHART_PANELS, type ChartId } from '../panels/ids.js';
import { fillSpec, loadSpec, noDataSpec, OTHER, specFile, staticSpec, substitute, type PanelInput, type Rows } from './chart-spec.js';
import { runtimeFromTemplate, type TemplateFill } from './chart-templates.js';
import { byText, modelColors, modelOf } from './colors.js';
import { duration, int, pct, plural, usd } from './format.js';
import type { ChartedSummary } from './summary.js';
import { buildFile, collectingLogger, vegaLiteModule, vegaModule, type Vega } from './vega-runtime.js';

export { preloadVega, saveVegaCodeCache } from './vega-runtime.js';
export { FONT, OTHER } from './chart-spec.js';

export interface Chart {
  id: string;
  title: string;
  svg: string;
  /** The Vega-Lite spec with its data and config, as compiled (renders the same chart client-side). */
  spec: object;
  /** Text alternative: what the chart shows, with the key numbers. */
  alt: string;
  /** Vega-Lite / Vega warnings while compiling and rendering (none expected; listed under data quality). */
  warnings: string[];
}

export type { ChartId };
/** Tokens, compactly: 1234 → "1.2k" (locale-independent, like the shared formats in format.ts). */
export function fmtCompact(n: number): string {
  const units: [number, string][] = [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, suffix] of units) if (Math.abs(n) >= size * 0.9995) return (n / size).toFixed(1).replace(/\.0$/, '') + suffix;
  return int(n);
}
function listOf(items: string[], max = 4): string {
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/** A y-axis label: the model, with the agent only when two agents report the same model id. */
function labeller(rows: { agent: string | null; model: string | null }[]) {
  const agents = new Map<string, Set<string>>();
  for (const r of rows) {
    const m = modelOf(r.model);
    agents.set(m, (agents.get(m) ?? new Set()).add(r.agent ?? '?'));
  }
  return (agent: string | null, model: string | null) => {
    const m = modelOf(model);
    return agents.get(m)!.size > 1 ? `${m} (${agent ?? '?'})` : m;
  };
}

// ---- panels: summary → datasets, params and the text alternative ----

const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;

/** A bucket start from the summary ("2026-11-24 07:23:00", wall clock in the report's zone) as ISO UTC. */
function wallClockIso(v: string | null): string {
  const m = v && /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(v);
  if (!m) throw new Error(`charts: unexpected bucket start ${JSON.stringify(v)} in summary.tokens.series`);
  return `${m[1]}T${m[2]}Z`;
}

const TOKEN_PARTS = ['input, uncached', 'cache read', 'cache write', 'output, visible', 'reasoning'] as const;
interface TokenCounts { input: number; cacheRead: number; cacheWrite: number; output: number; reasoning: number }
/** Input includes cache reads and writes, output includes reasoning: split into disjoint parts. */
export function disjointParts(t: TokenCounts): number[] {
  return [Math.max(0, t.input - t.cacheRead - t.cacheWrite), t.cacheRead, t.cacheWrite, Math.max(0, t.output - t.reasoning), t.reasoning];
}

/** Beyond these, models share one grey "other models" (the time chart) or row (the mix). */
const TIME_TOP = 9;
const MIX_TOP = 20;
type Counts = TokenCounts & { calls: number };
const zero = (): Counts => ({ input: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, calls: 0 });
function addInto(into: Counts, r: Counts): Counts {
  for (const k of ['input', 'cacheRead', 'cacheWrite', 'output', 'reasoning', 'calls'] as const) into[k] += r[k];
  return into;
}

function tokensPanel(s: ChartedSummary, colors: Map<string, string>): PanelInput {
  const series = s.tokens.series;
  const step = BUCKET_MS[s.tokens.bucket as keyof typeof BUCKET_MS] ?? BUCKET_MS.hour;
  const label = labeller(series);

  // Models ranked by input + output over the period; the top ones keep their own colour and row.
  const models = new Map<string, { label: string; model: string; agent: string | null; t: Counts }>();
  for (const r of series) {
    const l = label(r.agent, r.model);
    const m = models.get(l) ?? { label: l, model: modelOf(r.model), agent: r.agent, t: zero() };
    models.set(l, m);
    addInto(m.t, r);
  }
  const ranked = [...models.values()]
    .map((m) => ({ ...m, total: m.t.input + m.t.output }))
    .sort((a, b) => b.total - a.total || byText(a.label, b.label));
  const keep = (top: number) => new Set(ranked.slice(0, ranked.length > top + 1 ? top : ranked.length).map((m) => m.label));

  const inTime = keep(TIME_TOP);
  // Stacked and listed by rank (largest at the bottom and first), "other models" last.
  const order = [...new Set(ranked.filter((m) => inTime.has(m.label)).map((m) => m.model)), OTHER];
  const cells = new Map<string, { start: string; environment: string; model: string; agent: string | null; t: Counts }>();
  for (const r of series) {
    const l = label(r.agent, r.model);
    const own = inTime.has(l);
    const environment = r.environment ?? '(none)';
    const key = JSON.stringify([r.bucketStart, environment, own ? l : OTHER]);
    const c = cells.get(key) ?? { start: wallClockIso(r.bucketStart), environment, model: own ? modelOf(r.model) : OTHER, agent: own ? r.agent : null, t: zero() };
    cells.set(key, c);
    addInto(c.t, r);
  }
  const seriesRows = [...cells.values()].map((c) => ({
    start: c.start,
    end: new Date(Date.parse(c.start) + step).toISOString(),
    bucket: c.start.slice(0, 16).replace('T', ' '),
    agent: c.agent ?? 'various', model: c.model, environment: c.environment,
    stackOrder: order.indexOf(c.model),
    tokens: c.t.input + c.t.output, ...c.t,
  }));

  const inMix = keep(MIX_TOP);
  const rest = ranked.filter((m) => !inMix.has(m.label));
  const rows = ranked.filter((m) => inMix.has(m.label));
  if (rest.length) rows.push({ label: `${OTHER} (${rest.length})`, model: OTHER, agent: null, t: rest.reduce((a, m) => addInto(a, m.t), zero()), total: rest.reduce((a, m) => a + m.total, 0) });
  const mix = rows.flatMap((g, rank) =>
    disjointParts(g.t)
      .map((tokens, partOrder) => ({
        label: g.label, model: g.model, agent: g.agent, rank, partOrder,
        part: TOKEN_PARTS[partOrder], tokens, share: g.total > 0 ? tokens / g.total : 0,
        aria: `${g.label}, ${TOKEN_PARTS[partOrder]}: ${int(tokens)} tokens`,
      }))
      .filter((p) => p.tokens > 0),
  );

  const t = s.tokens.total;
  const envs = new Set(seriesRows.map((r) => r.environment));
  const [uncached, cacheRead, cacheWrite, visible, reasoning] = disjointParts(t);
  const starts = seriesRows.map((r) => r.start).sort(byText);
  const first = starts[0]?.slice(0, 16).replace('T', ' ');
  const last = starts.length ? new Date(Date.parse(starts[starts.length - 1]) + step).toISOString().slice(0, 16).replace('T', ' ') : '';
  const alt = series.length === 0 ? 'No model calls with token counts were recorded.' :
    `${fmtCompact(t.input + t.output)} tokens (${int(t.input + t.output)}) in ${plural(t.calls, 'model call')} from ${first} to ${last} (${s.filters.tz}), ` +
    `across ${plural(ranked.length, 'model')} in ${plural(envs.size, 'environment')}: ${fmtCompact(uncached)} uncached input, ` +
    `${fmtCompact(cacheRead)} cache read, ${fmtCompact(cacheWrite)} cache write, ${fmtCompact(visible)} visible output and ${fmtCompact(reasoning)} reasoning. ` +
    `Most tokens: ${ranked[0].label} with ${fmtCompact(ranked[0].total)}.`;
  const legend = order.filter((m) => seriesRows.some((r) => r.model === m));
  return { datasets: { series: seriesRows, mix }, alt, legend, empty: series.length ? null : 'No model calls with token counts in this period.' };
}

/** Four log-spaced bins per factor of ten, in milliseconds: bin k covers [10^(k/4), 10^((k+1)/4)). */
const binOf = (ms: number) => Math.floor(Math.log10(Math.max(ms, 1)) * 4 + 1e-9);
const binEdge = (k: number) => 10 ** (k / 4);
const TICKS_S = [0.001, 0.01, 0.1, 1, 10, 60, 600, 3600, 36_000, 86_400, 864_000];

function sessionsPanel(s: ChartedSummary): PanelInput {
  const durations = s.sessions.durations.filter((d) => d.durationMs !== null);
  const slowMs = s.filters.slowSessionMs;
  const counts = new Map<string, number>();
  for (const d of durations) {
    const key = `${binOf(d.durationMs!)}|${d.slow ? 'slow' : 'normal'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const bins = [...counts.entries()]
    .map(([key, sessions]) => {
      const [k, kind] = key.split('|');
      const lo = binEdge(Number(k));
      const hi = binEdge(Number(k) + 1);
      const range = `${duration(lo)} – ${duration(hi)}`;
      return { seconds: lo / 1000, secondsEnd: hi / 1000, kind, kindOrder: kind === 'slow' ? 1 : 0, sessions, range, aria: `${range}: ${plural(sessions, `${kind} session`)}` };
    })
    .sort((a, b) => a.seconds - b.seconds || a.kindOrder - b.kindOrder);

  const p = s.sessions.durationMs;
  const marks: { names: string[]; ms: number }[] = [];
  for (const [name, ms] of [['P50', p.p50], ['P95', p.p95], ['P99', p.p99]] as const) {
    if (ms === null) continue;
    const same = marks.find((m) => m.ms === ms);
    if (same) same.names.push(name);
    else marks.push({ names: [name], ms });
  }
  // Labels above the plot, one row each (the slow threshold highest, then P50…), each rule reaching up to its label.
  const percentiles = marks.map((m, i) => {
    const label = `${m.names.join(' = ')} ${duration(m.ms)}`;
    return { seconds: Math.max(m.ms, 1) / 1000, label, offset: -2 - (marks.length - 1 - i) * 13, aria: label };
  });
  const threshold = [{ seconds: slowMs / 1000, label: `slow > ${duration(slowMs)}`, offset: -2 - marks.length * 13, aria: `slow threshold ${duration(slowMs)}` }];

  const edges = [...bins.flatMap((b) => [b.seconds, b.secondsEnd]), ...percentiles.map((q) => q.seconds), slowMs / 1000];
  const lo = Math.min(...edges) / 1.5;
  const hi = Math.max(...edges) * 1.5;
  const alt = durations.length === 0 ? 'No sessions with a duration were recorded.' :
    `${plural(durations.length, 'session')}: median (P50) ${duration(p.p50 ?? 0)}, P95 ${duration(p.p95 ?? 0)}, P99 ${duration(p.p99 ?? 0)}, ` +
    `longest ${duration(p.max ?? 0)}; ${int(s.sessions.slowCount)} slower than ${duration(slowMs)}.`;
  return {
    datasets: { bins, percentiles, threshold },
    params: { xDomain: [lo, hi], xTicks: TICKS_S.filter((t) => t >= lo && t <= hi) },
    alt,
    empty: durations.length ? null : 'No sessions with a duration in this period.',
  };
}

function toolsPanel(s: ChartedSummary): PanelInput {
  const flag = pct(s.filters.toolFlagBelow);
  const tools = s.tools.byTool;
  const multiAgent = new Set(tools.map((t) => t.agent)).size > 1;
  const rows = tools
    .map((t) => {
      const label = (t.tool ?? '(unnamed tool)') + (multiAgent ? ` (${t.agent ?? '?'})` : '');
      const text = `${pct(t.successRate)} of ${plural(t.calls, 'call')}` + (t.flagged ? ` · below ${flag}` : '');
      return {
        ...t, label, text, status: t.flagged ? `below ${flag}` : 'ok',
        aria: `${label}: ${text}`, trackAria: `${label}: 100 % scale`,
      };
    })
    .sort((a, b) => (a.successRate ?? 1) - (b.successRate ?? 1) || b.calls - a.calls || byText(a.label, b.label))
    .map((r, rank) => ({ ...r, rank }));
  const flagged = rows.filter((r) => r.flagged);
  const alt = tools.length === 0 ? 'No tool calls were recorded.' :
    `${plural(s.tools.calls, 'tool call')} to ${plural(tools.length, 'tool')}, ${pct(s.tools.successRate)} succeeded. ` +
    (flagged.length ? `${plural(flagged.length, 'tool')} below ${flag}: ${listOf(flagged.map((r) => `${r.label} ${r.text.replace(/ · below.*$/, '')}`))}.` : `No tool is below ${flag}.`);
  return {
    datasets: { tools: rows, threshold: [{ rate: s.filters.toolFlagBelow, aria: `flag threshold ${flag}` }] },
    alt,
    empty: tools.length ? null : 'No tool calls in this period.',
  };
}

const OUTCOMES = ['succeeded', '429 rate limited', '400 bad request', 'other 4xx', '5xx server error', 'failed, status not reported', 'failed, other status'];
function outcomeOf(status: string | null, error: boolean): string {
  if (!error) return OUTCOMES[0];
  if (status === null || status === 'not reported') return OUTCOMES[5];
  const code = Number(status);
  if (code === 429) return OUTCOMES[1];
  if (code === 400) return OUTCOMES[2];
  if (code >= 400 && code < 500) return OUTCOMES[3];
  if (code >= 500 && code < 600) return OUTCOMES[4];
  return OUTCOMES[6];
}

function apiPanel(s: ChartedSummary): PanelInput {
  const label = labeller([...s.api.byModel, ...s.api.byModelStatus]);
  const models = s.api.byModel
    .map((m) => ({
      label: label(m.agent, m.model), model: modelOf(m.model), agent: m.agent, attempts: m.attempts, errors: m.errors, errorRate: m.errorRate,
      text: `${int(m.errors)} of ${int(m.attempts)} failed (${pct(m.errorRate)})`,
    }))
    .sort((a, b) => (b.errorRate ?? 0) - (a.errorRate ?? 0) || b.attempts - a.attempts || byText(a.label, b.label))
    .map((m, rank) => ({ ...m, rank }));
  const rankOf = new Map(models.map((m) => [m.label, m.rank]));
  const groups = new Map<string, { label: string; model: string; agent: string | null; outcome: string; attempts: number; retries: number; statuses: string[] }>();
  for (const r of s.api.byModelStatus) {
    const l = label(r.agent, r.model);
    const outcome = outcomeOf(r.status, r.error);
    const key = JSON.stringify([l, outcome]);
    const g = groups.get(key) ?? { label: l, model: modelOf(r.model), agent: r.agent, outcome, attempts: 0, retries: 0, statuses: [] };
    g.attempts += r.count;
    g.retries += r.retries;
    if (r.status !== null && !g.statuses.includes(r.status)) g.statuses.push(r.status);
    groups.set(key, g);
  }
  const attempts = [...groups.values()].map((g) => ({
    ...g, statuses: g.statuses.join(', '), outcomeOrder: OUTCOMES.indexOf(g.outcome), rank: rankOf.get(g.label) ?? models.length,
    aria: `${g.label}, ${g.outcome}: ${plural(g.attempts, 'attempt')}`,
  }));
  const worst = models.filter((m) => m.errors > 0);
  const a = s.api;
  const alt = a.attempts === 0 ? 'No API attempts were recorded.' :
    `${plural(a.attempts, 'API attempt')}, ${int(a.errors)} failed (${pct(a.errorRate)}); ${plural(a.retries, 'retry', 'retries')}. ` +
    (worst.length ? `Highest error rate: ${listOf(worst.map((m) => `${m.label} ${m.text}`), 2)}.` : 'No attempt failed.') +
    (a.statusNotReported ? ` ${plural(a.statusNotReported, 'attempt')} without a reported status.` : '');
  const present = OUTCOMES.filter((o) => attempts.some((g) => g.outcome === o));
  return { datasets: { attempts, models }, params: { outcomes: present }, alt, empty: attempts.length ? null : 'No API attempts in this period.' };
}

function costPanel(s: ChartedSummary): PanelInput {
  const label = labeller(s.cost.byModel);
  const unpricedTokens = new Map<string, number>();
  for (const u of s.cost.unpriced) {
    const key = JSON.stringify([u.agent, u.model]);
    unpricedTokens.set(key, (unpricedTokens.get(key) ?? 0) + u.input + u.output);
  }
  const rows = s.cost.byModel.map((m) => {
    const tokens = unpricedTokens.get(JSON.stringify([m.agent, m.model])) ?? 0;
    const unpricedText = `unpriced: ${fmtCompact(tokens)} tokens in ${plural(m.unpricedCalls, 'call')}` + (m.unpricedReason ? ` (${m.unpricedReason})` : '');
    const costText = m.costUsd === null ? 'unpriced' : usd(m.costUsdExact ?? m.costUsd);
    const text = m.costUsd === null ? unpricedText : m.unpricedCalls > 0 ? `${costText} + ${unpricedText}` : costText;
    const l = label(m.agent, m.model);
    return {
      label: l, model: modelOf(m.model), agent: m.agent, costUsd: m.costUsd, costText, calls: m.calls, unpricedCalls: m.unpricedCalls,
      unpricedTokens: tokens, priceModelId: m.priceModelId ?? 'none', text, textAt: m.costUsd ?? 0, aria: `${l}: ${costText}`,
    };
  });
  rows.sort((a, b) => (b.costUsd ?? -1) - (a.costUsd ?? -1) || b.unpricedTokens - a.unpricedTokens || byText(a.label, b.label));
  const ranked = rows.map((r, rank) => ({ ...r, rank }));
  const priced = ranked.filter((r) => r.costUsd !== null);
  const unpriced = ranked.filter((r) => r.unpricedCalls > 0);
  const c = s.cost;
  const alt = rows.length === 0 ? 'No model calls to price were recorded.' :
    `Estimated cost ${usd(c.totalUsdExact ?? c.totalUsd ?? 0)} across ${plural(priced.length, 'priced model')}` +
    (priced.length ? `; the largest is ${priced[0].label} at ${priced[0].costText}.` : '.') +
    (unpriced.length
      ? ` ${plural(unpriced.length, 'model has', 'models have')} unpriced calls left out of the total (${plural(c.unpricedCalls, 'call')}, ${fmtCompact(c.unpricedTokens)} tokens): ${listOf(unpriced.map((r) => r.label))}.`
      : ' Every call was priced.');
  return { datasets: { models: ranked }, alt, empty: rows.length ? null : 'No model calls to price in this period.' };
}

// ---- spec loading, filling, compiling and rendering ----

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Make the SVG self-describing and safe to inline next to others: ids renumbered per chart
 * (`oar-<id>-<n>`, the same on every run), coordinates rounded, plus `<title>`/`<desc>` and an
 * accessible name.
 */
function finishSvg(svg: string, id: string, title: string, alt: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/ id="([^"]+)"/g)) if (!ids.has(m[1])) ids.set(m[1], `oar-${id}-${ids.size + 1}`);
  // Geometry to 1/100 px: invisible, and it halves a chart of thousands of bars.
  const round = (v: string) => v.replace(/-?\d+\.\d{3,}(e-?\d+)?/g, (n) => String(Math.round(Number(n) * 100) / 100 || 0));
  const out = svg
    .replace(/ (d|transform)="([^"]*)"/g, (_, name: string, v: string) => ` ${name}="${round(v)}"`)
    .replace(/ id="([^"]+)"/g, (_, v: string) => ` id="${ids.get(v)}"`)
    .replace(/url\(#([^)]+)\)/g, (all, v: string) => (ids.has(v) ? `url(#${ids.get(v)})` : all))
    .replace(/href="#([^"]+)"/g, (all, v: string) => (ids.has(v) ? `href="#${ids.get(v)}"` : all));
  // A function, not a replacement string: "$1" in an alt text ("$1.19") must stay text.
  return out.replace(/^<svg([^>]*)>/, (_, attrs: string) => `<svg${attrs} role="img" aria-label="${esc(`${title}. ${alt}`)}"><title>${esc(title)}</title><desc>${esc(alt)}</desc>`);
}

/**
 * Text widths for layout. Without a canvas vega guesses 0.8 em per character, which makes every
 * legend and margin far too wide; these are Helvetica/Arial advance widths (1/1000 em, ASCII 32–126)
 * with a little headroom (bold is wider). A table, not font files: the same on every machine.
 */
const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
  556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const OTHER_WIDTHS: Record<string, number> = { '·': 278, '–': 556, '—': 1000, '…': 1000, '×': 584, '\u00a0': 278 };
export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    units += c >= 32 && c <= 126 ? ASCII_WIDTHS[c - 32] : OTHER_WIDTHS[ch] ?? (c >= 0x2e80 ? 1000 : 600);
  }
  return (units / 1000) * fontSize * (bold ? 1.1 : 1.03);
}
function useTableTextMetrics(vega: Vega): void {
  const tm = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics;
  // vega truncates a label to item.limit by asking for widths; capping at the limit keeps that
  // search exact and makes a truncated label's bounds the limit.
  tm.width = (item, text) => {
    const lines = Array.isArray(text) ? text : [text];
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
    const w = Math.max(0, ...lines.map((t) => textWidth(t == null ? '' : String(t).trim(), size, bold)));
    return item.limit && item.limit > 0 ? Math.min(w, item.limit) : w;
  };
}
interface TextItem { fontSize?: number | string; fontWeight?: string | number; limit?: number }

/**
 * Draw a filled spec to SVG: from the panel's precompiled template when `fill` is given and the
 * template fits (chart-templates.ts), else compiled here with Vega-Lite.
 */
async function renderSpec(spec: Record<string, unknown>, warnings: string[], template?: { id: ChartId; raw: unknown; fill: TemplateFill; required: boolean }): Promise<string> {
  const vega = vegaModule();
  useTableTextMetrics(vega);
  const logger = collectingLogger(warnings, vega.Warn);
  let runtime = template ? runtimeFromTemplate(template.id, template.raw, template.fill) : null;
  if (!runtime && template?.required) throw new Error('its precompiled template (dist/charts) cannot draw it');
  runtime ??= vega.parse(vegaLiteModule().compile(staticSpec(spec) as TopLevelSpec, { logger }).spec);
  const view = new vega.View(runtime as ReturnType<Vega['parse']>, { renderer: 'none', logger, logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const PANELS: Record<ChartId, (s: ChartedSummary, colors: Map<string, string>) => PanelInput> = {
  tokens: tokensPanel,
  sessions: sessionsPanel,
  tools: toolsPanel,
  api_errors: apiPanel,
  cost: costPanel,
};

/**
 * One panel's chart. `precompiled`: false, compile the spec even if its template fits; 'required',
 * fail if a chart with data cannot be drawn from its template (tests compare the two ways).
 */
export async function renderChart(
  id: ChartId,
  summary: ChartedSummary,
  colors = modelColors(summary),
  { precompiled = true }: { precompiled?: boolean | 'required' } = {},
): Promise<Chart> {
  const vars: Record<string, string> = {
    tz: summary.filters.tz,
    bucket: summary.tokens.bucket,
    flagBelow: pct(summary.filters.toolFlagBelow),
    slow: duration(summary.filters.slowSessionMs),
  };
  const asWritten = loadSpec(id);
  const raw = substitute(asWritten, vars, specFile(id)) as Record<string, unknown>;
  const titleSpec = raw.title as { text?: unknown } | string | undefined;
  const title = typeof titleSpec === 'string' ? titleSpec : String(titleSpec?.text ?? id);
  const input = PANELS[id](summary, colors);
  const noData = input.empty && `No data: ${input.empty[0].toLowerCase()}${input.empty.slice(1)}`;
  const spec = noData ? noDataSpec({ text: title }, noData, input.alt) : fillSpec(id, raw, input, colors);
  const warnings: string[] = [];
  let svg: string;
  try {
    svg = await renderSpec(spec, warnings, precompiled && !noData ? { id, raw: asWritten, fill: { vars, input, colors }, required: precompiled === 'required' } : undefined);
  } catch (e) {
    throw new Error(`${specFile(id)}: the chart failed to render: ${(e as Error).message}`);
  }
  return { id, title, svg: finishSvg(svg, id, title, input.alt), spec, alt: input.alt, warnings: warnings.map((w) => `${specFile(id)}: ${w}`) };
}

/** The five panel charts, in report order. */
export async function renderCharts(summary: ChartedSummary): Promise<Chart[]> {
  const colors = modelColors(summary);
  const out: Chart[] = [];
  for (const id of CHART_PANELS) out.push(await renderChart(id, summary, colors));
  return out;
}

/**
 * The Vega and Vega-Lite runtimes plus a tiny embed, as JavaScript to inline in one `<script>`
 * element (already safe there: no `</script`). Call `otelAgentReportEmbed(element, spec)` with a
 * `Chart.spec` to render it interactively (native tooltips; drag/zoom where a spec binds scales).
 * Vega compiles expressions with `Function`, so the page's CSP must allow 'unsafe-eval' (unless
 * vega-interpreter is added, which the embed then uses).
 */
export function vegaRuntimeScripts(): string {
  const read = (pkg: string, file: string) => readFileSync(buildFile(pkg, file), 'utf8');
  const embed = `
;(function (g) {
  g.otelAgentReportEmbed = function (el, spec) {
    var vega = g.vega, vg = g.vegaLite.compile(spec).spec;
    // With vega-interpreter loaded too, expressions run without eval (a CSP without 'unsafe-eval').
    var interp = vega.expressionInterpreter;
    var view = new vega.View(vega.parse(vg, null, interp ? { ast: true } : undefined),
      { renderer: 'svg', container: el, hover: true, expr: interp });
    return view.runAsync();
  };
})(typeof globalThis !== 'undefined' ? globalThis : window);
`;
  return [read('vega', 'vega.min.js'), read('vega-lite', 'vega-lite.min.js'), embed].join('\n').replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** PNG needs a rasteriser (node-canvas, resvg or a browser); none is a dependency, so: null. */
export async function chartPng(_svg: string): Promise<Buffer | null> {
  return null;
}

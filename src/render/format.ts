/**
 * Display formatting shared by every report (HTML, Markdown, email, PR comment): numbers, money,
 * durations, rates, and the one-sentence readings and flags computed from the summary.
 * Output never depends on the machine's locale, so reports are byte-identical everywhere.
 */
import { randomBytes } from 'node:crypto';
import type { Summary } from './summary.js';

export const DASH = '—';
/** An API error rate at or above this is flagged (tool success uses the summary's own threshold). */
export const HIGH_ERROR_RATE = 0.1;

/** 1234567 → "1,234,567" (locale-independent). */
export function int(n: number | null | undefined): string {
  if (n === null || n === undefined) return DASH;
  const neg = n < 0;
  const digits = String(Math.round(Math.abs(n)));
  return (neg ? '-' : '') + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A decimal string rounded half-up to `places` decimals, by string arithmetic (no float noise). */
export function roundDecimal(text: string, places: number): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) throw new Error(`not a decimal: ${text}`);
  const [, sign, whole = '', frac = ''] = m;
  const padded = (frac + '0'.repeat(places + 1)).slice(0, places + 1);
  let digits = ((whole || '0') + padded.slice(0, places)).split('').map(Number);
  if (Number(padded[places]) >= 5) {
    let i = digits.length - 1;
    for (; i >= 0 && digits[i] === 9; i--) digits[i] = 0;
    if (i < 0) digits = [1, ...digits];
    else digits[i] += 1;
  }
  const s = digits.join('');
  const w = s.slice(0, s.length - places).replace(/^0+(?=\d)/, '') || '0';
  const f = places ? '.' + s.slice(s.length - places) : '';
  const zero = /^[0.]*$/.test(w + f);
  return (sign && !zero ? '-' : '') + w + f;
}

/** A summary money value (exact decimal string, or a number already rounded to 1e-9) → decimal text. */
function moneyText(v: number | string): string {
  return typeof v === 'string' ? v : v.toFixed(9);
}

/**
 * USD for people: two decimals from $1, four below (agent calls cost fractions of a cent), with
 * thousands separators. `null` is a cost we could not compute: "unpriced", never $0.
 */
export function usd(v: number | string | null | undefined, unpricedCalls = 0): string {
  if (v === null || v === undefined) return unpricedCalls > 0 ? 'unpriced' : DASH;
  const text = moneyText(v);
  const abs = text.replace(/^-/, '');
  const places = Number(abs) >= 1 || Number(abs) === 0 ? 2 : 4;
  let r = roundDecimal(text, places);
  if (Number(r) === 0 && Number(text) !== 0) return Number(text) > 0 ? '<$0.0001' : '>-$0.0001';
  const neg = r.startsWith('-');
  if (neg) r = r.slice(1);
  const [w, f] = r.split('.');
  const out = `$${int(Number(w))}.${f}`;
  return neg ? `-${out}` : out;
}

/** A cost that may leave some calls out: "$0.91 (+5 unpriced calls)". */
export function usdPartial(v: number | string | null | undefined, unpricedCalls: number): string {
  const base = usd(v, unpricedCalls);
  if (v === null || v === undefined || unpricedCalls === 0) return base;
  return `${base} (+${int(unpricedCalls)} unpriced ${unpricedCalls === 1 ? 'call' : 'calls'})`;
}

/** A small signed difference between two costs, to the micro-dollar. */
export function usdDiff(v: number | null | undefined): string {
  if (v === null || v === undefined) return DASH;
  const r = roundDecimal(v.toFixed(9), 6);
  return Number(r) === 0 ? '$0.000000' : r.startsWith('-') ? `-$${r.slice(1)}` : `+$${r}`;
}

/** 0.764706 → "76.5 %", 0.5 → "50 %"; never "100 %" unless all, nor "0 %" unless none. */
export function pct(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return DASH;
  let s = (rate * 100).toFixed(1);
  if (s === '100.0' && rate < 1) s = '99.9';
  if (s === '0.0' && rate > 0) s = '0.1';
  return `${s.replace(/\.0$/, '')} %`;
}

/**
 * Milliseconds → "640 ms", "13.3 s", "2.5 min", "1.2 h" (one decimal, as the charts print them,
 * so a chart's text alternative and the tables agree).
 */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return DASH;
  const one = (v: number) => v.toFixed(1).replace(/\.0$/, '');
  if (ms < 1000) return `${ms < 10 ? one(ms) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${one(ms / 1000)} s`;
  if (ms < 3_600_000) return `${one(ms / 60_000)} min`;
  return `${one(ms / 3_600_000)} h`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${int(n)} ${n === 1 ? one : many}`;
}

/**
 * Ingest messages may quote a (truncated) attribute value, which could be prompt text: reports
 * show them with every quoted literal elided. `otel-agent-report ingest FILE` prints them whole.
 */
export function redactMessage(m: string | null): string {
  return (m ?? '').replace(/"(?:[^"\\]|\\.)*"…?/g, '"…"');
}

/** Where a skipped record was: its line, its byte, or both (a part of a value too large to read whole). */
function where(r: { line: number | null; byteOffset: number | null }): string {
  if (r.line !== null) return r.byteOffset !== null ? `line ${int(r.line)}, byte ${int(r.byteOffset)}` : `line ${int(r.line)}`;
  return r.byteOffset !== null ? `byte ${int(r.byteOffset)}` : DASH;
}

/** Code-point order (not the machine's locale), for ties in the readings. */
const cmp = (a: string | null, b: string | null) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);

/** "a, b, c and 2 more". */
function listOf(items: string[], max = 3): string {
  const shown = items.slice(0, max);
  return shown.join(', ') + (items.length > max ? ` and ${int(items.length - max)} more` : '');
}

const share = (part: number, whole: number) => (whole > 0 ? ` (${pct(part / whole)})` : '');

/** The one-sentence reading under each panel, from the summary's numbers. */
export function readings(s: Summary): Record<'tokens' | 'sessions' | 'tools' | 'api_errors' | 'cost', string> {
  return {
    tokens: tokensReading(s),
    sessions: sessionsReading(s),
    tools: toolsReading(s),
    api_errors: apiReading(s),
    cost: costReading(s),
  };
}

function tokensReading(s: Summary): string {
  const t = s.tokens.total;
  const total = t.input + t.output;
  if (t.calls === 0) return 'No model calls were found for this period and these filters.';
  const top = [...s.tokens.byModel].sort((a, b) => b.input + b.output - (a.input + a.output) || cmp(a.model, b.model))[0];
  const topTokens = top.input + top.output;
  const cache = t.input > 0 ? `; cache reads were ${pct(t.cacheRead / t.input)} of input` : '';
  return `${top.model ?? '(unknown model)'} used the most tokens: ${int(topTokens)} of ${int(total)}${share(topTokens, total)} over ${plural(top.calls, 'call')}${cache}.`;
}

function sessionsReading(s: Summary): string {
  const x = s.sessions;
  if (x.count === 0) return 'No sessions were found for this period and these filters.';
  const slow = x.slowCount
    ? `${plural(x.slowCount, 'session')} ran longer than ${duration(s.filters.slowSessionMs)}`
    : `none ran longer than the ${duration(s.filters.slowSessionMs)} slow threshold`;
  return `${plural(x.count, 'session')}: half finished within ${duration(x.durationMs.p50)} and 95% within ${duration(x.durationMs.p95)}; the longest took ${duration(x.durationMs.max)}, and ${slow}.`;
}

function toolsReading(s: Summary): string {
  const t = s.tools;
  if (t.calls === 0) return 'No tool calls were found for this period and these filters.';
  const notOk = (r: (typeof t.byTool)[number]) => r.calls - r.successes;
  const worst = [...t.byTool].sort((a, b) => notOk(b) - notOk(a) || (a.successRate ?? 1) - (b.successRate ?? 1) || cmp(a.tool, b.tool))[0];
  const overall = `${int(t.successes)} of ${int(t.calls)} tool calls succeeded (${pct(t.successRate)})`;
  if (!worst || notOk(worst) === 0) return `${overall}; none failed or was rejected.`;
  const parts = [worst.failures ? `${int(worst.failures)} failed` : '', worst.rejected ? `${int(worst.rejected)} rejected` : ''].filter(Boolean).join(', ');
  const flag = worst.flagged ? `, below the ${pct(s.filters.toolFlagBelow)} threshold` : '';
  return `${overall}; ${worst.tool ?? '(unknown tool)'} (${worst.agent}) had ${notOk(worst)} of ${plural(worst.calls, 'call')} not succeed (${parts}${flag}).`;
}

function apiReading(s: Summary): string {
  const a = s.api;
  if (a.attempts === 0) return 'No API attempts were found for this period and these filters.';
  if (a.errors === 0) return `All ${plural(a.attempts, 'API attempt')} succeeded.`;
  const worst = [...a.byModel].sort((x, y) => y.errors - x.errors || (y.errorRate ?? 0) - (x.errorRate ?? 0) || cmp(x.model, y.model))[0];
  const classes: [string, number][] = [
    ['5xx', worst.status5xx],
    ['429', worst.status429],
    ['400', worst.status400],
    ['other 4xx', worst.status4xxOther],
    ['a status the agent did not report', worst.errorStatusNotReported],
  ];
  const main = classes.filter(([, n]) => n > 0).sort((x, y) => y[1] - x[1]);
  const how = main.length === 0 ? '' : main.length === 1 || main[0][1] === worst.errors ? ` with ${main[0][0]}` : `, mostly with ${main[0][0]} (${int(main[0][1])})`;
  const retries = a.retries ? `; ${plural(a.retries, 'attempt was a retry', 'attempts were retries')}` : '';
  return `${worst.model ?? '(unknown model)'} had ${int(worst.errors)} of ${plural(worst.attempts, 'attempt')} fail${how} (${int(a.errors)} of ${int(a.attempts)} overall${retries}).`;
}

function costReading(s: Summary): string {
  const c = s.cost;
  const priced = c.byModel.filter((m) => m.costUsd !== null);
  const unpriced = c.unpricedCalls
    ? ` ${plural(c.unpricedCalls, 'call')} (${int(c.unpricedTokens)} tokens) of ${listOf([...new Set(c.unpriced.map((u) => String(u.model)))])} ${c.unpricedCalls === 1 ? 'is' : 'are'} unpriced and not included.`
    : '';
  if (priced.length === 0) return `No cost could be computed.${unpriced}`;
  const top = [...priced].sort((a, b) => (b.costUsd ?? 0) - (a.costUsd ?? 0) || cmp(a.model, b.model))[0];
  const total = Number(c.totalUsdExact ?? c.totalUsd ?? 0);
  const part = total > 0 ? `, ${pct((top.costUsd ?? 0) / total)} of the total` : '';
  return `${usd(c.totalUsdExact ?? c.totalUsd)} in total; ${top.model} cost the most: ${usd(top.costUsdExact ?? top.costUsd)}${part}.${unpriced}`;
}

export interface Flag {
  kind: 'tool' | 'slow' | 'errors' | 'unpriced' | 'skipped';
  text: string;
}

/** What needs a look, for the box at the top of every report. */
export function flags(s: Summary): Flag[] {
  const out: Flag[] = [];
  for (const t of s.tools.byTool.filter((x) => x.flagged)) {
    out.push({ kind: 'tool', text: `Tool ${t.tool} (${t.agent}) succeeded in ${pct(t.successRate)} of ${plural(t.calls, 'call')}, below ${pct(s.filters.toolFlagBelow)}.` });
  }
  if (s.sessions.slowCount > 0) {
    out.push({ kind: 'slow', text: `${plural(s.sessions.slowCount, 'session')} ran longer than ${duration(s.filters.slowSessionMs)} (longest ${duration(s.sessions.durationMs.max)}).` });
  }
  for (const m of s.api.byModel.filter((x) => (x.errorRate ?? 0) >= HIGH_ERROR_RATE)) {
    out.push({ kind: 'errors', text: `${m.model} (${m.agent}): ${int(m.errors)} of ${plural(m.attempts, 'API attempt')} failed (${pct(m.errorRate)}).` });
  }
  for (const u of s.cost.unpriced) {
    out.push({ kind: 'unpriced', text: `${u.model} (${u.agent}) is unpriced (${u.reason}): ${plural(u.calls, 'call')} and ${int(u.input + u.output)} tokens are not in the cost.` });
  }
  if (s.inputs.skipped > 0) {
    out.push({ kind: 'skipped', text: `${plural(s.inputs.skipped, 'record was', 'records were')} skipped while reading the inputs (see Data quality).` });
  }
  return out;
}

const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 } as const;

/** The span of the model calls, from the token series (start of first bucket to end of last). */
export function period(s: Summary): string {
  const starts = s.tokens.series.map((r) => r.bucketStart).filter((x): x is string => Boolean(x)).sort();
  if (starts.length === 0) return 'no model calls';
  const ms = BUCKET_MS[s.tokens.bucket as keyof typeof BUCKET_MS] ?? BUCKET_MS.hour;
  const end = new Date(Date.parse(starts[starts.length - 1].replace(' ', 'T') + 'Z') + ms).toISOString().replace('T', ' ').slice(0, 16);
  return `${starts[0].slice(0, 16)} to ${end} (${s.filters.tz})`;
}

/* ---------------------------------------------------------------------------------------------
 * The report view: every section as plain, already-formatted strings, shared by all templates.
 * Only fields listed here reach a report; raw attributes (and so prompts) never do.
 * ------------------------------------------------------------------------------------------- */

export interface Cell {
  text: string;
  num: boolean;
}
export interface Table {
  id: string;
  caption: string;
  columns: { label: string; num: boolean }[];
  rows: { cells: Cell[]; flagged: boolean }[];
  /** Rows left out by the row limit ("and N more"), and that count as printed. */
  more: number;
  moreText: string;
  /** Where the rows left out are (after "and N more"). */
  moreWhere: string;
  /** Said instead of an empty table. */
  empty: string;
}
export interface Limits {
  /** Rows per table. */
  rows: number;
  /** Rows of the slowest / most expensive session lists. */
  sessions: number;
  /** Characters per cell (long telemetry values are cut with "…"). */
  cell: number;
}
export const LIMITS: Record<'full' | 'email' | 'compact', Limits> = {
  full: { rows: 100, sessions: 10, cell: 200 },
  email: { rows: 15, sessions: 5, cell: 80 },
  compact: { rows: 8, sessions: 5, cell: 60 },
};

type Col = [label: string, num?: boolean];

function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : text;
}

export function table<R>(
  id: string,
  caption: string,
  cols: Col[],
  data: R[],
  row: (r: R) => (string | null)[],
  lim: Limits,
  // `total` and `moreWhere`: the rows there are and where the rest are, when `data` holds only
  // some of them (the summary's file list).
  opts: { flagged?: (r: R) => boolean; empty?: string; total?: number; moreWhere?: string } = {},
): Table {
  const shown = data.slice(0, lim.rows);
  const more = Math.max(opts.total ?? 0, data.length) - shown.length;
  return {
    id,
    caption,
    columns: cols.map(([label, num]) => ({ label, num: Boolean(num) })),
    rows: shown.map((r) => ({
      cells: row(r).map((t, i) => ({ text: cut(t ?? DASH, lim.cell), num: Boolean(cols[i][1]) })),
      flagged: opts.flagged ? opts.flagged(r) : false,
    })),
    more,
    moreText: int(more),
    moreWhere: opts.moreWhere ?? 'see summary.json',
    empty: opts.empty ?? 'Nothing to show.',
  };
}

const N = true;
const tok = (t: { input: number; output: number }) => int(t.input + t.output);

export interface Kpi {
  id: string;
  label: string;
  value: string;
  /** The summary's own value, for machine checks (`<data value>`). */
  raw: string;
  explain: string;
  flagged: boolean;
}

function kpis(s: Summary): Kpi[] {
  const t = s.tokens.total;
  const c = s.cost;
  const x = s.sessions;
  const toolFlag = s.tools.successRate !== null && s.tools.successRate < s.filters.toolFlagBelow;
  const apiFlag = (s.api.errorRate ?? 0) >= HIGH_ERROR_RATE;
  const raw = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return [
    {
      id: 'cost',
      label: 'Total cost',
      value: usd(c.totalUsdExact ?? c.totalUsd),
      raw: raw(c.totalUsdExact ?? c.totalUsd),
      explain: `Token counts × price table ${c.priceTable.version}${c.unpricedCalls ? `; leaves out ${plural(c.unpricedCalls, 'unpriced call')} (${int(c.unpricedTokens)} tokens)` : ''}.`,
      flagged: c.unpricedCalls > 0,
    },
    {
      id: 'tokens',
      label: 'Tokens',
      value: int(t.input + t.output),
      raw: raw(t.input + t.output),
      explain: `Input ${int(t.input)} (cache reads ${int(t.cacheRead)}, writes ${int(t.cacheWrite)}) + output ${int(t.output)}, over ${plural(t.calls, 'model call')}.`,
      flagged: false,
    },
    {
      id: 'sessions',
      label: 'Sessions',
      value: int(x.count),
      raw: raw(x.count),
      explain: `Agent sessions with telemetry in the period; ${x.slowCount ? `${int(x.slowCount)} ran` : 'none ran'} longer than ${duration(s.filters.slowSessionMs)}.`,
      flagged: x.slowCount > 0,
    },
    {
      id: 'p95',
      label: 'P95 session duration',
      value: duration(x.durationMs.p95),
      raw: raw(x.durationMs.p95),
      explain: `95% of sessions took at most this long (nearest rank); the median is ${duration(x.durationMs.p50)}.`,
      flagged: x.durationMs.p95 !== null && x.durationMs.p95 > s.filters.slowSessionMs,
    },
    {
      id: 'tool_success',
      label: 'Tool success rate',
      value: pct(s.tools.successRate),
      raw: raw(s.tools.successRate),
      explain: `${int(s.tools.successes)} of ${int(s.tools.calls)} tool calls succeeded; ${int(s.tools.failures)} failed, ${int(s.tools.rejected)} were rejected. Flagged below ${pct(s.filters.toolFlagBelow)}.`,
      flagged: toolFlag,
    },
    {
      id: 'api_error_rate',
      label: 'API error rate',
      value: pct(s.api.errorRate),
      raw: raw(s.api.errorRate),
      explain: `${int(s.api.errors)} of ${int(s.api.attempts)} API attempts failed; ${int(s.api.retries)} were retries. Flagged from ${pct(HIGH_ERROR_RATE)}.`,
      flagged: apiFlag,
    },
  ];
}

import type { Chart } from './charts.js';

export type { Chart };

export interface Panel {
  id: string;
  title: string;
  question: string;
  reading: string;
  chart: Chart | null;
  tables: Table[];
}

/** The panels, without their charts (`withCharts` adds them, each to the panel of its id). */
function panels(s: Summary, lim: Limits): Panel[] {
  const read = readings(s);
  const flagAt = s.filters.toolFlagBelow;
  return [
    {
      id: 'tokens',
      title: 'Token burn',
      question: 'How many tokens each model used, over time and per minute of session.',
      reading: read.tokens,
      chart: null,
      tables: [
        table('tokens-by-model', 'Tokens by model', [['Agent'], ['Model'], ['Calls', N], ['Input', N], ['Cache read', N], ['Cache write', N], ['Output', N], ['Reasoning', N], ['Total', N]],
          s.tokens.byModel, (r) => [r.agent, r.model, int(r.calls), int(r.input), int(r.cacheRead), int(r.cacheWrite), int(r.output), int(r.reasoning), tok(r)], lim,
          { empty: 'No model calls.' }),
        table('tokens-per-minute', 'Token burn per session-minute', [['Agent'], ['Model'], ['Environment'], ['Tokens', N], ['Session time', N], ['Tokens / min', N]],
          s.tokens.perSessionMinute, (r) => [r.agent, r.model, r.environment, int(r.tokens), duration(r.sessionMinutes === null ? null : r.sessionMinutes * 60_000), r.tokensPerMinute === null ? DASH : int(r.tokensPerMinute)], lim,
          { empty: 'No model calls inside a session.' }),
      ],
    },
    {
      id: 'sessions',
      title: 'Session duration',
      question: 'How long sessions took, from the first to the last record of each.',
      reading: read.sessions,
      chart: null,
      tables: [
        table('sessions-by-agent', 'Session duration by agent', [['Agent'], ['Sessions', N], ['P50', N], ['P95', N], ['P99', N], ['Max', N]],
          s.sessions.byAgent, (r) => [r.agent, int(r.sessions), duration(r.durationMs.p50), duration(r.durationMs.p95), duration(r.durationMs.p99), duration(r.durationMs.max)], lim,
          { empty: 'No sessions.' }),
        table('sessions-by-model', 'Session duration by model (a session that used two models counts for both)', [['Agent'], ['Model'], ['Sessions', N], ['P50', N], ['P95', N], ['Max', N]],
          s.sessions.byModel, (r) => [r.agent, r.model, int(r.sessions), duration(r.durationMs.p50), duration(r.durationMs.p95), duration(r.durationMs.max)], lim,
          { empty: 'No sessions with model calls.' }),
      ],
    },
    {
      id: 'tools',
      title: 'Tool success',
      question: 'Which tools failed or were rejected, per agent.',
      reading: read.tools,
      chart: null,
      tables: [
        table('tools-by-tool', `Tool calls by tool (flagged below ${pct(flagAt)})`, [['Agent'], ['Tool'], ['Calls', N], ['Succeeded', N], ['Failed', N], ['Rejected', N], ['Success rate', N], ['Avg duration', N]],
          s.tools.byTool, (r) => [r.agent, r.tool, int(r.calls), int(r.successes), int(r.failures), int(r.rejected), r.flagged ? `${pct(r.successRate)} (below ${pct(flagAt)})` : pct(r.successRate), duration(r.avgDurationMs)], lim,
          { flagged: (r) => r.flagged, empty: 'No tool calls.' }),
      ],
    },
    {
      id: 'api_errors',
      title: 'API errors',
      question: 'Which models failed requests, with which HTTP status, and how often agents retried.',
      reading: read.api_errors,
      chart: null,
      tables: [
        table('api-by-model', 'API attempts by model and status', [['Agent'], ['Model'], ['Attempts', N], ['Errors', N], ['Error rate', N], ['429', N], ['400', N], ['Other 4xx', N], ['5xx', N], ['Status not reported', N], ['Retries', N]],
          s.api.byModel, (r) => [r.agent, r.model, int(r.attempts), int(r.errors), pct(r.errorRate), int(r.status429), int(r.status400), int(r.status4xxOther), int(r.status5xx), int(r.errorStatusNotReported), int(r.retries)], lim,
          { flagged: (r) => (r.errorRate ?? 0) >= HIGH_ERROR_RATE, empty: 'No API attempts.' }),
      ],
    },
    {
      id: 'cost',
      title: 'Cost estimate',
      question: 'What the tokens cost at list prices, per model; unpriced models are shown, never counted as $0.',
      reading: read.cost,
      chart: null,
      tables: [
        table('cost-by-model', 'Cost by model (USD)', [['Agent'], ['Model'], ['Calls', N], ['Input', N], ['Cache read', N], ['Cache write', N], ['Output', N], ['Total', N], ['Price entry']],
          s.cost.byModel, (r) => {
            const part = (v: number | null) => usd(v, r.unpricedCalls);
            return [r.agent, r.model, int(r.calls), part(r.parts.inputUsd), part(r.parts.cacheReadUsd), part(r.parts.cacheWriteUsd), part(r.parts.outputUsd),
              usdPartial(r.costUsdExact ?? r.costUsd, r.unpricedCalls), r.priceModelId ? `${r.priceModelId} (${r.priceRule})` : `none (${r.unpricedReason ?? 'unpriced'})`];
          }, lim, { flagged: (r) => r.unpricedCalls > 0, empty: 'No model calls.' }),
        table('cost-reconciliation', "The agent's own cost figure beside ours", [['Agent'], ['Model'], ['Calls', N], ["Agent's figure", N], ['Our estimate', N], ['Difference', N]],
          s.cost.reconciliation, (r) => [r.agent, r.model, int(r.calls), usd(r.agentCostUsd), usdPartial(r.ourCostUsd, r.unpricedCalls), usdDiff(r.differenceUsd)], lim,
          { empty: 'No agent reported its own cost figure.' }),
      ],
    },
  ];
}

type RollupRow = Summary['rollups']['byOriginator'][number];

function rollupTable(id: string, caption: string, rows: RollupRow[], lim: Limits): Table {
  return table(id, caption, [['Group'], ['Sessions', N], ['P95 duration', N], ['Tokens', N], ['Cost', N], ['API error rate', N], ['Tool success', N]],
    rows, (r) => [r.group ?? '(none)', int(r.sessions), duration(r.p95DurationMs), tok(r.tokens), usdPartial(r.costUsd, r.unpricedCalls), pct(r.apiErrorRate), pct(r.toolSuccessRate)], lim,
    { empty: 'No data.' });
}

function rollups(s: Summary, lim: Limits): Table[] {
  const r = s.rollups;
  return [
    rollupTable('by-originator', 'By originator (service.name)', r.byOriginator, lim),
    rollupTable('by-agent', 'By agent', r.byAgent, lim),
    rollupTable('by-session-source', 'By session source (how the agent was started)', r.bySessionSource, lim),
    rollupTable('by-environment', 'By environment (deployment.environment)', r.byEnvironment, lim),
    ...Object.entries(r.byAttribute).map(([attr, rows]) => rollupTable(`by-attr-${attr}`, `By ${attr}`, rows, lim)),
  ];
}

function sessionTables(s: Summary, lim: Limits): Table[] {
  const few = { ...lim, rows: lim.sessions };
  return [
    table('slowest-sessions', 'Slowest sessions', [['Agent'], ['Session'], ['Originator'], ['Duration', N], ['Tokens', N], ['Cost', N]],
      s.sessions.list, (r) => [r.agent, r.sessionId, r.originator, r.slow ? `${duration(r.durationMs)} (slow)` : duration(r.durationMs), int(r.tokens), usdPartial(r.costUsd, r.unpricedCalls)], few,
      { flagged: (r) => r.slow, empty: 'No sessions.' }),
    table('expensive-sessions', 'Most expensive sessions', [['Agent'], ['Session'], ['Originator'], ['Calls', N], ['Tokens', N], ['Cost', N]],
      s.cost.bySession, (r) => [r.agent, r.sessionId ?? '(no session)', r.originator, int(r.calls), int(r.tokens), usdPartial(r.costUsd, r.unpricedCalls)], few,
      { empty: 'No model calls.' }),
  ];
}

/** Data quality; `withCharts` adds the charts' warnings to its notes. */
function quality(s: Summary, lim: Limits): { notes: string[]; tables: Table[] } {
  const i = s.inputs;
  const d = s.dataQuality;
  const notes = [
    `${plural(i.files, 'file')} read: ${int(i.filesLoaded)} loaded, ${int(i.filesNotTelemetry)} not telemetry or empty.`,
    `${int(i.records.spans)} spans, ${int(i.records.logs)} log records and ${int(i.records.metricPoints)} metric points read; ${int(i.duplicatesDropped)} duplicates dropped; ${int(i.skipped)} skipped.`,
    ...s.cost.priceTable.warnings.map((w) => `Price table: ${w}`),
  ];
  const tables = [
    table('files', 'Input files', [['File'], ['Format'], ['Compression'], ['Status'], ['Spans', N], ['Logs', N], ['Metric points', N], ['Skipped', N]],
      i.fileList, (r) => [r.path, r.format, r.compression, r.status, int(r.spans), int(r.logs), int(r.metricPoints), int(r.skipped)], lim,
      {
        flagged: (r) => r.skipped > 0,
        empty: 'No files were read in this run (the data came from --db).',
        total: i.files,
        moreWhere: i.files > i.fileList.length ? `summary.json lists ${int(i.fileList.length)} of them, picking files with problems first` : undefined,
      }),
    table('skipped', 'Skipped records and why (quoted values elided; otel-agent-report ingest FILE prints them whole)', [['File'], ['Where', N], ['Skipped', N], ['Reason']],
      i.errors, (r) => [r.file, where(r), int(r.skipped), redactMessage(r.message)], lim,
      { empty: 'No record was skipped.' }),
    table('signals', 'Signals exported per agent (failed runs often lose traces and metrics)', [['Agent'], ['Sessions', N], ['With logs', N], ['With spans', N], ['With metrics', N], ['Logs but no spans', N]],
      d.signalsByAgent, (r) => [r.agent, int(r.sessions), int(r.withLogs), int(r.withSpans), int(r.withMetrics), int(r.logsWithoutSpans)], lim,
      { flagged: (r) => r.logsWithoutSpans > 0, empty: 'No sessions.' }),
    table('no-spans', 'Sessions without spans (durations from their events)', [['Agent'], ['Session'], ['Originator'], ['Duration from']],
      d.sessionsWithoutSpans, (r) => [r.agent, r.sessionId, r.originator, r.durationSource], lim, { empty: 'Every session exported spans.' }),
    table('no-status', 'API attempts without an HTTP status (e.g. retries the agent logged without one)', [['Agent'], ['Model'], ['Attempts', N], ['Failed', N]],
      d.statusNotReported, (r) => [r.agent, r.model, int(r.attempts), int(r.failedAttempts)], lim, { empty: 'Every API attempt had a status.' }),
    table('flag-wrong', 'Tool calls the agent marked successful although they were not', [['Agent'], ['Tool'], ['Rule'], ['Calls', N]],
      d.agentFlagWrong, (r) => [r.agent, r.tool, r.rule, int(r.calls)], lim, { empty: "No tool call contradicted the agent's own success flag." }),
    table('no-session', 'Model calls without a session id', [['Agent'], ['Source'], ['Calls', N]],
      d.callsWithoutSession, (r) => [r.agent, r.source, int(r.calls)], lim, { empty: 'Every model call belonged to a session.' }),
    table('usage-sources', 'Where the token counts came from (logs are exact per call; metrics are the fallback)', [['Agent'], ['Source'], ['Calls', N], ['Tokens', N]],
      s.tokens.sources, (r) => [r.agent, r.source, int(r.calls), int(r.tokens)], lim, { empty: 'No model calls.' }),
    table('unpriced', 'Unpriced models (their tokens are counted; their cost is not)', [['Agent'], ['Model'], ['Reason'], ['Calls', N], ['Tokens', N]],
      s.cost.unpriced, (r) => [r.agent, r.model, r.reason, int(r.calls), tok(r)], lim, { flagged: () => true, empty: 'Every model was priced.' }),
  ];
  return { notes, tables };
}

export interface Term {
  term: string;
  text: string;
}

function methodology(s: Summary, lim: Limits): { terms: Term[]; prices: Table[] } {
  const f = s.filters;
  const terms: Term[] = [
    { term: 'Source of every number', text: `The JSON summary (schema version ${s.schemaVersion}, summary.json beside this report); every table and sentence here is formatted from it. Times are in ${f.tz}.` },
    { term: 'Tokens', text: `Per model call, from the agent's exact per-call logs, or from its token metrics when no log exists (see "Where the token counts came from"). Input includes cache reads and cache writes; output includes reasoning. Total = input + output. The chart buckets calls by ${s.tokens.bucket}. Tokens per minute divide a model's tokens by the summed duration of the sessions that used it.` },
    { term: 'Sessions and duration', text: 'A session is one agent conversation (its session id). Its duration runs from its first to its last record (spans when exported, otherwise log events). Percentiles are nearest-rank, so P95 is a real session\'s duration: the shortest that at least 95% of sessions do not exceed.' },
    { term: 'Slow sessions', text: `Sessions longer than ${duration(f.slowSessionMs)} (--slow).` },
    { term: 'Tool success rate', text: `Successful tool calls ÷ all tool calls. A call fails when the agent reports an error or its command exits non-zero (which overrides the agent's own flag); it is rejected when a permission policy or the user refused it, and rejected calls are not successes. Tools below ${pct(f.toolFlagBelow)} are flagged (--flag-below).` },
    { term: 'API error rate', text: `Failed API attempts ÷ all attempts, per model; each retry is an attempt. Errors are classed by HTTP status (429, 400, other 4xx, 5xx); "not reported" counts failed attempts whose status the agent did not export. Models at or above ${pct(HIGH_ERROR_RATE)} are flagged.` },
    { term: 'Cost', text: 'Estimated, not billed: each call\'s input (less cache), cache reads, cache writes and output tokens × the rates in force on the call\'s day (or --price-date), in exact decimals. A model without a price is "unpriced": its tokens are shown, its cost is left out of every total and never counted as $0. Where each rate comes from (the provider\'s price page or LiteLLM, by URL) is recorded per entry in the price table file; prices/README.md explains the matching rules.' },
    { term: 'Rollups', text: 'Each session belongs to one group (its originator = service.name, session source, environment, agent or --group-by attribute); model calls, attempts and tool calls outside any session use their own value.' },
    { term: 'Readings and flags', text: 'The sentence under each panel and the flags at the top are computed from the same numbers: the model or tool with the most tokens, failures or cost, and every tool, model, session or input past a threshold.' },
    { term: 'Privacy', text: 'Prompts, responses, tool arguments and tool output are never copied into a report, even when the agent logged them: only counts, durations, statuses and names are.' },
  ];
  const p = s.cost.priceTable;
  const prices = [
    table('price-sources', `Price table version ${p.version}`, [['Source'], ['File'], ['Version'], ['Models', N]],
      p.sources, (r) => [r.kind, r.kind === 'built-in' ? 'prices/prices.json (bundled)' : r.file, r.version, int(r.models)], lim, { empty: 'No price table.' }),
    table('price-matches', 'How each model id matched a price entry', [['Model'], ['Price entry'], ['Match rule']],
      p.matches, (r) => [r.model, r.matchedId ?? 'none (unpriced)', r.rule ?? DASH], lim, { flagged: (r) => !r.matchedId, empty: 'No models.' }),
  ];
  return { terms, prices };
}

export interface ReportView {
  title: string;
  generatedAt: string;
  inputs: string;
  period: string;
  filters: Term[];
  kpis: Kpi[];
  flags: Flag[];
  panels: Panel[];
  rollups: Table[];
  sessions: Table[];
  quality: { notes: string[]; tables: Table[] };
  methodology: { terms: Term[]; prices: Table[] };
}

function filterTerms(s: Summary): Term[] {
  const f = s.filters;
  const list = (v: string[] | null) => (v && v.length ? v.join(', ') : null);
  const out: [string, string | null][] = [
    ['Since', f.since],
    ['Until', f.until],
    ['Agent', list(f.agent)],
    ['Originator', list(f.originator)],
    ['Environment', list(f.env)],
    ['Model', list(f.model)],
    ['Group by', list(f.groupBy)],
    ['Price date', f.priceDate],
    ['Time zone', f.tz],
    ['Slow session', `longer than ${duration(f.slowSessionMs)}`],
    ['Tool flag', `success below ${pct(f.toolFlagBelow)}`],
  ];
  return out.filter(([, v]) => v !== null).map(([term, text]) => ({ term, text: text! }));
}

/** The whole report as display strings; `lim` makes it full, email-sized or comment-sized. */
export function buildView(s: Summary, charts: Chart[], lim: Limits): ReportView {
  return withCharts(viewWithoutCharts(s, lim), charts);
}

/** The report without its charts, built while they are still being drawn. */
export function viewWithoutCharts(s: Summary, lim: Limits): ReportView {
  const i = s.inputs;
  return {
    title: 'AI coding agent report',
    generatedAt: s.generatedAt,
    inputs: `${plural(i.files, 'file')}: ${int(i.stored.spans)} spans, ${int(i.stored.logs)} log records, ${int(i.stored.metricPoints)} metric points`,
    period: period(s),
    filters: filterTerms(s),
    kpis: kpis(s),
    flags: flags(s),
    panels: panels(s, lim),
    rollups: rollups(s, lim),
    sessions: sessionTables(s, lim),
    quality: quality(s, lim),
    methodology: methodology(s, lim),
  };
}

/**
 * Stand-in charts for rendering a page before the real ones are drawn: each field a marker that no
 * telemetry can contain (letters and digits, with a random part), which `fill` then replaces in
 * the rendered text with the real chart's field, as `value` gives it for that format. `fill`
 * returns null when a chart is missing or has warnings (they go into the data-quality notes): the
 * page is then rendered again, whole.
 */
export function markerCharts(ids: readonly string[]) {
  const nonce = randomBytes(9).toString('hex');
  const mark = (i: number, field: string) => `OARCHART${nonce}N${i}${field}`;
  const FIELDS = { T: 'title', A: 'alt', S: 'svg' } as const;
  const found = new RegExp(`OARCHART${nonce}N(\\d+)([TAS])`, 'g');
  return {
    charts: ids.map((id, i): Chart => ({ id, title: mark(i, 'T'), alt: mark(i, 'A'), svg: mark(i, 'S'), spec: {}, warnings: [] })),
    fill(text: string, real: Chart[], value: (c: Chart, field: 'title' | 'alt' | 'svg') => string): string | null {
      const byIndex = ids.map((id) => real.find((c) => c.id === id));
      if (byIndex.some((c) => !c || c.warnings.length > 0)) return null;
      return text.replace(found, (_, i: string, f: keyof typeof FIELDS) => value(byIndex[Number(i)]!, FIELDS[f]));
    },
  };
}

/** A view with its charts: each in the panel of its id, its warnings last in the data-quality notes. */
export function withCharts(v: ReportView, charts: Chart[]): ReportView {
  return {
    ...v,
    panels: v.panels.map((p) => ({ ...p, chart: charts.find((c) => c.id === p.id) ?? null })),
    quality: { ...v.quality, notes: [...v.quality.notes, ...charts.flatMap((c) => (c.warnings ?? []).map((w) => `Chart: ${w}`))] },
  };
}

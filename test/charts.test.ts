/**
 * Charts: every panel spec is schema-valid, compiles without warnings and renders a deterministic
 * SVG whose data marks match the rows fed in; model colours agree across charts; unpriced models
 * are never drawn as $0; empty panels say "no data". Synthetic summaries are generated here, and
 * the real captures go through the built binary once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CHART_PANELS } from '../src/panels/index.js';
import { fromRoot } from '../src/paths.js';
import { chartPng, disjointParts, renderChart, renderCharts, vegaRuntimeScripts, type Chart } from '../src/render/charts.js';
import { loadSpec } from '../src/render/chart-spec.js';
import { runtimeFromTemplate } from '../src/render/chart-templates.js';
import { colorsFor, modelColors, MODEL_PALETTE } from '../src/render/colors.js';
import { usd } from '../src/render/format.js';
import type { Summary } from '../src/render/summary.js';

// ---------- a synthetic summary, generated ----------

interface Opts {
  models?: string[];
  unpriced?: string[];
  envs?: string[];
  buckets?: number;
  durationsMs?: number[];
  tools?: { tool: string; calls: number; successes: number }[];
  statuses?: { status: string; error: boolean }[];
}

const STATUSES = [
  { status: '200', error: false },
  { status: '429', error: true },
  { status: '400', error: true },
  { status: '404', error: true },
  { status: '503', error: true },
  { status: 'not reported', error: true },
];

function synthetic(o: Opts = {}): Summary {
  const models = o.models ?? ['beta-2', 'alpha-1', 'gamma-3'];
  const unpriced = new Set(o.unpriced ?? ['gamma-3']);
  const envs = o.envs ?? ['local', 'ci'];
  const buckets = o.buckets ?? 4;
  // One duration per log bin (bins are a factor 10^0.25 wide), so each session is its own bar.
  const durationsMs = o.durationsMs ?? [300, 800, 2_000, 5_000, 12_000, 30_000, 700_000, 2_000_000];
  const tools = o.tools ?? [
    { tool: 'Bash', calls: 13, successes: 11 },
    { tool: 'Read', calls: 40, successes: 40 },
    { tool: 'Write', calls: 2, successes: 1 },
    { tool: 'Grep', calls: 9, successes: 9 },
  ];
  const statuses = o.statuses ?? STATUSES;
  const tok = (i: number) => {
    const input = 10_000 * (i + 1);
    return { input, cacheRead: 3_000 * (i + 1), cacheWrite: 1_000 * (i + 1), output: 500 * (i + 1), reasoning: 100 * (i + 1), calls: i + 1 };
  };
  const series = [];
  for (let b = 0; b < buckets; b++) {
    for (const [mi, model] of models.entries()) {
      for (const environment of envs) {
        series.push({ bucketStart: `2026-11-24 07:${String(10 + b).padStart(2, '0')}:00`, agent: 'agent-x', model, environment, ...tok(mi + b) });
      }
    }
  }
  const sum = (rows: ReturnType<typeof tok>[]) =>
    rows.reduce((a, r) => ({ input: a.input + r.input, cacheRead: a.cacheRead + r.cacheRead, cacheWrite: a.cacheWrite + r.cacheWrite, output: a.output + r.output, reasoning: a.reasoning + r.reasoning, calls: a.calls + r.calls }), tok(-1));
  const byModel = models.map((model) => ({ agent: 'agent-x', model, ...sum(series.filter((r) => r.model === model)) }));
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const pct = (p: number) => (sorted.length ? sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] : null);
  const slowMs = 600_000;
  const byModelStatus = models.flatMap((model) => statuses.map((s, i) => ({ agent: 'agent-x', model, status: s.status, error: s.error, count: s.error ? i : 20, retries: s.error ? 1 : 0 })));
  const apiByModel = models.map((model) => {
    const rows = byModelStatus.filter((r) => r.model === model);
    const attempts = rows.reduce((a, r) => a + r.count, 0);
    const errors = rows.filter((r) => r.error).reduce((a, r) => a + r.count, 0);
    return { agent: 'agent-x', model, attempts, errors, errorRate: attempts ? errors / attempts : null, status429: 0, status400: 0, status4xxOther: 0, status5xx: 0, errorStatusNotReported: 0, retries: 0, retryShare: null };
  });
  const costByModel = byModel.map((m, i) => {
    const priced = !unpriced.has(m.model);
    const costUsd = priced ? 0.25 * (i + 1) : null;
    return {
      agent: 'agent-x', model: m.model, priced, priceModelId: priced ? m.model : null, priceRule: priced ? 'exact' : 'unpriced', calls: m.calls,
      unpricedCalls: priced ? 0 : m.calls, costUsd, costUsdExact: costUsd === null ? null : String(costUsd),
      parts: { inputUsd: costUsd, cacheReadUsd: 0, cacheWriteUsd: 0, outputUsd: 0 }, unpricedReason: priced ? null : 'no-price-entry',
    };
  });
  const calls = tools.reduce((a, t) => a + t.calls, 0);
  const successes = tools.reduce((a, t) => a + t.successes, 0);
  const attempts = apiByModel.reduce((a, m) => a + m.attempts, 0);
  const errors = apiByModel.reduce((a, m) => a + m.errors, 0);
  const unpricedRows = byModel.filter((m) => unpriced.has(m.model)).map((m) => ({ ...m, reason: 'no-price-entry' }));
  return {
    schemaVersion: 1,
    generatedAt: '2026-11-24T08:00:00.000Z',
    filters: { since: null, until: null, env: null, originator: null, agent: null, model: null, tz: 'UTC', slowSessionMs: slowMs, toolFlagBelow: 0.9, groupBy: [], priceDate: null },
    inputs: { files: 0, filesLoaded: 0, filesNotTelemetry: 0, records: { spans: 0, logs: 0, metricPoints: 0 }, stored: { spans: 0, logs: 0, metricPoints: 0 }, skipped: 0, duplicatesDropped: 0, errors: [], fileList: [] },
    tokens: { total: sum(byModel), byModel, bucket: 'minute', series, perSessionMinute: [], sources: [] },
    sessions: {
      count: durationsMs.length,
      durationMs: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: sorted.at(-1) ?? null },
      slowCount: durationsMs.filter((d) => d > slowMs).length,
      byAgent: [],
      byModel: [],
      durations: durationsMs.map((d, i) => ({ agent: 'agent-x', sessionId: `s${i}`, durationMs: d, slow: d > slowMs })),
      list: [],
    },
    tools: {
      calls, successes, failures: calls - successes, rejected: 0, agentFlagWrong: 0, successRate: calls ? successes / calls : null,
      byTool: tools.map((t) => ({ agent: 'agent-x', tool: t.tool, calls: t.calls, successes: t.successes, failures: t.calls - t.successes, rejected: 0, agentFlagWrong: 0, successRate: t.successes / t.calls, flagged: t.successes / t.calls < 0.9, avgDurationMs: 10 })),
      byAgent: [],
      rules: [],
    },
    api: { attempts, errors, retries: 0, errorRate: attempts ? errors / attempts : null, statusNotReported: 0, byModel: apiByModel, byModelStatus },
    cost: {
      currency: 'USD',
      totalUsd: costByModel.reduce((a, m) => a + (m.costUsd ?? 0), 0),
      totalUsdExact: null,
      unpricedCalls: unpricedRows.reduce((a, m) => a + m.calls, 0),
      unpricedTokens: unpricedRows.reduce((a, m) => a + m.input + m.output, 0),
      byModel: costByModel,
      unpriced: unpricedRows,
      bySession: [], byOriginator: [], byDay: [], reconciliation: [],
      priceTable: { version: 'test', sources: [], matches: [], warnings: [] },
    },
    rollups: { byOriginator: [], bySessionSource: [], byEnvironment: [], byAgent: [], byAttribute: {} },
    dataQuality: { signalsByAgent: [], sessionsWithoutSpans: [], statusNotReported: [], agentFlagWrong: [], callsWithoutSession: [], usageSources: [], unpricedModels: [], skippedRecords: 0 },
  } as unknown as Summary;
}

const TOKEN_PARTS = ['input, uncached', 'cache read', 'cache write', 'output, visible', 'reasoning'];
const EMPTY_OPTS: Opts = { models: [], durationsMs: [], tools: [], statuses: [] };

// ---------- SVG and schema helpers ----------

/** The items of every mark group named `<name>_marks` (facets repeat a group per cell). */
function markItems(svg: string, name: string): string[] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-(\\w+) role-mark ${name}_marks"[^>]*>(.*?)</g>`, 'gs'))];
  expect(groups.length, `mark group ${name}_marks`).toBeGreaterThan(0);
  return groups.flatMap((g) => [...g[2].matchAll(/<(path|line|text)\b[^>]*?(?:\/>|>[^<]*<\/\1>)/g)].map((m) => m[0]));
}
const attr = (el: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(el)?.[1];
const textOf = (el: string) => />([^<]*)<\/text>$/.exec(el)?.[1] ?? '';

/** Well-formed XML, checked by hand: tags balance, attributes are quoted, `<` and `&` only as markup. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const re = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let at = 0;
  for (let m = re.exec(svg); m; m = re.exec(svg)) {
    at = re.lastIndex;
    if (m[5] !== undefined) {
      expect(m[5], 'text with a bare &').not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
      continue;
    }
    expect(m[3], 'attribute with a bare &').not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
    if (m[1]) expect(stack.pop(), `closing </${m[2]}>`).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]);
  }
  expect(at, `unparsable markup near: ${svg.slice(at, at + 80)}`).toBe(svg.length);
  expect(stack).toEqual([]);
}

type Schema = Record<string, unknown>;
const VL_SCHEMA = JSON.parse(readFileSync(fromRoot('node_modules', 'vega-lite', 'build', 'vega-lite-schema.json'), 'utf8')) as Schema;

/**
 * A JSON Schema (draft-07 subset) validator covering every keyword the Vega-Lite schema uses
 * ($ref, anyOf, type, properties, additionalProperties, required, enum, const, items, min/max…).
 * ajv is not a dependency; this is enough to catch a misspelt property or a wrong type.
 */
function schemaErrors(schema: Schema, value: unknown, path = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const def = (VL_SCHEMA.definitions as Record<string, Schema>)[schema.$ref.replace('#/definitions/', '')];
    if (!def) return [`${path}: unknown $ref ${schema.$ref}`];
    return schemaErrors(def, value, path);
  }
  if (Array.isArray(schema.anyOf)) {
    const all = (schema.anyOf as Schema[]).map((s) => schemaErrors(s, value, path));
    if (all.some((e) => e.length === 0)) return [];
    return [all.reduce((best, e) => (e.length < best.length ? e : best))[0] ?? `${path}: matches no alternative`];
  }
  const errs: string[] = [];
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const t = typeOf(value);
    const ok = types.some((want) => want === t || (want === 'integer' && t === 'number' && Number.isInteger(value)));
    if (!ok) return [`${path}: expected ${types.join('|')}, got ${t}`];
  }
  if (schema.enum && !(schema.enum as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(value))) errs.push(`${path}: not one of ${JSON.stringify(schema.enum)}`);
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) errs.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errs.push(`${path}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errs.push(`${path}: above ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) errs.push(`${path}: too short`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) errs.push(`${path}: too long`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errs.push(`${path}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errs.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items && typeof schema.items === 'object') value.forEach((v, i) => errs.push(...schemaErrors(schema.items as Schema, v, `${path}[${i}]`)));
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) errs.push(`${path}: missing ${r}`);
    if (typeof schema.minProperties === 'number' && Object.keys(obj).length < schema.minProperties) errs.push(`${path}: too few properties`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errs.push(...schemaErrors(props[k], v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${path}: unknown property "${k}"`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') errs.push(...schemaErrors(schema.additionalProperties as Schema, v, `${path}.${k}`));
    }
  }
  return errs;
}

function compileWarnings(spec: object): string[] {
  const out: string[] = [];
  const logger = {
    level() { return logger; },
    warn(...a: unknown[]) { out.push(a.join(' ')); return logger; },
    error(...a: unknown[]) { out.push(a.join(' ')); return logger; },
    info() { return logger; },
    debug() { return logger; },
  };
  compile(spec as TopLevelSpec, { logger: logger as never });
  return out;
}

const byId = (charts: Chart[], id: string) => charts.find((c) => c.id === id)!;

// ---------- tests ----------

describe('chart specs', () => {
  test('the schema check catches a bad spec (it is not a no-op)', () => {
    expect(schemaErrors(VL_SCHEMA, { data: { values: [] }, mark: 'bar', encoding: { x: { field: 'a', type: 'quantitative' } } })).toEqual([]);
    expect(schemaErrors(VL_SCHEMA, { mark: 'barr' }).length).toBeGreaterThan(0);
    expect(schemaErrors(VL_SCHEMA, { mark: 'bar', encoding: { x: { field: 'a', typo: 'quantitative' } } }).length).toBeGreaterThan(0);
  });

  test.each([...CHART_PANELS])('src/panels/%s.vl.json is schema-valid and compiles without warnings as written', (id) => {
    const spec = JSON.parse(readFileSync(fromRoot('src', 'panels', `${id}.vl.json`), 'utf8'));
    expect(schemaErrors(VL_SCHEMA, spec)).toEqual([]);
    expect(compileWarnings(spec)).toEqual([]);
  });

  test.each([
    ['synthetic', synthetic()],
    ['empty', synthetic(EMPTY_OPTS)],
  ])('filled specs (%s) are schema-valid and compile without warnings', async (_, s) => {
    for (const c of await renderCharts(s)) {
      expect(c.warnings, c.id).toEqual([]);
      expect(schemaErrors(VL_SCHEMA, c.spec), c.id).toEqual([]);
      expect(compileWarnings(c.spec), c.id).toEqual([]);
    }
  });
});

describe('chart rendering', () => {
  test('one chart per panel, in order, each a well-formed SVG with a title and a text alternative', async () => {
    const charts = await renderCharts(synthetic());
    expect(charts.map((c) => c.id)).toEqual([...CHART_PANELS]);
    for (const c of charts) {
      assertWellFormed(c.svg);
      expect(c.svg.startsWith('<svg')).toBe(true);
      expect(c.title.length).toBeGreaterThan(5);
      expect(c.alt).toMatch(/\d/);
      expect(c.svg).toContain(`<title>${c.title}</title>`);
      expect(c.svg).toContain('<desc>');
      expect(c.svg).toMatch(/^<svg[^>]* role="img" aria-label="[^"]+"/);
      expect(c.svg).toMatch(/ width="\d+" height="\d+"/);
    }
  });

  test('data marks match the rows fed in', async () => {
    const s = synthetic();
    const charts = await renderCharts(s);
    const tokens = byId(charts, 'tokens').svg;
    expect(markItems(tokens, 'time')).toHaveLength(s.tokens.series.length);
    const models = new Set(s.tokens.series.map((r) => r.model));
    expect(markItems(tokens, 'mix')).toHaveLength(models.size * 5); // five disjoint parts per model, all non-zero here

    const sessions = byId(charts, 'sessions').svg;
    expect(markItems(sessions, 'bins')).toHaveLength(s.sessions.durations.length); // one session per bin here
    expect(markItems(sessions, 'bins').filter((p) => attr(p, 'fill') === '#e45756')).toHaveLength(s.sessions.slowCount);
    expect(markItems(sessions, 'percentiles')).toHaveLength(new Set(Object.values(s.sessions.durationMs).slice(0, 3)).size);
    expect(markItems(sessions, 'threshold')).toHaveLength(1);

    const tools = byId(charts, 'tools').svg;
    expect(markItems(tools, 'rate')).toHaveLength(s.tools.byTool.length);
    const flagged = markItems(tools, 'rate').filter((p) => attr(p, 'fill') === '#e45756');
    expect(flagged.map((p) => attr(p, 'aria-label')!.split(':')[0]).sort()).toEqual(s.tools.byTool.filter((t) => t.flagged).map((t) => t.tool).sort());
    const labels = markItems(tools, 'labels').map(textOf);
    expect(labels).toContain('84.6 % of 13 calls · below 90 %');
    expect(labels).toContain('100 % of 40 calls');
    expect(markItems(tools, 'flag_rule')).toHaveLength(1);

    const api = byId(charts, 'api_errors').svg;
    expect(markItems(api, 'attempts')).toHaveLength(s.api.byModelStatus.length); // one status per outcome class here
    expect(markItems(api, 'labels')).toHaveLength(s.api.byModel.length);

    const cost = byId(charts, 'cost').svg;
    expect(markItems(cost, 'cost')).toHaveLength(s.cost.byModel.filter((m) => m.costUsd !== null).length);
    expect(markItems(cost, 'labels')).toHaveLength(s.cost.byModel.length);
  });

  test('the token mix stacks disjoint parts that add up to input + output', () => {
    const t = { input: 1000, cacheRead: 600, cacheWrite: 300, output: 80, reasoning: 30 };
    const parts = disjointParts(t);
    expect(parts).toEqual([100, 600, 300, 50, 30]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(t.input + t.output);
  });

  test('the token mix bars carry the disjoint parts, not input and cache read stacked twice', async () => {
    const s = synthetic({ models: ['m'], envs: ['e'], buckets: 1 });
    const chart = await renderChart('tokens', s);
    const labels = markItems(chart.svg, 'mix').map((p) => attr(p, 'aria-label'));
    const r = s.tokens.series[0];
    expect(labels).toEqual([
      `m, input, uncached: ${(r.input - r.cacheRead - r.cacheWrite).toLocaleString('en-US')} tokens`,
      `m, cache read: ${r.cacheRead.toLocaleString('en-US')} tokens`,
      `m, cache write: ${r.cacheWrite.toLocaleString('en-US')} tokens`,
      `m, output, visible: ${(r.output - r.reasoning).toLocaleString('en-US')} tokens`,
      `m, reasoning: ${r.reasoning.toLocaleString('en-US')} tokens`,
    ]);
  });

  test('deterministic: the same summary gives byte-identical SVG, whatever the time zone', async () => {
    const a = await renderCharts(synthetic());
    const b = await renderCharts(synthetic());
    const tz = process.env.TZ;
    process.env.TZ = 'Pacific/Chatham';
    try {
      const c = await renderCharts(synthetic());
      for (let i = 0; i < a.length; i++) {
        expect(b[i].svg).toBe(a[i].svg);
        expect(c[i].svg).toBe(a[i].svg);
        expect(JSON.stringify(b[i].spec)).toBe(JSON.stringify(a[i].spec));
      }
    } finally {
      process.env.TZ = tz;
    }
    expect(a[0].svg).toContain('07:1'); // bucket times shown as given (report time zone), not shifted
  });

  test('SVG ids are unique across the charts of one page', async () => {
    const charts = await renderCharts(synthetic());
    const ids = charts.flatMap((c) => [...c.svg.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of charts) for (const m of c.svg.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(m[1]);
  });
});

/** A legend's entries, label → symbol colour, in order. */
function legendColors(svg: string): Map<string, string> {
  const re = /role-legend-symbol"[^>]*><path[^>]*? fill="([^"]+)"[^>]*\/><\/g><g class="mark-text role-legend-label"[^>]*><text[^>]*>([^<]*)<\/text>/g;
  return new Map([...svg.matchAll(re)].map((m) => [m[2], m[1]]));
}

describe('model colours', () => {
  test('one scale: the same model has the same colour in the tokens and cost charts', async () => {
    const s = synthetic();
    const colors = modelColors(s);
    expect([...colors.keys()]).toEqual(['alpha-1', 'beta-2', 'gamma-3']); // sorted, not in data order
    expect([...colors.values()]).toEqual(MODEL_PALETTE.slice(0, 3));
    const charts = await renderCharts(s);
    const tokens = byId(charts, 'tokens').svg;
    const legend = legendColors(tokens);
    for (const model of colors.keys()) expect(legend.get(model), model).toBe(colors.get(model));
    expect(new Set(markItems(tokens, 'time').map((p) => attr(p, 'fill')))).toEqual(new Set(colors.values()));
    const costFill = (model: string) => new Set(markItems(byId(charts, 'cost').svg, 'cost').filter((p) => attr(p, 'aria-label')!.startsWith(`${model}:`)).map((p) => attr(p, 'fill')));
    for (const model of ['alpha-1', 'beta-2']) expect(costFill(model)).toEqual(new Set([legend.get(model)]));
  });

  test('colorsFor: ids in code-point order, each once, no model as "(unknown model)"', () => {
    const colors = colorsFor(['b-model', null, 'B-model', 'b-model', 'a-model']);
    expect([...colors.keys()]).toEqual(['(unknown model)', 'B-model', 'a-model', 'b-model']);
    expect([...colors.values()]).toEqual(MODEL_PALETTE.slice(0, 4));
    // The same map as the summary's models give (what a report's chart thread is handed).
    const s = synthetic();
    expect(colorsFor(['gamma-3', 'alpha-1', 'beta-2'])).toEqual(modelColors(s));
  });

  test('a model keeps its colour when another chart or report leaves models out', async () => {
    const s = synthetic({ models: Array.from({ length: 25 }, (_, i) => `model-${String(i).padStart(2, '0')}`), unpriced: ['model-03'] });
    const colors = modelColors(s);
    expect(colors.get('model-21')).toBe(MODEL_PALETTE[1]); // past the palette it cycles
    const cost = await renderChart('cost', s, colors);
    const bar = markItems(cost.svg, 'cost').find((p) => attr(p, 'aria-label')!.startsWith('model-07:'))!;
    expect(attr(bar, 'fill')).toBe(colors.get('model-07'));
  });

  test('beyond nine models the time chart greys the rest as "other models"; the mix keeps twenty rows', async () => {
    const models = Array.from({ length: 25 }, (_, i) => `model-${String(i).padStart(2, '0')}`);
    const s = synthetic({ models, envs: ['e'], buckets: 2 });
    const colors = modelColors(s);
    const chart = await renderChart('tokens', s, colors);
    const ranked = [...s.tokens.byModel].sort((a, b) => b.input + b.output - (a.input + a.output) || (a.model! < b.model! ? -1 : 1)).map((m) => m.model!);
    const legend = legendColors(chart.svg);
    expect([...legend.keys()]).toEqual([...ranked.slice(0, 9), 'other models', ...TOKEN_PARTS]);
    for (const m of ranked.slice(0, 9)) expect(legend.get(m)).toBe(colors.get(m));
    expect(markItems(chart.svg, 'time')).toHaveLength(10 * 2); // nine models and "other", in two buckets
    expect(markItems(chart.svg, 'mix')).toHaveLength(21 * 5);
    expect(markItems(chart.svg, 'mix').some((p) => attr(p, 'aria-label')!.startsWith('other models (5), '))).toBe(true);
  });
});

describe('unpriced models', () => {
  test('are labelled unpriced with their tokens, never drawn as a $0 bar', async () => {
    const s = synthetic();
    const chart = await renderChart('cost', s);
    const bars = markItems(chart.svg, 'cost').map((p) => attr(p, 'aria-label')!);
    expect(bars.some((l) => l.startsWith('gamma-3'))).toBe(false);
    const texts = markItems(chart.svg, 'labels').map(textOf);
    const gammaTokens = s.cost.unpriced[0].input + s.cost.unpriced[0].output;
    expect(gammaTokens % 1000).toBe(0);
    expect(texts).toContain(`unpriced: ${gammaTokens / 1000}k tokens in ${s.cost.unpriced[0].calls} calls (no-price-entry)`);
    expect(texts.filter((t) => /^\$0(\.0+)?$/.test(t))).toEqual([]);
    expect(chart.alt).toContain('gamma-3');
    expect(chart.alt).toMatch(/unpriced/);
    const row = (chart.spec as { datasets: { models: { model: string; costUsd: number | null }[] } }).datasets.models.find((m) => m.model === 'gamma-3')!;
    expect(row.costUsd).toBeNull();
  });

  test('a partly priced model shows its priced cost and its unpriced calls', async () => {
    const s = synthetic({ unpriced: [] });
    const m = s.cost.byModel[0];
    Object.assign(m, { priced: false, unpricedCalls: 2, unpricedReason: 'no-price-entry' });
    s.cost.unpriced.push({ agent: m.agent, model: m.model, reason: 'no-price-entry', input: 900, cacheRead: 0, cacheWrite: 0, output: 100, reasoning: 0, calls: 2 });
    const chart = await renderChart('cost', s);
    expect(markItems(chart.svg, 'labels').map(textOf)).toContain(`${usd(m.costUsd!)} + unpriced: 1k tokens in 2 calls (no-price-entry)`);
  });
});

describe('empty data', () => {
  test('every panel renders a small valid "no data" SVG instead of failing', async () => {
    const charts = await renderCharts(synthetic(EMPTY_OPTS));
    for (const c of charts) {
      assertWellFormed(c.svg);
      expect(c.svg).toMatch(/>No data: no [^<]* in this period\.<\/text>/);
      expect(c.svg).not.toMatch(/role-mark (time|mix|bins|rate|attempts|cost)_marks/);
      expect(c.svg.length).toBeLessThan(6000);
      expect(c.alt).toMatch(/^No /);
      expect(c.svg).toContain(`<title>${c.title}</title>`);
    }
  });

  test('one empty panel does not empty the others', async () => {
    const charts = await renderCharts(synthetic({ tools: [] }));
    expect(byId(charts, 'tools').svg).toContain('>No data: no tool calls in this period.</text>');
    expect(markItems(byId(charts, 'cost').svg, 'cost').length).toBeGreaterThan(0);
  });
});

describe('safety and text', () => {
  test('telemetry text arrives escaped in the SVG', async () => {
    const s = synthetic({
      models: ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'],
      unpriced: [],
      tools: [{ tool: '<b onmouseover=alert(1)>x</b>', calls: 3, successes: 1 }],
    });
    for (const c of await renderCharts(s)) {
      assertWellFormed(c.svg);
      expect(c.svg).not.toMatch(/<(script|img|b)\b/i);
      expect(c.svg).not.toMatch(/\son\w+="/); // no event-handler attribute (the text inside values is escaped)
      if (c.id !== 'sessions') expect(c.svg).toMatch(c.id === 'tools' ? /&lt;b onmouseover=alert\(1\)&gt;x&lt;\/b&gt;/ : /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    }
  });

  test('alt texts state the key numbers', async () => {
    const s = synthetic();
    const charts = await renderCharts(s);
    expect(byId(charts, 'sessions').alt).toBe('8 sessions: median (P50) 5 s, P95 33.3 min, P99 33.3 min, longest 33.3 min; 2 slower than 10 min.');
    expect(byId(charts, 'tools').alt).toContain('2 tools below 90 %: Write 50 % of 2 calls, Bash 84.6 % of 13 calls.');
    expect(byId(charts, 'api_errors').alt).toMatch(/^\d+ API attempts, \d+ failed \(\d+(\.\d)? %\)/);
    expect(byId(charts, 'cost').alt).toContain(`Estimated cost ${usd(s.cost.totalUsd!)} across 2 priced models; the largest is alpha-1 at ${usd(0.5)}.`);
    expect(byId(charts, 'tokens').alt).toMatch(/tokens .* in \d+ model calls from 2026-11-24 07:10 to 2026-11-24 07:14 \(UTC\)/);
  });
});

describe('runtime and PNG', () => {
  test('the inline runtime defines vega, vega-lite and the embed, and cannot close its <script>', () => {
    const js = vegaRuntimeScripts();
    expect(js).toContain('otelAgentReportEmbed');
    expect(js).toMatch(/\.vega=\{\}|vegaLite=\{\}/);
    expect(js).not.toMatch(/<\/script/i);
    expect(js).not.toMatch(/https?:\/\/[^"'\s]*\.(js|css)\b/); // nothing it would fetch
  });

  test('PNG is not available without a rasteriser', async () => {
    expect(await chartPng('<svg/>')).toBeNull();
  });
});

describe('real captures', () => {
  const bin = fromRoot('bin', 'otel-agent-report.js');
  const captures = fromRoot('..', 'shared', 'captures');
  test('the summary of the captures renders five charts with data and no warnings', async () => {
    const inputs = ['claude', 'codex', 'gemini'].map((a) => `${captures}/${a}/otlp.jsonl`).concat(`${captures}/gemini/outfile`);
    const out = execFileSync(process.execPath, [bin, 'summary', ...inputs], { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' }, maxBuffer: 64 << 20 });
    const s = JSON.parse(out.toString('utf8')) as Summary;
    const charts = await renderCharts(s);
    for (const c of charts) {
      expect(c.warnings, c.id).toEqual([]);
      assertWellFormed(c.svg);
      expect(schemaErrors(VL_SCHEMA, c.spec), c.id).toEqual([]);
    }
    if (s.tokens.series.length) expect(markItems(byId(charts, 'tokens').svg, 'time')).toHaveLength(s.tokens.series.length);
    if (s.tools.byTool.length) expect(markItems(byId(charts, 'tools').svg, 'rate')).toHaveLength(s.tools.byTool.length);
    if (s.cost.byModel.length) expect(markItems(byId(charts, 'cost').svg, 'cost')).toHaveLength(s.cost.byModel.filter((m) => m.costUsd !== null).length);
  });
});

describe('precompiled chart templates', () => {
  const raw = loadSpec;
  const fillOf = (s: Summary) => ({ vars: { tz: s.filters.tz, bucket: s.tokens.bucket, flagBelow: '90 %', slow: '10 min' }, input: { datasets: {}, alt: 'x', empty: null }, colors: modelColors(s) });

  test('the build wrote one for every panel, and a report uses it', () => {
    const s = synthetic();
    for (const id of CHART_PANELS) {
      expect(existsSync(fromRoot('dist', 'charts', `${id}.json`)), id).toBe(true);
      // Every dataset the spec declares, filled: the template takes them.
      const datasets = Object.fromEntries(Object.keys(raw(id).datasets as object).map((n) => [n, [{ model: 'alpha-1' }]]));
      const params = Object.fromEntries(((raw(id).params ?? []) as { name: string; value?: unknown }[]).filter((p) => 'value' in p).map((p) => [p.name, p.value]));
      expect(runtimeFromTemplate(id, raw(id), { ...fillOf(s), input: { datasets, params, alt: 'x', empty: null } }), id).not.toBeNull();
    }
  });

  // Each summary is drawn both ways; the SVGs must be the same, byte for byte.
  const cases: [string, () => Summary][] = [
    ['the default synthetic summary', () => synthetic()],
    ['25 models, past the palette, one unpriced', () => synthetic({ models: Array.from({ length: 25 }, (_, i) => `model-${String(i).padStart(2, '0')}`), unpriced: ['model-03'] })],
    ['one model, one environment, one bucket', () => synthetic({ models: ['solo'], envs: ['only'], buckets: 1, unpriced: [] })],
    [
      'hostile names: quotes, backslashes, markup, line separators, an RTL mark, an emoji',
      () => synthetic({
        models: ['"><img src=x onerror=alert(1)>', 'back\\slash "quoted" \'single\'', 'line\u2028sep\u2029para', '\u202eevil', 'emoji 🧪 model', '${tz} $1 $&'],
        unpriced: ['emoji 🧪 model'],
        tools: [{ tool: '</script><b>"x"</b>', calls: 5, successes: 2 }],
      }),
    ],
    [
      'another time zone, bucket, tool threshold and slow-session limit',
      () => {
        const s = synthetic();
        return { ...s, filters: { ...s.filters, tz: 'America/St_Johns', toolFlagBelow: 0.975, slowSessionMs: 90_000 }, tokens: { ...s.tokens, bucket: 'week' } };
      },
    ],
    [
      // Titles become expression code: a label with quotes and backslashes must go in escaped.
      'a time zone label with quotes, a backslash and a line separator',
      () => {
        const s = synthetic();
        return { ...s, filters: { ...s.filters, tz: 'Zone "q" \\ b\u2028c' } };
      },
    ],
    ['no data at all', () => synthetic(EMPTY_OPTS)],
  ];
  for (const [name, make] of cases) {
    test(`draws the same SVG as compiling the spec: ${name}`, async () => {
      const s = make();
      const colors = modelColors(s);
      for (const id of CHART_PANELS) {
        const fast = await renderChart(id, s, colors, { precompiled: 'required' });
        const compiled = await renderChart(id, s, colors, { precompiled: false });
        expect(fast.svg, id).toBe(compiled.svg);
        expect(fast.warnings, id).toEqual(compiled.warnings);
        // (as JSON: Vega marks the rows it ingests with a symbol, which no copy or message carries)
        expect(JSON.stringify(fast.spec), id).toBe(JSON.stringify(compiled.spec));
      }
    });
  }

  test('is not used when stale, missing, or when a value cannot go where its marker is', () => {
    const s = synthetic();
    const datasets = { attempts: [{ model: 'alpha-1' }], models: [{ model: 'alpha-1' }] };
    const fill = { ...fillOf(s), input: { datasets, params: { outcomes: ['succeeded'] }, alt: 'x', empty: null } };
    expect(runtimeFromTemplate('api_errors', raw('api_errors'), fill)).not.toBeNull();
    // The spec file changed since the build: a different key.
    expect(runtimeFromTemplate('api_errors', { ...raw('api_errors'), width: 1 }, fill)).toBeNull();
    // No template where it looks.
    expect(runtimeFromTemplate('api_errors', raw('api_errors'), fill, fromRoot('test', 'no-such-dir'))).toBeNull();
    // A param value that is not a list.
    expect(runtimeFromTemplate('api_errors', raw('api_errors'), { ...fill, input: { ...fill.input, params: { outcomes: 'succeeded' } } })).toBeNull();
    // A dataset the template has and the report does not give.
    expect(runtimeFromTemplate('api_errors', raw('api_errors'), { ...fill, input: { ...fill.input, datasets: { attempts: [] } } })).toBeNull();
    // A placeholder the report does not give (the token chart's bucket, without a token section).
    expect(runtimeFromTemplate('tokens', raw('tokens'), { ...fillOf(s), vars: { tz: 'UTC', flagBelow: '90 %', slow: '10 min' }, input: { datasets: { series: [], mix: [] }, alt: 'x', empty: null, legend: ['a'] } })).toBeNull();
  });
});

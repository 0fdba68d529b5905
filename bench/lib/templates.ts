/**
 * Templates for the bench generator: real export-request lines (OTLP/JSON, one request per line)
 * turned into render programs that write a fresh copy of a session with new ids, shifted times,
 * a chosen originator and environment, and rewritten token counts.
 *
 * Token counts are rewritten per model response, and every place that repeats or aggregates them
 * is rewritten to match, so logs, spans and metrics stay consistent with each other:
 *
 *   codex   unit  = log codex.sse_event with input_token_count (one per response)
 *           mirror  span handle_responses (gen_ai.usage.*, codex.usage.*)
 *           sum     span session_task.turn (codex.turn.token_usage.*)          = Σ responses of the turn
 *           hist    metric codex.turn.token_usage (DELTA histogram, per turn) = histogram over turns
 *           link    log codex.turn_cost usage.estimated_usd, metric codex.turn.cost_microusd (per turn.id)
 *   claude  unit  = log api_request (input/output/cache_read/cache_creation tokens, cost_usd, cost_usd_micros)
 *           mirror  span claude_code.llm_request
 *           sum     metric claude_code.token.usage (DELTA, per type)
 *           link    metric claude_code.cost.usage (same points as token.usage)
 *   gemini  unit  = log gemini_cli.api_response (input/cached/output/thoughts/tool/total)
 *           mirror  log gen_ai.client.inference.operation.details (gen_ai.usage.*)
 *           sum     metric gemini_cli.token.usage (CUMULATIVE, per type)
 *           hist    metric gen_ai.client.token.usage (CUMULATIVE histogram, per call)
 *
 * Which responses an aggregate covers is not written in the data, so it is solved once per
 * template: candidates of the same model near the aggregate's time window, first the window
 * itself, then contiguous runs, then a bounded subset search, accepted only when every field of
 * the aggregate (and the histogram count) is reproduced exactly from the original values. An
 * aggregate that cannot be explained keeps its original numbers and is reported as a warning.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';

export type Agent = 'codex' | 'claude' | 'gemini';
export const AGENTS: readonly Agent[] = ['codex', 'claude', 'gemini'];
/** Agent names as the product's facts use them (src/model/registry.ts AGENT_FILES). */
export const FACT_AGENT: Record<Agent, string> = { codex: 'codex', claude: 'claude_code', gemini: 'gemini_cli' };

type Obj = Record<string, any>;
export type Vals = Record<string, number>;
type Expr = (v: Vals, model: string) => number;
export type Signal = 'traces' | 'logs' | 'metrics';

export const ENV_SENTINEL = '\u0001ENV\u0001';
export const ORIG_SENTINEL = '\u0001ORIG\u0001';

// ---------------------------------------------------------------------------------------------
// Loading

export interface TemplateGroup {
  agent: Agent;
  /** file (relative to the templates dir) + manifest session, or the whole file. */
  name: string;
  lines: Obj[];
}

/**
 * Template files under dir: every `otlp.jsonl` (the captures' layout); when there is none, every
 * JSON-lines file, plain or compressed (`*.jsonl`, `*.jsonl.gz`, `*.jsonl.zst`: the bundled
 * fixtures/sample). Lines that are not OTLP export requests are ignored.
 */
export function findTemplateFiles(dir: string): string[] {
  if (statSync(dir).isFile()) return [dir];
  const all: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.jsonl(\.gz|\.zst)?$/.test(e.name)) all.push(p);
    }
  };
  walk(dir);
  const otlp = all.filter((p) => basename(p) === 'otlp.jsonl');
  return otlp.length ? otlp : all.filter((p) => !/(manifest|ground-truth)/.test(basename(p)));
}

function readText(file: string): string {
  const raw = readFileSync(file);
  if (raw[0] === 0x1f && raw[1] === 0x8b) return gunzipSync(raw).toString('utf8');
  if (raw[0] === 0x28 && raw[1] === 0xb5 && raw[2] === 0x2f && raw[3] === 0xfd) {
    const r = spawnSync('zstd', ['-dcq'], { input: raw, maxBuffer: 1 << 30 });
    return r.status === 0 ? r.stdout.toString('utf8') : Buffer.from(zstdDecompress(raw)).toString('utf8');
  }
  return raw.toString('utf8');
}

function agentOf(line: Obj): Agent | undefined {
  for (const top of ['resourceSpans', 'resourceLogs', 'resourceMetrics']) {
    for (const r of line[top] ?? []) {
      const svc = attrMap(r?.resource?.attributes).get('service.name')?.stringValue;
      if (typeof svc !== 'string') continue;
      if (svc.startsWith('codex')) return 'codex';
      if (svc === 'claude-code') return 'claude';
      if (svc === 'gemini-cli') return 'gemini';
    }
  }
  return undefined;
}

export function signalOf(line: Obj): Signal | undefined {
  if ('resourceSpans' in line) return 'traces';
  if ('resourceLogs' in line) return 'logs';
  if ('resourceMetrics' in line) return 'metrics';
  return undefined;
}

/**
 * Template groups from `otlp.jsonl` files under dir. With a sibling manifest.jsonl (the captures'
 * layout) each session is a group; otherwise each agent's lines of a file form one group.
 */
export function loadTemplates(dir: string): TemplateGroup[] {
  const groups = new Map<string, TemplateGroup>();
  for (const file of findTemplateFiles(dir)) {
    const rel = relative(dir, file) || basename(file);
    const sessionOf = new Map<number, string>();
    const man = join(dirname(file), 'manifest.jsonl');
    if (existsSync(man)) {
      for (const l of readFileSync(man, 'utf8').split('\n')) {
        if (!l.trim()) continue;
        const m = JSON.parse(l) as { jsonlLine?: number; session?: string };
        if (m.jsonlLine && m.session) sessionOf.set(m.jsonlLine, m.session);
      }
    }
    const text = readText(file).split('\n');
    text.forEach((l, i) => {
      if (!l.trim()) return;
      let obj: Obj;
      try {
        obj = JSON.parse(l);
      } catch {
        return;
      }
      if (!obj || typeof obj !== 'object' || !signalOf(obj)) return;
      const agent = agentOf(obj);
      if (!agent) return;
      const key = `${rel}#${sessionOf.get(i + 1) ?? agent}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { agent, name: key, lines: [] }));
      g.lines.push(obj);
    });
  }
  return [...groups.values()];
}

// ---------------------------------------------------------------------------------------------
// Small helpers over OTLP/JSON

function attrMap(list: unknown): Map<string, Obj> {
  const m = new Map<string, Obj>();
  if (Array.isArray(list)) for (const kv of list) if (kv && typeof kv.key === 'string' && kv.value && typeof kv.value === 'object') m.set(kv.key, kv.value);
  return m;
}

function scalarKey(v: Obj): string | undefined {
  for (const k of ['stringValue', 'intValue', 'doubleValue']) if (k in v) return k;
  return undefined;
}

function str(m: Map<string, Obj>, key: string): string | undefined {
  const v = m.get(key);
  return v && typeof v.stringValue === 'string' ? v.stringValue : undefined;
}

/** ns (string or number) → ms as a float (sub-µs precision is irrelevant for matching). */
function nsMs(x: unknown): number {
  if (x === undefined || x === null) return 0;
  const n = Number(x);
  return Number.isFinite(n) ? n / 1e6 : 0;
}

export interface Target {
  obj: Obj;
  key: string;
  isStr: boolean;
  post?: (x: number) => number | string;
}

interface Ref extends Target {
  orig: number;
}

function ref(v: Obj | undefined, post?: Target['post']): Ref | undefined {
  if (!v) return undefined;
  const k = scalarKey(v);
  if (!k) return undefined;
  const n = Number(v[k]);
  if (!Number.isFinite(n)) return undefined;
  return { obj: v, key: k, isStr: typeof v[k] === 'string', orig: n, post };
}

function pointRef(p: Obj, key: string, post?: Target['post']): Ref | undefined {
  if (!(key in p)) return undefined;
  const n = Number(p[key]);
  if (!Number.isFinite(n)) return undefined;
  return { obj: p, key, isStr: typeof p[key] === 'string', orig: n, post };
}

function attrsKeyWithout(list: unknown, drop: string): string {
  const m = attrMap(list);
  m.delete(drop);
  return JSON.stringify([...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

// ---------------------------------------------------------------------------------------------
// Token semantics per agent

const F = {
  in: (v: Vals) => v.in,
  cached: (v: Vals) => v.cached,
  cw: (v: Vals) => v.cw,
  out: (v: Vals) => v.out,
  reasoning: (v: Vals) => v.reasoning,
  cr: (v: Vals) => v.cr,
  cc: (v: Vals) => v.cc,
  thoughts: (v: Vals) => v.thoughts,
  tool: (v: Vals) => v.tool,
  inPlusOut: (v: Vals) => v.in + v.out,
  nonCached: (v: Vals) => v.in - v.cached,
  geminiTotal: (v: Vals) => v.in + v.out + v.thoughts + v.tool,
} satisfies Record<string, Expr>;

/** Prices of the captures' mock OpenAI server (README §2), USD per 1M: input, cached input, output. */
const MOCK_OPENAI_PRICES: Record<string, [number, number, number]> = {
  'gpt-5-codex': [1.25, 0.125, 10],
  'o4-mini': [1.1, 0.275, 4.4],
};
const MOCK_OPENAI_DEFAULT: [number, number, number] = [1, 0.1, 4];

function codexCost(v: Vals, model: string): number {
  const [pi, pc, po] = MOCK_OPENAI_PRICES[model] ?? MOCK_OPENAI_DEFAULT;
  return ((v.in - v.cached) * pi + v.cached * pc + v.out * po) / 1e6;
}

/** New token counts for one response: the original shape (zeros stay zero), new magnitudes. */
export function newVals(agent: Agent, v: Vals, r: () => number): Vals {
  const rng = (lo: number, hi: number) => lo + (hi - lo) * r();
  const scale = (x: number, f: number, min = 0) => (x > 0 ? Math.max(min, Math.round(x * f)) : 0);
  if (agent === 'codex') {
    const inn = scale(v.in, rng(0.35, 2.6), 1);
    const cached = v.cached > 0 && v.in > 0 ? Math.min(inn, Math.round(inn * (v.cached / v.in) * rng(0.85, 1.1))) : 0;
    const cw = v.cw > 0 ? Math.min(inn - cached, scale(v.cw, rng(0.3, 2))) : 0;
    const g = rng(0.3, 3);
    const out = scale(v.out, g, 1);
    const reasoning = v.reasoning > 0 ? Math.min(out, Math.round(v.reasoning * g * rng(0.8, 1.2))) : 0;
    return { in: inn, cached, cw, out, reasoning };
  }
  if (agent === 'claude') {
    return { in: scale(v.in, rng(0.3, 2.5), 1), cr: scale(v.cr, rng(0.5, 2.5)), cc: scale(v.cc, rng(0.3, 2)), out: scale(v.out, rng(0.3, 3), 1) };
  }
  const inn = scale(v.in, rng(0.35, 2.6), 1);
  const cached = v.cached > 0 && v.in > 0 ? Math.min(inn, Math.round(inn * (v.cached / v.in) * rng(0.85, 1.1))) : 0;
  return { in: inn, cached, out: scale(v.out, rng(0.3, 3), 1), thoughts: scale(v.thoughts, rng(0.3, 3)), tool: scale(v.tool, rng(0.5, 2)) };
}

export interface Tokens {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
  calls: number;
}

/** Token totals of one agent and model (expected.json `tokens.byModel`, `summary` tokens.byModel). */
export interface TokenRow extends Tokens {
  agent: string;
  model: string;
}

export const TOKEN_FIELDS = ['input', 'cacheRead', 'cacheWrite', 'output', 'reasoning', 'calls'] as const;

/** Add the counts of `b` into `a`. */
export function addTokens(a: Tokens, b: Tokens): void {
  for (const f of TOKEN_FIELDS) a[f] += b[f];
}

/** The product's normalized convention (src/model/facts.ts): input incl. cache, output incl. reasoning. */
export function normalize(agent: Agent, v: Vals): Omit<Tokens, 'calls'> {
  if (agent === 'codex') return { input: v.in, cacheRead: v.cached, cacheWrite: v.cw, output: v.out, reasoning: v.reasoning };
  if (agent === 'claude') return { input: v.in + v.cr + v.cc, cacheRead: v.cr, cacheWrite: v.cc, output: v.out, reasoning: 0 };
  return { input: v.in, cacheRead: v.cached, cacheWrite: 0, output: v.out + v.thoughts, reasoning: v.thoughts };
}

// ---------------------------------------------------------------------------------------------
// Analysis: units (responses) and sites (every place a count appears)

interface Field {
  name: string;
  expr: Expr;
  orig: number;
  targets: Target[];
  /** Histogram point whose sum/min/max/bucketCounts follow this field. */
  hist?: { point: Obj; bounds: number[]; bucketsStr: boolean };
  /** Float fields (costs) are not used to solve membership. */
  approx?: boolean;
}

interface Site {
  desc: string;
  kind: 'unit' | 'mirror' | 'sum' | 'hist' | 'link';
  /** 0: members are responses; 1: members are turns (codex). */
  level: 0 | 1;
  model?: string;
  lo: number;
  hi: number;
  t: number;
  cumulative?: boolean;
  count?: number;
  fields: Field[];
  members?: number[];
  turnId?: string;
  linkKey?: string;
  linkTo?: 'turn' | 'key';
}

export interface Unit {
  agent: Agent;
  model: string;
  t: number;
  v: Vals;
}

interface Turn {
  t: number;
  model?: string;
  units: number[];
}

export interface SlotField {
  k: 'field';
  site: number;
  field: number;
  what: 'sum' | 'min' | 'max' | 'buckets';
  isStr: boolean;
  post?: (x: number) => number | string;
}
export type Slot =
  | SlotField
  | { k: 'id'; i: number; q?: boolean }
  | { k: 'ns'; ms: number; sub: string }
  | { k: 'ms'; ms: number }
  | { k: 'iso'; ms: number; frac: number; extra: string }
  | { k: 'env' }
  | { k: 'orig' };

export interface CompiledLine {
  signal: Signal;
  parts: (string | Slot)[];
  /** Latest time in the line, template ms (for ordering and rotation names). */
  maxMs: number;
  bytes: number;
  records: { spans: number; logs: number; metricPoints: number };
}

export function countRecords(line: Obj): { spans: number; logs: number; metricPoints: number } {
  let sp = 0;
  let lg = 0;
  let mp = 0;
  for (const _ of spans(line)) sp++;
  for (const _ of logRecords(line)) lg++;
  for (const { m } of metrics(line)) {
    for (const k of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) if (m[k] && Array.isArray(m[k].dataPoints)) mp += m[k].dataPoints.length;
  }
  return { spans: sp, logs: lg, metricPoints: mp };
}

export interface IdToken {
  text: string;
  fmt: 'hex' | 'uuid' | 'b64';
  /** Stable per synthetic user (user.id, installation.id) rather than per session copy. */
  user: boolean;
}

export interface CompiledGroup {
  agent: Agent;
  name: string;
  lines: CompiledLine[];
  units: Unit[];
  /** Sites that take part in rendering (solved), in dependency order. */
  sites: { level: 0 | 1; members: number[]; fields: { expr: Expr; hist?: { bounds: number[] } }[] }[];
  turns: Turn[];
  tokens: IdToken[];
  startMs: number;
  endMs: number;
  bytes: number;
  sessions: number;
  hasOriginator: boolean;
  warnings: string[];
  stats: { units: number; sitesSolved: number; sitesUnexplained: number };
  claudeRates: Map<string, [number, number]>;
}

/** One line's records with their context. */
function* logRecords(line: Obj) {
  for (const r of line.resourceLogs ?? []) for (const s of r?.scopeLogs ?? []) for (const rec of s?.logRecords ?? []) if (rec && typeof rec === 'object') yield { resource: r, rec };
}
function* spans(line: Obj) {
  for (const r of line.resourceSpans ?? []) for (const s of r?.scopeSpans ?? []) for (const sp of s?.spans ?? []) if (sp && typeof sp === 'object') yield { resource: r, sp };
}
function* metrics(line: Obj) {
  for (const r of line.resourceMetrics ?? []) for (const s of r?.scopeMetrics ?? []) for (const m of s?.metrics ?? []) if (m && typeof m === 'object') yield { resource: r, m };
}

function histTargets(p: Obj): { refs: Ref[]; bounds: number[]; bucketsStr: boolean } | undefined {
  const bounds = Array.isArray(p.explicitBounds) ? p.explicitBounds.map(Number) : [];
  const buckets = p.bucketCounts;
  if (!Array.isArray(buckets) || buckets.length !== bounds.length + 1) return undefined;
  const refs: Ref[] = [];
  const s = pointRef(p, 'sum');
  if (!s) return undefined;
  refs.push(s);
  return { refs, bounds, bucketsStr: typeof buckets[0] === 'string' };
}

export function bucketIndex(bounds: number[], v: number): number {
  let i = 0;
  while (i < bounds.length && v > bounds[i]) i++;
  return i;
}

function approxEq(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
}

class Analyzer {
  units: Unit[] = [];
  sites: Site[] = [];
  warnings: string[] = [];
  sessions = new Set<string>();
  claudeRates = new Map<string, [number, number]>();
  hasOriginator = false;

  constructor(
    readonly agent: Agent,
    readonly lines: Obj[],
  ) {}

  private unitSite(u: Unit, fields: Field[], desc: string) {
    this.units.push(u);
    this.sites.push({ desc, kind: 'unit', level: 0, lo: u.t, hi: u.t, t: u.t, fields, members: [this.units.length - 1], model: u.model });
  }

  private field(name: string, expr: Expr, r: Ref | undefined, extra: Partial<Field> = {}): Field | undefined {
    if (!r) return undefined;
    return { name, expr, orig: r.orig, targets: [r], ...extra };
  }

  run(): void {
    this.lines.forEach((line, li) => {
      if (this.agent === 'codex') this.codex(line, li);
      else if (this.agent === 'claude') this.claude(line, li);
      else this.gemini(line, li);
    });
    this.claudeCostRates();
    this.solve();
  }

  // --- codex
  private codex(line: Obj, li: number) {
    for (const { rec } of logRecords(line)) {
      const a = attrMap(rec.attributes);
      const conv = str(a, 'conversation.id');
      if (conv) this.sessions.add(conv);
      const ev = str(a, 'event.name');
      const t = nsMs(rec.timeUnixNano) || nsMs(rec.observedTimeUnixNano);
      if (ev === 'codex.sse_event' && a.has('input_token_count')) {
        const refs = {
          in: ref(a.get('input_token_count')),
          cached: ref(a.get('cached_token_count')),
          cw: ref(a.get('cache_write_token_count')),
          out: ref(a.get('output_token_count')),
          reasoning: ref(a.get('reasoning_token_count')),
        };
        const v: Vals = { in: refs.in?.orig ?? 0, cached: refs.cached?.orig ?? 0, cw: refs.cw?.orig ?? 0, out: refs.out?.orig ?? 0, reasoning: refs.reasoning?.orig ?? 0 };
        const fields = [
          this.field('input_token_count', F.in, refs.in),
          this.field('cached_token_count', F.cached, refs.cached),
          this.field('cache_write_token_count', F.cw, refs.cw),
          this.field('output_token_count', F.out, refs.out),
          this.field('reasoning_token_count', F.reasoning, refs.reasoning),
          this.field('tool_token_count', F.inPlusOut, ref(a.get('tool_token_count'))),
        ].filter((f): f is Field => !!f);
        this.unitSite({ agent: 'codex', model: str(a, 'model') ?? '', t, v }, fields, `codex.sse_event usage (line ${li + 1})`);
      } else if (ev === 'codex.turn_cost') {
        const f = this.field('usage.estimated_usd', codexCost, ref(a.get('usage.estimated_usd'), (x) => x.toFixed(10)), { approx: true });
        if (f) this.sites.push({ desc: `codex.turn_cost (line ${li + 1})`, kind: 'link', linkTo: 'turn', turnId: str(a, 'turn.id'), level: 0, lo: t, hi: t, t, fields: [f], model: str(a, 'model') });
      }
    }
    for (const { sp } of spans(line)) {
      const a = attrMap(sp.attributes);
      const lo = nsMs(sp.startTimeUnixNano);
      const hi = nsMs(sp.endTimeUnixNano);
      if (sp.name === 'handle_responses' && a.has('gen_ai.usage.input_tokens')) {
        const fields = [
          this.field('gen_ai.usage.input_tokens', F.in, ref(a.get('gen_ai.usage.input_tokens'))),
          this.field('gen_ai.usage.cache_read.input_tokens', F.cached, ref(a.get('gen_ai.usage.cache_read.input_tokens'))),
          this.field('gen_ai.usage.cache_write.input_tokens', F.cw, ref(a.get('gen_ai.usage.cache_write.input_tokens'))),
          this.field('gen_ai.usage.output_tokens', F.out, ref(a.get('gen_ai.usage.output_tokens'))),
          this.field('codex.usage.reasoning_output_tokens', F.reasoning, ref(a.get('codex.usage.reasoning_output_tokens'))),
          this.field('codex.usage.total_tokens', F.inPlusOut, ref(a.get('codex.usage.total_tokens'))),
        ].filter((f): f is Field => !!f);
        this.sites.push({ desc: `span handle_responses (line ${li + 1})`, kind: 'mirror', level: 0, lo, hi, t: hi, fields, model: str(a, 'model') });
      } else if (sp.name === 'session_task.turn' && a.has('codex.turn.token_usage.input_tokens')) {
        const p = 'codex.turn.token_usage.';
        const fields = [
          this.field(p + 'input_tokens', F.in, ref(a.get(p + 'input_tokens'))),
          this.field(p + 'cached_input_tokens', F.cached, ref(a.get(p + 'cached_input_tokens'))),
          this.field(p + 'cache_write_input_tokens', F.cw, ref(a.get(p + 'cache_write_input_tokens'))),
          this.field(p + 'non_cached_input_tokens', F.nonCached, ref(a.get(p + 'non_cached_input_tokens'))),
          this.field(p + 'output_tokens', F.out, ref(a.get(p + 'output_tokens'))),
          this.field(p + 'reasoning_output_tokens', F.reasoning, ref(a.get(p + 'reasoning_output_tokens'))),
          this.field(p + 'total_tokens', F.inPlusOut, ref(a.get(p + 'total_tokens'))),
        ].filter((f): f is Field => !!f);
        this.sites.push({ desc: `span session_task.turn (line ${li + 1})`, kind: 'sum', level: 0, lo, hi, t: hi, fields, model: str(a, 'model'), turnId: str(a, 'turn.id') });
      }
    }
    const histGroups = new Map<string, Site>();
    for (const { m } of metrics(line)) {
      if (m.name === 'codex.turn.token_usage' && m.histogram) {
        const map: Record<string, Expr> = { input: F.in, cached_input: F.cached, cache_write_input: F.cw, output: F.out, reasoning_output: F.reasoning, total: F.inPlusOut };
        for (const p of m.histogram.dataPoints ?? []) {
          const a = attrMap(p.attributes);
          const tt = str(a, 'token_type') ?? '';
          const key = attrsKeyWithout(p.attributes, 'token_type');
          const h = histTargets(p);
          if (!map[tt] || !h) {
            this.warnings.push(`codex.turn.token_usage token_type=${tt} (line ${li + 1}) left as is`);
            continue;
          }
          let site = histGroups.get(key);
          if (!site) {
            site = { desc: `metric codex.turn.token_usage (line ${li + 1})`, kind: 'hist', level: 1, lo: nsMs(p.startTimeUnixNano), hi: nsMs(p.timeUnixNano), t: nsMs(p.timeUnixNano), count: Number(p.count), fields: [], model: str(a, 'model') };
            histGroups.set(key, site);
            this.sites.push(site);
          }
          site.lo = Math.min(site.lo, nsMs(p.startTimeUnixNano));
          site.hi = Math.max(site.hi, nsMs(p.timeUnixNano));
          site.fields.push({ name: tt, expr: map[tt], orig: h.refs[0].orig, targets: [], hist: { point: p, bounds: h.bounds, bucketsStr: h.bucketsStr } });
        }
      } else if (m.name === 'codex.turn.cost_microusd' && m.sum) {
        for (const p of m.sum.dataPoints ?? []) {
          const a = attrMap(p.attributes);
          const key = 'asInt' in p ? 'asInt' : 'asDouble';
          const f = this.field('cost_microusd', codexCost, pointRef(p, key, key === 'asInt' ? (x) => Math.round(x * 1e6) : (x) => x * 1e6), { approx: true });
          const t = nsMs(p.timeUnixNano);
          if (f) this.sites.push({ desc: `metric codex.turn.cost_microusd (line ${li + 1})`, kind: 'link', linkTo: 'turn', turnId: str(a, 'turn.id'), level: 0, lo: t, hi: t, t, fields: [f], model: str(a, 'model') });
        }
      }
    }
  }

  // --- claude
  private claude(line: Obj, li: number) {
    for (const { rec } of logRecords(line)) {
      const a = attrMap(rec.attributes);
      const sid = str(a, 'session.id');
      if (sid) this.sessions.add(sid);
      if (str(a, 'event.name') !== 'api_request' || !a.has('input_tokens')) continue;
      const t = nsMs(rec.timeUnixNano) || nsMs(rec.observedTimeUnixNano);
      const refs = { in: ref(a.get('input_tokens')), out: ref(a.get('output_tokens')), cr: ref(a.get('cache_read_tokens')), cc: ref(a.get('cache_creation_tokens')) };
      const v: Vals = { in: refs.in?.orig ?? 0, out: refs.out?.orig ?? 0, cr: refs.cr?.orig ?? 0, cc: refs.cc?.orig ?? 0 };
      const model = str(a, 'model') ?? '';
      const cost = ref(a.get('cost_usd'));
      const fields = [
        this.field('input_tokens', F.in, refs.in),
        this.field('output_tokens', F.out, refs.out),
        this.field('cache_read_tokens', F.cr, refs.cr),
        this.field('cache_creation_tokens', F.cc, refs.cc),
        this.field('cost_usd', this.claudeCost, cost, { approx: true }),
        this.field('cost_usd_micros', this.claudeCost, ref(a.get('cost_usd_micros'), (x) => Math.round(x * 1e6)), { approx: true }),
      ].filter((f): f is Field => !!f);
      this.unitSite({ agent: 'claude', model, t, v }, fields, `api_request (line ${li + 1})`);
    }
    for (const { sp } of spans(line)) {
      if (sp.name !== 'claude_code.llm_request') continue;
      const a = attrMap(sp.attributes);
      if (!a.has('input_tokens')) continue;
      const fields = [
        this.field('input_tokens', F.in, ref(a.get('input_tokens'))),
        this.field('output_tokens', F.out, ref(a.get('output_tokens'))),
        this.field('cache_read_tokens', F.cr, ref(a.get('cache_read_tokens'))),
        this.field('cache_creation_tokens', F.cc, ref(a.get('cache_creation_tokens'))),
      ].filter((f): f is Field => !!f);
      const hi = nsMs(sp.endTimeUnixNano);
      this.sites.push({ desc: `span claude_code.llm_request (line ${li + 1})`, kind: 'mirror', level: 0, lo: nsMs(sp.startTimeUnixNano), hi, t: hi, fields, model: str(a, 'model') ?? str(a, 'gen_ai.request.model') });
    }
    const groups = new Map<string, Site>();
    for (const { m } of metrics(line)) {
      if (m.name === 'claude_code.token.usage' && m.sum) {
        const map: Record<string, Expr> = { input: F.in, output: F.out, cacheRead: F.cr, cacheCreation: F.cc };
        for (const p of m.sum.dataPoints ?? []) {
          const a = attrMap(p.attributes);
          const ty = str(a, 'type') ?? '';
          const key = `${li}|${attrsKeyWithout(p.attributes, 'type')}`;
          const r = pointRef(p, 'asDouble' in p ? 'asDouble' : 'asInt');
          if (!map[ty] || !r) {
            this.warnings.push(`claude_code.token.usage type=${ty} (line ${li + 1}) left as is`);
            continue;
          }
          let site = groups.get(key);
          if (!site) {
            site = { desc: `metric claude_code.token.usage (line ${li + 1})`, kind: 'sum', level: 0, lo: nsMs(p.startTimeUnixNano), hi: nsMs(p.timeUnixNano), t: nsMs(p.timeUnixNano), fields: [], model: str(a, 'model'), linkKey: key };
            groups.set(key, site);
            this.sites.push(site);
          }
          site.lo = Math.min(site.lo, nsMs(p.startTimeUnixNano));
          site.hi = Math.max(site.hi, nsMs(p.timeUnixNano));
          site.fields.push({ name: ty, expr: map[ty], orig: r.orig, targets: [r] });
        }
      } else if (m.name === 'claude_code.cost.usage' && m.sum) {
        for (const p of m.sum.dataPoints ?? []) {
          const a = attrMap(p.attributes);
          const key = `${li}|${attrsKeyWithout(p.attributes, 'type')}`;
          const f = this.field('cost', this.claudeCost, pointRef(p, 'asDouble' in p ? 'asDouble' : 'asInt'), { approx: true });
          if (f) this.sites.push({ desc: `metric claude_code.cost.usage (line ${li + 1})`, kind: 'link', linkTo: 'key', linkKey: key, level: 0, lo: 0, hi: 0, t: nsMs(p.timeUnixNano), fields: [f], model: str(a, 'model') });
        }
      }
    }
  }

  /**
   * Claude's cost_usd: per model, cost = a·(input + 1.25·cache_creation + 5·output) + c·cache_read
   * (Anthropic's cache-write and output multipliers; the cache-read rate differs between models,
   * e.g. 0.1× for Sonnet/Haiku 4.5 and 0.05× for the capture's claude-opus-5-5), fitted by least
   * squares on the template's own api_request records.
   */
  claudeCost: Expr = (v, model) => {
    const [a, c] = this.claudeRates.get(model) ?? [3e-6, 3e-7];
    return a * (v.in + 1.25 * v.cc + 5 * v.out) + c * v.cr;
  };

  private claudeCostRates() {
    if (this.agent !== 'claude') return;
    const byModel = new Map<string, { x: number; y: number; cost: number }[]>();
    this.sites.forEach((s) => {
      if (s.kind !== 'unit') return;
      const u = this.units[s.members![0]];
      const f = s.fields.find((x) => x.name === 'cost_usd');
      if (!f) return;
      const list = byModel.get(u.model) ?? [];
      list.push({ x: u.v.in + 1.25 * u.v.cc + 5 * u.v.out, y: u.v.cr, cost: f.orig });
      byModel.set(u.model, list);
    });
    const sig = (n: number) => Number(n.toPrecision(4));
    for (const [model, pts] of byModel) {
      let sxx = 0, sxy = 0, syy = 0, sxc = 0, syc = 0;
      for (const p of pts) {
        sxx += p.x * p.x;
        sxy += p.x * p.y;
        syy += p.y * p.y;
        sxc += p.x * p.cost;
        syc += p.y * p.cost;
      }
      const det = sxx * syy - sxy * sxy;
      let a: number, c: number;
      if (syy === 0 || Math.abs(det) < 1e-9 * sxx * syy) {
        a = sxx > 0 ? sxc / sxx : 3e-6;
        c = 0.1 * a;
      } else {
        a = (sxc * syy - syc * sxy) / det;
        c = (sxx * syc - sxy * sxc) / det;
      }
      this.claudeRates.set(model, [sig(a), sig(c)]);
      const bad = pts.filter((p) => !approxEq(sig(a) * p.x + sig(c) * p.y, p.cost)).length;
      if (bad) this.warnings.push(`claude cost_usd of ${model}: ${bad} of ${pts.length} records not reproduced by the fitted rates (rewritten with them anyway)`);
    }
  }

  // --- gemini
  private gemini(line: Obj, li: number) {
    for (const { resource, rec } of logRecords(line)) {
      const a = attrMap(rec.attributes);
      const sid = str(a, 'session.id') ?? str(attrMap(resource?.resource?.attributes), 'session.id');
      if (sid) this.sessions.add(sid);
      const ev = str(a, 'event.name');
      const t = nsMs(rec.timeUnixNano) || nsMs(rec.observedTimeUnixNano);
      if (ev === 'gemini_cli.api_response' && a.has('input_token_count')) {
        const refs = {
          in: ref(a.get('input_token_count')),
          cached: ref(a.get('cached_content_token_count')),
          out: ref(a.get('output_token_count')),
          thoughts: ref(a.get('thoughts_token_count')),
          tool: ref(a.get('tool_token_count')),
        };
        const v: Vals = { in: refs.in?.orig ?? 0, cached: refs.cached?.orig ?? 0, out: refs.out?.orig ?? 0, thoughts: refs.thoughts?.orig ?? 0, tool: refs.tool?.orig ?? 0 };
        const fields = [
          this.field('input_token_count', F.in, refs.in),
          this.field('cached_content_token_count', F.cached, refs.cached),
          this.field('output_token_count', F.out, refs.out),
          this.field('thoughts_token_count', F.thoughts, refs.thoughts),
          this.field('tool_token_count', F.tool, refs.tool),
          this.field('total_token_count', F.geminiTotal, ref(a.get('total_token_count'))),
        ].filter((f): f is Field => !!f);
        this.unitSite({ agent: 'gemini', model: str(a, 'model') ?? '', t, v }, fields, `gemini_cli.api_response (line ${li + 1})`);
      } else if (ev === 'gen_ai.client.inference.operation.details' && a.has('gen_ai.usage.input_tokens')) {
        const fields = [
          this.field('gen_ai.usage.input_tokens', F.in, ref(a.get('gen_ai.usage.input_tokens'))),
          this.field('gen_ai.usage.output_tokens', F.out, ref(a.get('gen_ai.usage.output_tokens'))),
        ].filter((f): f is Field => !!f);
        this.sites.push({ desc: `gen_ai.client.inference.operation.details (line ${li + 1})`, kind: 'mirror', level: 0, lo: t, hi: t, t, fields, model: str(a, 'gen_ai.response.model') ?? str(a, 'gen_ai.request.model') });
      }
    }
    const sums = new Map<string, Site>();
    const hists = new Map<string, Site>();
    for (const { m } of metrics(line)) {
      if (m.name === 'gemini_cli.token.usage' && m.sum) {
        const map: Record<string, Expr> = { input: F.in, output: F.out, cache: F.cached, thought: F.thoughts, tool: F.tool };
        for (const p of m.sum.dataPoints ?? []) {
          const a = attrMap(p.attributes);
          const ty = str(a, 'type') ?? '';
          const key = attrsKeyWithout(p.attributes, 'type');
          const r = pointRef(p, 'asInt' in p ? 'asInt' : 'asDouble');
          if (!map[ty] || !r) {
            this.warnings.push(`gemini_cli.token.usage type=${ty} (line ${li + 1}) left as is`);
            continue;
          }
          let site = sums.get(key);
          if (!site) {
            site = { desc: `metric gemini_cli.token.usage (line ${li + 1})`, kind: 'sum', level: 0, lo: nsMs(p.startTimeUnixNano), hi: nsMs(p.timeUnixNano), t: nsMs(p.timeUnixNano), cumulative: m.sum.aggregationTemporality === 2, fields: [], model: str(a, 'model') };
            sums.set(key, site);
            this.sites.push(site);
          }
          site.lo = Math.min(site.lo, nsMs(p.startTimeUnixNano));
          site.hi = Math.max(site.hi, nsMs(p.timeUnixNano));
          site.fields.push({ name: ty, expr: map[ty], orig: r.orig, targets: [r] });
        }
      } else if (m.name === 'gen_ai.client.token.usage' && m.histogram) {
        const map: Record<string, Expr> = { input: F.in, output: F.out };
        for (const p of m.histogram.dataPoints ?? []) {
          const a = attrMap(p.attributes);
          const ty = str(a, 'gen_ai.token.type') ?? '';
          const key = attrsKeyWithout(p.attributes, 'gen_ai.token.type');
          const h = histTargets(p);
          if (!map[ty] || !h) {
            this.warnings.push(`gen_ai.client.token.usage type=${ty} (line ${li + 1}) left as is`);
            continue;
          }
          let site = hists.get(key);
          if (!site) {
            site = { desc: `metric gen_ai.client.token.usage (line ${li + 1})`, kind: 'hist', level: 0, lo: nsMs(p.startTimeUnixNano), hi: nsMs(p.timeUnixNano), t: nsMs(p.timeUnixNano), cumulative: m.histogram.aggregationTemporality === 2, count: Number(p.count), fields: [], model: str(a, 'gen_ai.request.model') ?? str(a, 'gen_ai.response.model') };
            hists.set(key, site);
            this.sites.push(site);
          }
          site.lo = Math.min(site.lo, nsMs(p.startTimeUnixNano));
          site.hi = Math.max(site.hi, nsMs(p.timeUnixNano));
          site.fields.push({ name: ty, expr: map[ty], orig: h.refs[0].orig, targets: [], hist: { point: p, bounds: h.bounds, bucketsStr: h.bucketsStr } });
        }
      }
    }
  }

  // --- solving
  turns: Turn[] = [];

  private memberVal(level: 0 | 1, idx: number, expr: Expr): number {
    if (level === 0) {
      const u = this.units[idx];
      return expr(u.v, u.model);
    }
    let s = 0;
    for (const ui of this.turns[idx].units) s += expr(this.units[ui].v, this.units[ui].model);
    return s;
  }

  private check(site: Site, set: number[]): boolean {
    if (site.count !== undefined && set.length !== site.count) return false;
    for (const f of site.fields) {
      if (f.approx) continue;
      let s = 0;
      for (const m of set) s += this.memberVal(site.level, m, f.expr);
      if (!approxEq(s, f.orig)) return false;
    }
    return true;
  }

  private candidates(site: Site, lo: number, hi: number): { idx: number; t: number }[] {
    const pool = site.level === 0 ? this.units.map((u, idx) => ({ idx, t: u.t, model: u.model })) : this.turns.map((u, idx) => ({ idx, t: u.t, model: u.model }));
    return pool.filter((c) => c.t >= lo && c.t <= hi && (!site.model || !c.model || c.model === site.model)).sort((a, b) => a.t - b.t || a.idx - b.idx);
  }

  private solveSet(site: Site): number[] | undefined {
    const SLACK = 2000;
    const NEAR = 120_000;
    const tries: [number, number][] = [
      [site.lo, site.hi],
      [site.lo - SLACK, site.hi + SLACK],
    ];
    if (site.cumulative) tries.push([-Infinity, site.hi + SLACK]);
    for (const [lo, hi] of tries) {
      const set = this.candidates(site, lo, hi).map((c) => c.idx);
      if (set.length && this.check(site, set)) return set;
    }
    const near = this.candidates(site, site.lo - NEAR, site.hi + NEAR);
    const penalty = (set: { t: number }[]) => set.reduce((p, c) => p + (c.t < site.lo ? site.lo - c.t : c.t > site.hi ? c.t - site.hi : 0), 0);
    let best: { set: number[]; pen: number } | undefined;
    for (let i = 0; i < near.length; i++) {
      for (let j = i; j < near.length; j++) {
        const run = near.slice(i, j + 1);
        if (this.check(site, run.map((c) => c.idx))) {
          const pen = penalty(run);
          if (!best || pen < best.pen) best = { set: run.map((c) => c.idx), pen };
        }
      }
    }
    if (best) return best.set;
    // Bounded subset search: closest candidates first, prune on any exact field overshooting.
    const cands = [...near].sort((a, b) => penalty([a]) - penalty([b])).slice(0, 20);
    const exact = site.fields.filter((f) => !f.approx);
    const vals = cands.map((c) => exact.map((f) => this.memberVal(site.level, c.idx, f.expr)));
    const acc = exact.map(() => 0);
    const chosen: number[] = [];
    let found: number[] | undefined;
    const dfs = (k: number): void => {
      if (found) return;
      if (exact.every((f, fi) => approxEq(acc[fi], f.orig)) && chosen.length && (site.count === undefined || chosen.length === site.count)) {
        found = [...chosen].sort((a, b) => a - b);
        return;
      }
      if (k === cands.length || (site.count !== undefined && chosen.length >= site.count)) return;
      if (exact.some((f, fi) => acc[fi] > f.orig + 1e-6)) return;
      chosen.push(cands[k].idx);
      vals[k].forEach((x, fi) => (acc[fi] += x));
      dfs(k + 1);
      vals[k].forEach((x, fi) => (acc[fi] -= x));
      chosen.pop();
      dfs(k + 1);
    };
    dfs(0);
    return found;
  }

  private solve(): void {
    // Unit sites: derived fields (tool_token_count, total_token_count) must follow from the unit.
    for (const s of this.sites.filter((x) => x.kind === 'unit')) {
      const u = this.units[s.members![0]];
      s.fields = s.fields.filter((f) => {
        if (f.approx || approxEq(f.expr(u.v, u.model), f.orig)) return true;
        this.warnings.push(`${s.desc}: ${f.name}=${f.orig} does not follow from the other counts; left as is`);
        return false;
      });
    }
    // Mirrors: exactly one response with the same values, nearest in time.
    const used = new Set<string>();
    for (const s of this.sites.filter((x) => x.kind === 'mirror')) {
      const kind = s.desc.split(' (')[0];
      let best: { idx: number; d: number } | undefined;
      this.units.forEach((u, idx) => {
        if (used.has(`${kind}#${idx}`)) return;
        if (s.model && u.model && s.model !== u.model) return;
        if (!s.fields.every((f) => approxEq(f.expr(u.v, u.model), f.orig))) return;
        const d = Math.abs(u.t - s.t);
        if (!best || d < best.d) best = { idx, d };
      });
      if (best) {
        s.members = [best.idx];
        used.add(`${kind}#${best.idx}`);
      }
    }
    for (const s of this.sites.filter((x) => x.kind === 'sum' && x.level === 0)) s.members = this.solveSet(s);
    // Codex turns are the solved session_task.turn spans.
    for (const s of this.sites) if (s.turnId && s.kind === 'sum' && s.members) this.turns.push({ t: s.hi, model: s.model, units: s.members });
    for (const s of this.sites.filter((x) => x.kind === 'hist')) s.members = this.solveSet(s);
    for (const s of this.sites.filter((x) => x.kind === 'link')) {
      const src =
        s.linkTo === 'turn'
          ? this.sites.find((x) => x.kind === 'sum' && x.turnId && x.turnId === s.turnId && x.members)
          : this.sites.find((x) => x.kind === 'sum' && x.linkKey === s.linkKey && x.members);
      if (src) s.members = src.members;
      if (s.members) {
        for (const f of s.fields) {
          let v = 0;
          for (const m of s.members) v += this.memberVal(0, m, f.expr);
          const shown = f.targets[0]?.post ? Number(f.targets[0].post(v)) : v;
          if (!approxEq(shown, f.orig)) this.warnings.push(`${s.desc}: ${f.name} ${f.orig} recomputed as ${shown} from the template's own counts (rewritten consistently)`);
        }
      }
    }
    for (const s of this.sites) if (!s.members) this.warnings.push(`${s.desc}: could not tell which responses it covers; its original numbers are kept`);
  }
}

// ---------------------------------------------------------------------------------------------
// Compilation: JSON → parts with slots

const NS_RE = /^1[5-9]\d{17}$/;
const SCAN_RE =
  /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z)|(?<![0-9A-Za-z])([0-9a-f]{16,64})(?![0-9A-Za-z])|(?<![0-9])(1[6-9]\d{11})(?![0-9])/g;

class Parts {
  parts: (string | Slot)[] = [];
  private buf = '';
  bytes = 0;
  lit(s: string) {
    this.buf += s;
  }
  slot(s: Slot) {
    if (this.buf) {
      this.parts.push(this.buf);
      this.bytes += this.buf.length;
      this.buf = '';
    }
    this.parts.push(s);
    this.bytes += 12;
  }
  done(): (string | Slot)[] {
    if (this.buf) {
      this.parts.push(this.buf);
      this.bytes += this.buf.length;
      this.buf = '';
    }
    return this.parts;
  }
}

class Compiler {
  tokens = new Map<string, number>();
  tokenList: IdToken[] = [];
  slots = new Map<Obj, Map<string, Slot>>();
  userTexts = new Set<string>();
  maxMs = 0;
  minMs = Infinity;

  token(text: string, fmt: IdToken['fmt']): number {
    let i = this.tokens.get(text);
    if (i === undefined) {
      i = this.tokenList.length;
      this.tokens.set(text, i);
      this.tokenList.push({ text, fmt, user: this.userTexts.has(text) });
    }
    return i;
  }

  setSlot(obj: Obj, key: string, s: Slot) {
    let m = this.slots.get(obj);
    if (!m) this.slots.set(obj, (m = new Map()));
    m.set(key, s);
  }

  private seeMs(ms: number) {
    if (ms > this.maxMs) this.maxMs = ms;
    if (ms < this.minMs) this.minMs = ms;
  }

  str(s: string, out: Parts) {
    if (s === ENV_SENTINEL) return out.slot({ k: 'env' });
    if (s === ORIG_SENTINEL) return out.slot({ k: 'orig' });
    if (NS_RE.test(s)) {
      const ms = Number(s.slice(0, 13));
      this.seeMs(ms);
      out.lit('"');
      out.slot({ k: 'ns', ms, sub: s.slice(13) });
      out.lit('"');
      return;
    }
    out.lit('"');
    let last = 0;
    SCAN_RE.lastIndex = 0;
    for (let m = SCAN_RE.exec(s); m; m = SCAN_RE.exec(s)) {
      let slot: Slot | undefined;
      if (m[1]) slot = { k: 'id', i: this.token(m[1], 'uuid') };
      else if (m[2]) {
        const ms = Date.parse(m[2]);
        if (Number.isFinite(ms)) {
          const frac = /\.(\d+)Z$/.exec(m[2])?.[1] ?? '';
          slot = { k: 'iso', ms, frac: frac.length, extra: frac.slice(3) };
        }
      } else if (m[3]) {
        if (!/^\d+$/.test(m[3])) slot = { k: 'id', i: this.token(m[3], 'hex') };
      } else if (m[4]) {
        slot = { k: 'ms', ms: Number(m[4]) };
      }
      if (!slot) continue;
      if (m.index > last) out.lit(JSON.stringify(s.slice(last, m.index)).slice(1, -1));
      out.slot(slot);
      last = m.index + m[0].length;
    }
    out.lit(JSON.stringify(s.slice(last)).slice(1, -1));
    out.lit('"');
  }

  value(v: unknown, out: Parts) {
    if (v === null) out.lit('null');
    else if (typeof v === 'string') this.str(v, out);
    else if (typeof v === 'number') out.lit(Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(String(v)));
    else if (typeof v === 'boolean') out.lit(v ? 'true' : 'false');
    else if (Array.isArray(v)) {
      out.lit('[');
      v.forEach((x, i) => {
        if (i) out.lit(',');
        this.value(x, out);
      });
      out.lit(']');
    } else if (typeof v === 'object') {
      const o = v as Obj;
      const sl = this.slots.get(o);
      out.lit('{');
      let first = true;
      for (const k of Object.keys(o)) {
        if (o[k] === undefined) continue;
        if (!first) out.lit(',');
        first = false;
        out.lit(JSON.stringify(k) + ':');
        const s = sl?.get(k);
        if (s) out.slot(s);
        else this.value(o[k], out);
      }
      out.lit('}');
    }
  }

  line(obj: Obj): CompiledLine {
    const out = new Parts();
    const before = this.maxMs;
    this.maxMs = 0;
    this.value(obj, out);
    const lineMax = this.maxMs;
    this.maxMs = Math.max(before, lineMax);
    const parts = out.done();
    return { signal: signalOf(obj)!, parts, maxMs: lineMax, bytes: out.bytes + 1, records: countRecords(obj) };
  }
}

/** Mark environment / originator / user-scoped values in the parsed template (in place). */
function prepare(agent: Agent, lines: Obj[], c: Compiler): boolean {
  let hasOriginator = false;
  const visitAttrs = (list: unknown, isResource: boolean) => {
    if (!Array.isArray(list)) return;
    for (const kv of list) {
      const v = kv?.value;
      if (!v || typeof v.stringValue !== 'string') continue;
      if ((agent === 'codex' && kv.key === 'env') || kv.key === 'deployment.environment') v.stringValue = ENV_SENTINEL;
      if (kv.key === 'user.id' || kv.key === 'installation.id') c.userTexts.add(v.stringValue);
      if (kv.key === 'gen_ai.response.id' && !/^[0-9a-f-]{16,}$/.test(v.stringValue)) c.setSlot(v, 'stringValue', { k: 'id', i: c.token(v.stringValue, 'b64'), q: true });
    }
    if (isResource && agent === 'gemini' && !list.some((kv) => kv?.key === 'deployment.environment')) list.push({ key: 'deployment.environment', value: { stringValue: ENV_SENTINEL } });
  };
  const walk = (o: unknown, parentKey: string) => {
    if (Array.isArray(o)) {
      if (parentKey === 'attributes') visitAttrs(o, false);
      for (const x of o) walk(x, '');
      return;
    }
    if (!o || typeof o !== 'object') return;
    const obj = o as Obj;
    if (parentKey === 'resource') {
      if (!Array.isArray(obj.attributes)) obj.attributes = [];
      visitAttrs(obj.attributes, true);
    }
    for (const [k, v] of Object.entries(obj)) {
      if (agent === 'codex' && v === 'codex_exec') {
        obj[k] = ORIG_SENTINEL;
        hasOriginator = true;
      } else if (typeof v === 'object' && v !== null) {
        if (k === 'attributes' && parentKey !== 'resource') {
          visitAttrs(v, false);
          for (const x of v as unknown[]) walk(x, '');
        } else walk(v, k);
      }
    }
  };
  for (const l of lines) walk(l, '');
  return hasOriginator;
}

/** Analyse and compile one template group. */
export function compileGroup(g: TemplateGroup): CompiledGroup {
  const lines = g.lines; // prepared in place: loadTemplates parsed them for us
  const c = new Compiler();
  const hasOriginator = prepare(g.agent, lines, c);
  const a = new Analyzer(g.agent, lines);
  a.run();
  // Slots for every solved site's targets.
  const renderSites: CompiledGroup['sites'] = [];
  let solved = 0;
  let unexplained = 0;
  for (const s of a.sites) {
    if (!s.members) {
      unexplained++;
      continue;
    }
    solved++;
    const si = renderSites.length;
    renderSites.push({ level: s.level, members: s.members, fields: s.fields.map((f) => ({ expr: f.expr, hist: f.hist ? { bounds: f.hist.bounds } : undefined })) });
    s.fields.forEach((f, fi) => {
      for (const t of f.targets) c.setSlot(t.obj, t.key, { k: 'field', site: si, field: fi, what: 'sum', isStr: t.isStr, post: t.post });
      if (f.hist) {
        const p = f.hist.point;
        c.setSlot(p, 'sum', { k: 'field', site: si, field: fi, what: 'sum', isStr: typeof p.sum === 'string' });
        if ('min' in p) c.setSlot(p, 'min', { k: 'field', site: si, field: fi, what: 'min', isStr: typeof p.min === 'string' });
        if ('max' in p) c.setSlot(p, 'max', { k: 'field', site: si, field: fi, what: 'max', isStr: typeof p.max === 'string' });
        c.setSlot(p, 'bucketCounts', { k: 'field', site: si, field: fi, what: 'buckets', isStr: f.hist.bucketsStr });
      }
    });
  }
  const compiled = lines.map((l) => c.line(l));
  return {
    agent: g.agent,
    name: g.name,
    lines: compiled,
    units: a.units,
    sites: renderSites,
    turns: a.turns,
    tokens: c.tokenList,
    startMs: c.minMs,
    endMs: c.maxMs,
    bytes: compiled.reduce((n, l) => n + l.bytes, 0),
    sessions: a.sessions.size,
    hasOriginator,
    warnings: a.warnings,
    stats: { units: a.units.length, sitesSolved: solved, sitesUnexplained: unexplained },
    claudeRates: a.claudeRates,
  };
}

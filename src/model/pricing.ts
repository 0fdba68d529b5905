/**
 * Prices. Loads the built-in table (prices/prices.json), merges user tables over it (`--prices`,
 * in our format or LiteLLM's model_prices_and_context_window.json), matches model ids to entries,
 * and writes the DuckDB tables that src/model/sql/priced_calls.sql reads.
 *
 * Money never passes through a binary float: JSON is parsed by a small reader that keeps each
 * number's text, and rates are integer millionths of a USD per 1M tokens (the scale of the
 * DECIMAL(18,6) columns). Table format, matching rules and updating: prices/README.md.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DuckDBDecimalValue, dateValue, type DuckDBAppender, type DuckDBConnection } from './duckdb.js';
import { CliError } from '../errors.js';
import { fromRoot } from '../paths.js';
import { runSqlFile } from './db.js';

/** USD per 1M tokens in millionths: 3.75 USD per 1M tokens is 3_750_000n. */
export type Rate = bigint;

export interface Rates {
  input: Rate;
  cacheRead: Rate | null;
  /** Anthropic 5-minute and 1-hour cache writes. Both null: cache writes cost the input rate. */
  cacheWrite5m: Rate | null;
  cacheWrite1h: Rate | null;
  output: Rate;
}

/** Rates for calls whose input (all prompt tokens) exceeds `aboveInputTokens`. */
export interface PriceTier extends Rates {
  aboveInputTokens: number;
  source: string;
}

export interface PricePeriod extends Rates {
  effectiveFrom: string;
  tiers: PriceTier[];
  source: string;
  note?: string;
}

export interface ModelEntry {
  id: string;
  provider: string;
  aliases: string[];
  /** Sorted by effectiveFrom. */
  prices: PricePeriod[];
}

export interface PriceSource {
  kind: 'built-in' | 'prices-file' | 'litellm-file';
  file: string;
  version: string | null;
  models: number;
}

export interface PriceTable {
  /** Version (date) of the built-in table. */
  version: string;
  sources: PriceSource[];
  models: ModelEntry[];
  /** Notes for the user, e.g. LiteLLM rates rounded to 6 decimals per 1M tokens. */
  warnings: string[];
  byId: Map<string, ModelEntry>;
  byAlias: Map<string, ModelEntry>;
}

export type MatchRule = 'exact' | 'alias' | 'strip-provider-prefix' | 'strip-date-suffix';

export interface ModelMatch {
  entry: ModelEntry;
  rule: MatchRule;
}

export const BUILTIN_PRICES_FILE = fromRoot('prices', 'prices.json');
export const PRICED_CALLS_SQL = 'model/sql/priced_calls.sql';
/** LiteLLM entries carry no dates: they apply at every date. */
export const LITELLM_EFFECTIVE_FROM = '1970-01-01';

// ---------------------------------------------------------------------------------------------
// JSON that keeps number text, rejects duplicate keys and reports line and column.

class JsonNumber {
  constructor(readonly text: string) {}
}
type Json = null | boolean | string | JsonNumber | Json[] | JsonObject;
interface JsonObject {
  [key: string]: Json;
}

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Parses JSON; a repeated key keeps its last value (as JSON.parse does) and is listed in `duplicates`. */
function parseJson(text: string, file: string): { root: Json; duplicates: string[] } {
  let i = 0;
  const duplicates: string[] = [];
  const fail = (what: string): never => {
    const before = text.slice(0, i);
    const line = before.split('\n').length;
    throw new CliError(`Price table ${file}, line ${line}, column ${i - before.lastIndexOf('\n')}: not valid JSON (${what}).`);
  };
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const token = (re: RegExp): string | null => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return null;
    i += m[0].length;
    return m[0];
  };
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (path: string): Json => {
    skipSpace();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const obj: JsonObject = Object.create(null);
      skipSpace();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        skipSpace();
        const raw = token(STRING) ?? fail('expected a quoted key');
        const key = JSON.parse(raw) as string;
        if (key in obj) duplicates.push(childPath(path, key));
        skipSpace();
        if (text[i++] !== ':') fail('expected ":"');
        obj[key] = value(childPath(path, key));
        skipSpace();
        const sep = text[i++];
        if (sep === '}') return obj;
        if (sep !== ',') fail('expected "," or "}"');
      }
    }
    if (ch === '[') {
      i++;
      const arr: Json[] = [];
      skipSpace();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(childPath(path, arr.length)));
        skipSpace();
        const sep = text[i++];
        if (sep === ']') return arr;
        if (sep !== ',') fail('expected "," or "]"');
      }
    }
    if (ch === '"') return JSON.parse(token(STRING) ?? fail('bad string')) as string;
    const num = token(NUMBER);
    if (num !== null) return new JsonNumber(num);
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(i >= text.length ? 'unexpected end of file' : `unexpected character ${JSON.stringify(ch)}`);
  };
  const root = value('$');
  skipSpace();
  if (i < text.length) fail('unexpected text after the end');
  return { root, duplicates };
}

// ---------------------------------------------------------------------------------------------
// Decimal text to rates, by integer arithmetic.

const MAX_RATE = 10n ** 18n - 1n; // DECIMAL(18,6)

/**
 * `text` is a non-negative decimal (JSON number syntax, exponent allowed). `perToken` values (LiteLLM)
 * are scaled by 1e6 to per 1M tokens. Returns the rate rounded half-up to millionths and whether
 * that was exact, or null when the text is not a non-negative decimal or is too large.
 */
function decimalToRate(text: string, perToken: boolean): { rate: Rate; exact: boolean } | null {
  const m = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return null;
  const coef = BigInt(m[1] + (m[2] ?? ''));
  const exp = Number(m[3] ?? '0') - (m[2]?.length ?? 0) + 6 + (perToken ? 6 : 0);
  if (coef === 0n) return { rate: 0n, exact: true };
  if (exp > 18) return null;
  if (exp >= 0) {
    const rate = coef * 10n ** BigInt(exp);
    return rate > MAX_RATE ? null : { rate, exact: true };
  }
  if (exp < -60) return { rate: 0n, exact: false };
  const div = 10n ** BigInt(-exp);
  const q = coef / div;
  const r = coef % div;
  const rate = r * 2n >= div ? q + 1n : q;
  return rate > MAX_RATE ? null : { rate, exact: r === 0n };
}

/** "3.750000": the DECIMAL(18,6) text of a rate. */
export function formatRate(rate: Rate): string {
  const s = rate.toString().padStart(7, '0');
  return `${s.slice(0, -6)}.${s.slice(-6)}`;
}

// ---------------------------------------------------------------------------------------------
// Reading our format.

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isValidDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

class Reader {
  constructor(readonly file: string) {}

  fail(path: string, problem: string): never {
    throw new CliError(`Price table ${this.file}: ${path}: ${problem}. See prices/README.md for the format.`);
  }

  object(v: Json | undefined, path: string, allowed: readonly string[]): JsonObject {
    if (!isObject(v)) this.fail(path, 'expected an object');
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) this.fail(childPath(path, k), `unknown field; expected one of ${allowed.join(', ')}`);
    }
    return v;
  }

  string(v: Json | undefined, path: string): string {
    if (typeof v !== 'string' || v.trim() === '' || v.trim() !== v) this.fail(path, 'expected a non-empty string without surrounding spaces');
    return v;
  }

  date(v: Json | undefined, path: string): string {
    if (typeof v !== 'string' || !isValidDate(v)) this.fail(path, 'expected a date written YYYY-MM-DD');
    return v;
  }

  /** A rate in USD per 1M tokens, at most 6 decimals; `undefined` when absent, null when null. */
  rate(v: Json | undefined, path: string): Rate | null | undefined {
    if (v === undefined || v === null) return v;
    const text = v instanceof JsonNumber ? v.text : typeof v === 'string' ? v : null;
    const r = text === null ? null : decimalToRate(text, false);
    if (!r) this.fail(path, `expected a non-negative number of USD per 1M tokens (below 1e12), got ${JSON.stringify(v)}`);
    if (!r.exact) this.fail(path, `${text} has more than 6 decimal places; the table keeps USD per 1M tokens to 6 places`);
    return r.rate;
  }

  requiredRate(v: Json | undefined, path: string): Rate {
    const r = this.rate(v, path);
    if (r === undefined || r === null) this.fail(path, 'required: a non-negative number of USD per 1M tokens');
    return r;
  }
}

const TOP_FIELDS = ['schemaVersion', 'version', 'currency', 'unit', 'models', 'note'] as const;
const MODEL_FIELDS = ['id', 'provider', 'aliases', 'prices', 'note'] as const;
const RATE_FIELDS = ['input', 'cacheRead', 'cacheWrite5m', 'cacheWrite1h', 'output'] as const;
const PRICE_FIELDS = ['effectiveFrom', ...RATE_FIELDS, 'tiers', 'source', 'note'] as const;
const TIER_FIELDS = ['aboveInputTokens', ...RATE_FIELDS, 'source', 'note'] as const;

/** One parsed price file, before merging. */
export interface LoadedFile {
  source: PriceSource;
  models: ModelEntry[];
  warnings: string[];
}

function readNative(root: JsonObject, rd: Reader): LoadedFile {
  rd.object(root, '$', TOP_FIELDS);
  if (!(root.schemaVersion instanceof JsonNumber) || root.schemaVersion.text !== '1') {
    rd.fail('$.schemaVersion', 'expected 1 (the only version this program reads)');
  }
  const version = rd.date(root.version, '$.version');
  if (root.currency !== 'USD') rd.fail('$.currency', 'expected "USD"');
  if (root.unit !== 'per 1M tokens') rd.fail('$.unit', 'expected "per 1M tokens"');
  if (!Array.isArray(root.models)) rd.fail('$.models', 'expected an array of models');
  const models: ModelEntry[] = [];
  const names = new Map<string, string>(); // id or alias -> path that defined it
  const claim = (name: string, path: string) => {
    const prior = names.get(name);
    if (prior) rd.fail(path, `${JSON.stringify(name)} is already used at ${prior}`);
    names.set(name, path);
  };
  root.models.forEach((m, mi) => {
    const mp = childPath('$.models', mi);
    const o = rd.object(m, mp, MODEL_FIELDS);
    const id = rd.string(o.id, `${mp}.id`);
    claim(id, `${mp}.id`);
    const provider = rd.string(o.provider, `${mp}.provider`);
    const aliases: string[] = [];
    if (o.aliases !== undefined) {
      if (!Array.isArray(o.aliases)) rd.fail(`${mp}.aliases`, 'expected an array of model ids');
      o.aliases.forEach((a, ai) => {
        const ap = childPath(`${mp}.aliases`, ai);
        claim(rd.string(a, ap), ap);
        aliases.push(a as string);
      });
    }
    if (!Array.isArray(o.prices) || o.prices.length === 0) rd.fail(`${mp}.prices`, 'expected a non-empty array of dated prices');
    const prices = o.prices.map((p, pi) => readPeriod(p, childPath(`${mp}.prices`, pi), rd));
    prices.sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
    prices.forEach((p, k) => {
      if (k > 0 && p.effectiveFrom === prices[k - 1].effectiveFrom) {
        rd.fail(`${mp}.prices`, `two prices take effect on ${p.effectiveFrom}`);
      }
    });
    models.push({ id, provider, aliases, prices });
  });
  return { source: { kind: 'prices-file', file: rd.file, version, models: models.length }, models, warnings: [] };
}

function readPeriod(p: Json, path: string, rd: Reader): PricePeriod {
  const o = rd.object(p, path, PRICE_FIELDS);
  const period: PricePeriod = {
    effectiveFrom: rd.date(o.effectiveFrom, `${path}.effectiveFrom`),
    input: rd.requiredRate(o.input, `${path}.input`),
    cacheRead: rd.rate(o.cacheRead, `${path}.cacheRead`) ?? null,
    cacheWrite5m: rd.rate(o.cacheWrite5m, `${path}.cacheWrite5m`) ?? null,
    cacheWrite1h: rd.rate(o.cacheWrite1h, `${path}.cacheWrite1h`) ?? null,
    output: rd.requiredRate(o.output, `${path}.output`),
    tiers: [],
    source: rd.string(o.source, `${path}.source`),
  };
  if (o.note !== undefined) period.note = rd.string(o.note, `${path}.note`);
  if (o.tiers !== undefined) {
    if (!Array.isArray(o.tiers)) rd.fail(`${path}.tiers`, 'expected an array');
    o.tiers.forEach((t, ti) => {
      const tp = childPath(`${path}.tiers`, ti);
      const to = rd.object(t, tp, TIER_FIELDS);
      const above = to.aboveInputTokens;
      if (!(above instanceof JsonNumber) || !/^[1-9]\d{0,14}$/.test(above.text)) {
        rd.fail(`${tp}.aboveInputTokens`, 'expected a positive whole number of prompt tokens');
      }
      const aboveInputTokens = Number(above.text);
      if (period.tiers.some((x) => x.aboveInputTokens === aboveInputTokens)) {
        rd.fail(`${tp}.aboveInputTokens`, `a tier above ${aboveInputTokens} tokens is already listed`);
      }
      // An omitted rate is the base rate; an explicit null means "not known" (such tokens are unpriced).
      const rate = (k: (typeof RATE_FIELDS)[number]) => {
        const r = rd.rate(to[k], `${tp}.${k}`);
        return r === undefined ? period[k] : r;
      };
      const input = rate('input');
      const output = rate('output');
      if (input === null || output === null) rd.fail(tp, 'input and output rates cannot be null');
      period.tiers.push({
        aboveInputTokens,
        input,
        cacheRead: rate('cacheRead'),
        cacheWrite5m: rate('cacheWrite5m'),
        cacheWrite1h: rate('cacheWrite1h'),
        output,
        source: to.source === undefined ? period.source : rd.string(to.source, `${tp}.source`),
      });
    });
    period.tiers.sort((a, b) => a.aboveInputTokens - b.aboveInputTokens);
  }
  return period;
}

// ---------------------------------------------------------------------------------------------
// Reading LiteLLM's model_prices_and_context_window.json (USD per token, floats).

const LITELLM_RATES: Record<string, keyof Rates> = {
  input_cost_per_token: 'input',
  cache_read_input_token_cost: 'cacheRead',
  cache_creation_input_token_cost: 'cacheWrite5m',
  cache_creation_input_token_cost_above_1hr: 'cacheWrite1h',
  output_cost_per_token: 'output',
};
const LITELLM_TIER_KEY = /^(.+)_above_(\d+)k_tokens$/;
const LITELLM_TOKEN_MODES = ['chat', 'responses', 'completion'];

function readLiteLlm(root: JsonObject, rd: Reader): LoadedFile {
  const models: ModelEntry[] = [];
  const warnings: string[] = [];
  const source = resolve(rd.file);
  const rate = (v: Json | undefined, path: string): Rate => {
    const r = v instanceof JsonNumber ? decimalToRate(v.text, true) : null;
    if (!r) rd.fail(path, `expected a non-negative number of USD per token, got ${JSON.stringify(v)}`);
    if (!r.exact) warnings.push(`${rd.file}: ${path} rounded to ${formatRate(r.rate)} USD per 1M tokens`);
    return r.rate;
  };
  for (const [key, v] of Object.entries(root)) {
    if (key === 'sample_spec') continue;
    const path = childPath('$', key);
    if (!isObject(v)) rd.fail(path, 'expected an object (a LiteLLM model entry)');
    // Entries not priced per text token (images, audio seconds, embeddings, tiered_pricing lists).
    if (typeof v.mode === 'string' && !LITELLM_TOKEN_MODES.includes(v.mode)) continue;
    if (v.input_cost_per_token === undefined || v.output_cost_per_token === undefined) continue;
    const base: Partial<Rates> = {};
    const tiers = new Map<number, Partial<Rates>>();
    for (const [field, fv] of Object.entries(v)) {
      const tm = LITELLM_TIER_KEY.exec(field);
      const name = LITELLM_RATES[tm ? tm[1] : field];
      if (!name || fv === null) continue;
      const r = rate(fv, childPath(path, field));
      if (!tm) base[name] = r;
      else {
        const above = Number(tm[2]) * 1000;
        tiers.set(above, { ...tiers.get(above), [name]: r });
      }
    }
    if (base.input === undefined || base.output === undefined) continue;
    const b: Rates = {
      input: base.input,
      cacheRead: base.cacheRead ?? null,
      cacheWrite5m: base.cacheWrite5m ?? null,
      cacheWrite1h: base.cacheWrite1h ?? null,
      output: base.output,
    };
    const entrySource = `${source}#${key}`;
    const period: PricePeriod = {
      effectiveFrom: LITELLM_EFFECTIVE_FROM,
      ...b,
      source: entrySource,
      // LiteLLM falls back to the base rate for any rate a tier does not list; so do we.
      tiers: [...tiers.entries()]
        .sort((x, y) => x[0] - y[0])
        .map(([aboveInputTokens, t]) => ({
          aboveInputTokens,
          input: t.input ?? b.input,
          cacheRead: t.cacheRead ?? b.cacheRead,
          cacheWrite5m: t.cacheWrite5m ?? b.cacheWrite5m,
          cacheWrite1h: t.cacheWrite1h ?? b.cacheWrite1h,
          output: t.output ?? b.output,
          source: entrySource,
        })),
    };
    const provider = typeof v.litellm_provider === 'string' && v.litellm_provider !== '' ? v.litellm_provider : 'unknown';
    models.push({ id: key, provider, aliases: [], prices: [period] });
  }
  return { source: { kind: 'litellm-file', file: rd.file, version: null, models: models.length }, models, warnings };
}

// ---------------------------------------------------------------------------------------------
// Loading and merging.

/** Parse one price table; the format (ours or LiteLLM's) is detected from its content. */
export function parsePriceTable(text: string, file: string): LoadedFile {
  const { root, duplicates } = parseJson(text, file);
  const rd: Reader = new Reader(file);
  if (!isObject(root)) rd.fail('$', 'expected a JSON object');
  if ('schemaVersion' in root || Array.isArray(root.models)) {
    // In a hand-edited table a repeated key is a mistake that would silently drop a price.
    if (duplicates.length > 0) rd.fail(duplicates[0], 'this key appears twice in the same object');
    return readNative(root, rd);
  }
  const entries = Object.values(root);
  if (entries.some((e) => isObject(e) && ('litellm_provider' in e || 'input_cost_per_token' in e))) {
    const loaded = readLiteLlm(root, rd);
    // LiteLLM itself reads its file with Python's json module, where the last value wins; so do we.
    loaded.warnings.unshift(...duplicates.map((d) => `${file}: ${d} appears more than once; the last one is used`));
    return loaded;
  }
  return rd.fail(
    '$',
    'neither a price table of this program ({"schemaVersion": 1, "models": [...]}) nor LiteLLM\'s model_prices_and_context_window.json',
  );
}

function readTableFile(file: string): LoadedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`Cannot read price table ${file}: ${(e as Error).message}`);
  }
  return parsePriceTable(text, file);
}

function buildTable(version: string, sources: PriceSource[], models: ModelEntry[], warnings: string[]): PriceTable {
  const byId = new Map(models.map((m) => [m.id, m] as const));
  const byAlias = new Map<string, ModelEntry>();
  for (const m of models) for (const a of m.aliases) byAlias.set(a, m); // later tables win
  return { version, sources, models, warnings, byId, byAlias };
}

/**
 * Merge a table over another: an entry whose id the overlay also defines is replaced as a whole
 * (all its dated prices and aliases); an alias defined by both now points to the overlay's entry.
 */
export function mergePriceTable(base: PriceTable, overlay: LoadedFile): PriceTable {
  const replaced = new Set(overlay.models.map((m) => m.id));
  const models = [...base.models.filter((m) => !replaced.has(m.id)), ...overlay.models];
  return buildTable(base.version, [...base.sources, overlay.source], models, [...base.warnings, ...overlay.warnings]);
}

/** The built-in table, then each `--prices` file merged over it in the order given. */
export function loadPriceTable(userFiles: readonly string[] = []): PriceTable {
  const builtin = readTableFile(BUILTIN_PRICES_FILE);
  if (builtin.source.kind !== 'prices-file') throw new CliError(`${BUILTIN_PRICES_FILE} must be in this program's own format.`);
  let table = buildTable(builtin.source.version!, [{ ...builtin.source, kind: 'built-in' }], builtin.models, []);
  for (const f of userFiles) table = mergePriceTable(table, readTableFile(f));
  return table;
}

// ---------------------------------------------------------------------------------------------
// Matching and dating.

/** Stripped in any order and repeatedly; `anthropic.` (Bedrock) also drops a `-v1:0` version suffix. */
export const PROVIDER_PREFIXES = ['openai/', 'anthropic/', 'google/', 'gemini/', 'models/', 'vertex_ai/', 'bedrock/', 'anthropic.'] as const;
const DATE_SUFFIX =
  /(?:[-@]20\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|[-@]20\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))$/;

function stripProviderPrefix(id: string): string | null {
  let s = id;
  let bedrock = false;
  for (let again = true; again; ) {
    again = false;
    for (const p of PROVIDER_PREFIXES) {
      if (s.startsWith(p) && s.length > p.length) {
        s = s.slice(p.length);
        bedrock ||= p === 'anthropic.';
        again = true;
      }
    }
  }
  if (bedrock) s = s.replace(/-v\d+(?::\d+)?$/, '');
  return s === id ? null : s;
}

function stripDateSuffix(id: string | null): string | null {
  if (id === null) return null;
  const s = id.replace(DATE_SUFFIX, '');
  return s === id || s === '' ? null : s;
}

/**
 * Find the entry for a model id. In order, the first that finds one wins:
 *   1 exact:                  the id is an entry's id
 *   2 alias:                  the id is one of an entry's aliases
 *   3 strip-provider-prefix:  without its provider prefixes (PROVIDER_PREFIXES), an id or an alias
 *   4 strip-date-suffix:      without a trailing -YYYYMMDD, -YYYY-MM-DD or @YYYYMMDD, an id or an
 *                             alias; then the same after step 3's stripping (reported as this rule)
 * Nothing else: no case folding, no prefix or edit-distance guesses. Null when nothing matches.
 */
export function matchModel(table: PriceTable, modelId: string): ModelMatch | null {
  const lookup = (id: string | null): ModelEntry | undefined =>
    id === null ? undefined : (table.byId.get(id) ?? table.byAlias.get(id));
  const exact = table.byId.get(modelId);
  if (exact) return { entry: exact, rule: 'exact' };
  const alias = table.byAlias.get(modelId);
  if (alias) return { entry: alias, rule: 'alias' };
  const noPrefix = stripProviderPrefix(modelId);
  const byPrefix = lookup(noPrefix);
  if (byPrefix) return { entry: byPrefix, rule: 'strip-provider-prefix' };
  const byDate = lookup(stripDateSuffix(modelId)) ?? lookup(stripDateSuffix(noPrefix));
  if (byDate) return { entry: byDate, rule: 'strip-date-suffix' };
  return null;
}

export type PriceAt =
  | { priced: true; period: PricePeriod; effectiveTo: string | null }
  | { priced: false; reason: string };

/** The price in force on `date` (YYYY-MM-DD): the latest effectiveFrom on or before it. */
export function priceAt(entry: ModelEntry, date: string): PriceAt {
  if (!isValidDate(date)) throw new CliError(`Not a date: ${JSON.stringify(date)}. Write dates as YYYY-MM-DD.`);
  let k = -1;
  while (k + 1 < entry.prices.length && entry.prices[k + 1].effectiveFrom <= date) k++;
  if (k < 0) {
    return { priced: false, reason: `${entry.id} has no price before ${entry.prices[0].effectiveFrom}, its first effectiveFrom` };
  }
  return { priced: true, period: entry.prices[k], effectiveTo: entry.prices[k + 1]?.effectiveFrom ?? null };
}

// ---------------------------------------------------------------------------------------------
// DuckDB tables for priced_calls.sql.

export const PRICE_TABLES_SQL = 'model/sql/price_tables.sql';

export interface PriceMatchRow {
  model: string;
  matchedId: string | null;
  rule: MatchRule | 'unpriced';
  provider: string | null;
}

function toDate(s: string) {
  const m = DATE_RE.exec(s)!;
  return dateValue({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) });
}

function appendRate(a: DuckDBAppender, r: Rate | null) {
  if (r === null) a.appendNull();
  else a.appendDecimal(new DuckDBDecimalValue(r, 18, 6));
}

async function withAppender(conn: DuckDBConnection, table: string, fill: (a: DuckDBAppender) => void) {
  const a = await conn.createAppender(table);
  try {
    fill(a);
    a.flushSync();
  } finally {
    a.closeSync();
  }
}

/**
 * (Re)create price_match, prices, price_table_info and pricing_params for the given model ids.
 * `prices` holds the dated rows of the matched entries only: one row per period and tier
 * (above_input_tokens 0 for the base rates), effective_to being the next period's effectiveFrom.
 * `priceDate` (YYYY-MM-DD, from --price-date) prices every call at that date instead of its own.
 */
export async function writePriceTables(
  conn: DuckDBConnection,
  table: PriceTable,
  modelIds: Iterable<string | null | undefined>,
  options: { priceDate?: string | null } = {},
): Promise<PriceMatchRow[]> {
  const priceDate = options.priceDate ?? null;
  if (priceDate !== null && !isValidDate(priceDate)) {
    throw new CliError(`--price-date ${JSON.stringify(priceDate)} is not a date. Write it as YYYY-MM-DD, e.g. 2025-11-01.`);
  }
  const ids = [...new Set([...modelIds].filter((m): m is string => typeof m === 'string'))].sort();
  const rows: PriceMatchRow[] = [];
  const used = new Map<string, ModelEntry>();
  for (const model of ids) {
    const m = matchModel(table, model);
    rows.push({ model, matchedId: m?.entry.id ?? null, rule: m?.rule ?? 'unpriced', provider: m?.entry.provider ?? null });
    if (m) used.set(m.entry.id, m.entry);
  }
  await runSqlFile(conn, PRICE_TABLES_SQL);
  await withAppender(conn, 'price_match', (a) => {
    for (const r of rows) {
      a.appendVarchar(r.model);
      r.matchedId === null ? a.appendNull() : a.appendVarchar(r.matchedId);
      a.appendVarchar(r.rule);
      r.provider === null ? a.appendNull() : a.appendVarchar(r.provider);
      a.endRow();
    }
  });
  await withAppender(conn, 'prices', (a) => {
    for (const e of [...used.values()].sort((x, y) => (x.id < y.id ? -1 : 1))) {
      e.prices.forEach((p, k) => {
        const next = e.prices[k + 1]?.effectiveFrom ?? null;
        const rows: { above: number; r: Rates; source: string }[] = [
          { above: 0, r: p, source: p.source },
          ...p.tiers.map((t) => ({ above: t.aboveInputTokens, r: t, source: t.source })),
        ];
        for (const { above, r, source } of rows) {
          a.appendVarchar(e.id);
          a.appendVarchar(e.provider);
          a.appendDate(toDate(p.effectiveFrom));
          next === null ? a.appendNull() : a.appendDate(toDate(next));
          a.appendBigInt(BigInt(above));
          appendRate(a, r.input);
          appendRate(a, r.cacheRead);
          appendRate(a, r.cacheWrite5m);
          appendRate(a, r.cacheWrite1h);
          appendRate(a, r.output);
          a.appendVarchar(source);
          a.endRow();
        }
      });
    }
  });
  await withAppender(conn, 'price_table_info', (a) => {
    table.sources.forEach((s, k) => {
      a.appendInteger(k + 1);
      a.appendVarchar(s.kind);
      a.appendVarchar(s.file);
      s.version === null ? a.appendNull() : a.appendVarchar(s.version);
      a.appendInteger(s.models);
      a.endRow();
    });
  });
  await withAppender(conn, 'pricing_params', (a) => {
    priceDate === null ? a.appendNull() : a.appendDate(toDate(priceDate));
    a.endRow();
  });
  return rows;
}

/** Create the priced_calls view; model_calls and the tables above must exist. */
export async function createPricedCallsView(conn: DuckDBConnection): Promise<void> {
  await runSqlFile(conn, PRICED_CALLS_SQL);
}

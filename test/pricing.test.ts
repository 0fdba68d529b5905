import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '../src/model/duckdb.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPricedCallsView,
  formatRate,
  loadPriceTable,
  matchModel,
  parsePriceTable,
  priceAt,
  writePriceTables,
  type PriceTable,
} from '../src/model/pricing.js';

const MODEL_CALLS_DDL = `CREATE TABLE model_calls (
  agent VARCHAR, session_id VARCHAR, call_id VARCHAR, model VARCHAR, ts TIMESTAMP, environment VARCHAR,
  originator VARCHAR, session_source VARCHAR, input BIGINT, cache_read BIGINT, cache_write BIGINT,
  cache_write_5m BIGINT, cache_write_1h BIGINT, output BIGINT, reasoning BIGINT, agent_cost_usd DECIMAL(18,9),
  source VARCHAR, resource_attributes JSON, attributes JSON)`;

interface Call {
  id: string;
  model: string | null;
  ts: string;
  input: number;
  cacheRead?: number;
  cacheWrite?: number;
  cw5m?: number | null;
  cw1h?: number | null;
  output: number;
  reasoning?: number;
  agentCost?: string | null;
}

// Hand-written calls; expected costs are worked out by hand in the comments.
const CALLS: Call[] = [
  // The captures' README: 4369 input x $3/M + 17474 cache-creation x $3.75/M + 26 output x $15/M.
  // `input` counts all prompt tokens: 4369 + 17474. The breakdown is 0/0 as in the captures.
  { id: 'sonnet', model: 'claude-sonnet-4-5-20250929', ts: '2026-11-24 07:23:49', input: 21843, cacheWrite: 17474, cw5m: 0, cw1h: 0, output: 26, agentCost: '0.0790245' },
  { id: 'unknown', model: 'claude-opus-5-5', ts: '2026-11-24 07:30:00', input: 5000, cacheRead: 1000, output: 50, agentCost: '0.0598410' },
  { id: 'null-model', model: null, ts: '2026-11-24 07:30:00', input: 10, output: 1 },
  // 5000 uncached x $1 + 2000 x $0.10 + 1000 x $1.25 (5m) + 1500 x $2 (1h) + 500 unexplained x $1.25 + 400 x $5
  { id: 'haiku-prefix', model: 'anthropic/claude-haiku-4-5-20251001', ts: '2026-11-24 08:00:00', input: 10000, cacheRead: 2000, cacheWrite: 3000, cw5m: 1000, cw1h: 1500, output: 400 },
  // prefix and date suffix: 400 x $1.25 + 600 x $0.125 + 200 x $10
  { id: 'gpt5-prefix-date', model: 'openai/gpt-5-2025-08-07', ts: '2026-01-02 00:00:00', input: 1000, cacheRead: 600, output: 200, reasoning: 150 },
  { id: 'bedrock', model: 'anthropic.claude-sonnet-4-5-20250929-v1:0', ts: '2026-11-24 09:00:00', input: 1000, output: 100 },
  { id: 'vertex-at', model: 'claude-sonnet-4-5@20250929', ts: '2026-11-24 09:00:00', input: 1000, output: 100 },
  { id: 'alias', model: 'claude-haiku-4-5', ts: '2026-11-24 09:00:00', input: 1000, output: 100 },
  // OpenAI has no cache-write rate: 900 x $1.25 + 100 written x $1.25 (input rate) + 10 x $10
  { id: 'codex-cache-write', model: 'gpt-5-codex', ts: '2026-11-24 07:21:30', input: 1000, cacheWrite: 100, output: 10 },
  // Gemini 2.5 Pro above 200k prompt tokens: 200000 x $2.50 + 50000 x $0.25 + 1000 x $15
  { id: 'gemini-long', model: 'gemini-2.5-pro', ts: '2026-11-24 07:27:16', input: 250000, cacheRead: 50000, output: 1000, reasoning: 900 },
  // exactly 200000 is not above 200k: 200000 x $1.25
  { id: 'gemini-200k', model: 'models/gemini-2.5-pro', ts: '2026-11-24 07:27:16', input: 200000, output: 0 },
  // o3's only price takes effect on 2025-06-10
  { id: 'o3-early', model: 'o3', ts: '2025-05-01 12:00:00', input: 1000, output: 100 },
  { id: 'o3-late', model: 'o3-2025-04-16', ts: '2025-06-10 00:00:00', input: 1000, output: 100 },
  // long-context Sonnet 4 with 1-hour writes: the table leaves that rate open
  { id: 'sonnet4-long-1h', model: 'claude-sonnet-4-20250514', ts: '2026-01-01 00:00:00', input: 300000, cacheWrite: 10000, cw5m: 0, cw1h: 10000, output: 10 },
];

async function makeDb(): Promise<{ inst: DuckDBInstance; conn: DuckDBConnection }> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  await conn.run(MODEL_CALLS_DDL);
  for (const c of CALLS) {
    await conn.run(
      `INSERT INTO model_calls VALUES ('test', 's1', $id, $model, CAST($ts AS TIMESTAMP), 'env', 'orig', 'cli',
        $input, $cache_read, $cache_write, $cw5m, $cw1h, $output, $reasoning, CAST($agent_cost AS DECIMAL(18,9)), 'test', '{}', '{}')`,
      {
        id: c.id,
        model: c.model,
        ts: c.ts,
        input: BigInt(c.input),
        cache_read: BigInt(c.cacheRead ?? 0),
        cache_write: BigInt(c.cacheWrite ?? 0),
        cw5m: c.cw5m === undefined || c.cw5m === null ? null : BigInt(c.cw5m),
        cw1h: c.cw1h === undefined || c.cw1h === null ? null : BigInt(c.cw1h),
        output: BigInt(c.output),
        reasoning: BigInt(c.reasoning ?? 0),
        agent_cost: c.agentCost ?? null,
      },
    );
  }
  return { inst, conn };
}

async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

async function priceCalls(conn: DuckDBConnection, table: PriceTable, priceDate: string | null = null) {
  const models = (await rows(conn, 'SELECT DISTINCT model FROM model_calls')).map((r) => r.model as string | null);
  await writePriceTables(conn, table, models, { priceDate });
  await createPricedCallsView(conn);
  const out = await rows(conn, 'SELECT * FROM priced_calls ORDER BY call_id');
  return new Map(out.map((r) => [r.call_id as string, r]));
}

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'prices-'));
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('priced_calls with the built-in table', () => {
  let inst: DuckDBInstance;
  let conn: DuckDBConnection;
  let byId: Map<string, Record<string, unknown>>;

  beforeAll(async () => {
    ({ inst, conn } = await makeDb());
    byId = await priceCalls(conn, loadPriceTable());
  });
  afterAll(() => {
    conn.closeSync();
    inst.closeSync();
  });

  it("reproduces Claude Code's own cost for the README's sonnet 4.5 call", () => {
    const r = byId.get('sonnet')!;
    expect(r).toMatchObject({
      priced: true,
      unpriced_reason: null,
      price_model_id: 'claude-sonnet-4-5-20250929',
      price_rule: 'exact',
      price_effective_from: '2025-09-29',
      price_above_input_tokens: '0',
      cost_usd: '0.079024500000',
      cost_input_usd: '0.013107000000',
      cost_cache_read_usd: '0.000000000000',
      cost_cache_write_usd: '0.065527500000',
      cost_output_usd: '0.000390000000',
      agent_cost_usd: '0.079024500',
    });
  });

  it('leaves an unknown model unpriced, with its tokens, never at 0', () => {
    for (const id of ['unknown', 'null-model']) {
      const r = byId.get(id)!;
      expect(r).toMatchObject({ priced: false, unpriced_reason: 'no-price-entry', price_model_id: null, price_rule: 'unpriced', cost_usd: null, cost_input_usd: null });
      expect(r.input).not.toBeNull();
    }
    expect(byId.get('unknown')).toMatchObject({ input: '5000', output: '50', agent_cost_usd: '0.059841000' });
  });

  it('matches prefixed and dated ids by the documented rules', () => {
    expect(byId.get('haiku-prefix')).toMatchObject({ price_model_id: 'claude-haiku-4-5-20251001', price_rule: 'strip-provider-prefix' });
    expect(byId.get('gpt5-prefix-date')).toMatchObject({ price_model_id: 'gpt-5', price_rule: 'strip-date-suffix' });
    expect(byId.get('bedrock')).toMatchObject({ price_model_id: 'claude-sonnet-4-5-20250929', price_rule: 'strip-provider-prefix' });
    expect(byId.get('vertex-at')).toMatchObject({ price_model_id: 'claude-sonnet-4-5-20250929', price_rule: 'strip-date-suffix' });
    expect(byId.get('alias')).toMatchObject({ price_model_id: 'claude-haiku-4-5-20251001', price_rule: 'alias' });
    expect(byId.get('gemini-200k')).toMatchObject({ price_model_id: 'gemini-2.5-pro', price_rule: 'strip-provider-prefix' });
  });

  it('prices the 5m and 1h cache writes at their rates and the unexplained rest at the 5m rate', () => {
    expect(byId.get('haiku-prefix')).toMatchObject({
      cost_input_usd: '0.005000000000',
      cost_cache_read_usd: '0.000200000000',
      cost_cache_write_usd: '0.004875000000',
      cost_output_usd: '0.002000000000',
      cost_usd: '0.012075000000',
    });
    expect(byId.get('gpt5-prefix-date')).toMatchObject({ cost_usd: '0.002575000000' });
  });

  it('charges OpenAI cache writes at the input rate', () => {
    expect(byId.get('codex-cache-write')).toMatchObject({ cost_cache_write_usd: '0.000125000000', cost_usd: '0.001350000000' });
  });

  it('uses the long-context tier only above 200k prompt tokens', () => {
    expect(byId.get('gemini-long')).toMatchObject({
      price_above_input_tokens: '200000',
      cost_input_usd: '0.500000000000',
      cost_cache_read_usd: '0.012500000000',
      cost_output_usd: '0.015000000000',
      cost_usd: '0.527500000000',
    });
    expect(byId.get('gemini-200k')).toMatchObject({ price_above_input_tokens: '0', cost_usd: '0.250000000000' });
  });

  it('leaves a call before the first effectiveFrom unpriced', () => {
    expect(byId.get('o3-early')).toMatchObject({ priced: false, unpriced_reason: 'no-price-at-date', price_model_id: 'o3', price_rule: 'exact', cost_usd: null });
    expect(byId.get('o3-late')).toMatchObject({ priced: true, price_effective_from: '2025-06-10', cost_usd: '0.002800000000' });
  });

  it('leaves a call unpriced when it used a rate the table leaves open', () => {
    expect(byId.get('sonnet4-long-1h')).toMatchObject({ priced: false, unpriced_reason: 'missing-price-component', price_above_input_tokens: '200000', cost_usd: null });
  });

  it('writes the price tables with exact decimals and their sources', async () => {
    const p = await rows(
      conn,
      `SELECT * FROM prices WHERE model_id = 'claude-sonnet-4-5-20250929' ORDER BY above_input_tokens`,
    );
    expect(p).toEqual([
      expect.objectContaining({ effective_from: '2025-09-29', effective_to: null, above_input_tokens: '0', input: '3.000000', cache_read: '0.300000', cache_write_5m: '3.750000', cache_write_1h: '6.000000', output: '15.000000', source: 'https://platform.claude.com/docs/en/about-claude/pricing' }),
      expect.objectContaining({ above_input_tokens: '200000', input: '6.000000', cache_read: '0.600000', cache_write_5m: '7.500000', cache_write_1h: '12.000000', output: '22.500000' }),
    ]);
    const m = await rows(conn, `SELECT * FROM price_match WHERE model = 'claude-opus-5-5'`);
    expect(m).toEqual([{ model: 'claude-opus-5-5', matched_id: null, rule: 'unpriced', provider: null }]);
    const info = await rows(conn, 'SELECT * FROM price_table_info');
    expect(info).toEqual([expect.objectContaining({ seq: 1, kind: 'built-in', version: '2026-11-30' })]);
  });

  it('prices every call at --price-date when one is given', async () => {
    const at = await priceCalls(conn, loadPriceTable(), '2025-05-01');
    expect(at.get('o3-late')).toMatchObject({ priced: false, unpriced_reason: 'no-price-at-date', price_date: '2025-05-01' });
    expect(at.get('sonnet')).toMatchObject({ priced: false, unpriced_reason: 'no-price-at-date' });
    expect(at.get('gpt5-prefix-date')).toMatchObject({ priced: false });
    const late = await priceCalls(conn, loadPriceTable(), '2026-01-01');
    expect(late.get('o3-early')).toMatchObject({ priced: true, cost_usd: '0.002800000000' });
  });
});

describe('user price tables (--prices)', () => {
  it('merges our format over the built-in table', async () => {
    const f = tmpFile(
      'team-prices.json',
      JSON.stringify({
        schemaVersion: 1,
        version: '2026-11-01',
        currency: 'USD',
        unit: 'per 1M tokens',
        models: [
          { id: 'gpt-5-codex', provider: 'openai', prices: [{ effectiveFrom: '2025-01-01', input: 1, cacheRead: 0.1, output: 4, source: 'mock-openai.js' }] },
          { id: 'claude-opus-5-5', provider: 'anthropic', prices: [{ effectiveFrom: '2026-01-01', input: 5, cacheRead: 0.5, cacheWrite5m: 6.25, cacheWrite1h: 10, output: 25, source: 'team' }] },
        ],
      }),
    );
    const table = loadPriceTable([f]);
    const { inst, conn } = await makeDb();
    try {
      const byId = await priceCalls(conn, table);
      // 900 x $1 + 100 written x $1 + 10 x $4
      expect(byId.get('codex-cache-write')).toMatchObject({ price_source: 'mock-openai.js', cost_usd: '0.001040000000' });
      // 4000 x $5 + 1000 x $0.50 + 50 x $25
      expect(byId.get('unknown')).toMatchObject({ priced: true, price_rule: 'exact', cost_usd: '0.021750000000' });
      expect(byId.get('sonnet')).toMatchObject({ cost_usd: '0.079024500000' });
      expect(await rows(conn, 'SELECT seq, kind, version, models FROM price_table_info ORDER BY seq')).toEqual([
        { seq: 1, kind: 'built-in', version: '2026-11-30', models: 18 },
        { seq: 2, kind: 'prices-file', version: '2026-11-01', models: 2 },
      ]);
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  });

  it("reads LiteLLM's format, converting per-token floats to exact per-1M decimals", async () => {
    // The text is written by hand: 2.9999900000000002e-06 is the kind of float noise LiteLLM's file holds.
    const text = `{
      "sample_spec": { "input_cost_per_token": 0.0, "litellm_provider": "one of ...", "mode": "one of ..." },
      "claude-opus-5-5": {
        "input_cost_per_token": 5e-06, "output_cost_per_token": 2.5e-05,
        "cache_read_input_token_cost": 5e-07, "cache_creation_input_token_cost": 6.25e-06,
        "cache_creation_input_token_cost_above_1hr": 1e-05, "litellm_provider": "anthropic", "mode": "chat"
      },
      "acme/coder-1": {
        "input_cost_per_token": 2.9999900000000002e-06, "output_cost_per_token": 1.5e-05,
        "input_cost_per_token_above_128k_tokens": 6e-06, "litellm_provider": "acme", "mode": "chat"
      },
      "acme/image-1": { "output_cost_per_image": 0.04, "litellm_provider": "acme", "mode": "image_generation" }
    }`;
    const loaded = parsePriceTable(text, 'litellm.json');
    expect(loaded.source).toMatchObject({ kind: 'litellm-file', models: 2 });
    const coder = loaded.models.find((m) => m.id === 'acme/coder-1')!;
    expect(formatRate(coder.prices[0].input)).toBe('2.999990');
    expect(coder.prices[0].tiers.map((t) => [t.aboveInputTokens, formatRate(t.input), formatRate(t.output)])).toEqual([[128000, '6.000000', '15.000000']]);
    expect(loaded.warnings).toEqual(['litellm.json: $["acme/coder-1"].input_cost_per_token rounded to 2.999990 USD per 1M tokens']);
    // LiteLLM's own reader (Python's json) keeps the last of two equal keys; so do we, with a warning.
    const twice = parsePriceTable('{"m": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06}, "m": {"input_cost_per_token": 3e-06, "output_cost_per_token": 4e-06}}', 'l.json');
    expect(twice.models.map((m) => [m.id, formatRate(m.prices[0].input)])).toEqual([['m', '3.000000']]);
    expect(twice.warnings).toEqual(['l.json: $.m appears more than once; the last one is used']);

    const f = tmpFile('model_prices_and_context_window.json', text);
    const { inst, conn } = await makeDb();
    try {
      const byId = await priceCalls(conn, loadPriceTable([f]));
      // 4000 x $5 + 1000 x $0.50 + 50 x $25
      expect(byId.get('unknown')).toMatchObject({ priced: true, price_effective_from: '1970-01-01', cost_usd: '0.021750000000' });
      expect(String(byId.get('unknown')!.price_source)).toMatch(/model_prices_and_context_window\.json#claude-opus-5-5$/);
      const p = await rows(conn, `SELECT input, cache_read, cache_write_5m, cache_write_1h, output FROM prices WHERE model_id = 'claude-opus-5-5'`);
      expect(p).toEqual([{ input: '5.000000', cache_read: '0.500000', cache_write_5m: '6.250000', cache_write_1h: '10.000000', output: '25.000000' }]);
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  });

  it('names the file and the JSON path of a bad entry', () => {
    const native = (models: unknown) => JSON.stringify({ schemaVersion: 1, version: '2026-01-01', currency: 'USD', unit: 'per 1M tokens', models });
    const ok = { effectiveFrom: '2025-01-01', input: 1, output: 2, source: 's' };
    expect(() => parsePriceTable(native([{ id: 'm', provider: 'p', prices: [{ ...ok, input: -1 }] }]), 'a.json')).toThrow(
      /^Price table a\.json: \$\.models\[0\]\.prices\[0\]\.input: expected a non-negative number/,
    );
    expect(() => parsePriceTable(native([{ id: 'm', provider: 'p', prices: [{ ...ok, input: 1.0000001 }] }]), 'a.json')).toThrow(
      /\$\.models\[0\]\.prices\[0\]\.input: 1\.0000001 has more than 6 decimal places/,
    );
    expect(() => parsePriceTable(native([{ id: 'm', provider: 'p', prices: [{ ...ok, cacheWrite: 1 }] }]), 'a.json')).toThrow(
      /\$\.models\[0\]\.prices\[0\]\.cacheWrite: unknown field/,
    );
    expect(() => parsePriceTable(native([{ id: 'm', provider: 'p', prices: [{ ...ok, effectiveFrom: '2025-02-30' }] }]), 'a.json')).toThrow(
      /\$\.models\[0\]\.prices\[0\]\.effectiveFrom: expected a date written YYYY-MM-DD/,
    );
    expect(() => parsePriceTable(native([{ id: 'm', provider: 'p', prices: [ok] }, { id: 'n', provider: 'p', aliases: ['m'], prices: [ok] }]), 'a.json')).toThrow(
      /\$\.models\[1\]\.aliases\[0\]: "m" is already used at \$\.models\[0\]\.id/,
    );
    expect(() => parsePriceTable('{"models": [], "models": []}', 'dup.json')).toThrow(/^Price table dup\.json: \$\.models: this key appears twice/);
    expect(() => parsePriceTable('{\n  "a": 1,\n}', 'b.json')).toThrow(/^Price table b\.json, line 3, column 1: not valid JSON/);
    expect(() => parsePriceTable('{"gpt-x": {"input_cost_per_token": "cheap", "output_cost_per_token": 1e-6}}', 'l.json')).toThrow(
      /^Price table l\.json: \$\["gpt-x"\]\.input_cost_per_token: expected a non-negative number of USD per token/,
    );
    expect(() => loadPriceTable([join(tmpdir(), 'no-such-prices.json')])).toThrow(/^Cannot read price table .*no-such-prices\.json/);
  });
});

describe('the built-in table', () => {
  const table = loadPriceTable();

  it('covers the models the captures use and their siblings, and not claude-opus-5-5', () => {
    for (const id of [
      'gpt-5', 'gpt-5-codex', 'gpt-5.1', 'gpt-5.1-codex', 'gpt-5.1-codex-max', 'gpt-5-mini', 'o3', 'o4-mini', 'gpt-4.1',
      'claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001', 'claude-opus-4-1-20250805', 'claude-sonnet-4-20250514',
      'claude-opus-4-20250514', 'claude-opus-4-5-20251101', 'gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite',
    ]) {
      expect(matchModel(table, id)?.rule, id).toBe('exact');
    }
    expect(matchModel(table, 'claude-opus-5-5')).toBeNull();
    for (const m of table.models) for (const p of m.prices) expect(p.source, m.id).toMatch(/^https:\/\//);
  });

  it('never guesses', () => {
    for (const id of ['gpt-5-codex-mini', 'claude-sonnet-4-5-2025', 'Claude-Sonnet-4-5-20250929', 'gemini-2.5-pro-preview-06-05', 'azure/gpt-5', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0']) {
      expect(matchModel(table, id), id).toBeNull();
    }
  });

  it('dates prices: the latest effectiveFrom on or before the day', () => {
    const o3 = table.byId.get('o3')!;
    expect(priceAt(o3, '2025-06-09')).toEqual({ priced: false, reason: 'o3 has no price before 2025-06-10, its first effectiveFrom' });
    expect(priceAt(o3, '2025-06-10')).toMatchObject({ priced: true, effectiveTo: null, period: { effectiveFrom: '2025-06-10' } });
    const twice = {
      ...o3,
      prices: [
        { ...o3.prices[0], effectiveFrom: '2025-04-16', input: 10_000_000n },
        { ...o3.prices[0], effectiveFrom: '2025-06-10' },
      ],
    };
    expect(priceAt(twice, '2025-06-09')).toMatchObject({ priced: true, effectiveTo: '2025-06-10', period: { input: 10_000_000n } });
    expect(priceAt(twice, '2026-01-01')).toMatchObject({ priced: true, effectiveTo: null, period: { input: 2_000_000n } });
  });
});

/**
 * The JSON summary, through the real CLI, on the real captures of all three agents:
 * per-model tokens equal the model servers' ground truth exactly; session counts; cost per model
 * equals a hand computation from the ground truth × a test price table; the same summary from
 * JSONL, from JSONL plus raw bodies, and twice; filters; a logs-only capture still yields tokens
 * and errors and the data-quality section says what is missing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { capturePath, groundTruthByModel, groundTruthResponses, normalizeUsage, readJsonl, type Agent } from './helpers/captures.js';
import { runCli } from './helpers/cli.js';

const ALL = [capturePath('codex', 'otlp.jsonl'), capturePath('claude', 'otlp.jsonl'), capturePath('gemini', 'otlp.jsonl'), capturePath('gemini', 'outfile')];
const AGENT_NAME: Record<Agent, string> = { codex: 'codex', claude: 'claude-code', gemini: 'gemini-cli' };

type Summary = Record<string, any>;
async function summary(args: string[]): Promise<Summary> {
  const r = await runCli(['summary', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}
const withoutVolatile = (s: Summary) => ({ ...s, generatedAt: null, inputs: null });

/** A test price table: round, made-up prices, one per model in the captures but one left out. */
const TEST_PRICES: Record<string, { input: number; cacheRead: number; cacheWrite5m?: number; output: number }> = {
  'gpt-5-codex': { input: 2, cacheRead: 0.5, output: 8 },
  'o4-mini': { input: 1.5, cacheRead: 0.25, output: 6 },
  'gpt-5.1-codex-max': { input: 3, cacheRead: 0.3, output: 12 },
  'claude-sonnet-4-5-20250929': { input: 4, cacheRead: 0.4, cacheWrite5m: 5, output: 20 },
  'claude-haiku-4-5-20251001': { input: 1, cacheRead: 0.1, cacheWrite5m: 1.25, output: 5 },
  'gemini-2.5-pro': { input: 1.25, cacheRead: 0.125, output: 10 },
  'gemini-2.5-flash': { input: 0.3, cacheRead: 0.03, output: 2.5 },
};

describe('summary on the real captures', () => {
  let s: Summary;
  beforeAll(async () => {
    s = await summary(ALL);
  });

  it('has the documented top-level contract', () => {
    expect(Object.keys(s)).toEqual(['schemaVersion', 'generatedAt', 'filters', 'inputs', 'tokens', 'sessions', 'tools', 'api', 'cost', 'rollups', 'dataQuality']);
    expect(s.schemaVersion).toBe(1);
    expect(s.filters.tz).toBe('UTC');
  });

  for (const agent of ['codex', 'claude', 'gemini'] as Agent[]) {
    it(`${agent}: tokens.byModel equals the ground truth exactly, every field`, () => {
      const expected = [...groundTruthByModel(agent)].map(([model, t]) => ({ agent: AGENT_NAME[agent], model, ...t })).sort((a, b) => a.model.localeCompare(b.model));
      const got = s.tokens.byModel.filter((r: { agent: string }) => r.agent === AGENT_NAME[agent]);
      expect(got).toEqual(expected);
    });
  }

  it('tokens.total is the sum of byModel', () => {
    const sum = (k: string) => s.tokens.byModel.reduce((a: number, r: Record<string, number>) => a + r[k], 0);
    for (const k of ['input', 'cacheRead', 'cacheWrite', 'output', 'reasoning', 'calls']) expect(s.tokens.total[k]).toBe(sum(k));
  });

  it('counts real sessions per agent: a resumed session is one session', () => {
    const byAgent = Object.fromEntries(s.sessions.byAgent.map((r: { agent: string; sessions: number }) => [r.agent, r.sessions]));
    // Codex cx01–cx12 + cx14 (cx13 exported nothing); Claude cc01–cc13; Gemini gm01–gm07, gm09, gm10.
    expect(byAgent).toEqual({ codex: 13, 'claude-code': 13, 'gemini-cli': 9 });
    expect(s.sessions.count).toBe(35);
    const d = s.sessions.durations.map((x: { durationMs: number }) => x.durationMs).sort((a: number, b: number) => a - b);
    // Nearest-rank percentiles, checkable by hand from the list.
    expect(s.sessions.durationMs.p50).toBe(d[Math.ceil(0.5 * d.length) - 1]);
    expect(s.sessions.durationMs.p95).toBe(d[Math.ceil(0.95 * d.length) - 1]);
    expect(s.sessions.durationMs.max).toBe(d[d.length - 1]);
  });

  it('lists the slowest sessions first, each with the tokens and cost of its calls (as cost.bySession has them)', () => {
    const key = (r: { agent: string; sessionId: string }) => `${r.agent} ${r.sessionId}`;
    const bySlowest = [...s.sessions.durations].sort(
      (x: Summary, y: Summary) => (y.durationMs ?? -1) - (x.durationMs ?? -1) || (x.agent < y.agent ? -1 : x.agent > y.agent ? 1 : x.sessionId < y.sessionId ? -1 : x.sessionId > y.sessionId ? 1 : 0),
    );
    expect(s.sessions.list.map(key)).toEqual(bySlowest.slice(0, 50).map(key));
    // 35 sessions: every one with calls is also in the costliest-sessions list, computed apart.
    const cost = new Map(s.cost.bySession.map((r: Summary) => [key(r), r]));
    let withCalls = 0;
    for (const r of s.sessions.list) {
      const c = cost.get(key(r)) as Summary | undefined;
      if (!c) {
        expect([r.tokens, r.costUsd, r.unpricedCalls]).toEqual([0, null, 0]);
        continue;
      }
      withCalls++;
      expect([r.originator, r.tokens, r.costUsd, r.unpricedCalls]).toEqual([c.originator, c.tokens, c.costUsd, c.unpricedCalls]);
    }
    expect(withCalls).toBeGreaterThan(30);
  });

  it('API errors: 429 and 5xx attempts per model where the agent reports them; Claude retries as "not reported"', () => {
    const row = (agent: string, model: string) => s.api.byModel.find((r: { agent: string; model: string }) => r.agent === agent && r.model === model);
    // Gemini reports every failed attempt with its status.
    const gt = (agent: Agent, status: (n: number) => boolean, model: string) =>
      readGroundTruthErrors(agent).filter((g) => status(g.status) && g.model === model).length;
    expect(row('gemini-cli', 'gemini-2.5-pro').status429).toBe(gt('gemini', (n) => n === 429, 'gemini-2.5-pro'));
    expect(row('gemini-cli', 'gemini-2.5-pro').status5xx).toBe(gt('gemini', (n) => n >= 500, 'gemini-2.5-pro'));
    expect(row('gemini-cli', 'gemini-2.5-flash').status429).toBe(gt('gemini', (n) => n === 429, 'gemini-2.5-flash'));
    // Codex reports each HTTP attempt; cx12 lost its last attempt's log and cx13 exported nothing.
    expect(row('codex', 'o4-mini').status429).toBe(1);
    expect(row('codex', 'o4-mini').status5xx).toBe(10);
    expect(row('codex', 'gpt-5-codex').status429).toBe(2);
    expect(row('codex', 'gpt-5-codex').status5xx).toBe(gt('codex', (n) => n >= 500, 'gpt-5-codex') - 1);
    // Claude Code never exports the status of a retried 429/500/529.
    for (const model of ['claude-sonnet-4-5-20250929', 'claude-opus-5-5']) {
      const retried = readGroundTruthErrors('claude').filter((g) => g.model === model).length;
      expect(row('claude-code', model).errorStatusNotReported).toBe(retried);
      expect(row('claude-code', model).status429).toBe(0);
    }
    // Haiku: one retried 429 (cc05), and cc09's fatal 400s: the mock served six, the span exported
    // three attempts (two without status, the last as 400, also the one api_error) and three came
    // before the span and are in no signal (see test/agent-claude.test.ts).
    const haiku = row('claude-code', 'claude-haiku-4-5-20251001');
    const gtHaiku = readGroundTruthErrors('claude').filter((g) => g.model === 'claude-haiku-4-5-20251001');
    expect(haiku.status400).toBe(1);
    expect(haiku.errorStatusNotReported + haiku.status400).toBe(gtHaiku.length - 3);
    expect(s.dataQuality.statusNotReported.map((r: { agent: string }) => r.agent)).toContain('claude-code');
  });

  it('tool failures of the tool-failure sessions, with the agents\' lying flags counted', () => {
    const tool = (agent: string, name: string) => s.tools.byTool.find((r: { agent: string; tool: string }) => r.agent === agent && r.tool === name);
    expect(tool('codex', 'exec_command').failures).toBe(6); // cx03 ×2, cx06, cx10 ×2, cx14
    expect(tool('codex', 'exec_command').agentFlagWrong).toBe(6);
    expect(tool('claude-code', 'Bash').rejected).toBe(1); // cc04
    expect(tool('claude-code', 'Write').rejected).toBe(1); // cc08
    expect(tool('gemini-cli', 'run_shell_command').rejected).toBe(1); // gm04 tool_not_registered
    expect(s.tools.failures + s.tools.rejected + s.tools.successes).toBe(s.tools.calls);
    for (const t of s.tools.byTool) expect(t.flagged).toBe(t.successRate !== null && t.successRate < 0.9);
  });

  it('cost: Claude Code\'s own cost_usd equals ours for every model we price; claude-opus-5-5 is unpriced, never $0', () => {
    const rec = s.cost.reconciliation.filter((r: { agent: string }) => r.agent === 'claude-code');
    for (const r of rec) {
      if (r.model === 'claude-opus-5-5') {
        expect(r.ourCostUsd).toBeNull();
        expect(r.agentCostUsd).toBeGreaterThan(0);
      } else expect(Math.abs(r.ourCostUsd - r.agentCostUsd)).toBeLessThan(1e-9);
    }
    const opus = s.cost.byModel.find((r: { model: string }) => r.model === 'claude-opus-5-5');
    expect(opus.costUsd).toBeNull();
    expect(opus.unpricedCalls).toBe(5);
    expect(s.cost.unpriced.map((u: { model: string }) => u.model)).toEqual(['claude-opus-5-5']);
    expect(s.dataQuality.unpricedModels).toEqual(['claude-opus-5-5']);
  });

  it('is deterministic apart from generatedAt', async () => {
    const again = await summary(ALL);
    expect(withoutVolatile(again)).toEqual(withoutVolatile(s));
    expect(again.inputs).toEqual(s.inputs);
  });

  it('JSONL plus every raw body gives the same summary (each record stored once)', async () => {
    const both = await summary([...ALL, capturePath('codex', 'raw'), capturePath('claude', 'raw'), capturePath('gemini', 'raw')]);
    expect(withoutVolatile(both)).toEqual(withoutVolatile(s));
    expect(both.inputs.duplicatesDropped).toBeGreaterThan(0);
  });
});

function readGroundTruthErrors(agent: Agent) {
  return readJsonl<{ kind: string; status: number; model: string }>(capturePath(agent, 'mock-ground-truth.jsonl')).filter((g) => g.kind === 'error');
}

describe('cost from a user price table (--prices)', () => {
  it('equals tokens × prices computed by hand from the ground truth, per model and in total', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oar-prices-'));
    const file = join(dir, 'prices.json');
    writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 1,
        version: '2026-11-30',
        currency: 'USD',
        unit: 'per 1M tokens',
        models: Object.entries(TEST_PRICES).map(([id, p]) => ({
          id,
          provider: id.startsWith('claude') ? 'anthropic' : id.startsWith('gemini') ? 'google' : 'openai',
          prices: [{ effectiveFrom: '2020-01-01', ...p, ...(p.cacheWrite5m ? { cacheWrite1h: p.cacheWrite5m * 1.6 } : {}), source: 'test' }],
        })),
      }),
    );
    const s = await summary([...ALL, '--prices', file]);
    let total = 0;
    for (const agent of ['codex', 'claude', 'gemini'] as Agent[]) {
      const byModel = new Map<string, number>();
      for (const g of groundTruthResponses(agent)) {
        const u = normalizeUsage(agent, g);
        const p = TEST_PRICES[g.model];
        if (!p) continue;
        const cost = ((u.input - u.cacheRead - u.cacheWrite) * p.input + u.cacheRead * p.cacheRead + u.cacheWrite * (p.cacheWrite5m ?? p.input) + u.output * p.output) / 1e6;
        byModel.set(g.model, (byModel.get(g.model) ?? 0) + cost);
      }
      for (const [model, cost] of byModel) {
        const got = s.cost.byModel.find((r: { model: string }) => r.model === model);
        expect(Math.abs(got.costUsd - cost), model).toBeLessThan(1e-6);
        total += cost;
      }
    }
    expect(Math.abs(s.cost.totalUsd - total)).toBeLessThan(1e-6);
    expect(s.cost.byModel.find((r: { model: string }) => r.model === 'claude-opus-5-5').costUsd).toBeNull();
  });
});

describe('filters and partial signals', () => {
  it('--agent, --model and a window after the data narrow the summary', async () => {
    const codex = await summary([...ALL, '--agent', 'codex']);
    expect(new Set(codex.tokens.byModel.map((r: { agent: string }) => r.agent))).toEqual(new Set(['codex']));
    expect(codex.sessions.count).toBe(13);
    const mini = await summary([...ALL, '--model', 'o4-mini']);
    expect(mini.tokens.byModel.map((r: { model: string }) => r.model)).toEqual(['o4-mini']);
    const later = await summary([...ALL, '--since', '2026-11-25']);
    expect(later.tokens.total.calls).toBe(0);
    expect(later.sessions.count).toBe(0);
    expect(later.cost.totalUsd).toBe(0);
  });

  it('a capture with logs only (the failed Codex run cx12) still yields a session, errors, and says spans are missing', async () => {
    const files = readJsonl<{ session: string; file: string }>(capturePath('codex', 'manifest.jsonl'))
      .filter((m) => m.session === 'cx12-fatal500')
      .map((m) => capturePath('codex', m.file));
    const s = await summary(files);
    expect(s.sessions.count).toBe(1);
    expect(s.api.errors).toBe(11);
    expect(s.dataQuality.sessionsWithoutSpans).toHaveLength(1);
    expect(s.dataQuality.sessionsWithoutSpans[0].durationSource).toMatch(/events/);
    expect(s.dataQuality.signalsByAgent).toEqual([{ agent: 'codex', sessions: 1, withLogs: 1, withSpans: 0, withMetrics: 0, logsWithoutSpans: 1 }]);
  });

  it('--group-by a resource attribute adds a rollup', async () => {
    const s = await summary([capturePath('claude', 'otlp.jsonl'), '--group-by', 'capture.session']);
    const groups = s.rollups.byAttribute['capture.session'].map((r: { group: string }) => r.group);
    expect(groups).toContain('cc07-multi');
    expect(groups.length).toBe(13);
  });
});

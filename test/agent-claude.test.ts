/**
 * The Claude Code mapping (src/model/agents/claude_code.sql) on the real capture
 * ../shared/captures/claude (README §3.2). Expected values come from the capture itself: the mock's
 * ground truth, the raw OTLP JSON, the manifest and Claude's own stdout.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/model/db.js';
import { capturePath, groundTruthByModel, loadDb, readJsonl, rows, type GroundTruthLine, type Tokens } from './helpers/captures.js';

const AGENT = 'claude-code';
const JSONL = capturePath('claude', 'otlp.jsonl');

type Obj = Record<string, any>;
interface ManifestLine {
  session: string;
  signal: 'logs' | 'traces' | 'metrics';
  file: string;
  jsonlLine: number;
}
const manifest = readJsonl<ManifestLine>(capturePath('claude', 'manifest.jsonl'));
const groundTruth = readJsonl<GroundTruthLine>(capturePath('claude', 'mock-ground-truth.jsonl'));
const requests = readJsonl<Obj>(JSONL);

/** Raw request bodies (gzipped at rest) chosen from the manifest. */
const raw = (keep: (m: ManifestLine) => boolean) => manifest.filter(keep).map((m) => capturePath('claude', m.file));

/** OTLP/JSON attribute list → plain object. */
function attrs(list: Obj[] | undefined): Obj {
  const o: Obj = {};
  for (const { key, value } of list ?? []) o[key] = value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
  return o;
}
/** Every span / log record of the JSONL with its resource attributes. */
function records(kind: 'spans' | 'logs'): { r: Obj; a: Obj; rec: Obj }[] {
  const out: { r: Obj; a: Obj; rec: Obj }[] = [];
  for (const req of requests) {
    for (const rs of req[kind === 'spans' ? 'resourceSpans' : 'resourceLogs'] ?? []) {
      for (const ss of rs[kind === 'spans' ? 'scopeSpans' : 'scopeLogs'] ?? []) {
        for (const rec of ss[kind === 'spans' ? 'spans' : 'logRecords'] ?? []) out.push({ r: attrs(rs.resource.attributes), a: attrs(rec.attributes), rec });
      }
    }
  }
  return out;
}

const num = (v: unknown) => Number(v);
async function totalsByModel(db: Db): Promise<Map<string, Tokens>> {
  const r = await rows(db, `SELECT model, sum(input) AS input, sum(cache_read) AS cr, sum(cache_write) AS cw, sum(output) AS output, sum(reasoning) AS reasoning, count(*) AS calls FROM model_calls WHERE agent = '${AGENT}' GROUP BY model`);
  return new Map(r.map((x) => [x.model as string, { input: num(x.input), cacheRead: num(x.cr), cacheWrite: num(x.cw), output: num(x.output), reasoning: num(x.reasoning), calls: num(x.calls) }]));
}
const withoutCalls = (m: Map<string, Tokens>) => new Map([...m].map(([k, { calls: _c, ...t }]) => [k, t]));

/** All four fact tables of this agent, in a stable order, for comparing two loads. */
async function facts(db: Db): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const t of ['sessions', 'model_calls', 'api_attempts', 'tool_calls']) {
    out[t] = await rows(db, `SELECT * FROM ${t} WHERE agent = '${AGENT}' ORDER BY ALL`);
  }
  return JSON.stringify(out);
}

/** The capture session (cc01-plain, …) of a fact row, from its resource attributes. */
const captureOf = `(resource_attributes ->> '$."capture.session"')`;

// The whole capture, loaded once for every test below.
let db: Db;
beforeAll(async () => {
  db = await loadDb([JSONL]);
});
afterAll(() => db?.close());

describe('Claude Code on the real capture', () => {

  it('per-model tokens equal the ground truth exactly, one row per response', async () => {
    // The ground truth has 33 successful responses (24 sonnet, 5 opus, 4 haiku) and Claude logged
    // 33 api_request events: one per response, the interactive title side request included
    // (query_source generate_session_title, its own response in the ground truth).
    expect(await totalsByModel(db)).toEqual(groundTruthByModel('claude'));
    // …and per session: every response is attributed to the session the mock saw it in.
    const bySession = await rows(db, `SELECT session_id, sum(input) AS input, sum(output) AS output, count(*) AS calls FROM model_calls WHERE agent = '${AGENT}' GROUP BY 1`);
    for (const s of bySession) {
      const gt = [...groundTruthByModel('claude', (g) => g.session_id === s.session_id).values()];
      expect({ input: num(s.input), output: num(s.output), calls: num(s.calls) }).toEqual({
        input: gt.reduce((a, t) => a + t.input, 0),
        output: gt.reduce((a, t) => a + t.output, 0),
        calls: gt.reduce((a, t) => a + t.calls, 0),
      });
    }
    const src = await rows(db, `SELECT DISTINCT source, reasoning FROM model_calls WHERE agent = '${AGENT}'`);
    // logs win; reasoning is 0 because Claude Code reports thinking inside output_tokens
    expect(src).toEqual([{ source: 'logs: claude_code.api_request', reasoning: '0' }]);
  });

  it("keeps Claude's own cost, equal to its stdout total per session", async () => {
    const cost = await rows(db, `SELECT ${captureOf} AS cap, sum(agent_cost_usd) AS usd, count(*) AS n FROM model_calls WHERE agent = '${AGENT}' GROUP BY 1`);
    let checked = 0;
    for (const c of cost) {
      const f = capturePath('claude', 'cli-stdout', `${c.cap}.jsonl`);
      if (!existsSync(f)) continue; // the interactive session has no stdout
      // the last result line is cumulative over a resumed session
      const result = readJsonl<Obj>(f).filter((l) => l.type === 'result').at(-1)!;
      // cost_usd (not the micro-dollar-rounded cost_usd_micros) adds up to Claude's own total
      expect(Math.abs(Number(c.usd) - result.total_cost_usd)).toBeLessThan(1e-12);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('has one session per session.id; the resumed session is one session with two processes', async () => {
    const s = await rows(db, `SELECT session_id, ${captureOf} AS cap, processes, prompts, turns, session_source, environment, originator, duration_source, duration_ms, start_ts FROM sessions WHERE agent = '${AGENT}' ORDER BY start_ts`);
    const gtSessions = new Set(groundTruth.map((g) => g.session_id));
    expect(s.map((x) => x.session_id).sort()).toEqual([...gtSessions].sort());
    expect(new Set(s.map((x) => x.cap))).toEqual(new Set(manifest.map((m) => m.session)));
    // `claude -p --continue` logs its startup under a provisional session.id (with the
    // session.count start_type=continue point) before switching to the resumed one: folded in.
    const resumed = s.find((x) => x.cap === 'cc10-resume')!;
    expect(resumed).toMatchObject({ processes: 2, prompts: 2, turns: 2 });
    expect(s.filter((x) => x.cap !== 'cc10-resume').every((x) => x.processes === 1)).toBe(true);
    expect(s.every((x) => x.environment === 'capture' && x.originator === AGENT)).toBe(true);
    // query_source: sdk for `claude -p`, repl_main_thread for the TUI
    expect(Object.fromEntries(s.map((x) => [x.cap, x.session_source]))).toMatchObject({ 'cc13-interactive': 'interactive', 'cc01-plain': 'sdk', 'cc09-fatal400': 'sdk' });
    // cc13: 3 prompts (the last is /exit), 7 main-loop requests + the title side request (not a turn)
    expect(s.find((x) => x.cap === 'cc13-interactive')).toMatchObject({ prompts: 3, turns: 7 });

    // duration = sum of the session's claude_code.interaction spans (active time)
    const expected = new Map<string, number>();
    for (const { a, rec } of records('spans').filter((x) => x.rec.name === 'claude_code.interaction')) {
      const ms = Number(BigInt(rec.endTimeUnixNano) - BigInt(rec.startTimeUnixNano)) / 1e6;
      expected.set(a['session.id'], (expected.get(a['session.id']) ?? 0) + ms);
    }
    expect(expected.size).toBe(s.length);
    for (const x of s) {
      expect(x.duration_source).toBe('spans: claude_code.interaction');
      expect(Number(x.duration_ms)).toBeCloseTo(expected.get(x.session_id as string)!, 6);
    }
  });

  it('reports retried attempts without a status, and the final 400 of cc09 with it', async () => {
    const a = await rows(db, `SELECT ${captureOf} AS cap, session_id, model, request_id, attempt, status_code, status_reported, is_error, is_retry, ts FROM api_attempts WHERE agent = '${AGENT}' ORDER BY ts`);
    const gtErrors = groundTruth.filter((g) => g.kind === 'error');
    const gt200 = groundTruth.filter((g) => g.kind === 'response' && g.status === 200);
    const finalFailures = new Set(a.filter((x) => x.is_error && x.status_reported).map((x) => x.request_id));
    const count = <T>(xs: T[], key: (x: T) => string) => xs.reduce((m, x) => m.set(key(x), (m.get(key(x)) ?? 0) + 1), new Map<string, number>());

    // every successful response is one final attempt with status 200
    expect(count(a.filter((x) => x.status_code === 200), (x) => x.model as string)).toEqual(count(gt200, (g) => g.model));
    // Retried 429/500/529 are reported by no signal: on requests that finally succeeded, the
    // attempts before the last are status_reported=false, and their number per model equals the
    // ground truth's 429/500/529 lines.
    const retried = a.filter((x) => x.is_error && !x.status_reported && !finalFailures.has(x.request_id));
    expect(count(retried, (x) => x.model as string)).toEqual(count(gtErrors.filter((g) => [429, 500, 529].includes(g.status)), (g) => g.model));
    expect(retried.every((x) => x.status_code === null)).toBe(true);

    // cc09: the mock answered six HTTP 400s, in two series of three (its per-request attempt counter
    // restarted: two different request bodies). The first series (07:24:26.106–.159) happened
    // before the llm_request span started (.193) and is in no signal. The span's three
    // gen_ai.request.attempt events match the second series; only the last one's status is
    // reported (span status_code and the single api_error event, whose `attempt` says 1).
    const cc09 = a.filter((x) => x.cap === 'cc09-fatal400');
    const firstAttempt = Math.min(...cc09.map((x) => Date.parse(String(x.ts).replace(' ', 'T') + 'Z')));
    const gt400 = gtErrors.filter((g) => g.status === 400);
    const unexported = gt400.filter((g) => Date.parse(g.t) < firstAttempt);
    expect(gt400).toHaveLength(6);
    expect(unexported).toHaveLength(3);
    expect(cc09.map((x) => [x.attempt, x.status_code, x.status_reported, x.is_error, x.is_retry])).toEqual([
      [1, null, false, true, false],
      [2, null, false, true, true],
      [3, 400, true, true, true],
    ]);
    expect(cc09).toHaveLength(gt400.length - unexported.length);
    const [apiError] = await rows(db, `SELECT count(*) AS n FROM log_events WHERE service_name = '${AGENT}' AND event_name = 'api_error'`);
    expect(Number(apiError.n)).toBe(a.filter((x) => x.status_code === 400).length);
  });

  it('derives tool outcomes: cc03 two failures, cc04 and cc08 one rejection each', async () => {
    const t = await rows(db, `SELECT ${captureOf} AS cap, call_id, tool_name, decision, agent_success, success, outcome, outcome_rule, error_type, model FROM tool_calls WHERE agent = '${AGENT}' ORDER BY ts`);
    const of = (cap: string) => t.filter((x) => x.cap === cap).map(({ cap: _c, call_id: _i, model: _m, ...rest }) => rest);
    expect(of('cc03-toolfail')).toEqual([
      { tool_name: 'Bash', decision: 'accepted', agent_success: false, success: false, outcome: 'failure', outcome_rule: 'error_type reported', error_type: 'ShellError' },
      { tool_name: 'Read', decision: 'accepted', agent_success: false, success: false, outcome: 'failure', outcome_rule: 'error_type reported', error_type: 'TelemetrySafeError' },
    ]);
    const rejected = { decision: 'rejected', agent_success: null, success: false, outcome: 'rejected', outcome_rule: 'rejected by permission policy', error_type: null };
    expect(of('cc04-denied')).toEqual([{ tool_name: 'Bash', ...rejected }]);
    // cc08: Write to /tmp/notes.txt (outside the workspace) rejected. Claude's stdout also shows an
    // Edit that failed input validation ("File does not exist", <tool_use_error>); Claude Code
    // exported nothing for it (no tool_decision, tool_result or span), so it cannot be counted.
    expect(of('cc08-edit')).toEqual([{ tool_name: 'Write', ...rejected }]);
    const stdoutTools = readJsonl<Obj>(capturePath('claude', 'cli-stdout', 'cc08-edit.jsonl'))
      .filter((l) => l.type === 'assistant')
      .flatMap((l) => l.message.content.filter((c: Obj) => c.type === 'tool_use').map((c: Obj) => `${c.name}:${c.id}`));
    expect(stdoutTools.filter((x) => !t.some((r) => x.endsWith(`:${r.call_id}`)))).toEqual([expect.stringMatching(/^Edit:/)]);

    // every other call succeeded, by the agent's flag, and every call has the model that asked for it
    const rest = t.filter((x) => !['cc03-toolfail', 'cc04-denied', 'cc08-edit'].includes(x.cap as string));
    expect(rest.length).toBe(13);
    expect(rest.every((x) => x.outcome === 'success' && x.outcome_rule === 'agent flag' && x.decision === 'accepted')).toBe(true);
    expect(t.every((x) => typeof x.model === 'string')).toBe(true);
  });

  it('exposes no prompt, response or tool content', async () => {
    for (const f of ['sessions', 'model_calls', 'api_attempts', 'tool_calls']) {
      const cols = f === 'sessions' ? 'resource_attributes' : 'attributes, resource_attributes';
      const r = await rows(db, `SELECT CAST(to_json(struct_pack(${cols})) AS VARCHAR) AS j FROM ${f} WHERE agent = '${AGENT}'`);
      for (const { j } of r) {
        expect(j).not.toMatch(/\[\[scenario:|tool_parameters|tool_input"|full_command|"prompt"|prompt_text|"response"|user_prompt"/);
      }
    }
  });
});

describe('Claude Code: robustness', () => {
  let baseline: string;
  const dirs: string[] = [];
  beforeAll(async () => {
    baseline = await facts(db);
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('loading the JSONL twice, or with the raw bodies, gives identical facts', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'claude-twice-'));
    dirs.push(dir);
    const copy = path.join(dir, 'again.jsonl');
    copyFileSync(JSONL, copy);
    for (const inputs of [[JSONL, copy], [JSONL, capturePath('claude', 'raw')], [capturePath('claude', 'raw')]]) {
      const other = await loadDb(inputs);
      try {
        expect(await facts(other)).toBe(baseline);
      } finally {
        other.close();
      }
    }
  });

  it('logs only: sessions from first/last event, exact tokens, final errors, tool outcomes', async () => {
    const part = await loadDb(raw((m) => m.signal === 'logs'));
    try {
      expect(await totalsByModel(part)).toEqual(groundTruthByModel('claude'));
      const s = await rows(part, `SELECT ${captureOf} AS cap, session_id, duration_source, duration_ms, processes, has_spans FROM sessions WHERE agent = '${AGENT}'`);
      expect(s).toHaveLength(new Set(manifest.map((m) => m.session)).size);
      // first → last log record of the capture session (the resumed one spans both processes)
      const span = new Map<string, [bigint, bigint]>();
      for (const { r, rec } of records('logs')) {
        const t = BigInt(rec.timeUnixNano);
        const [lo, hi] = span.get(r['capture.session']) ?? [t, t];
        span.set(r['capture.session'], [t < lo ? t : lo, t > hi ? t : hi]);
      }
      for (const x of s) {
        const [lo, hi] = span.get(x.cap as string)!;
        expect(x).toMatchObject({ duration_source: 'events', has_spans: false });
        expect(Number(x.duration_ms)).toBeCloseTo(Number(hi - lo) / 1e6, 6);
      }
      // the provisional id of `--continue` is folded in by the event.sequence counter
      expect(s.find((x) => x.cap === 'cc10-resume')!.processes).toBe(2);
      // logs show how each request ended: 200s and cc09's 400 (retries are invisible there)
      const a = await rows(part, `SELECT status_code, count(*) AS n FROM api_attempts WHERE agent = '${AGENT}' GROUP BY 1 ORDER BY 1`);
      expect(a).toEqual([
        { status_code: 200, n: String(groundTruth.filter((g) => g.kind === 'response').length) },
        { status_code: 400, n: '1' },
      ]);
      const t = await rows(part, `SELECT outcome, count(*) AS n FROM tool_calls WHERE agent = '${AGENT}' GROUP BY 1 ORDER BY 1`);
      expect(t).toEqual([
        { outcome: 'failure', n: '2' },
        { outcome: 'rejected', n: '2' },
        { outcome: 'success', n: '13' },
      ]);
    } finally {
      part.close();
    }
  });

  it('traces only: exact tokens from llm_request spans, the same attempts and tool outcomes', async () => {
    const part = await loadDb(raw((m) => m.signal === 'traces'));
    try {
      expect(await totalsByModel(part)).toEqual(groundTruthByModel('claude'));
      const [src] = await rows(part, `SELECT list(DISTINCT source) AS s FROM model_calls WHERE agent = '${AGENT}'`);
      expect(src.s).toEqual(['spans: claude_code.llm_request']);
      const q = `SELECT * EXCLUDE (attributes, resource_attributes) FROM api_attempts WHERE agent = '${AGENT}' ORDER BY ALL`;
      expect(await rows(part, q)).toEqual(await rows(db, q));
      const t = `SELECT call_id, outcome, outcome_rule, decision FROM tool_calls WHERE agent = '${AGENT}' ORDER BY ALL`;
      expect(await rows(part, t)).toEqual(await rows(db, t));
      const [n] = await rows(part, `SELECT count(*) AS n FROM sessions WHERE agent = '${AGENT}' AND duration_source = 'spans: claude_code.interaction'`);
      expect(Number(n.n)).toBe(new Set(manifest.map((m) => m.session)).size);
    } finally {
      part.close();
    }
  });

  it('metrics only: exact token totals per model (call counts are per export window)', async () => {
    const part = await loadDb(raw((m) => m.signal === 'metrics'));
    try {
      const got = await totalsByModel(part);
      expect(withoutCalls(got)).toEqual(withoutCalls(groundTruthByModel('claude')));
      // a window sums several responses: fewer rows than responses
      for (const [model, t] of groundTruthByModel('claude')) expect(got.get(model)!.calls).toBeLessThanOrEqual(t.calls);
      const s = await rows(part, `SELECT ${captureOf} AS cap, session_id, duration_source, turns FROM sessions WHERE agent = '${AGENT}'`);
      expect(s.every((x) => x.duration_source === 'events' && x.turns === null)).toBe(true);
      // Known limit: without logs the provisional id of `--continue` (it only carries the
      // session.count start_type=continue point) cannot be tied to the resumed session.
      expect(s.filter((x) => x.cap === 'cc10-resume')).toHaveLength(2);
    } finally {
      part.close();
    }
  });

  it('a lost logs and traces batch falls back to the metric window of that response', async () => {
    // cc07's first logs request (api_request of call 1) and first traces request (its
    // llm_request span) are dropped: call 1 survives only in claude_code.token.usage.
    const lost = new Set(manifest.filter((m) => m.session === 'cc07-multi' && m.signal !== 'metrics').slice(0, 2).map((m) => m.file));
    expect(lost.size).toBe(2);
    const part = await loadDb(raw((m) => !lost.has(m.file)));
    try {
      expect(await totalsByModel(part)).toEqual(groundTruthByModel('claude'));
      const src = await rows(part, `SELECT source, count(*) AS n FROM model_calls WHERE agent = '${AGENT}' AND ${captureOf} = 'cc07-multi' GROUP BY 1 ORDER BY 1`);
      expect(src).toEqual([
        { source: 'logs: claude_code.api_request', n: '4' },
        { source: 'metrics: claude_code.token.usage', n: '1' },
      ]);
    } finally {
      part.close();
    }
  });
});

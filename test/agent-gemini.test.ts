/**
 * Gemini CLI 0.61.0 mapping (src/model/agents/gemini_cli.sql) against the real captures in
 * shared/captures/gemini: otlp.jsonl (gm01–gm07, gm09), raw/ (the same requests as received) and
 * the GEMINI_TELEMETRY_OUTFILE sink of gm10. Expected values are computed from those inputs and
 * from mock-ground-truth.jsonl, never typed in.
 *
 * Known, inherent differences from the ground truth (asserted exactly, not hidden):
 * - gm08-fatal400: the mock served one HTTP 400 on gemini-2.5-flash, and Gemini exited (code 144)
 *   without flushing ANY telemetry (captures README §4). That error line has no telemetry to count.
 * - Spans carry no token usage: a capture with only traces has sessions and API attempts but no
 *   model calls.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { discoverInputs } from '../src/ingest/discover.js';
import { ingest } from '../src/ingest/load.js';
import { openDb, runSqlFile, type Db } from '../src/model/db.js';
import { FACTS } from '../src/model/facts.js';
import { AGENT_FILES, BASE_FILES } from '../src/model/registry.js';
import {
  capturePath,
  capturePaths,
  groundTruthByModel,
  groundTruthResponses,
  loadDb,
  normalizeUsage,
  readJsonl,
  rows,
  type GroundTruthLine,
  type Tokens,
} from './helpers/captures.js';

const AGENT = 'gemini-cli';
type Obj = Record<string, any>;

// ---------------------------------------------------------------------------------------------
// Reading the captures (independently of the SQL under test)
// ---------------------------------------------------------------------------------------------

interface ManifestLine {
  seq: number;
  time: string;
  session: string;
  signal: 'logs' | 'traces' | 'metrics';
  protocol: string;
  file: string;
  jsonlLine: number;
}

const manifest = readJsonl<ManifestLine>(capturePath('gemini', 'manifest.jsonl'));
const jsonlLines = readFileSync(capturePath('gemini', 'otlp.jsonl'), 'utf8').split('\n');
const allGroundTruth = readJsonl<GroundTruthLine>(capturePath('gemini', 'mock-ground-truth.jsonl'));
const OUTFILE_DIR = capturePath('gemini', 'outfile');

/** An OTLP/JSON AnyValue as a JS value (ints stay strings when they were strings). */
function av(v: Obj | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(av);
  return undefined;
}
const attrs = (list: Obj[] | undefined): Obj => Object.fromEntries((list ?? []).map((a) => [a.key, av(a.value)]));

interface Rec {
  session: string;
  signal: string;
  resource: Obj;
  body: Obj;
}
/** Every log record, span and metric data point of a manifest line, with its resource attributes. */
function records(m: ManifestLine): Rec[] {
  const b = JSON.parse(jsonlLines[m.jsonlLine - 1]);
  const out: Rec[] = [];
  for (const rl of b.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? []) for (const r of sl.logRecords ?? []) out.push({ session: m.session, signal: 'logs', resource: attrs(rl.resource?.attributes), body: r });
  for (const rs of b.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) out.push({ session: m.session, signal: 'traces', resource: attrs(rs.resource?.attributes), body: s });
  for (const rm of b.resourceMetrics ?? [])
    for (const sm of rm.scopeMetrics ?? [])
      for (const met of sm.metrics ?? []) {
        const pts = met.sum?.dataPoints ?? met.gauge?.dataPoints ?? met.histogram?.dataPoints ?? met.exponentialHistogram?.dataPoints ?? [];
        for (const p of pts) out.push({ session: m.session, signal: 'metrics', resource: attrs(rm.resource?.attributes), body: { ...p, name: met.name } });
      }
  return out;
}

const manifestSessions = [...new Set(manifest.map((m) => m.session))];
const recordsOf = (session: string, signals: string[] = ['logs', 'traces', 'metrics']): Rec[] =>
  manifest.filter((m) => m.session === session && signals.includes(m.signal)).flatMap(records);
const logsOf = (session: string, event: string): Obj[] =>
  recordsOf(session, ['logs'])
    .map((r) => attrs(r.body.attributes))
    .filter((a) => a['event.name'] === event);
/** The Gemini session id a capture session exported (resource session.id). */
const sessionIdOf = (session: string): string => {
  const ids = new Set(recordsOf(session).map((r) => r.resource['session.id'] as string));
  expect(ids.size, `${session} exports one session.id`).toBe(1);
  return [...ids][0];
};
const rawFiles = (session: string, signals: string[]): string[] =>
  manifest.filter((m) => m.session === session && signals.includes(m.signal)).map((m) => capturePath('gemini', m.file));

/**
 * The ground truth carries no session id. Capture sessions ran one after another, so a session's
 * model traffic lies between the previous session's last export and its own last export; the
 * outfile session gm10 ran after the last OTLP export.
 */
const sessionEnd = new Map<string, number>();
for (const m of manifest) sessionEnd.set(m.session, Math.max(sessionEnd.get(m.session) ?? 0, Date.parse(m.time)));
const sessionOrder = [...sessionEnd.entries()].sort((a, b) => a[1] - b[1]).map(([s]) => s);
const lastManifestTime = Math.max(...sessionEnd.values());
function windowFilter(session: string | 'outfile'): (g: GroundTruthLine) => boolean {
  if (session === 'outfile') return (g) => Date.parse(g.t) > lastManifestTime;
  const i = sessionOrder.indexOf(session);
  const from = i === 0 ? -Infinity : sessionEnd.get(sessionOrder[i - 1])!;
  const to = sessionEnd.get(session)!;
  return (g) => Date.parse(g.t) > from && Date.parse(g.t) <= to;
}
/** gm08-fatal400 exported nothing (README §4): its ground-truth lines have no telemetry. */
const exportedNothing = (g: GroundTruthLine) => g.scenario === 'fatal';

// ---------------------------------------------------------------------------------------------
// Reading the facts
// ---------------------------------------------------------------------------------------------

/**
 * buildModel restricted to this agent: the same base views, the same mapping file and the same
 * CASTs to the contract types, without the other agents' mappings. The many partial loads below
 * use it (a full build takes ~10 s per load); the main suite uses the real buildModel.
 */
async function loadGemini(paths: string[], db?: Db): Promise<Db> {
  db ??= await openDb();
  await ingest(db, await discoverInputs(paths));
  for (const f of BASE_FILES) await runSqlFile(db.conn, f);
  await runSqlFile(db.conn, AGENT_FILES.find((a) => a.agent === 'gemini_cli')!.file);
  for (const [fact, cols] of Object.entries(FACTS))
    await db.conn.run(`CREATE OR REPLACE TABLE ${fact} AS SELECT ${cols.map(([c, t]) => `CAST("${c}" AS ${t}) AS "${c}"`).join(', ')} FROM gemini_cli_${fact}`);
  return db;
}

async function tokensByModel(db: Db, where = 'true'): Promise<Map<string, Tokens>> {
  const r = await rows(
    db,
    `SELECT model, sum(input) AS input, sum(cache_read) AS cr, sum(cache_write) AS cw, sum(output) AS output,
            sum(reasoning) AS reasoning, count(*) AS calls
     FROM model_calls WHERE agent = '${AGENT}' AND ${where} GROUP BY model ORDER BY model`,
  );
  return new Map(
    r.map((x) => [
      x.model as string,
      { input: Number(x.input), cacheRead: Number(x.cr), cacheWrite: Number(x.cw), output: Number(x.output), reasoning: Number(x.reasoning), calls: Number(x.calls) },
    ]),
  );
}
const sortedEntries = (m: Map<string, unknown>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
const withoutCalls = (m: Map<string, Tokens>) => new Map([...m].map(([k, { calls: _c, ...t }]) => [k, t]));

/** (model|status) → attempts, from the facts. */
async function attemptsByStatus(db: Db): Promise<Map<string, number>> {
  const r = await rows(db, `SELECT model, coalesce(CAST(status_code AS VARCHAR), 'none') AS s, count(*) AS n FROM api_attempts WHERE agent = '${AGENT}' GROUP BY ALL`);
  return new Map(r.map((x) => [`${x.model}|${x.s}`, Number(x.n)]));
}
/** (model|status) → attempts, from the ground truth (successes are 200). */
function gtByStatus(lines: GroundTruthLine[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const g of lines) if (g.kind === 'response' || g.kind === 'error') m.set(`${g.model}|${g.status}`, (m.get(`${g.model}|${g.status}`) ?? 0) + 1);
  return m;
}

async function factDump(db: Db): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const f of ['sessions', 'model_calls', 'api_attempts', 'tool_calls']) {
    const r = await rows(db, `SELECT CAST(to_json(t) AS VARCHAR) AS j FROM ${f} t WHERE agent = '${AGENT}' ORDER BY j`);
    out[f] = r.map((x) => x.j as string);
  }
  return out;
}

/** Expected tool outcome of one gemini_cli.tool_call record (README §3.3, issue 4). */
function expectedToolOutcome(a: Obj): { outcome: string; rule: string; exit?: number } {
  const errorType = a.error_type ?? a['error.type'];
  const meta = typeof a.metadata === 'string' ? JSON.parse(a.metadata) : undefined;
  if (a.decision === 'reject') return { outcome: 'rejected', rule: 'decision reject' };
  if (errorType === 'tool_not_registered') return { outcome: 'rejected', rule: 'tool_not_registered (not available under the approval policy)' };
  if (errorType) return { outcome: 'failure', rule: 'error_type' };
  if (meta && typeof meta.exitCode === 'number') return { outcome: meta.exitCode === 0 ? 'success' : 'failure', rule: 'metadata.exitCode', exit: meta.exitCode };
  return { outcome: a.success ? 'success' : 'failure', rule: 'agent flag' };
}

// ---------------------------------------------------------------------------------------------

describe('gemini-cli over all captured telemetry (OTLP JSONL + gm10 outfile)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await loadDb(capturePaths('gemini'));
  });

  it('loads the outfile (gm10) as well as the OTLP sessions', async () => {
    const r = await rows(db, `SELECT format, count(*) AS n, sum(logs) AS logs FROM ingest_files GROUP BY format`);
    expect(r.length).toBeGreaterThanOrEqual(2);
    expect(r.every((x) => Number(x.logs) > 0)).toBe(true);
  });

  it('per-model token totals equal the ground truth exactly (every field and the call count)', async () => {
    const got = await tokensByModel(db);
    const want = groundTruthByModel('gemini');
    expect(sortedEntries(got)).toEqual(sortedEntries(want));
    // Every usage came from the exact per-call signal; the metrics fallback added nothing.
    const src = await rows(db, `SELECT DISTINCT source FROM model_calls WHERE agent = '${AGENT}'`);
    expect(src.map((x) => x.source)).toEqual(['logs: gemini_cli.api_response']);
    // No other mapping (e.g. the generic GenAI one, which Gemini's gen_ai.* events would match)
    // counts this telemetry again: report totals are the sum over all agents.
    for (const f of ['sessions', 'model_calls', 'api_attempts', 'tool_calls']) {
      const agents = await rows(db, `SELECT DISTINCT agent FROM ${f}`);
      expect(agents.map((x) => x.agent), f).toEqual([AGENT]);
    }
  });

  it('each model call is one real response: call_id = the API responseId, usage equal per call', async () => {
    const calls = await rows(db, `SELECT call_id, model, input, cache_read, cache_write, output, reasoning FROM model_calls WHERE agent = '${AGENT}'`);
    const gt = new Map(groundTruthResponses('gemini').map((g) => [(g as Obj).responseId as string, g]));
    expect(calls.length).toBe(gt.size);
    for (const c of calls) {
      const g = gt.get(c.call_id as string);
      expect(g, `call ${c.call_id}`).toBeDefined();
      const u = normalizeUsage('gemini', g!);
      expect([c.model, Number(c.input), Number(c.cache_read), Number(c.cache_write), Number(c.output), Number(c.reasoning)]).toEqual([
        g!.model,
        u.input,
        u.cacheRead,
        u.cacheWrite,
        u.output,
        u.reasoning,
      ]);
    }
  });

  it('the GenAI details events repeat the usage and are not counted again', async () => {
    const r = await rows(
      db,
      `SELECT count(*) FILTER (WHERE event_name = 'gen_ai.client.inference.operation.details' AND (attributes ->> '$."gen_ai.usage.input_tokens"') IS NOT NULL) AS details,
              count(*) FILTER (WHERE event_name = 'gemini_cli.api_response') AS responses
       FROM log_events`,
    );
    const calls = await rows(db, `SELECT count(*) AS n FROM model_calls WHERE agent = '${AGENT}'`);
    expect(Number(r[0].details)).toBe(Number(r[0].responses));
    expect(Number(calls[0].n)).toBe(Number(r[0].responses));
  });

  it("total_token_count = prompt + candidates + thoughts + tool-use prompt (why tool tokens belong to input)", async () => {
    const r = await rows(
      db,
      `SELECT CAST(attributes ->> 'total_token_count' AS BIGINT) AS total,
              CAST(attributes ->> 'input_token_count' AS BIGINT) + CAST(attributes ->> 'output_token_count' AS BIGINT)
              + CAST(attributes ->> 'thoughts_token_count' AS BIGINT) + CAST(attributes ->> 'tool_token_count' AS BIGINT) AS parts
       FROM log_events WHERE event_name = 'gemini_cli.api_response'`,
    );
    expect(r.length).toBeGreaterThan(0);
    for (const x of r) expect(x.parts).toBe(x.total);
  });

  it('the cumulative token metric agrees with the logged responses per process and model', async () => {
    // Final running total of each series = the sum of its process's api_response values: the
    // premise of the residual rule in the mapping.
    const metric = await rows(
      db,
      `SELECT resource_id, attributes ->> 'model' AS model, attributes ->> 'type' AS type, max(value) AS v
       FROM metric_points WHERE metric_name = 'gemini_cli.token.usage' GROUP BY ALL`,
    );
    const logged = await rows(
      db,
      `SELECT resource_id, attributes ->> 'model' AS model,
              sum(CAST(attributes ->> 'input_token_count' AS BIGINT)) AS input,
              sum(CAST(attributes ->> 'cached_content_token_count' AS BIGINT)) AS cache,
              sum(CAST(attributes ->> 'output_token_count' AS BIGINT)) AS output,
              sum(CAST(attributes ->> 'thoughts_token_count' AS BIGINT)) AS thought,
              sum(CAST(attributes ->> 'tool_token_count' AS BIGINT)) AS tool
       FROM log_events WHERE event_name = 'gemini_cli.api_response' GROUP BY ALL`,
    );
    const want = new Map(logged.flatMap((l) => ['input', 'cache', 'output', 'thought', 'tool'].map((t) => [`${l.resource_id}|${l.model}|${t}`, Number(l[t])])));
    expect(new Map(metric.map((m) => [`${m.resource_id}|${m.model}|${m.type}`, Number(m.v)]))).toEqual(want);
  });

  it('one session per Gemini session.id; the resumed gm09 is one session of two processes', async () => {
    const sessions = await rows(db, `SELECT session_id, processes, originator, session_source, environment, has_logs, has_spans, has_metrics FROM sessions WHERE agent = '${AGENT}'`);
    // gm08 exported nothing; the other OTLP sessions plus the outfile session (gm10).
    expect(sessions.length).toBe(manifestSessions.length + 1);
    const ids = manifestSessions.map(sessionIdOf);
    expect(new Set(ids).size).toBe(manifestSessions.length);
    for (const s of manifestSessions) {
      const row = sessions.find((x) => x.session_id === sessionIdOf(s));
      expect(row, s).toBeDefined();
      const pids = new Set(recordsOf(s).map((r) => r.resource['process.pid']));
      expect(row!.processes, s).toBe(pids.size);
      const interactive = new Set(recordsOf(s, ['logs']).map((r) => attrs(r.body.attributes).interactive));
      expect(row!.session_source).toBe(interactive.has(true) ? 'interactive' : 'non-interactive');
      expect([row!.originator, row!.environment, row!.has_logs, row!.has_spans, row!.has_metrics]).toEqual(['gemini-cli', null, true, true, true]);
    }
    // gm09-resume: `-p` then `-p --resume latest` kept the session id in a second process.
    const resume = manifestSessions.find((s) => new Set(recordsOf(s).map((r) => r.resource['process.pid'])).size > 1);
    expect(resume).toBe('gm09-resume');
    expect(sessions.find((x) => x.session_id === sessionIdOf(resume!))!.processes).toBe(2);
  });

  it('session duration = the prompts’ span windows (first start → last end per process and prompt), summed', async () => {
    const sessions = await rows(db, `SELECT session_id, duration_ms, duration_source, start_ts, end_ts, prompts, models FROM sessions WHERE agent = '${AGENT}'`);
    for (const s of manifestSessions) {
      const win = new Map<string, [bigint, bigint]>();
      for (const r of recordsOf(s, ['traces'])) {
        const key = `${r.resource['process.pid']}|${attrs(r.body.attributes)['gen_ai.conversation.id']}`;
        const [a, b] = [BigInt(r.body.startTimeUnixNano), BigInt(r.body.endTimeUnixNano)];
        const w = win.get(key);
        win.set(key, w ? [a < w[0] ? a : w[0], b > w[1] ? b : w[1]] : [a, b]);
      }
      const total = [...win.values()].reduce((acc, [a, b]) => acc + (b - a), 0n);
      const row = sessions.find((x) => x.session_id === sessionIdOf(s))!;
      expect(row.duration_source, s).toMatch(/^spans: /);
      expect(row.duration_ms as number, s).toBeCloseTo(Number(total) / 1e6, 6);
      expect(row.prompts, s).toBe(logsOf(s, 'gemini_cli.user_prompt').length);
      expect(row.models, s).toEqual([...new Set(logsOf(s, 'gemini_cli.api_request').map((a) => a.model))].sort());
    }
    // gm09: two prompts in two processes; the 5 s between the runs is not active time.
    const resume = sessions.find((x) => x.session_id === sessionIdOf('gm09-resume'))!;
    const wall = Date.parse(String(resume.end_ts) + 'Z') - Date.parse(String(resume.start_ts) + 'Z');
    expect(resume.prompts).toBe(2);
    expect(resume.duration_ms as number).toBeLessThan(wall - 1000);
    // The outfile session has spans too.
    const gm10 = sessions.filter((x) => !manifestSessions.map(sessionIdOf).includes(x.session_id as string));
    expect(gm10.length).toBe(1);
    expect(gm10[0].duration_source).toMatch(/^spans: /);
    expect(gm10[0].duration_ms as number).toBeGreaterThan(0);
  });

  it('API attempts: 429 and 5xx per model equal the ground truth; gm08’s 400 was never exported', async () => {
    const got = await attemptsByStatus(db);
    const exported = allGroundTruth.filter((g) => !exportedNothing(g));
    expect(sortedEntries(got)).toEqual(sortedEntries(gtByStatus(exported)));
    // The exact known difference: the error lines of the session that exported nothing.
    const lost = gtByStatus(allGroundTruth.filter(exportedNothing));
    expect(sortedEntries(lost)).toEqual([['gemini-2.5-flash|400', 1]]);
    expect(got.get('gemini-2.5-flash|400')).toBeUndefined();
    // Every status is reported; errors carry the RPC status as error_type.
    const r = await rows(
      db,
      `SELECT bool_and(status_reported) AS all_reported, count(*) FILTER (WHERE is_error) AS errors,
              count(*) FILTER (WHERE is_error AND error_type IS NOT NULL AND error_message LIKE 'http %') AS described,
              count(*) FILTER (WHERE attempt IS NULL OR is_retry IS NULL) AS unnumbered
       FROM api_attempts WHERE agent = '${AGENT}'`,
    );
    expect(r[0].all_reported).toBe(true);
    expect(Number(r[0].described)).toBe(Number(r[0].errors));
    expect(Number(r[0].unnumbered)).toBe(0);
  });

  it('retries: every attempt after a failed attempt of the same request, numbered 1, 2, 3…', async () => {
    // Ground truth: an error line followed by another attempt of the same scenario step was retried.
    const retried = allGroundTruth.filter(
      (g) => g.kind === 'error' && allGroundTruth.some((h) => h.scenario === g.scenario && h.step === g.step && Date.parse(h.t) > Date.parse(g.t)),
    );
    const r = await rows(db, `SELECT session_id, ts, attempt, is_error, is_retry FROM api_attempts WHERE agent = '${AGENT}' ORDER BY session_id, ts`);
    expect(r.filter((x) => x.is_retry).length).toBe(retried.length);
    for (let i = 0; i < r.length; i++) {
      const prev = i > 0 && r[i - 1].session_id === r[i].session_id ? r[i - 1] : undefined;
      expect(r[i].is_retry).toBe(Boolean(prev?.is_error));
      expect(r[i].attempt).toBe(prev?.is_error ? (prev.attempt as number) + 1 : 1);
    }
    // gm06-err5xx: 503, then 500, then 200 → attempts 1, 2, 3.
    const gm06 = await rows(db, `SELECT attempt, status_code FROM api_attempts WHERE session_id = '${sessionIdOf('gm06-err5xx')}' ORDER BY ts`);
    expect(gm06.map((x) => [x.attempt, x.status_code])).toEqual(
      allGroundTruth.filter(windowFilter('gm06-err5xx')).map((g, i) => [i + 1, g.status]),
    );
  });

  it('tool calls: outcomes from exit codes and error types, the agent flag kept beside them', async () => {
    const facts = await rows(db, `SELECT session_id, tool_name, outcome, outcome_rule, agent_success, success, exit_code, decision, error_type, call_id FROM tool_calls WHERE agent = '${AGENT}'`);
    for (const s of manifestSessions) {
      const want = logsOf(s, 'gemini_cli.tool_call')
        .map((a) => {
          const e = expectedToolOutcome(a);
          return [a.function_name, e.outcome, e.rule, a.success, e.exit ?? null].join('|');
        })
        .sort();
      const got = facts
        .filter((f) => f.session_id === sessionIdOf(s))
        .map((f) => [f.tool_name, f.outcome, f.outcome_rule, f.agent_success, f.exit_code].join('|'))
        .sort();
      expect(got, s).toEqual(want);
    }
    const of = (s: string) => facts.filter((f) => f.session_id === sessionIdOf(s));
    // gm03-toolfail: shell `cat missing` exits 1 although Gemini says success=true; read_file
    // outside the workspace fails with invalid_tool_params.
    const gm03 = of('gm03-toolfail');
    expect(gm03.filter((f) => f.outcome === 'failure').length).toBe(2);
    expect(gm03.find((f) => f.tool_name === 'run_shell_command')).toMatchObject({ agent_success: true, success: false, outcome_rule: 'metadata.exitCode', exit_code: 1, decision: 'accepted' });
    expect(gm03.find((f) => f.tool_name === 'read_file')).toMatchObject({ agent_success: false, success: false, outcome_rule: 'error_type', error_type: 'invalid_tool_params' });
    // gm04-notool: the shell tool is not registered without yolo in -p mode → rejected.
    expect(of('gm04-notool')).toEqual([
      expect.objectContaining({ tool_name: 'run_shell_command', outcome: 'rejected', success: false, decision: null, error_type: 'tool_not_registered' }),
    ]);
    // gm07-multi: list_directory, read_file and two shell calls; the last shell call exits 1.
    const gm07 = of('gm07-multi');
    expect(gm07.length).toBe(4);
    expect(gm07.filter((f) => !f.success).map((f) => [f.tool_name, f.outcome_rule, f.agent_success])).toEqual([['run_shell_command', 'metadata.exitCode', true]]);
    // Calls that ran have their tool_call span's gen_ai.tool.call_id.
    const spanIds = new Set(
      manifestSessions.flatMap((s) => recordsOf(s, ['traces']).filter((r) => r.body.name === 'tool_call').map((r) => attrs(r.body.attributes)['gen_ai.tool.call_id'])),
    );
    const matched = facts.filter((f) => spanIds.has(f.call_id));
    expect(matched.length).toBe(spanIds.size);
  });

  it('the agent-only build used by the partial loads below gives the same facts', async () => {
    expect(await factDump(await loadGemini(capturePaths('gemini')))).toEqual(await factDump(db));
  });

  it('facts carry no prompt, response, tool input or output', async () => {
    const dump = JSON.stringify(await factDump(db));
    for (const needle of ['[[scenario:', 'request_text', 'response_text', 'function_args', 'process.command_args', '"prompt"', 'Path not in workspace', 'gen_ai.system_instructions'])
      expect(dump.includes(needle), needle).toBe(false);
  });
});

describe('gemini-cli robustness', () => {
  it('loading the same files twice gives identical facts', async () => {
    const once = await loadGemini(capturePaths('gemini'));
    const twice = await loadGemini(capturePaths('gemini'));
    await loadGemini(capturePaths('gemini'), twice);
    expect(await factDump(twice)).toEqual(await factDump(once));
  });

  it('JSONL plus the raw bodies (or the raw bodies alone) give identical facts', async () => {
    const base = await factDump(await loadGemini(capturePaths('gemini')));
    expect(await factDump(await loadGemini([...capturePaths('gemini'), capturePath('gemini', 'raw')]))).toEqual(base);
    expect(await factDump(await loadGemini([capturePath('gemini', 'raw'), OUTFILE_DIR]))).toEqual(base);
  });

  it('metrics only: tokens exact per model from the cumulative metric, attempts and tools counted', async () => {
    for (const s of manifestSessions) {
      const db = await loadGemini(rawFiles(s, ['metrics']));
      const gt = groundTruthByModel('gemini', windowFilter(s));
      // Exact on every token field; rows are export windows, not calls.
      expect(sortedEntries(withoutCalls(await tokensByModel(db))), s).toEqual(sortedEntries(withoutCalls(gt)));
      const src = await rows(db, `SELECT DISTINCT source FROM model_calls WHERE agent = '${AGENT}'`);
      expect(src.map((x) => x.source), s).toEqual(['metrics: gemini_cli.token.usage (cumulative, delta per export window; not per call)']);
      const sess = await rows(db, `SELECT session_id, processes, duration_source, has_logs, has_spans, has_metrics, turns FROM sessions WHERE agent = '${AGENT}'`);
      expect(sess.map((x) => [x.session_id, x.duration_source, x.has_logs, x.has_spans, x.has_metrics]), s).toEqual([[sessionIdOf(s), 'events', false, false, true]]);
      expect(sess[0].processes, s).toBe(new Set(recordsOf(s, ['metrics']).map((r) => r.resource['process.pid'])).size);
      // gemini_cli.api.request.count counts each failed attempt twice (with and without
      // error_type); the mapping counts it once, so statuses equal the ground truth.
      const exported = allGroundTruth.filter(windowFilter(s)).filter((g) => !exportedNothing(g));
      expect(sortedEntries(await attemptsByStatus(db)), s).toEqual(sortedEntries(gtByStatus(exported)));
      expect(sess[0].turns, s).toBe(exported.filter((g) => g.kind === 'response').length);
      // Tool calls from gemini_cli.tool.call.count: the agent's flag only.
      const tools = await rows(db, `SELECT tool_name, agent_success, outcome_rule FROM tool_calls WHERE agent = '${AGENT}' ORDER BY ALL`);
      const logged = logsOf(s, 'gemini_cli.tool_call');
      expect(tools.map((t) => `${t.tool_name}|${t.agent_success}`).sort(), s).toEqual(logged.map((a) => `${a.function_name}|${a.success}`).sort());
      expect(tools.every((t) => t.outcome_rule === 'agent flag (metrics: gemini_cli.tool.call.count)')).toBe(true);
    }
  });

  it('logs only: sessions with event durations, exact tokens, attempts and tool outcomes', async () => {
    const full = await loadGemini(capturePaths('gemini'));
    for (const s of manifestSessions) {
      const db = await loadGemini(rawFiles(s, ['logs']));
      const gt = groundTruthByModel('gemini', windowFilter(s));
      expect(sortedEntries(await tokensByModel(db)), s).toEqual(sortedEntries(gt));
      const exported = allGroundTruth.filter(windowFilter(s)).filter((g) => !exportedNothing(g));
      expect(sortedEntries(await attemptsByStatus(db)), s).toEqual(sortedEntries(gtByStatus(exported)));
      // Duration falls back to first → last log record of each process.
      const perProcess = new Map<unknown, [bigint, bigint]>();
      for (const r of recordsOf(s, ['logs'])) {
        const t = BigInt(r.body.timeUnixNano);
        const w = perProcess.get(r.resource['process.pid']);
        perProcess.set(r.resource['process.pid'], w ? [t < w[0] ? t : w[0], t > w[1] ? t : w[1]] : [t, t]);
      }
      const want = [...perProcess.values()].reduce((a, [x, y]) => a + (y - x), 0n);
      const sess = await rows(db, `SELECT duration_ms, duration_source, has_spans, has_metrics, prompts FROM sessions WHERE agent = '${AGENT}'`);
      expect(sess.length, s).toBe(1);
      expect([sess[0].duration_source, sess[0].has_spans, sess[0].has_metrics]).toEqual(['events', false, false]);
      expect(sess[0].duration_ms as number, s).toBeCloseTo(Number(want) / 1e6, 6);
      expect(sess[0].prompts, s).toBe(logsOf(s, 'gemini_cli.user_prompt').length);
      // Tool outcomes do not need spans (only the call ids come from them).
      const q = `SELECT tool_name, outcome, outcome_rule, agent_success FROM tool_calls WHERE agent = '${AGENT}' AND session_id = '${sessionIdOf(s)}' ORDER BY ALL`;
      expect(await rows(db, q), s).toEqual(await rows(full, q));
    }
  });

  it('traces only: sessions and API errors from llm_call spans; spans carry no token usage', async () => {
    const full = await loadGemini(capturePaths('gemini'));
    for (const s of manifestSessions) {
      const db = await loadGemini(rawFiles(s, ['traces']));
      // Inherent: spans have no usage attributes, so no model calls (asserted, not hidden).
      expect((await tokensByModel(db)).size, s).toBe(0);
      const exported = allGroundTruth.filter(windowFilter(s)).filter((g) => !exportedNothing(g));
      const errors = new Map([...gtByStatus(exported.filter((g) => g.kind === 'error'))]);
      const got = await attemptsByStatus(db);
      // Errors carry the API error JSON (code) in the span status; successes have no HTTP status.
      const successes = exported.filter((g) => g.kind === 'response');
      const models = [...new Set(successes.map((g) => g.model))];
      const wantAll = new Map(errors);
      for (const m of models) wantAll.set(`${m}|none`, successes.filter((g) => g.model === m).length);
      expect(sortedEntries(got), s).toEqual(sortedEntries(wantAll));
      const nr = await rows(db, `SELECT count(*) FILTER (WHERE NOT status_reported) AS n, count(*) FILTER (WHERE NOT status_reported AND is_error = false) AS ok FROM api_attempts WHERE agent = '${AGENT}'`);
      expect([Number(nr[0].n), Number(nr[0].ok)], s).toEqual([successes.length, successes.length]);
      const q = `SELECT session_id, duration_ms, duration_source, processes FROM sessions WHERE agent = '${AGENT}' AND session_id = '${sessionIdOf(s)}'`;
      expect(await rows(db, q), s).toEqual(await rows(full, q));
    }
  });

  it('a lost log batch: the metric residual restores exact token totals', async () => {
    // gm07-multi exported its logs in three batches; drop the last one (three responses).
    const logs = manifest.filter((m) => m.session === 'gm07-multi' && m.signal === 'logs');
    const dropped = logs[logs.length - 1];
    const lostResponses = records(dropped).filter((r) => attrs(r.body.attributes)['event.name'] === 'gemini_cli.api_response').length;
    expect(lostResponses).toBeGreaterThan(0);
    const files = manifest.filter((m) => m.session === 'gm07-multi' && m !== dropped).map((m) => capturePath('gemini', m.file));
    const db = await loadGemini(files);
    const gt = groundTruthByModel('gemini', windowFilter('gm07-multi'));
    expect(sortedEntries(withoutCalls(await tokensByModel(db)))).toEqual(sortedEntries(withoutCalls(gt)));
    const bySource = await rows(db, `SELECT source, count(*) AS n FROM model_calls WHERE agent = '${AGENT}' GROUP BY source ORDER BY source`);
    expect(bySource.map((x) => [String(x.source).split(' (')[0], Number(x.n)])).toEqual([
      ['logs: gemini_cli.api_response', [...gt.values()][0].calls - lostResponses],
      ['metrics: gemini_cli.token.usage', 1],
    ]);
  });

  it('resume: each process alone is one process; together one session of two', async () => {
    const gm09 = manifest.filter((m) => m.session === 'gm09-resume');
    const pids = [...new Set(gm09.flatMap((m) => records(m).map((r) => r.resource['process.pid'])))];
    expect(pids.length).toBe(2);
    for (const pid of pids) {
      const files = gm09.filter((m) => records(m).every((r) => r.resource['process.pid'] === pid)).map((m) => capturePath('gemini', m.file));
      const db = await loadGemini(files);
      const s = await rows(db, `SELECT session_id, processes, prompts FROM sessions WHERE agent = '${AGENT}'`);
      expect(s).toEqual([{ session_id: sessionIdOf('gm09-resume'), processes: 1, prompts: 1 }]);
    }
    const db = await loadGemini(rawFiles('gm09-resume', ['logs', 'traces', 'metrics']));
    const s = await rows(db, `SELECT session_id, processes, prompts, turns FROM sessions WHERE agent = '${AGENT}'`);
    expect(s).toEqual([{ session_id: sessionIdOf('gm09-resume'), processes: 2, prompts: 2, turns: groundTruthResponses('gemini').filter(windowFilter('gm09-resume')).length }]);
  });

  it('environment and session_source follow deployment.environment.name and `interactive`', async () => {
    // The captures set neither; gm01 rewritten as if a user had set OTEL_RESOURCE_ATTRIBUTES and
    // run the interactive UI.
    const dir = mkdtempSync(join(tmpdir(), 'gemini-env-'));
    const file = join(dir, 'gm01-env.jsonl');
    const lines = manifest
      .filter((m) => m.session === 'gm01-plain')
      .map((m) => {
        const text = jsonlLines[m.jsonlLine - 1].replace(/"key":"interactive","value":\{"boolValue":false\}/g, '"key":"interactive","value":{"boolValue":true}');
        const b = JSON.parse(text);
        for (const r of [...(b.resourceLogs ?? []), ...(b.resourceSpans ?? []), ...(b.resourceMetrics ?? [])])
          r.resource.attributes.push({ key: 'deployment.environment.name', value: { stringValue: 'staging' } });
        return JSON.stringify(b);
      });
    expect(lines.join('\n')).toContain('"boolValue":true');
    writeFileSync(file, lines.join('\n') + '\n');
    try {
      const db = await loadGemini([file]);
      for (const f of ['sessions', 'model_calls', 'api_attempts'])
        expect(await rows(db, `SELECT DISTINCT environment, session_source FROM ${f}`), f).toEqual([{ environment: 'staging', session_source: 'interactive' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the gm10 outfile alone is one session with exact tokens', async () => {
    const db = await loadGemini([OUTFILE_DIR]);
    const sessions = await rows(db, `SELECT has_logs, has_spans, has_metrics, processes FROM sessions WHERE agent = '${AGENT}'`);
    expect(sessions).toEqual([{ has_logs: true, has_spans: true, has_metrics: true, processes: 1 }]);
    expect(sortedEntries(await tokensByModel(db))).toEqual(sortedEntries(groundTruthByModel('gemini', windowFilter('outfile'))));
    const tools = await rows(db, `SELECT tool_name, outcome, outcome_rule FROM tool_calls WHERE agent = '${AGENT}'`);
    expect(tools.length).toBeGreaterThan(0);
  });
});

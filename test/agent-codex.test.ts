/**
 * Codex CLI mapping (src/model/agents/codex.sql) on the real captures in shared/captures/codex.
 * Expected values are computed from the inputs (mock ground truth, manifest, raw tables), never
 * hard-coded totals. Where Codex never exported something, the exact known difference is asserted.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../src/model/db.js';
import {
  capturePath,
  capturePaths,
  groundTruthByModel,
  readJsonl,
  rows,
  loadDb,
  type GroundTruthLine,
  type Tokens,
} from './helpers/captures.js';

const AGENT = 'codex';

interface ManifestLine {
  session: string;
  signal: 'logs' | 'traces' | 'metrics';
  file: string;
  jsonlLine: number;
}
const manifest = readJsonl<ManifestLine>(capturePath('codex', 'manifest.jsonl'));
/** Raw bodies (raw/NNNN-….gz) of the given signals, optionally only of sessions with these prefixes. */
function rawFiles(signals: ManifestLine['signal'][], sessions?: string[]): string[] {
  return manifest
    .filter((m) => signals.includes(m.signal) && (!sessions || sessions.some((s) => m.session.startsWith(s))))
    .map((m) => capturePath('codex', m.file));
}

type GT = GroundTruthLine & { kind: string; turn_id?: string; originator?: string };
const gtAll = readJsonl<GT>(capturePath('codex', 'mock-ground-truth.jsonl'));
/** The TUI's thread-title side request: its own conversation id, but no user session. */
const TITLE = 'thread_title';
const sessionOf = (scenario: string, model?: string, originator?: string): string => {
  const ids = [
    ...new Set(
      gtAll
        .filter((g) => g.scenario === scenario && (!model || g.model === model) && (!originator || g.originator === originator))
        .map((g) => g.session_id!),
    ),
  ];
  expect(ids, `ground truth session of ${scenario}/${model ?? ''}/${originator ?? ''}`).toHaveLength(1);
  return ids[0];
};

async function tokensByModel(db: Db, where = 'true'): Promise<Map<string, Tokens>> {
  const r = await rows(
    db,
    `SELECT model, sum(input) AS input, sum(cache_read) AS cache_read, sum(cache_write) AS cache_write,
            sum(output) AS output, sum(reasoning) AS reasoning, count(*) AS calls
     FROM model_calls WHERE agent = '${AGENT}' AND (${where}) GROUP BY model`,
  );
  return new Map(
    r.map((x) => [
      x.model as string,
      {
        input: Number(x.input),
        cacheRead: Number(x.cache_read),
        cacheWrite: Number(x.cache_write),
        output: Number(x.output),
        reasoning: Number(x.reasoning),
        calls: Number(x.calls),
      },
    ]),
  );
}
const sortedEntries = (m: Map<string, Tokens>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
const withoutCalls = (m: Map<string, Tokens>) =>
  sortedEntries(m).map(([k, { calls: _c, ...t }]) => [k, t] as const);

/** Error attempts (status ≥ 400) per "model status" from the facts and from the ground truth. */
async function errorCounts(db: Db, where = 'true'): Promise<Record<string, number>> {
  const r = await rows(
    db,
    `SELECT model, status_code, count(*) AS n FROM api_attempts
     WHERE agent = '${AGENT}' AND status_code >= 400 AND (${where}) GROUP BY ALL`,
  );
  return Object.fromEntries(r.map((x) => [`${x.model} ${x.status_code}`, Number(x.n)]));
}
function gtErrorCounts(filter: (g: GT) => boolean = () => true): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of gtAll.filter((g) => g.kind === 'error' && filter(g))) out[`${g.model} ${g.status}`] = (out[`${g.model} ${g.status}`] ?? 0) + 1;
  return out;
}

/** A fact table's codex rows, JSON columns parsed with sorted keys, rows sorted: comparable across loads. */
async function factSnapshot(db: Db): Promise<Record<string, unknown[]>> {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, norm(x)]));
    if (typeof v === 'string' && (v.startsWith('{') || v.startsWith('['))) {
      try {
        return norm(JSON.parse(v));
      } catch {
        return v;
      }
    }
    return v;
  };
  const out: Record<string, unknown[]> = {};
  for (const t of ['sessions', 'model_calls', 'api_attempts', 'tool_calls']) {
    const r = await rows(db, `SELECT * FROM ${t} WHERE agent = '${AGENT}'`);
    out[t] = r.map((x) => JSON.stringify(norm(x))).sort();
  }
  const c = await rows(db, 'SELECT * FROM codex_agent_costs');
  out.codex_agent_costs = c.map((x) => JSON.stringify(norm(x))).sort();
  return out;
}

let db: Db;
beforeAll(async () => {
  db = await loadDb(capturePaths(AGENT));
});
afterAll(() => db?.close());

describe('codex: tokens', () => {
  test('per-model totals equal the mock ground truth exactly (all 30 successful responses)', async () => {
    const got = await tokensByModel(db);
    expect(sortedEntries(got)).toEqual(sortedEntries(groundTruthByModel(AGENT)));
  });

  test('each response is counted once, from the logs (spans and metrics repeat it)', async () => {
    const r = await rows(db, `SELECT source, count(*) AS n FROM model_calls WHERE agent = '${AGENT}' GROUP BY source`);
    expect(r).toEqual([{ source: 'logs: codex.sse_event', n: String(groundTruthResponsesCount()) }]);
  });

  test('Codex cost is per turn: agent_cost_usd stays NULL; codex_agent_costs holds the TUI turn costs', async () => {
    const r = await rows(db, `SELECT count(*) AS n FROM model_calls WHERE agent = '${AGENT}' AND agent_cost_usd IS NOT NULL`);
    expect(r[0].n).toBe('0');
    const tui = sessionOf('tool_ls', 'gpt-5-codex', 'codex-tui');
    const costs = await rows(db, 'SELECT session_id, turn_id, CAST(cost_usd AS VARCHAR) AS usd, source FROM codex_agent_costs ORDER BY turn_id');
    // one codex.turn_cost per TUI turn, including the title side request's turn
    const tuiTurns = [...new Set(gtAll.filter((g) => g.originator === 'codex-tui' && g.turn_id).map((g) => g.turn_id!))].sort();
    expect(costs.map((c) => c.turn_id)).toEqual(tuiTurns);
    // all charged to the TUI session (the title turn's cost goes where its tokens go)
    expect(new Set(costs.map((c) => c.session_id))).toEqual(new Set([tui]));
    expect(new Set(costs.map((c) => c.source))).toEqual(new Set(['logs: codex.turn_cost']));
    // the exact decimal strings of usage.estimated_usd
    const raw = await rows(
      db,
      `SELECT attributes ->> '$."turn.id"' AS turn_id, attributes ->> '$."usage.estimated_usd"' AS usd FROM log_events
       WHERE event_name = 'codex.turn_cost' ORDER BY 1`,
    );
    expect(costs.map((c) => [c.turn_id, c.usd])).toEqual(raw.map((c) => [c.turn_id, c.usd]));
  });
});

function groundTruthResponsesCount(): number {
  return gtAll.filter((g) => g.kind === 'response' && g.status === 200).length;
}

describe('codex: sessions', () => {
  test('one session per real conversation that exported anything: 13 (cx13 exported nothing; the title side thread is folded in)', async () => {
    const sessions = await rows(db, `SELECT session_id FROM sessions WHERE agent = '${AGENT}'`);
    const got = sessions.map((s) => s.session_id as string).sort();
    const seen = new Set(
      (
        await rows(
          db,
          `SELECT DISTINCT attributes ->> '$."conversation.id"' AS c FROM log_events WHERE (attributes ->> '$."conversation.id"') IS NOT NULL
           UNION SELECT DISTINCT attributes ->> '$."conversation.id"' FROM span_facts WHERE (attributes ->> '$."conversation.id"') IS NOT NULL`,
        )
      ).map((r) => r.c as string),
    );
    const gtSessions = [...new Set(gtAll.filter((g) => g.scenario !== TITLE).map((g) => g.session_id!))];
    const exported = gtSessions.filter((s) => seen.has(s)).sort();
    expect(got).toEqual(exported);
    expect(got).toHaveLength(13);
    // the only ground-truth session without any telemetry is the immediate HTTP 400 (cx13)
    expect(gtSessions.filter((s) => !seen.has(s))).toEqual([sessionOf('fatal400')]);
    expect(got).not.toContain(sessionOf(TITLE));
  });

  test('a resumed conversation (codex exec resume) is one session with 2 processes; duration = sum of its session_loop spans', async () => {
    const id = sessionOf('turn2');
    const [s] = await rows(db, `SELECT * FROM sessions WHERE agent = '${AGENT}' AND session_id = $id`, { id });
    const loops = await rows(
      db,
      `SELECT sum(duration_ms) AS d, min(start_ts) AS s, max(end_ts) AS e, count(*) AS n FROM span_facts
       WHERE name = 'session_loop' AND (attributes ->> '$.thread_id') = $id`,
      { id },
    );
    expect(Number(loops[0].n)).toBe(2);
    expect(s.processes).toBe(2);
    expect(s.prompts).toBe(2);
    expect(s.turns).toBe(new Set(gtAll.filter((g) => g.session_id === id && g.turn_id).map((g) => g.turn_id)).size);
    expect(s.duration_source).toBe('spans: session_loop (sum over processes)');
    expect(s.duration_ms as number).toBeCloseTo(Number(loops[0].d), 3);
    expect(s.start_ts).toBe(loops[0].s);
    expect(s.end_ts).toBe(loops[0].e);
  });

  test('sessions without session_loop spans fall back to first → last record (cx12 logs only; the TUI loop never ended)', async () => {
    const fatal = sessionOf('fatal500', 'gpt-5-codex');
    const tui = sessionOf('tool_ls', 'gpt-5-codex', 'codex-tui');
    for (const id of [fatal, tui]) {
      const [s] = await rows(db, `SELECT * FROM sessions WHERE agent = '${AGENT}' AND session_id = $id`, { id });
      const ev = await rows(
        db,
        // every record naming the conversation, except the turn cost the daemon reports ~150 s later
        `SELECT min(ts) AS s, max(ts) AS e FROM (
           SELECT ts FROM log_events WHERE (attributes ->> '$."conversation.id"') = $id AND event_name <> 'codex.turn_cost'
           UNION ALL SELECT make_timestamp(time_unix_nano // 1000) FROM span_events WHERE (attributes ->> '$."conversation.id"') = $id
           UNION ALL SELECT start_ts FROM span_facts WHERE coalesce(attributes ->> '$."conversation.id"', attributes ->> '$.thread_id') = $id
           UNION ALL SELECT end_ts FROM span_facts WHERE coalesce(attributes ->> '$."conversation.id"', attributes ->> '$.thread_id') = $id)`,
        { id },
      );
      expect(s.duration_source).toBe('events: first→last record');
      expect(s.start_ts).toBe(ev[0].s);
      expect(s.end_ts).toBe(ev[0].e);
    }
    const [f] = await rows(db, `SELECT has_logs, has_spans, has_metrics, session_source FROM sessions WHERE session_id = $id`, { id: fatal });
    expect(f).toEqual({ has_logs: true, has_spans: false, has_metrics: false, session_source: null });
  });

  test('every other session has its duration from the session_loop root span', async () => {
    const r = await rows(db, `SELECT count(*) AS n FROM sessions WHERE agent = '${AGENT}' AND duration_source LIKE 'spans: session_loop%'`);
    const loops = await rows(db, `SELECT count(DISTINCT attributes ->> '$.thread_id') AS n FROM span_facts WHERE name = 'session_loop'`);
    // every thread with a session_loop is a session, except the TUI's title side thread
    expect(Number(r[0].n)).toBe(Number(loops[0].n) - 1);
  });

  test('the TUI session: originator codex-tui, session_source vscode, and the title side request folded in', async () => {
    const tui = sessionOf('tool_ls', 'gpt-5-codex', 'codex-tui');
    const title = sessionOf(TITLE);
    const [s] = await rows(db, `SELECT * FROM sessions WHERE agent = '${AGENT}' AND session_id = $id`, { id: tui });
    expect(s.originator).toBe('codex-tui');
    expect(s.session_source).toBe('vscode');
    expect(s.prompts).toBe(2); // the title request's synthetic prompt is not a user prompt
    expect(s.processes).toBe(1);
    // the model calls of both conversations are the TUI session's, each once
    const calls = await rows(db, `SELECT count(*) AS n, sum(input) AS input FROM model_calls WHERE session_id = $id`, { id: tui });
    const gt = gtAll.filter((g) => g.kind === 'response' && g.status === 200 && (g.session_id === tui || g.session_id === title));
    expect(Number(calls[0].n)).toBe(gt.length);
    expect(Number(calls[0].input)).toBe(gt.reduce((a, g) => a + g.usage!.input_tokens, 0));
    const orphan = await rows(db, `SELECT count(*) AS n FROM model_calls WHERE session_id = $id`, { id: title });
    expect(orphan[0].n).toBe('0');
  });

  test('every model call, attempt and tool call belongs to a session, with its session_source', async () => {
    for (const t of ['model_calls', 'api_attempts', 'tool_calls']) {
      const r = await rows(
        db,
        `SELECT count(*) AS n FROM ${t} f LEFT JOIN sessions s ON s.agent = f.agent AND s.session_id = f.session_id
         WHERE f.agent = '${AGENT}' AND (s.session_id IS NULL OR f.session_source IS DISTINCT FROM s.session_source)`,
      );
      expect(r[0].n, t).toBe('0');
    }
  });

  test('session_source comes from metrics: exec for codex exec (also with the codex_vscode override), vscode for the TUI', async () => {
    const r = await rows(db, `SELECT originator, session_source, count(*) AS n FROM sessions WHERE agent = '${AGENT}' GROUP BY ALL ORDER BY ALL`);
    expect(r).toEqual([
      { originator: 'codex-tui', session_source: 'vscode', n: '1' },
      { originator: 'codex_exec', session_source: 'exec', n: '10' },
      { originator: 'codex_exec', session_source: null, n: '1' }, // cx12: no metrics exported
      { originator: 'codex_vscode', session_source: 'exec', n: '1' },
    ]);
    const env = await rows(db, `SELECT DISTINCT environment FROM sessions WHERE agent = '${AGENT}'`);
    expect(env).toEqual([{ environment: 'capture' }]);
  });
});

describe('codex: API attempts', () => {
  test('429 and 5xx attempts per model equal the ground truth, except what Codex never exported', async () => {
    const got = await errorCounts(db);
    const fatal500 = sessionOf('fatal500', 'gpt-5-codex');
    const fatal400 = sessionOf('fatal400');
    // Every other session: exactly the ground truth.
    expect(await errorCounts(db, `session_id NOT IN ('${fatal500}')`)).toEqual(
      gtErrorCounts((g) => g.session_id !== fatal500 && g.session_id !== fatal400),
    );
    // cx12: 12 HTTP 500s were served (4 HTTP attempts × 3 stream-level series), but the process
    // exited after the last one before the log exporter flushed it: 11 were exported.
    const gt12 = gtErrorCounts((g) => g.session_id === fatal500);
    const raw12 = await rows(db, `SELECT count(*) AS n FROM log_events WHERE event_name = 'codex.api_request' AND (attributes ->> '$."conversation.id"') = $id`, {
      id: fatal500,
    });
    expect(gt12).toEqual({ 'gpt-5-codex 500': 12 });
    expect(Number(raw12[0].n)).toBe(11);
    expect(await errorCounts(db, `session_id = '${fatal500}'`)).toEqual({ 'gpt-5-codex 500': 11 });
    // cx13: the HTTP 400 exported nothing at all.
    expect(gtErrorCounts((g) => g.session_id === fatal400)).toEqual({ 'o4-mini 400': 1 });
    expect(got['o4-mini 400']).toBeUndefined();
    // overall: ground truth minus exactly those two attempts
    const expected = gtErrorCounts();
    expected['gpt-5-codex 500'] -= 1;
    delete expected['o4-mini 400'];
    expect(got).toEqual(expected);
  });

  test('200 attempts per model equal the ground truth responses (including the response.failed stream)', async () => {
    const r = await rows(db, `SELECT model, count(*) AS n FROM api_attempts WHERE agent = '${AGENT}' AND status_code = 200 GROUP BY model`);
    const gt: Record<string, number> = {};
    for (const g of gtAll.filter((g) => g.status === 200)) gt[g.model] = (gt[g.model] ?? 0) + 1;
    expect(Object.fromEntries(r.map((x) => [x.model, Number(x.n)]))).toEqual(gt);
    const rep = await rows(db, `SELECT bool_and(status_reported) AS all_reported, count(DISTINCT source) AS sources FROM api_attempts WHERE agent = '${AGENT}'`);
    expect(rep[0]).toEqual({ all_reported: true, sources: '1' });
  });

  test('retries: any attempt after a failed attempt of the same turn, not only Codex attempt > 0', async () => {
    const seq = async (id: string) =>
      (
        await rows(db, `SELECT status_code, attempt, is_retry, is_error, error_type FROM api_attempts WHERE session_id = $id ORDER BY ts`, { id })
      ).map((x) => `${x.status_code}#${x.attempt}${x.is_retry ? 'r' : ''}${x.is_error ? '!' : ''}`);
    // cx04: 429 goes to a stream-level retry; Codex's attempt stays 0 for both
    expect(await seq(sessionOf('err429'))).toEqual(['429#1!', '200#2r']);
    // cx05: 500@0 503@1 200@2
    expect(await seq(sessionOf('err500'))).toEqual(['500#1!', '503#2r!', '200#3r']);
    // cx08: ten 500s in three series (attempt 0..3, 0..3, 0..1), success on attempt 11
    const cx08 = await seq(sessionOf('fatal500', 'o4-mini'));
    expect(cx08).toEqual([...Array.from({ length: 10 }, (_, i) => `500#${i + 1}${i ? 'r' : ''}!`), '200#11r']);
    // cx07: HTTP 200 whose SSE stream ended with response.failed, then the reconnect
    expect(await seq(sessionOf('stream_fail'))).toEqual(['200#1!', '200#2r']);
    const [sf] = await rows(db, `SELECT error_type FROM api_attempts WHERE session_id = $id AND is_error`, { id: sessionOf('stream_fail') });
    expect(sf.error_type).toBe('stream_failed');
    // cx06: 200, 429→200, 500→200, 200, 200: new requests after successes are not retries
    expect(await seq(sessionOf('multi', 'gpt-5-codex', 'codex_exec'))).toEqual(['200#1', '429#1!', '200#2r', '500#1!', '200#2r', '200#1', '200#1']);
  });
});

describe('codex: tool calls', () => {
  test('Codex says success=true for every call; the exit code in the output decides', async () => {
    const r = await rows(
      db,
      `SELECT session_id, list_sort(list(exit_code) FILTER (WHERE outcome = 'failure')) AS failed_exit_codes,
              count(*) FILTER (WHERE outcome = 'failure') AS failures, bool_and(agent_success) AS agent_says_ok,
              list_distinct(list(outcome_rule)) AS rules, list_distinct(list(decision)) AS decisions
       FROM tool_calls WHERE agent = '${AGENT}' GROUP BY session_id`,
    );
    const by = Object.fromEntries(r.map((x) => [x.session_id as string, x]));
    for (const x of r) {
      expect(x.agent_says_ok).toBe(true);
      expect(x.rules).toEqual(['exit code in output']);
      expect(x.decisions).toEqual(['accepted']);
    }
    // README §1: cx03 `cat does-not-exist.txt` (exit 1) then `exit 3`; cx10 the same over gRPC;
    // cx06 and the TUI's `multi` prompt: the last command (grep -c nomatch) exits 1.
    expect(by[sessionOf('tool_fail', 'o4-mini')].failed_exit_codes).toEqual([1, 3]);
    expect(by[sessionOf('tool_fail', 'gpt-5-codex')].failed_exit_codes).toEqual([1, 3]);
    expect(by[sessionOf('multi', 'gpt-5-codex', 'codex_exec')].failed_exit_codes).toEqual([1]);
    expect(by[sessionOf('multi', 'gpt-5-codex', 'codex-tui')].failed_exit_codes).toEqual([1]);
    expect(Number(by[sessionOf('tool_ls', 'gpt-5-codex', 'codex_exec')].failures)).toBe(0);
    expect(Number(by[sessionOf('tool_ls', 'o4-mini')].failures)).toBe(0);
    // one row per codex.tool_result
    const raw = await rows(db, `SELECT count(*) AS n FROM log_events WHERE event_name = 'codex.tool_result'`);
    const all = await rows(db, `SELECT count(*) AS n, count(*) FILTER (WHERE NOT success) AS f FROM tool_calls WHERE agent = '${AGENT}'`);
    expect(all[0].n).toBe(raw[0].n);
    expect(all[0].f).toBe('6');
  });

  test('no prompt, tool arguments or output in the exposed attributes', async () => {
    for (const t of ['model_calls', 'api_attempts', 'tool_calls']) {
      const r = await rows(
        db,
        `SELECT count(*) AS n FROM ${t} WHERE agent = '${AGENT}' AND (
           (attributes ->> '$.prompt') IS NOT NULL OR (attributes ->> '$.output') IS NOT NULL OR (attributes ->> '$.arguments') IS NOT NULL
           OR CAST(attributes AS VARCHAR) LIKE '%Process exited%' OR CAST(attributes AS VARCHAR) LIKE '%[[scenario:%')`,
      );
      expect(r[0].n, t).toBe('0');
    }
  });
});

describe('codex: robustness', () => {
  const reordered = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-facts-'));
    const p = join(dir, 'otlp-reversed.jsonl');
    writeFileSync(p, readFileSync(capturePath('codex', 'otlp.jsonl'), 'utf8').split('\n').filter(Boolean).reverse().join('\n') + '\n');
    return p;
  };
  test.each([
    ['the JSONL twice', () => [...capturePaths(AGENT), ...capturePaths(AGENT)]],
    ['the JSONL and a reordered copy of it', () => [...capturePaths(AGENT), reordered()]],
    ['the JSONL and all raw bodies (JSON and protobuf)', () => [...capturePaths(AGENT), ...rawFiles(['logs', 'traces', 'metrics'])]],
  ])('loading %s gives identical facts', async (_name, paths) => {
    const d2 = await loadDb(paths());
    try {
      expect(await factSnapshot(d2)).toEqual(await factSnapshot(db));
    } finally {
      d2.close();
    }
  });

  test('logs only (as a failed run exports): sessions, exact tokens and errors; the title thread cannot be told apart', async () => {
    const d = await loadDb(rawFiles(['logs']));
    try {
      expect(sortedEntries(await tokensByModel(d))).toEqual(sortedEntries(groundTruthByModel(AGENT)));
      expect(await errorCounts(d)).toEqual(await errorCounts(db));
      const s = await rows(d, `SELECT session_id, duration_source FROM sessions WHERE agent = '${AGENT}'`);
      const full = await rows(db, `SELECT session_id FROM sessions WHERE agent = '${AGENT}'`);
      // Known difference: without spans the ephemeral flag of the title thread is missing, so it
      // is a session of its own (with its one model call).
      expect(s.map((x) => x.session_id).sort()).toEqual([...full.map((x) => x.session_id), sessionOf(TITLE)].sort());
      expect(new Set(s.map((x) => x.duration_source))).toEqual(new Set(['events: first→last record']));
      const tools = await rows(d, `SELECT count(*) FILTER (WHERE outcome = 'failure') AS f FROM tool_calls WHERE agent = '${AGENT}'`);
      expect(tools[0].f).toBe('6');
    } finally {
      d.close();
    }
  });

  test('traces only: tokens from handle_responses spans, attempts from span events, tools only with the agent flag', async () => {
    const d = await loadDb(rawFiles(['traces']));
    try {
      expect(sortedEntries(await tokensByModel(d))).toEqual(sortedEntries(groundTruthByModel(AGENT)));
      const src = await rows(d, `SELECT DISTINCT source FROM model_calls WHERE agent = '${AGENT}'`);
      expect(src).toEqual([{ source: 'spans: handle_responses' }]);
      // cx12 exported no spans: its 11 attempts and its session are missing; all else is exact
      const fatal500 = sessionOf('fatal500', 'gpt-5-codex');
      expect(await errorCounts(d)).toEqual(await errorCounts(db, `session_id <> '${fatal500}'`));
      const s = await rows(d, `SELECT session_id FROM sessions WHERE agent = '${AGENT}' ORDER BY 1`);
      const full = await rows(db, `SELECT session_id FROM sessions WHERE agent = '${AGENT}' AND session_id <> $id ORDER BY 1`, { id: fatal500 });
      expect(s).toEqual(full); // the title thread is recognized (ephemeral) and folded in
      // Known difference: span events carry no tool output, so the lying agent flag is all there is.
      const t = await rows(d, `SELECT outcome, outcome_rule, count(*) AS n FROM tool_calls WHERE agent = '${AGENT}' GROUP BY ALL`);
      expect(t).toEqual([{ outcome: 'success', outcome_rule: 'agent flag (no exit code exported)', n: '15' }]);
    } finally {
      d.close();
    }
  });

  test('metrics only: exact token totals from codex.turn.token_usage (calls are turns), errors from codex.api_request counts', async () => {
    const d = await loadDb(rawFiles(['metrics']));
    try {
      const got = await tokensByModel(d);
      expect(withoutCalls(got)).toEqual(withoutCalls(groundTruthByModel(AGENT)));
      // a metric point aggregates the turns that ended in its export window: one row per window
      const windows = await rows(
        d,
        `SELECT attributes ->> '$.model' AS model, count(DISTINCT time_unix_nano) AS n FROM metric_histogram_points
         WHERE metric_name = 'codex.turn.token_usage' GROUP BY 1`,
      );
      expect(Object.fromEntries(sortedEntries(got).map(([m, t]) => [m, t.calls]))).toEqual(
        Object.fromEntries(windows.map((w) => [w.model, Number(w.n)])),
      );
      const fatal500 = sessionOf('fatal500', 'gpt-5-codex');
      expect(await errorCounts(d)).toEqual(await errorCounts(db, `session_id <> '${fatal500}'`));
      const s = await rows(d, `SELECT count(*) AS n FROM sessions WHERE agent = '${AGENT}'`);
      expect(s[0].n).toBe('0'); // metrics name no conversation
    } finally {
      d.close();
    }
  });

  test.each([
    ['logs of cx01–cx07 + metrics of all', () => [...rawFiles(['logs'], ['cx01', 'cx02', 'cx03', 'cx04', 'cx05', 'cx06', 'cx07']), ...rawFiles(['metrics'])]],
    ['spans of all + logs of cx01, cx03, cx14 + metrics of all', () => [...rawFiles(['traces']), ...rawFiles(['logs'], ['cx01', 'cx03', 'cx14']), ...rawFiles(['metrics'])]],
    [
      'a patchwork (each session through another signal)',
      () => [...rawFiles(['logs'], ['cx08', 'cx09']), ...rawFiles(['traces'], ['cx09', 'cx10', 'cx11']), ...rawFiles(['metrics'], ['cx01', 'cx02', 'cx14'])],
    ],
  ])('mixed signals (%s): exact tokens, metrics never double count logs or spans', async (_name, files) => {
    const paths = files();
    const d = await loadDb(paths);
    try {
      const present = new Set(manifest.filter((m) => paths.includes(capturePath('codex', m.file))).map((m) => m.session));
      const ids = new Set([...present].flatMap((s) => [...conversationIdsOf(s)]));
      const expected = groundTruthByModel(AGENT, (g) => ids.has(g.session_id!));
      expect(withoutCalls(await tokensByModel(d))).toEqual(withoutCalls(expected));
    } finally {
      d.close();
    }
  });
});

/** Conversation ids named by a capture session's log and trace requests (metrics name none). */
function conversationIdsOf(session: string): Set<string> {
  const lines = readFileSync(capturePath('codex', 'otlp.jsonl'), 'utf8').split('\n');
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, any>;
      if ((o.key === 'conversation.id' || o.key === 'thread_id') && typeof o.value?.stringValue === 'string') out.add(o.value.stringValue);
      Object.values(o).forEach(walk);
    }
  };
  for (const m of manifest.filter((x) => x.session === session && x.signal !== 'metrics')) walk(JSON.parse(lines[m.jsonlLine - 1]));
  return out;
}

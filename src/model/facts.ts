/**
 * The normalized facts every agent mapping produces, and the build that unions them.
 *
 * An agent is one SQL file `src/model/agents/<agent>.sql` defining four views
 * `<agent>_sessions`, `<agent>_model_calls`, `<agent>_api_attempts`, `<agent>_tool_calls` with
 * exactly the columns below (any order). The build materialises the union of all agents into the
 * tables `sessions`, `model_calls`, `api_attempts`, `tool_calls`, which panels query.
 *
 * Token fields (model_calls), the heart of the product:
 *   input       all prompt tokens, INCLUDING cache reads and cache writes
 *   cache_read  prompt tokens read from cache
 *   cache_write prompt tokens written to cache (total); cache_write_5m / _1h: Anthropic breakdown
 *   output      all output tokens, INCLUDING reasoning
 *   reasoning   reasoning / thinking tokens
 * One row per model response, counted once even though logs, spans and metrics all repeat it.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SqlError } from '../errors.js';
import { lap } from '../timing.js';
import type { Db } from './db.js';
import { querySqlFile, runSqlFile, sqlText, withMemoryShare } from './db.js';
import { AGENT_FILES, BASE_FILES } from './registry.js';

export const FACTS = {
  sessions: [
    ['agent', 'VARCHAR'],
    ['session_id', 'VARCHAR'],
    ['originator', 'VARCHAR'],
    ['session_source', 'VARCHAR'],
    ['environment', 'VARCHAR'],
    ['models', 'VARCHAR[]'],
    ['start_ts', 'TIMESTAMP'],
    ['end_ts', 'TIMESTAMP'],
    ['duration_ms', 'DOUBLE'],
    // e.g. 'spans: session_loop', 'spans: claude_code.interaction', 'events' (first→last record)
    ['duration_source', 'VARCHAR'],
    // processes that took part (a resumed session has 2+)
    ['processes', 'INTEGER'],
    ['prompts', 'INTEGER'],
    ['turns', 'INTEGER'],
    ['has_logs', 'BOOLEAN'],
    ['has_spans', 'BOOLEAN'],
    ['has_metrics', 'BOOLEAN'],
    ['resource_attributes', 'JSON'],
  ],
  model_calls: [
    ['agent', 'VARCHAR'],
    ['session_id', 'VARCHAR'],
    ['call_id', 'VARCHAR'],
    ['model', 'VARCHAR'],
    ['ts', 'TIMESTAMP'],
    ['environment', 'VARCHAR'],
    ['originator', 'VARCHAR'],
    ['session_source', 'VARCHAR'],
    ['input', 'BIGINT'],
    ['cache_read', 'BIGINT'],
    ['cache_write', 'BIGINT'],
    ['cache_write_5m', 'BIGINT'],
    ['cache_write_1h', 'BIGINT'],
    ['output', 'BIGINT'],
    ['reasoning', 'BIGINT'],
    // what the agent itself said this call cost (Claude Code cost_usd), NULL when it did not say
    ['agent_cost_usd', 'DECIMAL(18,9)'],
    // which signal the usage came from, e.g. 'logs: codex.sse_event', 'metrics: gemini_cli.token.usage'
    ['source', 'VARCHAR'],
    ['resource_attributes', 'JSON'],
    ['attributes', 'JSON'],
  ],
  api_attempts: [
    ['agent', 'VARCHAR'],
    ['session_id', 'VARCHAR'],
    ['model', 'VARCHAR'],
    ['ts', 'TIMESTAMP'],
    ['environment', 'VARCHAR'],
    ['originator', 'VARCHAR'],
    ['session_source', 'VARCHAR'],
    // groups the attempts of one logical request when the agent says so, else NULL
    ['request_id', 'VARCHAR'],
    // 1 = first try, 2 = first retry, …; NULL when unknown
    ['attempt', 'INTEGER'],
    ['status_code', 'INTEGER'],
    // false when the agent does not report this attempt's HTTP status (Claude Code retries)
    ['status_reported', 'BOOLEAN'],
    ['is_error', 'BOOLEAN'],
    // this attempt repeats an earlier failed attempt of the same request
    ['is_retry', 'BOOLEAN'],
    ['duration_ms', 'DOUBLE'],
    ['error_type', 'VARCHAR'],
    // short error text (e.g. 'http 500'); never request or response content
    ['error_message', 'VARCHAR'],
    ['source', 'VARCHAR'],
    ['resource_attributes', 'JSON'],
    ['attributes', 'JSON'],
  ],
  tool_calls: [
    ['agent', 'VARCHAR'],
    ['session_id', 'VARCHAR'],
    ['call_id', 'VARCHAR'],
    ['tool_name', 'VARCHAR'],
    ['model', 'VARCHAR'],
    ['ts', 'TIMESTAMP'],
    ['environment', 'VARCHAR'],
    ['originator', 'VARCHAR'],
    ['session_source', 'VARCHAR'],
    ['duration_ms', 'DOUBLE'],
    // 'accepted' | 'rejected' | NULL (not reported)
    ['decision', 'VARCHAR'],
    // the agent's own success flag, as reported (it can lie: see outcome_rule)
    ['agent_success', 'BOOLEAN'],
    ['success', 'BOOLEAN'],
    // 'success' | 'failure' | 'rejected'
    ['outcome', 'VARCHAR'],
    // which rule decided, e.g. 'exit code in output', 'metadata.exitCode', 'agent flag', 'rejected by permission policy'
    ['outcome_rule', 'VARCHAR'],
    ['exit_code', 'INTEGER'],
    ['error_type', 'VARCHAR'],
    ['resource_attributes', 'JSON'],
    ['attributes', 'JSON'],
  ],
} as const;

export type FactName = keyof typeof FACTS;

/**
 * The version of the model: a hash of every SQL text that shapes the facts. Facts stored in a
 * database are reused only when they were built by the same version from the same loads.
 */
export function modelVersion(): string {
  const h = createHash('sha1');
  for (const f of [...BASE_FILES, ...AGENT_FILES.map((a) => a.file)]) h.update(sqlText(f));
  h.update(JSON.stringify(FACTS));
  return h.digest('hex').slice(0, 16);
}

/** Whether the stored fact tables were built by this version from everything loaded so far. */
export async function modelIsCurrent(db: Db): Promise<boolean> {
  const state = (await querySqlFile(db.conn, 'model/sql/model_state_read.sql'))[0];
  return Boolean(state && state.version === modelVersion() && state.max_file_id === state.loaded_max_file_id);
}

/**
 * Create base views, run every agent mapping, then materialise the facts as fact_* tables (kept
 * in a --db file, so later reports skip this step) and record the model state.
 *
 * At three quarters of DuckDB's memory limit: what it holds beyond its own accounting (vectors of
 * large attribute texts, mostly) grows with the limit, and the process stayed within 1 GB on the
 * 1 GB and 5 GB benches only this way (512 MB: peaks of 0.87–0.99 GB and 1.17 GB; 384 MB: 0.75 GB
 * and 0.86 GB, in about the same time). Should DuckDB run out of memory there (it did at 320 MB on
 * the 5 GB bench), the build starts again with the whole limit.
 */
export async function buildModel(db: Db): Promise<void> {
  try {
    await withMemoryShare(db.conn, 0.75, () => buildFacts(db));
  } catch (e) {
    if (!/out of memory/i.test((e as Error).message)) throw e;
    lap('facts ran out of memory at 3/4 of the limit: building them again with the whole limit');
    await buildFacts(db);
  }
}

/** Agents by the time their mapping takes on the 1 GB bench (any other agent goes last). */
const LONGEST_FIRST = ['codex', 'gemini_cli', 'claude_code', 'genai'];

async function buildFacts(db: Db): Promise<void> {
  for (const f of BASE_FILES) await runSqlFile(db.conn, f);
  const casts = (cols: readonly (readonly [string, string])[]) => cols.map(([c, t]) => `CAST(NULL AS ${t}) AS ${quote(c)}`).join(', ');
  for (const [fact, cols] of Object.entries(FACTS)) {
    await runGenerated(db.conn, `CREATE OR REPLACE TABLE fact_${fact} AS SELECT ${casts(cols)} WHERE false`, `fact_${fact}`);
  }
  await runGenerated(
    db.conn,
    'CREATE OR REPLACE TABLE fact_agent_costs (agent VARCHAR, session_id VARCHAR, model VARCHAR, ts TIMESTAMP, cost_usd DECIMAL(18,10), scope VARCHAR, source VARCHAR)',
    'fact_agent_costs',
  );
  // Two agents at a time, each on its own connection (TEMP tables are per connection), as most
  // statements of a mapping are small and run on one core; an agent's helper views are computed
  // once into TEMP tables, its facts appended, then the TEMP tables dropped, so memory holds the
  // intermediate data of two agents at most. The lanes share DuckDB's threads, half each: fewer
  // threads reading the large attribute objects at once hold less memory outside DuckDB's limit
  // (5 GB archive, 512 MB limit: peak RSS 1.0–1.1 GB instead of 1.1–1.3 GB, in no more time).
  // Three lanes kept both cores busy to the end at 1 GB (facts 3.4–4.0 s → 2.4–3.4 s), but at 5 GB
  // three agents' intermediate data did not fit in three quarters of the limit: out of memory after
  // 23 s, then the build again with the whole limit (ingest 2 min 20 s instead of 2 min 12 s).
  // Longest first: codex and gemini_cli start together, claude_code and genai go to whichever
  // lane is free first (registry order put claude_code before gemini_cli, and gemini_cli then ran
  // alone for the last 1.3 s).
  const rank = (agent: string) => (LONGEST_FIRST.includes(agent) ? LONGEST_FIRST.indexOf(agent) : LONGEST_FIRST.length);
  const queue = [...AGENT_FILES].sort((a, b) => rank(a.agent) - rank(b.agent));
  const lane = async () => {
    const conn = await db.instance.connect();
    try {
      await conn.run("SET TimeZone = 'UTC'"); // a session setting (see openDb)
      for (let a = queue.shift(); a; a = queue.shift()) await buildAgent(conn, a);
    } finally {
      conn.closeSync();
    }
  };
  await db.conn.run(`SET threads = ${Math.max(1, Math.floor(availableParallelism() / 2))}`);
  try {
    const lanes = await Promise.allSettled([lane(), lane()]);
    for (const l of lanes) if (l.status === 'rejected') throw l.reason;
  } finally {
    await db.conn.run('RESET threads');
  }
  // Claude Code reports cost per call, on model_calls.
  await runGenerated(
    db.conn,
    `INSERT INTO fact_agent_costs SELECT agent, session_id, model, ts, CAST(agent_cost_usd AS DECIMAL(18,10)), 'call', source FROM fact_model_calls WHERE agent_cost_usd IS NOT NULL`,
    'fact_agent_costs',
  );
  await runSqlFile(db.conn, 'model/sql/model_state_write.sql', { version: modelVersion() });
}

/** Run one agent's mapping and append its facts (and its own cost view, if it has one). */
async function buildAgent(conn: DuckDBConnection, a: (typeof AGENT_FILES)[number]): Promise<void> {
  const start = performance.now();
  const read = new Set([...Object.keys(FACTS), 'agent_costs'].map((f) => `${a.agent}_${f}`));
  const helpers = await runMapping(conn, a.file, read);
  for (const [fact, cols] of Object.entries(FACTS)) {
    const select = cols.map(([c, t]) => `CAST(${quote(c)} AS ${t}) AS ${quote(c)}`).join(', ');
    await runGenerated(conn, `INSERT INTO fact_${fact} SELECT ${select} FROM ${a.agent}_${fact}`, `view ${a.agent}_${fact} of src/${a.file}`);
    if (process.env.OTEL_AGENT_REPORT_TIMING === 'views') lap(`  insert fact_${fact} (${a.agent})`);
  }
  // What the agent said things cost, when it reports that apart from calls (Codex: per turn).
  const optional = new Set((await querySqlFile(conn, 'model/sql/agent_cost_views.sql')).map((r) => r.table_name as string));
  if (optional.has(`${a.agent}_agent_costs`)) {
    await runGenerated(
      conn,
      `INSERT INTO fact_agent_costs SELECT ${a.name === null ? 'NULL' : `'${a.name}'`}, session_id, model, ts, CAST(cost_usd AS DECIMAL(18,10)), 'turn', source FROM ${a.agent}_agent_costs`,
      `view ${a.agent}_agent_costs of src/${a.file}`,
    );
  }
  for (const h of helpers) await runGenerated(conn, `DROP TABLE IF EXISTS temp.${quote(h)}`, `view ${h} of src/${a.file}`);
  // (two agents run at once: the phase is since the last one of either, the agent's own time is named)
  lap(`facts of ${a.agent} (${(performance.now() - start).toFixed(0)} ms since it started)`);
}

/**
 * An agent mapping is a chain of views, and a view used by several others would be recomputed
 * (JSON extraction over every record) for each. So each view that later statements name more than
 * once, and each view in `read` (the facts, read after the mapping), is computed once, in file
 * order, into a TEMP table of the same name, which shadows the view for everything after it. A view
 * named once is left a view: the one statement that reads it computes it, once, without a copy.
 * Measured on a 48 MB archive: the facts built in 1.3 s instead of 9 s, and within a 512 MB
 * memory limit that the view chains exceeded.
 * The file is run one statement at a time, each view materialised as soon as it is created (a view
 * is then bound over the TEMP tables before it, not over the whole chain of views beneath: binding
 * the chains cost ~0.3–0.7 s per mapping), and a TEMP table is dropped as soon as nothing after it
 * names it, so memory holds what the rest of the mapping still reads. Returns the TEMP tables left.
 */
async function runMapping(conn: DuckDBConnection, file: string, read: ReadonlySet<string>): Promise<string[]> {
  const text = sqlText(file);
  // A statement starts with CREATE OR REPLACE VIEW|MACRO at the start of a line and runs to the
  // next one (comments included; the file's head comes with the first).
  const starts = [...text.matchAll(/^CREATE OR REPLACE (VIEW|MACRO) (\w+)/gm)];
  const statements = starts.map((m, i) => ({
    kind: m[1],
    name: m[2],
    sql: text.slice(i === 0 ? 0 : m.index, starts[i + 1]?.index),
    code: text.slice(m.index, starts[i + 1]?.index).replace(/--.*$/gm, ''),
  }));
  // How many times each statement names each identifier, counted once per mapping.
  const names = statements.map((st) => {
    const n = new Map<string, number>();
    for (const w of st.code.match(/\b\w+\b/g) ?? []) n.set(w, (n.get(w) ?? 0) + 1);
    return n;
  });
  const mentions = (j: number, name: string) => names[j].get(name) ?? 0;
  const laterMentions = (i: number, name: string) => {
    let n = 0;
    for (let j = i + 1; j < statements.length; j++) n += mentions(j, name);
    return n;
  };
  const materialized = new Set(statements.filter((s, i) => s.kind === 'VIEW' && (read.has(s.name) || laterMentions(i, s.name) > 1)).map((s) => s.name));
  // Whether a statement after the i-th reads `name`, itself or through views left unmaterialised.
  const readAfter = (i: number, name: string): boolean =>
    laterMentions(i, name) > 0 ||
    statements.some((s, j) => j <= i && s.kind === 'VIEW' && s.name !== name && !materialized.has(s.name) && mentions(j, name) > 0 && readAfter(i, s.name));
  const live: string[] = [];
  for (const [i, { kind, name, sql }] of statements.entries()) {
    await runGenerated(conn, sql, `${kind.toLowerCase()} ${name} of src/${file}`);
    if (materialized.has(name)) {
      await runGenerated(conn, `CREATE OR REPLACE TEMP TABLE ${quote(name)} AS SELECT * FROM ${quote(name)}`, `view ${name} of src/${file}`);
      live.push(name);
    }
    // OTEL_AGENT_REPORT_TIMING=views: a phase per statement (for profiling a mapping)
    if (process.env.OTEL_AGENT_REPORT_TIMING === 'views') lap(`  ${kind.toLowerCase()} ${name}${materialized.has(name) ? ' (TEMP table)' : ''}`);
    for (const t of live.filter((t) => !read.has(t) && !readAfter(i, t))) {
      await runGenerated(conn, `DROP TABLE temp.${quote(t)}`, `view ${t} of src/${file}`);
      live.splice(live.indexOf(t), 1);
    }
  }
  return live;
}

/**
 * Make the facts a report works on, in the report's in-memory catalog (report_scope.sql): views
 * of the stored fact_* tables (report_facts.sql) or, with filters or a time zone, tables of the
 * rows kept (report_facts_filtered.sql; parameters tz, since, until, envs, originators, agents,
 * models, each NULL or missing for none). Nothing is written to the store. The connection's default
 * catalog becomes the report's: create nothing meant to be stored on it afterwards.
 */
export async function prepareFacts(db: Db, filter: Record<string, unknown> = {}): Promise<void> {
  await useReportScope(db.conn);
  if (Object.values(filter).every((v) => v === null || v === undefined)) await runSqlFile(db.conn, 'model/sql/report_facts.sql');
  else await runSqlFile(db.conn, 'model/sql/report_facts_filtered.sql', filter);
}

/** Point a connection at the report's catalog (another connection of the same report, too). */
export async function useReportScope(conn: DuckDBConnection): Promise<void> {
  await runSqlFile(conn, 'model/sql/report_scope.sql');
}

/**
 * The union statements are generated from the agent registry (identifiers only, never values);
 * an error names the mapping files involved.
 */
async function runGenerated(conn: DuckDBConnection, sql: string, what: string): Promise<void> {
  try {
    await conn.run(sql);
  } catch (e) {
    throw new SqlError(what, e);
  }
}
function quote(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

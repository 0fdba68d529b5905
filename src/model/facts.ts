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
import type { DuckDBConnection } from '@duckdb/node-api';
import { SqlError } from '../errors.js';
import { lap } from '../timing.js';
import type { Db } from './db.js';
import { querySqlFile, runSqlFile, sqlText } from './db.js';
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
 */
export async function buildModel(db: Db): Promise<void> {
  for (const f of BASE_FILES) await runSqlFile(db.conn, f);
  const casts = (cols: readonly (readonly [string, string])[]) => cols.map(([c, t]) => `CAST(NULL AS ${t}) AS ${quote(c)}`).join(', ');
  for (const [fact, cols] of Object.entries(FACTS)) {
    await runGenerated(db, `CREATE OR REPLACE TABLE fact_${fact} AS SELECT ${casts(cols)} WHERE false`, `fact_${fact}`);
  }
  await runGenerated(
    db,
    'CREATE OR REPLACE TABLE fact_agent_costs (agent VARCHAR, session_id VARCHAR, model VARCHAR, ts TIMESTAMP, cost_usd DECIMAL(18,10), scope VARCHAR, source VARCHAR)',
    'fact_agent_costs',
  );
  const optional = new Set<string>();
  // One agent at a time: its helper views are computed once into TEMP tables, its facts appended,
  // then the TEMP tables dropped, so memory holds one agent's intermediate data at most.
  for (const a of AGENT_FILES) {
    await runSqlFile(db.conn, a.file);
    const helpers = await materializeHelpers(db, a.file);
    for (const [fact, cols] of Object.entries(FACTS)) {
      const select = cols.map(([c, t]) => `CAST(${quote(c)} AS ${t}) AS ${quote(c)}`).join(', ');
      await runGenerated(db, `INSERT INTO fact_${fact} SELECT ${select} FROM ${a.agent}_${fact}`, `view ${a.agent}_${fact} of src/${a.file}`);
    }
    // What the agent said things cost, when it reports that apart from calls (Codex: per turn).
    for (const r of await querySqlFile(db.conn, 'model/sql/agent_cost_views.sql')) optional.add(r.table_name as string);
    if (optional.has(`${a.agent}_agent_costs`)) {
      await runGenerated(
        db,
        `INSERT INTO fact_agent_costs SELECT ${a.name === null ? 'NULL' : `'${a.name}'`}, session_id, model, ts, CAST(cost_usd AS DECIMAL(18,10)), 'turn', source FROM ${a.agent}_agent_costs`,
        `view ${a.agent}_agent_costs of src/${a.file}`,
      );
    }
    for (const h of helpers) await runGenerated(db, `DROP TABLE IF EXISTS temp.${quote(h)}`, `view ${h} of src/${a.file}`);
    lap(`facts of ${a.agent}`);
  }
  // Claude Code reports cost per call, on model_calls.
  await runGenerated(
    db,
    `INSERT INTO fact_agent_costs SELECT agent, session_id, model, ts, CAST(agent_cost_usd AS DECIMAL(18,10)), 'call', source FROM fact_model_calls WHERE agent_cost_usd IS NOT NULL`,
    'fact_agent_costs',
  );
  await runSqlFile(db.conn, 'model/sql/model_state_write.sql', { version: modelVersion() });
}

/**
 * An agent mapping is a chain of views, and a view used by several others would be recomputed
 * (JSON extraction over every record) for each. So each view, the fact views included (one fact
 * may read another, e.g. sessions read model_calls), is computed once, in file order, into a TEMP
 * table of the same name, which shadows the view for everything after it.
 * Measured on a 48 MB archive: the facts built in 1.3 s instead of 9 s, and within a 512 MB
 * memory limit that the view chains exceeded.
 */
async function materializeHelpers(db: Db, file: string): Promise<string[]> {
  const done: string[] = [];
  for (const m of sqlText(file).matchAll(/^CREATE OR REPLACE VIEW (\w+)/gm)) {
    await runGenerated(db, `CREATE OR REPLACE TEMP TABLE ${quote(m[1])} AS SELECT * FROM ${quote(m[1])}`, `view ${m[1]} of src/${file}`);
    done.push(m[1]);
  }
  return done;
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
async function runGenerated(db: Db, sql: string, what: string): Promise<void> {
  try {
    await db.conn.run(sql);
  } catch (e) {
    throw new SqlError(what, e);
  }
}
function quote(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

/**
 * Every SQL file the program runs, by path relative to src/. A test checks this list against the
 * .sql files on disk both ways: a file without an entry, or an entry without a file, fails.
 */

/** Raw schema, one object per file, created in this order. */
export const SCHEMA_FILES = [
  'model/schema/01_resources.sql',
  'model/schema/02_scopes.sql',
  'model/schema/03_spans.sql',
  'model/schema/04_span_events.sql',
  'model/schema/05_span_links.sql',
  'model/schema/06_logs.sql',
  'model/schema/07_metric_number_points.sql',
  'model/schema/08_metric_histogram_points.sql',
  'model/schema/09_metric_exp_histogram_points.sql',
  'model/schema/10_metric_summary_points.sql',
  'model/schema/11_ingest_files.sql',
  'model/schema/12_ingest_errors.sql',
  'model/schema/13_model_state.sql',
  'model/schema/14_ingest_file_stats.sql',
] as const;

/** Tables that hold records and take part in the de-duplicated load. */
export const RECORD_TABLES = [
  'spans',
  'span_events',
  'span_links',
  'logs',
  'metric_number_points',
  'metric_histogram_points',
  'metric_exp_histogram_points',
  'metric_summary_points',
] as const;

/** Loader statements. */
export const INGEST_FILES = [
  'ingest/sql/load_csv.sql',
  'ingest/sql/dedup.sql',
  'ingest/sql/drop_files.sql',
  'ingest/sql/new_counts.sql',
  'ingest/sql/known_files.sql',
  'ingest/sql/next_file_id.sql',
  'ingest/sql/file_stats.sql',
  'ingest/sql/forget_file_stats.sql',
] as const;

/** Views over the raw tables that agent mappings build on. */
export const BASE_FILES = ['model/base/01_log_events.sql', 'model/base/02_span_facts.sql', 'model/base/03_metric_points.sql'] as const;

/**
 * Agent mappings: one file each, defining <agent>_sessions, <agent>_model_calls,
 * <agent>_api_attempts and <agent>_tool_calls (columns: FACTS in facts.ts).
 * `genai` maps any other producer of the OTel GenAI semantic conventions.
 */
export const AGENT_FILES: readonly { agent: string; name: string | null; file: string }[] = [
  { agent: 'codex', name: 'codex', file: 'model/agents/codex.sql' },
  { agent: 'claude_code', name: 'claude-code', file: 'model/agents/claude_code.sql' },
  { agent: 'gemini_cli', name: 'gemini-cli', file: 'model/agents/gemini_cli.sql' },
  // name null: the `agent` value is the producer's service.name
  { agent: 'genai', name: null, file: 'model/agents/genai.sql' },
];

/** Model-stage statements run by the pipeline. */
export const MODEL_FILES = [
  'model/sql/price_tables.sql',
  'model/sql/priced_calls.sql',
  'model/sql/model_state_read.sql',
  'model/sql/model_state_write.sql',
  'model/sql/agent_cost_views.sql',
  'model/sql/report_scope.sql',
  'model/sql/report_facts.sql',
  'model/sql/report_facts_filtered.sql',
] as const;

/** Panel SQL: the charted panels, table sections, and helper queries (see src/panels/index.ts). */
export const PANEL_FILES = [
  'panels/tokens.sql',
  'panels/sessions.sql',
  'panels/tools.sql',
  'panels/api_errors.sql',
  'panels/cost.sql',
  'panels/rollups.sql',
  'panels/data_quality.sql',
  'panels/inputs.sql',
  'panels/rollup_groups.sql',
  'panels/count_records.sql',
  'panels/model_ids.sql',
  'panels/priced_calls_once.sql',
] as const;

/** Every registered SQL file. */
export const ALL_SQL_FILES: readonly string[] = [
  ...SCHEMA_FILES,
  ...INGEST_FILES,
  ...BASE_FILES,
  ...AGENT_FILES.map((a) => a.file),
  ...MODEL_FILES,
  ...PANEL_FILES,
];

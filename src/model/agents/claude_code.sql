-- Claude Code (service.name `claude-code`) → the normalized facts (src/model/facts.ts).
-- Signals and their meaning: shared/captures/README.md §3.2; inventory: reference/inventory/claude.md.
--
-- Signal precedence (each usage counted once, README §3.2 and issue 4):
--   tokens    1. `api_request` log events (ints, plus Claude's own cost and the 5m/1h cache split)
--             2. `claude_code.llm_request` spans (same ints, no cost) for requests without a log
--             3. `claude_code.token.usage` DELTA metrics for export windows with neither
--             logs and spans are matched on (session, request_id); metric windows on (session, model, time).
--   attempts  `claude_code.llm_request` spans + their `gen_ai.request.attempt` events (one per HTTP
--             attempt), else `api_request` / `api_error` logs (no retries visible there).
--   tools     `tool_decision` / `tool_result` logs and `claude_code.tool*` spans, joined on tool_use_id.

-- Content keys removed from every attributes object we expose (prompts, responses, tool input and
-- output, commands, paths, error texts that can echo tool output). Merge-patch null deletes a key.
CREATE OR REPLACE MACRO claude_code_strip(j) AS json_merge_patch(j,
  '{"prompt":null,"prompt_text":null,"user_prompt":null,"response":null,"tool_parameters":null,"tool_input":null,"full_command":null,"bash_command":null,"file_path":null,"error":null,"error.message":null,"system_prompt":null,"mcp_tool_input":null,"tool_output":null,"tool_result":null}');

-- ── Raw records of Claude Code, with the session id ─────────────────────────────────────────────
-- A resource is Claude Code's when service.name says so; the scope/metric prefix catches a
-- renamed service (OTEL_SERVICE_NAME). Every record carries `session.id`; spans also carry
-- `gen_ai.conversation.id` (= session id). These are filters on the base views' columns, so they
-- narrow the records before any attribute is read.
CREATE OR REPLACE MACRO claude_code_record(service_name, scope_name) AS
  service_name = 'claude-code' OR scope_name LIKE 'com.anthropic.claude_code%';

CREATE OR REPLACE MACRO claude_code_env(resource_attributes) AS
  coalesce(resource_attributes ->> '$."deployment.environment.name"', resource_attributes ->> '$."deployment.environment"');

-- Log records, with the session id as recorded (read twice below: one scan of the logs).
CREATE OR REPLACE VIEW claude_code_logs_raw AS
SELECT
  l.*,
  (l.attributes ->> '$."session.id"') AS raw_session_id,
  nullif(l.trace_id, '') AS trace_key,
  claude_code_env(l.resource_attributes) AS environment
FROM log_events l
WHERE claude_code_record(l.service_name, l.scope_name);

-- Provisional session ids. `claude -p --continue` starts under a fresh random session.id, emits its
-- startup records with it (managed_settings_resolved, plugin_loaded, and the
-- `claude_code.session.count` point with start_type=continue), then switches to the resumed
-- session's id for everything else (cc10-resume: f22e4108… → 6d96b2e7…). Such an id logs no
-- activity of its own (no prompt, request or tool event; it never has spans). It is folded into
-- the session the same process switched to, found by the per-process `event.sequence` counter,
-- which simply continues across the switch: the first record after the provisional id's last one,
-- from the same resource and user, whose event.sequence is the next number. When no such record
-- exists (logs lost), the id stays a session of its own, without prompts or requests.
-- Only logs are read here: the alias is joined into every Claude view below.
CREATE OR REPLACE VIEW claude_code_session_alias AS
WITH seq AS (
  SELECT
    raw_session_id, resource_id, ts,
    (attributes ->> '$."user.id"') AS user_id,
    TRY_CAST(attributes ->> '$."event.sequence"' AS BIGINT) AS event_seq,
    event_name IN ('user_prompt', 'api_request', 'api_error', 'assistant_response', 'tool_decision', 'tool_result') AS is_activity
  FROM claude_code_logs_raw
  WHERE raw_session_id IS NOT NULL
),
ids AS (
  SELECT raw_session_id, resource_id, user_id, max(ts) AS last_ts, max(event_seq) AS last_seq, bool_or(is_activity) AS active
  FROM seq
  GROUP BY ALL
)
SELECT p.raw_session_id AS alias_id, arg_min(n.raw_session_id, n.ts) AS session_id
FROM ids p
JOIN seq n
  ON n.resource_id = p.resource_id
  AND n.user_id IS NOT DISTINCT FROM p.user_id
  AND n.event_seq = p.last_seq + 1
  AND n.ts >= p.last_ts
  AND n.ts <= p.last_ts + INTERVAL 10 MINUTE
  AND n.raw_session_id <> p.raw_session_id
WHERE NOT p.active
GROUP BY p.raw_session_id;

CREATE OR REPLACE VIEW claude_code_logs AS
SELECT r.*, coalesce(a.session_id, r.raw_session_id) AS session_id
FROM claude_code_logs_raw r LEFT JOIN claude_code_session_alias a ON a.alias_id = r.raw_session_id;

CREATE OR REPLACE VIEW claude_code_spans AS
WITH r AS (
  SELECT
    s.*,
    coalesce(s.attributes ->> '$."session.id"', s.attributes ->> '$."gen_ai.conversation.id"') AS raw_session_id,
    claude_code_env(s.resource_attributes) AS environment
  FROM span_facts s
  WHERE claude_code_record(s.service_name, s.scope_name)
)
SELECT r.*, coalesce(a.session_id, r.raw_session_id) AS session_id
FROM r LEFT JOIN claude_code_session_alias a ON a.alias_id = r.raw_session_id;

CREATE OR REPLACE VIEW claude_code_metrics AS
WITH r AS (
  SELECT
    m.*,
    (m.attributes ->> '$."session.id"') AS raw_session_id,
    claude_code_env(m.resource_attributes) AS environment
  FROM metric_points m
  WHERE m.service_name = 'claude-code' OR m.metric_name LIKE 'claude_code.%'
)
SELECT r.*, coalesce(a.session_id, r.raw_session_id) AS session_id
FROM r LEFT JOIN claude_code_session_alias a ON a.alias_id = r.raw_session_id;

-- ── Model requests (successful and failed), from logs and spans ─────────────────────────────────
-- match_key pairs the log and the span of one request: the API request id when present; else the
-- interaction trace + model + the usage (or the error status), which both signals carry.
-- (The keys are read in one pass over each record's attributes: a[i] is the i-th path.)
CREATE OR REPLACE VIEW claude_code_request_logs AS
WITH l AS (
  SELECT
    l.*,
    json_extract_string(l.attributes, ['$.model', '$.request_id', '$.query_source',
      '$.input_tokens', '$.output_tokens', '$.cache_read_tokens', '$.cache_creation_tokens',
      '$.cache_creation_5m_tokens', '$.cache_creation_1h_tokens', '$.cost_usd_micros', '$.cost_usd',
      '$.status_code', '$.attempt', '$.duration_ms', '$.error']) AS a
  FROM claude_code_logs l
  WHERE l.event_name IN ('api_request', 'api_error')
)
SELECT
  l.session_id, l.ts, l.event_name, l.trace_key, l.record_key,
  a[1] AS model,
  a[2] AS request_id,
  a[3] AS query_source,
  TRY_CAST(a[4] AS BIGINT) AS input_tokens,
  TRY_CAST(a[5] AS BIGINT) AS output_tokens,
  TRY_CAST(a[6] AS BIGINT) AS cache_read_tokens,
  TRY_CAST(a[7] AS BIGINT) AS cache_creation_tokens,
  TRY_CAST(a[8] AS BIGINT) AS cache_creation_5m_tokens,
  TRY_CAST(a[9] AS BIGINT) AS cache_creation_1h_tokens,
  TRY_CAST(a[10] AS BIGINT) AS cost_usd_micros,
  TRY_CAST(a[11] AS DOUBLE) AS cost_usd,
  TRY_CAST(a[12] AS INTEGER) AS status_code,
  TRY_CAST(a[13] AS INTEGER) AS attempt,
  TRY_CAST(a[14] AS DOUBLE) AS duration_ms,
  left(a[15], 200) AS error,
  l.environment, l.service_name, l.resource_attributes, l.attributes
FROM l;

CREATE OR REPLACE VIEW claude_code_request_log_keys AS
SELECT
  *,
  coalesce(request_id, CASE WHEN event_name = 'api_request'
    THEN concat_ws('|', trace_key, model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens)
    ELSE concat_ws('|', trace_key, model, 'error', status_code) END) AS match_key
FROM claude_code_request_logs;

CREATE OR REPLACE VIEW claude_code_request_spans AS
WITH s AS (
  SELECT
    s.*,
    json_extract_string(s.attributes, ['$.model', '$."gen_ai.request.model"', '$.request_id', '$."gen_ai.response.id"',
      '$.query_source_safe', '$.success', '$.input_tokens', '$.output_tokens', '$.cache_read_tokens',
      '$.cache_creation_tokens', '$.status_code', '$.attempt', '$.error_class', '$.error']) AS a
  FROM claude_code_spans s
  WHERE s.name = 'claude_code.llm_request'
)
SELECT
  s.session_id, s.record_key, s.trace_id, s.span_id, s.start_ts, s.end_ts, s.end_time_unix_nano, s.duration_ms, s.status_code AS span_status,
  coalesce(a[1], a[2]) AS model,
  coalesce(a[3], a[4]) AS request_id,
  a[5] AS query_source,
  -- `success` (bool); without it, the span status (2 = ERROR)
  coalesce(TRY_CAST(a[6] AS BOOLEAN), s.status_code <> 2) AS success,
  TRY_CAST(a[7] AS BIGINT) AS input_tokens,
  TRY_CAST(a[8] AS BIGINT) AS output_tokens,
  TRY_CAST(a[9] AS BIGINT) AS cache_read_tokens,
  TRY_CAST(a[10] AS BIGINT) AS cache_creation_tokens,
  TRY_CAST(a[11] AS INTEGER) AS status_code,
  TRY_CAST(a[12] AS INTEGER) AS attempt,
  a[13] AS error_class,
  left(a[14], 200) AS error,
  s.environment, s.service_name, s.resource_attributes, s.attributes
FROM s;

CREATE OR REPLACE VIEW claude_code_request_span_keys AS
SELECT
  *,
  coalesce(request_id, CASE WHEN success
    THEN concat_ws('|', trace_id, model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens)
    ELSE concat_ws('|', trace_id, model, 'error', status_code) END) AS match_key
FROM claude_code_request_spans;

-- Every model request once (logs and spans merged): session, time, model, query source.
CREATE OR REPLACE VIEW claude_code_requests AS
SELECT session_id, match_key, min(ts) AS ts, any_value(model) AS model, any_value(query_source) AS query_source
FROM (
  SELECT session_id, match_key, ts, model, query_source FROM claude_code_request_log_keys
  UNION ALL
  SELECT session_id, match_key, end_ts, model, query_source FROM claude_code_request_span_keys
)
GROUP BY session_id, match_key;

-- session_source: Claude Code's `query_source` says how the main loop runs: `sdk` for headless
-- `claude -p` (and the Agent SDK), `repl_main_thread` for the interactive TUI (README §3.2).
-- Side requests (generate_session_title, …) say nothing about it. NULL when no request was seen.
CREATE OR REPLACE VIEW claude_code_session_source AS
SELECT
  session_id,
  CASE
    WHEN bool_or(query_source = 'repl_main_thread') THEN 'interactive'
    WHEN bool_or(query_source = 'sdk') THEN 'sdk'
  END AS session_source
FROM claude_code_requests
GROUP BY session_id;

-- ── Usage: one row per model response ────────────────────────────────────────────────────────────
-- Claude's input_tokens EXCLUDE the cache: normalized input = input + cache read + cache creation.
-- cache_write = cache_creation_tokens (the total); the 5m/1h split is kept as reported, even when it
-- does not add up to the total (README §3.2 "Cache-creation breakdown"). Claude Code does not
-- report thinking tokens apart (they are inside output_tokens), so reasoning = 0.
CREATE OR REPLACE VIEW claude_code_usage_exact AS
SELECT
  session_id, match_key, coalesce(request_id, match_key) AS call_id, model, ts,
  input_tokens, cache_read_tokens, cache_creation_tokens, cache_creation_5m_tokens, cache_creation_1h_tokens, output_tokens,
  -- cost_usd, not cost_usd_micros: the int is cost_usd ROUNDED to the micro-dollar (0.0790245 →
  -- 79025), 0.5 µ$ off per call, while the double holds Claude's list-price product exactly to the
  -- nano-dollar that DECIMAL(18,9) keeps (its sums equal Claude's stdout total_cost_usd).
  coalesce(CAST(round(cost_usd, 9) AS DECIMAL(18, 9)), CAST(cost_usd_micros AS DECIMAL(18, 9)) / 1000000) AS agent_cost_usd,
  'logs: claude_code.api_request' AS source,
  environment, service_name, resource_attributes, attributes
FROM claude_code_request_log_keys
WHERE event_name = 'api_request'
UNION ALL
-- Spans only for requests no api_request log covered (a lost log batch, logs disabled).
SELECT
  s.session_id, s.match_key, coalesce(s.request_id, s.span_id), s.model, s.end_ts,
  s.input_tokens, s.cache_read_tokens, s.cache_creation_tokens, NULL, NULL, s.output_tokens,
  NULL,
  'spans: claude_code.llm_request',
  s.environment, s.service_name, s.resource_attributes, s.attributes
FROM claude_code_request_span_keys s
ANTI JOIN (SELECT session_id, match_key FROM claude_code_request_log_keys WHERE event_name = 'api_request') l
  ON l.session_id = s.session_id AND l.match_key = s.match_key
WHERE s.success AND s.input_tokens IS NOT NULL;

-- Metric fallback. claude_code.token.usage is DELTA (double values) per export window and per
-- (session, model, query_source, effort, type). A window is used only when no log/span usage of the
-- same session and model falls inside it. The measurement is taken a few ms before the log record
-- is written, so a record may land just after the window closes: 250 ms of slack after the window
-- end, 5 ms before its start (log times have ms precision). The counts per window are sums: one
-- fallback row can stand for several responses (their number is not exported).
CREATE OR REPLACE VIEW claude_code_usage_metric_windows AS
SELECT
  session_id,
  (attributes ->> '$.model') AS model,
  (attributes ->> '$.query_source') AS query_source,
  (attributes ->> '$.effort') AS effort,
  time_unix_nano,
  min(start_ts) AS start_ts,
  max(ts) AS ts,
  CAST(round(sum(value) FILTER (WHERE (attributes ->> '$.type') = 'input')) AS BIGINT) AS input_tokens,
  CAST(round(sum(value) FILTER (WHERE (attributes ->> '$.type') = 'output')) AS BIGINT) AS output_tokens,
  CAST(round(sum(value) FILTER (WHERE (attributes ->> '$.type') = 'cacheRead')) AS BIGINT) AS cache_read_tokens,
  CAST(round(sum(value) FILTER (WHERE (attributes ->> '$.type') = 'cacheCreation')) AS BIGINT) AS cache_creation_tokens,
  any_value(environment) AS environment,
  any_value(service_name) AS service_name,
  any_value(resource_attributes) AS resource_attributes,
  any_value(attributes) AS attributes
FROM claude_code_metrics
-- temporality 1 = DELTA: every point is the window's own increment and may be summed.
WHERE metric_name = 'claude_code.token.usage' AND temporality = 1
GROUP BY ALL;

CREATE OR REPLACE VIEW claude_code_usage AS
SELECT * FROM claude_code_usage_exact
UNION ALL
SELECT
  w.session_id, NULL, concat_ws(':', 'metrics', w.session_id, w.model, w.query_source, w.time_unix_nano), w.model, w.ts,
  coalesce(w.input_tokens, 0), coalesce(w.cache_read_tokens, 0), coalesce(w.cache_creation_tokens, 0), NULL, NULL, coalesce(w.output_tokens, 0),
  NULL,
  'metrics: claude_code.token.usage',
  w.environment, w.service_name, w.resource_attributes, w.attributes
FROM claude_code_usage_metric_windows w
ANTI JOIN claude_code_usage_exact e
  ON e.session_id = w.session_id AND e.model = w.model
  AND e.ts >= w.start_ts - INTERVAL 5 MILLISECOND AND e.ts <= w.ts + INTERVAL 250 MILLISECOND;

CREATE OR REPLACE VIEW claude_code_model_calls AS
SELECT
  'claude-code' AS agent,
  u.session_id,
  u.call_id,
  u.model,
  u.ts,
  u.environment,
  u.service_name AS originator,
  ss.session_source,
  u.input_tokens + coalesce(u.cache_read_tokens, 0) + coalesce(u.cache_creation_tokens, 0) AS input,
  coalesce(u.cache_read_tokens, 0) AS cache_read,
  coalesce(u.cache_creation_tokens, 0) AS cache_write,
  u.cache_creation_5m_tokens AS cache_write_5m,
  u.cache_creation_1h_tokens AS cache_write_1h,
  u.output_tokens AS output,
  0 AS reasoning,
  u.agent_cost_usd,
  u.source,
  u.resource_attributes,
  claude_code_strip(u.attributes) AS attributes
FROM claude_code_usage u
LEFT JOIN claude_code_session_source ss USING (session_id);

-- ── API attempts ──────────────────────────────────────────────────────────────────────────────────
-- A llm_request span is one logical request; each HTTP attempt adds a `gen_ai.request.attempt`
-- event. Only the final attempt's outcome is on the span (success, or status_code on failure).
-- Earlier attempts failed (they were retried) but their status (429, 500, 529, …) is exported
-- nowhere: those rows say status_reported = false and never guess. A successful final attempt is
-- an HTTP 200 (the Messages API answers 200 when it returns a message with usage).
-- Duration: the final attempt runs from its event to the span's end (cc09: 53.9 ms, api_error says
-- 53). An earlier attempt's end is not exported (the gap to the next event includes the retry
-- back-off, e.g. retry-after: 1 s), so its duration is NULL.
-- Note: the span's `attempt` attribute can disagree with the events (cc09: attempt=1, three
-- events); the events are the attempts actually made, so they win.
CREATE OR REPLACE VIEW claude_code_attempt_events AS
SELECT
  e.span_key,
  coalesce(TRY_CAST(e.attributes ->> '$.attempt' AS INTEGER), e.seq + 1) AS attempt,
  make_timestamp(e.time_unix_nano // 1000) AS ts,
  e.time_unix_nano
FROM span_events e
SEMI JOIN claude_code_request_spans s ON s.record_key = e.span_key
WHERE e.name = 'gen_ai.request.attempt';

CREATE OR REPLACE VIEW claude_code_span_attempts AS
WITH ev AS (
  SELECT
    s.*,
    a.attempt AS n,
    a.ts AS attempt_ts,
    a.time_unix_nano AS attempt_ns,
    count(*) OVER (PARTITION BY s.record_key) AS n_attempts,
    row_number() OVER (PARTITION BY s.record_key ORDER BY a.time_unix_nano, a.attempt) AS k,
    lead(a.time_unix_nano) OVER (PARTITION BY s.record_key ORDER BY a.time_unix_nano, a.attempt) AS next_ns
  FROM claude_code_request_span_keys s
  JOIN claude_code_attempt_events a ON a.span_key = s.record_key
),
-- Spans without attempt events (older versions): attempts 1..`attempt`, times unknown but the first.
synth AS (
  SELECT
    s.*,
    n, CASE WHEN n = 1 THEN s.start_ts END AS attempt_ts, NULL::BIGINT AS attempt_ns,
    greatest(coalesce(s.attempt, 1), 1) AS n_attempts, n AS k, NULL::BIGINT AS next_ns
  FROM claude_code_request_span_keys s
  ANTI JOIN claude_code_attempt_events a ON a.span_key = s.record_key
  CROSS JOIN LATERAL (SELECT unnest(range(1, greatest(coalesce(s.attempt, 1), 1) + 1)) AS n)
)
SELECT
  x.*,
  x.k = x.n_attempts AS is_final,
  CASE
    WHEN x.k = x.n_attempts AND x.attempt_ns IS NOT NULL THEN (x.end_time_unix_nano - x.attempt_ns) / 1e6
    WHEN x.n_attempts = 1 THEN x.duration_ms
  END AS attempt_duration_ms
FROM (SELECT * FROM ev UNION ALL BY NAME SELECT * FROM synth) x;

CREATE OR REPLACE VIEW claude_code_attempts AS
SELECT
  a.session_id, a.model, coalesce(a.attempt_ts, a.start_ts) AS ts, a.environment, a.service_name, a.resource_attributes, a.attributes,
  coalesce(a.request_id, a.span_id) AS request_id,
  a.n AS attempt,
  CASE WHEN NOT a.is_final THEN NULL WHEN a.success THEN 200 ELSE a.status_code END AS status_code,
  CASE WHEN NOT a.is_final THEN false WHEN a.success THEN true ELSE a.status_code IS NOT NULL END AS status_reported,
  NOT (a.is_final AND a.success) AS is_error,
  a.n > 1 AS is_retry,
  a.attempt_duration_ms AS duration_ms,
  CASE WHEN NOT a.is_final THEN 'retried' WHEN NOT a.success THEN coalesce(a.error_class, 'error') END AS error_type,
  CASE
    WHEN NOT a.is_final THEN 'retried; status not reported'
    WHEN NOT a.success THEN concat_ws(': ', 'http ' || a.status_code, a.error)
  END AS error_message,
  'spans: claude_code.llm_request' AS source
FROM claude_code_span_attempts a
UNION ALL
-- Requests without a span: the log says only how the request ended (api_request = success,
-- api_error = the final failure with its status). Retries before it are invisible there.
SELECT
  l.session_id, l.model, l.ts, l.environment, l.service_name, l.resource_attributes, l.attributes,
  coalesce(l.request_id, l.match_key),
  CASE WHEN l.event_name = 'api_error' THEN l.attempt END,
  CASE WHEN l.event_name = 'api_request' THEN 200 ELSE l.status_code END,
  l.event_name = 'api_request' OR l.status_code IS NOT NULL,
  l.event_name = 'api_error',
  CASE WHEN l.event_name = 'api_error' THEN l.attempt > 1 END,
  l.duration_ms,
  CASE WHEN l.event_name = 'api_error' THEN 'api_error' END,
  CASE WHEN l.event_name = 'api_error' THEN concat_ws(': ', 'http ' || l.status_code, l.error) END,
  'logs: claude_code.' || l.event_name
FROM claude_code_request_log_keys l
ANTI JOIN claude_code_request_span_keys s ON s.session_id = l.session_id AND s.match_key = l.match_key;

CREATE OR REPLACE VIEW claude_code_api_attempts AS
SELECT
  'claude-code' AS agent,
  a.session_id, a.model, a.ts, a.environment, a.service_name AS originator, ss.session_source,
  a.request_id, a.attempt, a.status_code, a.status_reported, a.is_error, a.is_retry, a.duration_ms,
  a.error_type, a.error_message, a.source, a.resource_attributes,
  claude_code_strip(a.attributes) AS attributes
FROM claude_code_attempts a
LEFT JOIN claude_code_session_source ss USING (session_id);

-- ── Tool calls ────────────────────────────────────────────────────────────────────────────────────
-- Joined on tool_use_id (logs `tool_use_id`; spans `tool_use_id` / `gen_ai.tool.call.id`).
-- `claude_code.tool.blocked_on_user` has no id: it hangs under its `claude_code.tool` span.
CREATE OR REPLACE VIEW claude_code_tool_decisions AS
SELECT
  session_id, (attributes ->> '$.tool_use_id') AS tool_use_id,
  arg_min(attributes ->> '$.decision', ts) AS decision,
  arg_min(attributes ->> '$.source', ts) AS decision_source,
  arg_min(attributes ->> '$.tool_name', ts) AS tool_name,
  arg_min(attributes ->> '$.request_id', ts) AS request_id,
  min(ts) AS ts,
  arg_min(attributes, ts) AS attributes,
  arg_min(resource_attributes, ts) AS resource_attributes,
  any_value(environment) AS environment, any_value(service_name) AS service_name
FROM claude_code_logs WHERE event_name = 'tool_decision'
GROUP BY ALL;

CREATE OR REPLACE VIEW claude_code_tool_results AS
SELECT
  session_id, (attributes ->> '$.tool_use_id') AS tool_use_id,
  arg_min(attributes ->> '$.success', ts) AS success,
  arg_min(attributes ->> '$.error_type', ts) AS error_type,
  arg_min(TRY_CAST(attributes ->> '$.duration_ms' AS DOUBLE), ts) AS duration_ms,
  arg_min(attributes ->> '$.tool_name', ts) AS tool_name,
  arg_min(attributes ->> '$.request_id', ts) AS request_id,
  min(ts) AS ts,
  arg_min(attributes, ts) AS attributes,
  arg_min(resource_attributes, ts) AS resource_attributes,
  any_value(environment) AS environment, any_value(service_name) AS service_name
FROM claude_code_logs WHERE event_name = 'tool_result'
GROUP BY ALL;

CREATE OR REPLACE VIEW claude_code_tool_spans AS
SELECT
  t.session_id,
  coalesce(t.attributes ->> '$.tool_use_id', t.attributes ->> '$."gen_ai.tool.call.id"') AS tool_use_id,
  t.trace_id, t.span_id, t.start_ts, t.duration_ms,
  coalesce(t.attributes ->> '$.tool_name', t.attributes ->> '$."gen_ai.tool.name"') AS tool_name,
  t.attributes, t.resource_attributes, t.environment, t.service_name
FROM claude_code_spans t
WHERE t.name = 'claude_code.tool';

CREATE OR REPLACE VIEW claude_code_tool_exec_spans AS
SELECT
  x.session_id,
  coalesce(x.attributes ->> '$.tool_use_id', x.attributes ->> '$."gen_ai.tool.call.id"') AS tool_use_id,
  x.trace_id, x.parent_span_id, x.start_ts, x.duration_ms, x.status_code,
  (x.attributes ->> '$.success') AS success,
  coalesce(x.attributes ->> '$.error_class', x.attributes ->> '$."error.type"') AS error_class,
  x.attributes, x.resource_attributes, x.environment, x.service_name
FROM claude_code_spans x
WHERE x.name = 'claude_code.tool.execution';

CREATE OR REPLACE VIEW claude_code_tool_blocked_spans AS
SELECT b.trace_id, b.parent_span_id, (b.attributes ->> '$.decision') AS decision, (b.attributes ->> '$.source') AS decision_source
FROM claude_code_spans b
WHERE b.name = 'claude_code.tool.blocked_on_user';

CREATE OR REPLACE VIEW claude_code_tool_joined AS
WITH keys AS (
  SELECT session_id, tool_use_id FROM claude_code_tool_decisions
  UNION SELECT session_id, tool_use_id FROM claude_code_tool_results
  UNION SELECT session_id, tool_use_id FROM claude_code_tool_spans
  UNION SELECT session_id, tool_use_id FROM claude_code_tool_exec_spans
),
blocked AS (
  SELECT t.session_id, t.tool_use_id, any_value(b.decision) AS decision, any_value(b.decision_source) AS decision_source
  FROM claude_code_tool_spans t
  JOIN claude_code_tool_blocked_spans b ON b.trace_id = t.trace_id AND b.parent_span_id = t.span_id
  GROUP BY ALL
),
tspan AS (SELECT * FROM claude_code_tool_spans QUALIFY row_number() OVER (PARTITION BY session_id, tool_use_id ORDER BY start_ts) = 1),
xspan AS (SELECT * FROM claude_code_tool_exec_spans QUALIFY row_number() OVER (PARTITION BY session_id, tool_use_id ORDER BY start_ts) = 1)
SELECT
  k.session_id, k.tool_use_id,
  coalesce(d.tool_name, r.tool_name, t.tool_name) AS tool_name,
  coalesce(t.start_ts, d.ts, x.start_ts, r.ts) AS ts,
  coalesce(d.request_id, r.request_id) AS request_id,
  coalesce(d.decision, b.decision) AS raw_decision,
  coalesce(d.decision_source, b.decision_source) AS decision_source,
  -- the agent's own flag: tool_result.success ("true"/"false" string), else the execution span's
  CASE coalesce(r.success, x.success) WHEN 'true' THEN true WHEN 'false' THEN false END AS agent_success,
  r.tool_use_id IS NOT NULL OR x.tool_use_id IS NOT NULL AS has_result,
  r.error_type AS result_error_type,
  x.error_class AS span_error_class,
  x.status_code AS exec_status,
  coalesce(r.duration_ms, x.duration_ms) AS duration_ms,
  coalesce(r.attributes, d.attributes, x.attributes, t.attributes) AS attributes,
  coalesce(r.resource_attributes, d.resource_attributes, x.resource_attributes, t.resource_attributes) AS resource_attributes,
  coalesce(r.environment, d.environment, x.environment, t.environment) AS environment,
  coalesce(r.service_name, d.service_name, x.service_name, t.service_name) AS service_name
FROM keys k
LEFT JOIN claude_code_tool_decisions d ON d.session_id = k.session_id AND d.tool_use_id = k.tool_use_id
LEFT JOIN claude_code_tool_results r ON r.session_id = k.session_id AND r.tool_use_id = k.tool_use_id
LEFT JOIN tspan t ON t.session_id = k.session_id AND t.tool_use_id = k.tool_use_id
LEFT JOIN xspan x ON x.session_id = k.session_id AND x.tool_use_id = k.tool_use_id
LEFT JOIN blocked b ON b.session_id = k.session_id AND b.tool_use_id = k.tool_use_id
WHERE k.tool_use_id IS NOT NULL;

-- Outcome rules, in order:
--   1. a result was reported (tool_result log or tool.execution span):
--      error_type / error_class set → failure ('error_type reported'); execution span status ERROR →
--      failure ('span status error'); else the agent's success flag ('agent flag').
--      Claude Code's flag agreed with its error fields in every capture; it exports no exit codes.
--   2. no result and a `reject` decision → 'rejected' (not successful): source config → 'rejected by
--      permission policy', user_* → 'rejected by user', hook → 'rejected by hook'.
--   3. otherwise the outcome is unknown (the result was not exported): NULL, 'no result reported'.
CREATE OR REPLACE VIEW claude_code_tool_calls AS
WITH j AS (
  SELECT
    j.*,
    CASE j.raw_decision WHEN 'accept' THEN 'accepted' WHEN 'reject' THEN 'rejected' END AS decision,
    CASE
      WHEN j.has_result AND coalesce(j.result_error_type, j.span_error_class) IS NOT NULL THEN 'failure'
      WHEN j.has_result AND j.exec_status = 2 THEN 'failure'
      WHEN j.has_result AND j.agent_success IS NOT NULL THEN CASE WHEN j.agent_success THEN 'success' ELSE 'failure' END
      WHEN NOT j.has_result AND j.raw_decision = 'reject' THEN 'rejected'
    END AS outcome,
    CASE
      WHEN j.has_result AND coalesce(j.result_error_type, j.span_error_class) IS NOT NULL THEN 'error_type reported'
      WHEN j.has_result AND j.exec_status = 2 THEN 'span status error'
      WHEN j.has_result AND j.agent_success IS NOT NULL THEN 'agent flag'
      WHEN NOT j.has_result AND j.raw_decision = 'reject' THEN
        CASE
          WHEN j.decision_source LIKE 'user%' THEN 'rejected by user'
          WHEN j.decision_source = 'hook' THEN 'rejected by hook'
          ELSE 'rejected by permission policy'
        END
      ELSE 'no result reported'
    END AS outcome_rule
  FROM claude_code_tool_joined j
),
-- The model that asked for the tool: the request named by request_id, else the session's latest
-- request before the tool started.
req AS (SELECT session_id, match_key, model, ts FROM claude_code_requests)
SELECT
  'claude-code' AS agent,
  j.session_id,
  j.tool_use_id AS call_id,
  j.tool_name,
  coalesce(rq.model, asof_rq.model) AS model,
  j.ts,
  j.environment,
  j.service_name AS originator,
  ss.session_source,
  j.duration_ms,
  j.decision,
  j.agent_success,
  CASE j.outcome WHEN 'success' THEN true WHEN 'failure' THEN false WHEN 'rejected' THEN false END AS success,
  j.outcome,
  j.outcome_rule,
  CAST(NULL AS INTEGER) AS exit_code,
  coalesce(j.result_error_type, j.span_error_class) AS error_type,
  j.resource_attributes,
  claude_code_strip(j.attributes) AS attributes
FROM j
LEFT JOIN req rq ON rq.session_id = j.session_id AND rq.match_key = j.request_id
ASOF LEFT JOIN req asof_rq ON asof_rq.session_id = j.session_id AND j.ts >= asof_rq.ts
LEFT JOIN claude_code_session_source ss ON ss.session_id = j.session_id;

-- ── Sessions ──────────────────────────────────────────────────────────────────────────────────────
-- One session per session.id: `claude -p --continue` keeps the id (session.count start_type =
-- continue), so a resumed session is one row with processes = 2.
CREATE OR REPLACE VIEW claude_code_session_records AS
SELECT session_id, ts, ts AS ts_end, 'logs' AS signal, resource_id, environment, service_name FROM claude_code_logs
UNION ALL
SELECT session_id, start_ts, end_ts, 'spans', resource_id, environment, service_name FROM claude_code_spans
UNION ALL
SELECT session_id, coalesce(start_ts, ts), ts, 'metrics', resource_id, environment, service_name FROM claude_code_metrics;

-- Processes: each process start is counted by three signals; the largest count wins (a signal may
-- be missing): `claude_code.session.count` points, root interactions with interaction.sequence = 1
-- (the counter restarts per process), and log records with event.sequence = 0 (the per-process
-- event counter starts at 0 with `managed_settings_resolved`).
CREATE OR REPLACE VIEW claude_code_session_processes AS
SELECT session_id, greatest(max(n_metric), max(n_span), max(n_log), 1) AS processes
FROM (
  SELECT session_id, CAST(round(sum(value)) AS INTEGER) AS n_metric, 0 AS n_span, 0 AS n_log
  FROM claude_code_metrics WHERE metric_name = 'claude_code.session.count' AND temporality = 1 GROUP BY session_id
  UNION ALL
  SELECT session_id, 0, count(*), 0 FROM claude_code_spans
  WHERE name = 'claude_code.interaction' AND TRY_CAST(attributes ->> '$."interaction.sequence"' AS INTEGER) = 1 GROUP BY session_id
  UNION ALL
  SELECT session_id, 0, 0, count(*) FROM claude_code_logs
  WHERE TRY_CAST(attributes ->> '$."event.sequence"' AS INTEGER) = 0 GROUP BY session_id
)
GROUP BY session_id;

-- Duration: Claude Code has no session span. Each user prompt opens a root
-- `claude_code.interaction` span; the session's duration is the SUM of its interactions (active
-- time: the gaps while the user types, or between a run and its `--continue`, are not counted),
-- start/end are the first interaction's start and the last one's end. Without interaction spans:
-- first → last record of any signal ('events').
CREATE OR REPLACE VIEW claude_code_interactions AS
SELECT session_id, trace_id, span_id, start_ts, end_ts, duration_ms
FROM claude_code_spans
WHERE name = 'claude_code.interaction';

-- Prompts: user_prompt logs and interaction spans, merged on the interaction trace (the log's
-- trace id), else on prompt.id. Slash commands (e.g. /exit) count: Claude logs them as user_prompt
-- and opens an interaction for them.
CREATE OR REPLACE VIEW claude_code_prompts AS
SELECT session_id, count(DISTINCT prompt_key) AS prompts
FROM (
  SELECT session_id, coalesce(trace_key, attributes ->> '$."prompt.id"', CAST(record_key AS VARCHAR)) AS prompt_key
  FROM claude_code_logs WHERE event_name = 'user_prompt'
  UNION ALL
  SELECT session_id, trace_id FROM claude_code_interactions
)
GROUP BY session_id;

CREATE OR REPLACE VIEW claude_code_sessions AS
WITH rec AS (
  SELECT
    session_id,
    min(ts) AS first_ts,
    max(ts_end) AS last_ts,
    bool_or(signal = 'logs') AS has_logs,
    bool_or(signal = 'spans') AS has_spans,
    bool_or(signal = 'metrics') AS has_metrics,
    arg_min(resource_id, ts) AS resource_id,
    arg_min(environment, ts) AS environment,
    arg_min(service_name, ts) AS service_name
  FROM claude_code_session_records
  WHERE session_id IS NOT NULL
  GROUP BY session_id
),
inter AS (
  SELECT session_id, min(start_ts) AS start_ts, max(end_ts) AS end_ts, sum(duration_ms) AS active_ms
  FROM claude_code_interactions GROUP BY session_id
),
models AS (
  SELECT session_id, list_sort(list(DISTINCT model)) AS models
  FROM (SELECT session_id, model FROM claude_code_usage UNION ALL SELECT session_id, model FROM claude_code_requests)
  WHERE model IS NOT NULL
  GROUP BY session_id
),
-- Turns: model requests of the agent loop (headless `sdk`, interactive `repl_main_thread`, or a
-- subagent `agent:*`), failed ones included; side requests such as the session title are not
-- turns. This equals Claude's own `num_turns` in the captures' stdout.
turns AS (
  SELECT session_id, count(*) AS turns
  FROM claude_code_requests
  WHERE query_source IN ('sdk', 'repl_main_thread') OR query_source LIKE 'agent:%'
  GROUP BY session_id
)
SELECT
  'claude-code' AS agent,
  r.session_id,
  r.service_name AS originator,
  ss.session_source,
  r.environment,
  coalesce(m.models, []::VARCHAR[]) AS models,
  coalesce(i.start_ts, r.first_ts) AS start_ts,
  coalesce(i.end_ts, r.last_ts) AS end_ts,
  coalesce(i.active_ms, (epoch_us(r.last_ts) - epoch_us(r.first_ts)) / 1000.0) AS duration_ms,
  CASE WHEN i.session_id IS NOT NULL THEN 'spans: claude_code.interaction' ELSE 'events' END AS duration_source,
  coalesce(p.processes, 1) AS processes,
  -- prompts and turns are unknown (NULL) when only metrics were exported
  CASE WHEN r.has_logs OR r.has_spans THEN coalesce(pr.prompts, 0) END AS prompts,
  CASE WHEN r.has_logs OR r.has_spans THEN coalesce(t.turns, 0) END AS turns,
  r.has_logs,
  r.has_spans,
  r.has_metrics,
  res.attributes AS resource_attributes
FROM rec r
LEFT JOIN resources res USING (resource_id)
LEFT JOIN inter i USING (session_id)
LEFT JOIN models m USING (session_id)
LEFT JOIN turns t USING (session_id)
LEFT JOIN claude_code_prompts pr USING (session_id)
LEFT JOIN claude_code_session_processes p USING (session_id)
LEFT JOIN claude_code_session_source ss USING (session_id);

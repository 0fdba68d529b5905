-- Gemini CLI (@google/gemini-cli, checked against 0.61.0) → normalized facts (src/model/facts.ts).
-- Captures README §3.3 describes the telemetry; inventory: shared/reference/inventory/gemini.md.
--
-- Identity
--   session   the `session.id` record attribute (logs, metric points), else the resource's
--             `session.id` (spans carry it only on the resource). `gemini -p --resume latest` keeps
--             the session id of the resumed session (gm09: both processes export the same id), so a
--             resumed session is one session with processes = 2.
--   process   host.name | process.pid | resource session.id (one resource per process: the resource
--             carries process.pid); resource_id when there is no pid.
--   prompt    the `prompt_id` attribute (logs) / `gen_ai.conversation.id` (spans). In -p mode it
--             equals the session id and is reused by a resumed process, so it is only unique
--             together with the process.
--
-- Signal precedence (each usage / attempt / tool call is counted once):
--   tokens    logs `gemini_cli.api_response` (one per successful response, exact per call).
--             Fallback: the CUMULATIVE metric `gemini_cli.token.usage`, turned into deltas, for a
--             (session, process, model) that logged no api_response (one row per export window,
--             not per call), or for the part of its metric total that exceeds the logged total
--             (a lost log batch; one residual row). `gen_ai.client.inference.operation.details`
--             and the `gen_ai.client.token.usage` histogram repeat the usage and are never counted
--             (they also lack thoughts); the details event only lends gen_ai.response.id as call_id.
--   attempts  logs `gemini_cli.api_request` (one per attempt) paired with `api_response` /
--             `api_error` (one per failed attempt, retried or not); else `llm_call` spans (one root
--             span per attempt); else the cumulative metric `gemini_cli.api.request.count`.
--   tools     logs `gemini_cli.tool_call`; else the cumulative metric `gemini_cli.tool.call.count`
--             (agent flag only). `tool_call` spans carry no outcome and are used for call ids only.
--   The fallback unit is the process (or process and model for tokens): what a process logged is
--   read from its logs, and a metric or span adds only what the logs lack. Time windows are not
--   used to split the two: log times (Date.now) and metric times (hrtime) disagree by
--   milliseconds, so a response cannot be placed in an export window reliably.

-- Gemini CLI resources: service.name 'gemini-cli', which the CLI's telemetry SDK sets itself
-- (README §3.3). Only the small resources table is read here: recognising Gemini by its record
-- names would rescan the logs and metrics for every view that joins this one.
-- process.command_args holds the whole command line, prompt included: stripped from the facts.
CREATE OR REPLACE VIEW gemini_cli_resources AS
SELECT
  r.resource_id,
  r.service_name,
  json_merge_patch(r.attributes, '{"process.command_args":null,"process.command_line":null}') AS resource_attributes,
  r.attributes ->> '$."session.id"' AS resource_session_id,
  CASE
    WHEN (r.attributes ->> '$."process.pid"') IS NOT NULL
      THEN coalesce(r.attributes ->> '$."host.name"', '') || '|' || (r.attributes ->> '$."process.pid"') || '|' || coalesce(r.attributes ->> '$."session.id"', '')
    ELSE r.resource_id
  END AS process_key,
  -- Gemini sets no environment itself; honour the OTel resource conventions when a user adds them.
  coalesce(r.attributes ->> '$."deployment.environment.name"', r.attributes ->> '$."deployment.environment"') AS environment
FROM resources r
WHERE r.service_name = 'gemini-cli';

-- Log records of Gemini's resources. The request and response texts (the whole conversation, on
-- every attempt) are content, never reported, and by far the largest values: they are dropped
-- first, once, and everything else, the event name included, is read from what is left, so the
-- pairing windows and joins below stay small (a 5 GB archive otherwise needs more than a 512 MB
-- memory limit). service_name as a filter narrows the records before any attribute is read.
CREATE OR REPLACE VIEW gemini_cli_logs AS
WITH l AS MATERIALIZED (
  SELECT
    l.* EXCLUDE (attributes),
    json_merge_patch(l.attributes, '{"request_text":null,"response_text":null,"prompt":null,"function_args":null,"gen_ai.system_instructions":null,"gen_ai.input.messages":null,"gen_ai.output.messages":null}') AS attributes
  FROM log_records l
  WHERE l.service_name = 'gemini-cli'
)
SELECT
  l.record_key,
  l.ts,
  l.ts_unix_nano,
  log_event_name(l.attributes ->> '$."event.name"', l.record_event_name, l.body) AS event_name,
  l.attributes,
  l.trace_id,
  l.span_id,
  r.resource_id,
  r.service_name,
  r.process_key,
  r.environment,
  coalesce(l.attributes ->> '$."session.id"', r.resource_session_id) AS session_id,
  coalesce(l.attributes ->> 'prompt_id', '') AS prompt_key,
  l.attributes ->> 'interactive' AS interactive
FROM l
JOIN gemini_cli_resources r USING (resource_id);

-- Spans of Gemini's resources, with the attributes read below: the llm_call spans carry the
-- whole conversation (gen_ai.input.messages, …, ~40 kB each), so the attributes themselves are
-- not kept (gemini_cli_api_attempts reads them back for the few spans it reports), and the keys
-- are read in one pass. (Stripping them here with json_merge_patch needs several times their size
-- in memory per batch of spans: more than a 512 MB limit at 5 GB.)
CREATE OR REPLACE VIEW gemini_cli_spans AS
WITH s AS MATERIALIZED (
  SELECT
    s.* EXCLUDE (attributes),
    json_extract_string(s.attributes, ['$."gen_ai.conversation.id"', '$."gen_ai.request.model"', '$."gen_ai.tool.name"', '$."gen_ai.tool.call_id"']) AS a
  FROM span_facts s
  WHERE s.service_name = 'gemini-cli'
)
SELECT
  s.record_key,
  s.trace_id,
  s.span_id,
  s.parent_span_id,
  s.name,
  s.start_ts,
  s.end_ts,
  s.start_time_unix_nano,
  s.end_time_unix_nano,
  s.duration_ms,
  s.status_code,
  s.status_message,
  s.a[2] AS request_model,
  s.a[3] AS tool_name,
  s.a[4] AS tool_call_id,
  r.resource_id,
  r.service_name,
  r.process_key,
  r.environment,
  coalesce(r.resource_session_id, s.a[1]) AS session_id,
  -- gen_ai.conversation.id is the prompt_id (README §3.3); without it each trace stands alone.
  coalesce(s.a[1], 'trace:' || s.trace_id) AS prompt_key
FROM s
JOIN gemini_cli_resources r USING (resource_id);

CREATE OR REPLACE VIEW gemini_cli_points AS
SELECT
  p.record_key,
  p.metric_name,
  p.metric_type,
  p.temporality,
  p.is_monotonic,
  p.start_time_unix_nano,
  p.time_unix_nano,
  p.value,
  p.attributes,
  r.resource_id,
  r.service_name,
  r.process_key,
  r.environment,
  coalesce(p.attributes ->> '$."session.id"', r.resource_session_id) AS session_id,
  p.attributes ->> 'interactive' AS interactive
FROM metric_points p
JOIN gemini_cli_resources r USING (resource_id);

-- Counter deltas (reference/otlp-files.md §5). Gemini exports CUMULATIVE sums (temporality 2):
-- every export repeats the running total of each series since the process started.
-- Series = resource + metric + temporality + point attributes. A new start time or a drop in value
-- starts a new segment; the first point of a segment adds its value when start < time (the count
-- started from an implicit zero) and 0 when the start is unknown (start = 0 or start = time).
-- DELTA points (temporality 1, if a user configured delta temporality) add their value.
-- window_start..window_end is the (exclusive, inclusive] time range the delta covers.
CREATE OR REPLACE VIEW gemini_cli_metric_deltas AS
WITH pts AS (
  SELECT DISTINCT
    session_id, process_key, resource_id, metric_name, temporality,
    CAST(attributes AS VARCHAR) AS series_attrs, attributes,
    start_time_unix_nano, time_unix_nano, value
  FROM gemini_cli_points
  WHERE metric_name IN ('gemini_cli.token.usage', 'gemini_cli.api.request.count', 'gemini_cli.tool.call.count')
    AND metric_type = 'sum'
    AND (temporality = 1 OR (temporality = 2 AND is_monotonic))
),
seq AS (
  SELECT
    *,
    lag(value) OVER w AS prev_value,
    lag(start_time_unix_nano) OVER w AS prev_start,
    lag(time_unix_nano) OVER w AS prev_time
  FROM pts
  WINDOW w AS (PARTITION BY resource_id, metric_name, temporality, series_attrs ORDER BY time_unix_nano, value)
),
marked AS (
  SELECT
    *,
    temporality = 2 AND (prev_value IS NULL OR start_time_unix_nano <> prev_start OR value < prev_value) AS new_segment
  FROM seq
)
SELECT
  session_id,
  process_key,
  resource_id,
  metric_name,
  attributes,
  CAST(CASE
    WHEN temporality = 1 THEN value
    WHEN new_segment THEN CASE WHEN start_time_unix_nano > 0 AND start_time_unix_nano < time_unix_nano THEN value ELSE 0 END
    ELSE value - prev_value
  END AS BIGINT) AS delta,
  CASE WHEN temporality = 1 OR new_segment THEN start_time_unix_nano ELSE prev_time END AS window_start_unix_nano,
  time_unix_nano AS window_end_unix_nano
FROM marked;

-- Session-level context shared by every fact row of a session.
-- session_source: the `interactive` attribute on logs and metric points (true → 'interactive',
-- false → 'non-interactive'). originator: service.name ('gemini-cli'); note that Gemini's resource
-- service.version is the Node.js version (v20.20.2), not the CLI version.
CREATE OR REPLACE VIEW gemini_cli_records AS
SELECT session_id, process_key, resource_id, service_name, environment, ts_unix_nano AS t0, ts_unix_nano AS t1, interactive, 'logs' AS signal
FROM gemini_cli_logs
UNION ALL
SELECT session_id, process_key, resource_id, service_name, environment, start_time_unix_nano, end_time_unix_nano, NULL, 'spans'
FROM gemini_cli_spans
UNION ALL
SELECT session_id, process_key, resource_id, service_name, environment,
  CASE WHEN start_time_unix_nano > 0 THEN start_time_unix_nano ELSE time_unix_nano END, time_unix_nano, interactive, 'metrics'
FROM gemini_cli_points;

CREATE OR REPLACE VIEW gemini_cli_session_meta AS
WITH s AS (
  SELECT
    session_id,
    CASE
      WHEN bool_or(interactive = 'true') THEN 'interactive'
      WHEN bool_or(interactive = 'false') THEN 'non-interactive'
    END AS session_source,
    min(service_name) AS originator,
    min(environment) AS environment,
    arg_min(resource_id, t0) AS first_resource_id,
    count(DISTINCT process_key) AS processes,
    bool_or(signal = 'logs') AS has_logs,
    bool_or(signal = 'spans') AS has_spans,
    bool_or(signal = 'metrics') AS has_metrics
  FROM gemini_cli_records
  GROUP BY session_id
)
SELECT s.*, r.resource_attributes
FROM s
JOIN gemini_cli_resources r ON r.resource_id = s.first_resource_id;

-- ---------------------------------------------------------------------------------------------
-- Model calls
-- ---------------------------------------------------------------------------------------------

-- gemini_cli.api_response: input_token_count = promptTokenCount (INCLUDES cached tokens),
-- cached_content_token_count = cachedContentTokenCount, output_token_count = candidatesTokenCount
-- (EXCLUDES thoughts), thoughts_token_count, tool_token_count = toolUsePromptTokenCount,
-- total_token_count = prompt + candidates + thoughts + tool-use prompt. The same response recorded
-- twice (e.g. the outfile and OTLP of one process) is counted once.
CREATE OR REPLACE VIEW gemini_cli_responses AS
SELECT
  *,
  coalesce(attributes ->> 'model', '') AS model,
  coalesce(TRY_CAST(attributes ->> 'input_token_count' AS BIGINT), 0) AS input_tokens,
  coalesce(TRY_CAST(attributes ->> 'cached_content_token_count' AS BIGINT), 0) AS cached_tokens,
  coalesce(TRY_CAST(attributes ->> 'output_token_count' AS BIGINT), 0) AS output_tokens,
  coalesce(TRY_CAST(attributes ->> 'thoughts_token_count' AS BIGINT), 0) AS thoughts_tokens,
  coalesce(TRY_CAST(attributes ->> 'tool_token_count' AS BIGINT), 0) AS tool_tokens
FROM gemini_cli_logs
WHERE event_name = 'gemini_cli.api_response'
QUALIFY row_number() OVER (
  PARTITION BY session_id, process_key, ts_unix_nano, attributes ->> 'model', prompt_key,
    attributes ->> 'input_token_count', attributes ->> 'output_token_count', attributes ->> 'thoughts_token_count'
  ORDER BY record_key) = 1;

CREATE OR REPLACE VIEW gemini_cli_model_calls AS
WITH details AS (
  -- The GenAI details event that follows each api_response (same process, within milliseconds)
  -- carries gen_ai.response.id, the API's responseId: used as call_id, never for tokens.
  SELECT
    session_id, process_key, ts_unix_nano,
    coalesce(attributes ->> '$."gen_ai.response.model"', attributes ->> '$."gen_ai.request.model"', '') AS model,
    TRY_CAST(attributes ->> '$."gen_ai.usage.input_tokens"' AS BIGINT) AS input_tokens,
    attributes ->> '$."gen_ai.response.id"' AS response_id
  FROM gemini_cli_logs
  WHERE event_name = 'gen_ai.client.inference.operation.details'
    AND (attributes ->> '$."gen_ai.response.id"') IS NOT NULL
    AND (attributes ->> '$."gen_ai.usage.input_tokens"') IS NOT NULL
),
from_logs AS (
  SELECT
    r.session_id,
    -- Without a matching details event: session, time and model (stable across loads and encodings).
    coalesce(
      CASE WHEN d.ts_unix_nano - r.ts_unix_nano < 1000000000 THEN d.response_id END,
      'gemini_cli:' || coalesce(r.session_id, '') || ':' || CAST(r.ts_unix_nano AS VARCHAR) || ':' || r.model) AS call_id,
    r.model,
    r.ts,
    gr.resource_attributes,
    r.environment,
    r.service_name,
    -- toolUsePromptTokenCount is prompt input the API adds for tool use and is NOT part of
    -- promptTokenCount (total = prompt + candidates + thoughts + tool-use prompt), so it belongs
    -- to input. It is 0 in every capture, where input equals the ground truth's promptTokenCount.
    r.input_tokens + r.tool_tokens AS input,
    r.cached_tokens AS cache_read,
    r.output_tokens + r.thoughts_tokens AS output,
    r.thoughts_tokens AS reasoning,
    'logs: gemini_cli.api_response' AS source,
    json_merge_patch(r.attributes, '{"response_text":null,"prompt":null,"request_text":null}') AS attributes
  FROM gemini_cli_responses r
  ASOF LEFT JOIN details d
    ON d.session_id IS NOT DISTINCT FROM r.session_id
   AND d.process_key = r.process_key
   AND d.model = r.model
   AND d.input_tokens = r.input_tokens
   AND d.ts_unix_nano >= r.ts_unix_nano
  JOIN gemini_cli_resources gr ON gr.resource_id = r.resource_id
),
-- Fallback: gemini_cli.token.usage (type input / output / cache / thought / tool, model). Gemini
-- records it right after each api_response log (same values), so per (session, process, model)
-- the metric's total equals the logged total when nothing was lost.
--   * no api_response logged for that (session, process, model): one row per export window (the
--     metric cannot tell calls apart within a window);
--   * api_responses logged but the metric counted more on every type it differs on (a log batch
--     was lost): one residual row, metric total − logged total, at the last export;
--   * otherwise (equal, or the metric counted less, e.g. its last export was lost) nothing.
-- Totals are compared, not time windows: log times (Date.now) and metric times (hrtime) disagree
-- by milliseconds, so a response cannot be placed in an export window reliably.
metric_windows AS (
  SELECT
    m.session_id,
    m.process_key,
    m.resource_id,
    coalesce(m.attributes ->> 'model', '') AS model,
    m.window_end_unix_nano,
    sum(CASE WHEN m.attributes ->> 'type' = 'input' THEN m.delta ELSE 0 END) AS input_tokens,
    sum(CASE WHEN m.attributes ->> 'type' = 'cache' THEN m.delta ELSE 0 END) AS cached_tokens,
    sum(CASE WHEN m.attributes ->> 'type' = 'output' THEN m.delta ELSE 0 END) AS output_tokens,
    sum(CASE WHEN m.attributes ->> 'type' = 'thought' THEN m.delta ELSE 0 END) AS thoughts_tokens,
    sum(CASE WHEN m.attributes ->> 'type' = 'tool' THEN m.delta ELSE 0 END) AS tool_tokens,
    any_value(json_merge_patch(m.attributes, '{"type":null}')) AS attributes
  FROM gemini_cli_metric_deltas m
  WHERE m.metric_name = 'gemini_cli.token.usage'
  GROUP BY m.session_id, m.process_key, m.resource_id, coalesce(m.attributes ->> 'model', ''), m.window_end_unix_nano
),
logged AS (
  SELECT
    session_id, process_key, model,
    sum(input_tokens) AS input_tokens,
    sum(cached_tokens) AS cached_tokens,
    sum(output_tokens) AS output_tokens,
    sum(thoughts_tokens) AS thoughts_tokens,
    sum(tool_tokens) AS tool_tokens
  FROM gemini_cli_responses
  GROUP BY session_id, process_key, model
),
metric_totals AS (
  SELECT
    session_id, process_key, model,
    arg_max(resource_id, window_end_unix_nano) AS resource_id,
    max(window_end_unix_nano) AS window_end_unix_nano,
    sum(input_tokens) AS input_tokens,
    sum(cached_tokens) AS cached_tokens,
    sum(output_tokens) AS output_tokens,
    sum(thoughts_tokens) AS thoughts_tokens,
    sum(tool_tokens) AS tool_tokens,
    any_value(attributes) AS attributes
  FROM metric_windows
  GROUP BY session_id, process_key, model
),
metric_rows AS (
  SELECT
    w.session_id, w.process_key, w.resource_id, w.model, w.window_end_unix_nano,
    w.input_tokens, w.cached_tokens, w.output_tokens, w.thoughts_tokens, w.tool_tokens, w.attributes,
    'metrics: gemini_cli.token.usage (cumulative, delta per export window; not per call)' AS source
  FROM metric_windows w
  LEFT JOIN logged l
    ON l.session_id IS NOT DISTINCT FROM w.session_id AND l.process_key = w.process_key AND l.model = w.model
  WHERE l.process_key IS NULL
  UNION ALL
  SELECT
    t.session_id, t.process_key, t.resource_id, t.model, t.window_end_unix_nano,
    t.input_tokens - l.input_tokens,
    t.cached_tokens - l.cached_tokens,
    t.output_tokens - l.output_tokens,
    t.thoughts_tokens - l.thoughts_tokens,
    t.tool_tokens - l.tool_tokens,
    t.attributes,
    'metrics: gemini_cli.token.usage (metric total minus logged api_response total: responses whose logs were lost; not per call)'
  FROM metric_totals t
  JOIN logged l
    ON l.session_id IS NOT DISTINCT FROM t.session_id AND l.process_key = t.process_key AND l.model = t.model
  WHERE t.input_tokens >= l.input_tokens AND t.cached_tokens >= l.cached_tokens AND t.output_tokens >= l.output_tokens
    AND t.thoughts_tokens >= l.thoughts_tokens AND t.tool_tokens >= l.tool_tokens
    AND t.input_tokens + t.cached_tokens + t.output_tokens + t.thoughts_tokens + t.tool_tokens
      > l.input_tokens + l.cached_tokens + l.output_tokens + l.thoughts_tokens + l.tool_tokens
),
from_metrics AS (
  SELECT
    w.session_id,
    'gemini_cli:metrics:' || w.process_key || ':' || w.model || ':' || CAST(w.window_end_unix_nano AS VARCHAR) AS call_id,
    w.model,
    make_timestamp(w.window_end_unix_nano // 1000) AS ts,
    r.resource_attributes,
    r.environment,
    r.service_name,
    w.input_tokens + w.tool_tokens AS input,
    w.cached_tokens AS cache_read,
    w.output_tokens + w.thoughts_tokens AS output,
    w.thoughts_tokens AS reasoning,
    w.source,
    w.attributes
  FROM metric_rows w
  JOIN gemini_cli_resources r ON r.resource_id = w.resource_id
  WHERE w.input_tokens + w.cached_tokens + w.output_tokens + w.thoughts_tokens + w.tool_tokens > 0
),
calls AS (
  SELECT * FROM from_logs
  UNION ALL
  SELECT * FROM from_metrics
)
SELECT
  'gemini-cli' AS agent,
  c.session_id,
  c.call_id,
  nullif(c.model, '') AS model,
  c.ts,
  c.environment,
  c.service_name AS originator,
  sm.session_source,
  c.input,
  c.cache_read,
  -- Gemini reports no cache writes (implicit caching has none per call).
  0 AS cache_write,
  CAST(NULL AS BIGINT) AS cache_write_5m,
  CAST(NULL AS BIGINT) AS cache_write_1h,
  c.output,
  c.reasoning,
  CAST(NULL AS DECIMAL(18,9)) AS agent_cost_usd,
  c.source,
  c.resource_attributes,
  c.attributes
FROM calls c
LEFT JOIN gemini_cli_session_meta sm ON sm.session_id IS NOT DISTINCT FROM c.session_id;

-- ---------------------------------------------------------------------------------------------
-- API attempts
-- ---------------------------------------------------------------------------------------------

-- One api_request per attempt, followed by exactly one api_response (success) or api_error (each
-- failed attempt, including retried 429/5xx). Pairing: within (session, process, prompt, model,
-- role) in time order, an outcome belongs to the latest request before it (requests sort first
-- on equal timestamps). A request with no outcome keeps status_reported = false; an outcome
-- whose request was not exported, or a second outcome after one request, is its own attempt.
CREATE OR REPLACE VIEW gemini_cli_api_events AS
SELECT
  *,
  CASE event_name WHEN 'gemini_cli.api_request' THEN 0 ELSE 1 END AS kind,
  coalesce(attributes ->> 'model', attributes ->> 'model_name', '') AS model,
  coalesce(attributes ->> 'role', '') AS role
FROM gemini_cli_logs
WHERE event_name IN ('gemini_cli.api_request', 'gemini_cli.api_response', 'gemini_cli.api_error')
QUALIFY row_number() OVER (
  PARTITION BY session_id, process_key, event_name, ts_unix_nano, attributes ->> 'model', prompt_key,
    attributes ->> 'status_code', attributes ->> 'input_token_count', attributes ->> 'output_token_count'
  ORDER BY record_key) = 1;

CREATE OR REPLACE VIEW gemini_cli_api_attempts AS
WITH seqd AS (
  SELECT
    *,
    sum(1 - kind) OVER (
      PARTITION BY session_id, process_key, prompt_key, model, role
      ORDER BY ts_unix_nano, kind, record_key
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS req_seq
  FROM gemini_cli_api_events
),
reqs AS (
  SELECT * FROM seqd WHERE kind = 0
),
outs AS (
  SELECT
    *,
    row_number() OVER (PARTITION BY session_id, process_key, prompt_key, model, role, req_seq ORDER BY ts_unix_nano, record_key) AS k
  FROM seqd
  WHERE kind = 1
),
paired AS (
  SELECT
    q.session_id, q.process_key, q.prompt_key, q.model, q.role, q.resource_id,
    q.ts_unix_nano AS ts_unix_nano,
    q.trace_id AS req_trace_id,
    q.attributes AS req_attributes,
    o.event_name AS out_event,
    o.attributes AS out_attributes
  FROM reqs q
  LEFT JOIN outs o
    ON o.session_id IS NOT DISTINCT FROM q.session_id
   AND o.process_key = q.process_key
   AND o.prompt_key = q.prompt_key
   AND o.model = q.model
   AND o.role = q.role
   AND o.req_seq = q.req_seq
   AND o.k = 1
  UNION ALL
  SELECT
    o.session_id, o.process_key, o.prompt_key, o.model, o.role, o.resource_id,
    o.ts_unix_nano - coalesce(CAST(TRY_CAST(o.attributes ->> 'duration_ms' AS DOUBLE) * 1e6 AS BIGINT), 0),
    nullif(o.trace_id, ''),
    NULL,
    o.event_name,
    o.attributes
  FROM outs o
  WHERE o.k > 1 OR o.req_seq = 0
),
llm_spans AS (
  SELECT trace_id, any_value(duration_ms) AS duration_ms
  FROM gemini_cli_spans
  WHERE name = 'llm_call'
  GROUP BY trace_id
),
from_logs AS (
  SELECT
    p.session_id, p.process_key, p.prompt_key, p.role, p.resource_id,
    nullif(p.model, '') AS model,
    make_timestamp(p.ts_unix_nano // 1000) AS ts,
    p.ts_unix_nano,
    CASE
      WHEN p.out_event IS NULL THEN NULL
      ELSE TRY_CAST(coalesce(p.out_attributes ->> 'status_code', p.out_attributes ->> '$."http.status_code"') AS INTEGER)
    END AS status_code,
    CASE
      WHEN p.out_event = 'gemini_cli.api_response' THEN coalesce(TRY_CAST(p.out_attributes ->> 'status_code' AS INTEGER) >= 400, false)
      WHEN p.out_event = 'gemini_cli.api_error' THEN true
    END AS is_error,
    coalesce(TRY_CAST(p.out_attributes ->> 'duration_ms' AS DOUBLE), s.duration_ms) AS duration_ms,
    CASE WHEN p.out_event = 'gemini_cli.api_error' THEN p.out_attributes ->> 'error' END AS error_json,
    CASE WHEN p.out_event = 'gemini_cli.api_error' THEN coalesce(p.out_attributes ->> '$."error.type"', p.out_attributes ->> 'error_type') END AS agent_error_type,
    CASE WHEN p.out_event = 'gemini_cli.api_error' THEN coalesce(p.out_attributes ->> 'status_code', p.out_attributes ->> '$."http.status_code"') END AS raw_status,
    CASE
      WHEN p.req_attributes IS NULL THEN 'logs: ' || p.out_event || ' (no api_request)'
      WHEN p.out_event IS NULL THEN 'logs: gemini_cli.api_request (no api_response/api_error)'
      ELSE 'logs: gemini_cli.api_request + ' || p.out_event
    END AS source,
    json_merge_patch(
      json_merge_patch(coalesce(p.req_attributes, '{}'), coalesce(p.out_attributes, '{}')),
      '{"request_text":null,"response_text":null,"prompt":null,"error":null,"error.message":null,"event.name":null,"event.timestamp":null}') AS attributes
  FROM paired p
  LEFT JOIN llm_spans s ON s.trace_id = p.req_trace_id
),
logged AS (
  SELECT DISTINCT session_id, process_key FROM gemini_cli_api_events
),
-- Fallback 1: llm_call spans (one root span per attempt) of processes without API log events.
-- Status 2 = failed, with the API's error JSON as the status message ({"error":{"code":429,...}});
-- status 1 = succeeded, but the span does not carry the HTTP status, so it is not reported.
span_fallback AS (
  SELECT s.*
  FROM gemini_cli_spans s
  LEFT JOIN logged l ON l.session_id IS NOT DISTINCT FROM s.session_id AND l.process_key = s.process_key
  WHERE s.name = 'llm_call' AND l.process_key IS NULL
),
-- their attributes, read back for these spans only (gemini_cli_spans does not keep them) and
-- stripped of the conversation before anything else holds them
span_fallback_attributes AS (
  SELECT
    record_key,
    json_merge_patch(attributes, '{"gen_ai.system_instructions":null,"gen_ai.tool.definitions":null,"gen_ai.input.messages":null,"gen_ai.output.messages":null,"gen_ai.agent.description":null}') AS attributes
  FROM spans
  WHERE record_key IN (SELECT record_key FROM span_fallback)
),
from_spans AS (
  SELECT
    s.session_id, s.process_key, s.prompt_key, '' AS role, s.resource_id,
    s.request_model AS model,
    s.start_ts AS ts,
    s.start_time_unix_nano AS ts_unix_nano,
    CASE WHEN s.status_code = 2 AND json_valid(s.status_message) THEN TRY_CAST(json_extract_string(s.status_message, '$.error.code') AS INTEGER) END AS status_code,
    CASE s.status_code WHEN 2 THEN true WHEN 1 THEN false END AS is_error,
    s.duration_ms,
    CASE WHEN s.status_code = 2 THEN s.status_message END AS error_json,
    NULL AS agent_error_type,
    NULL AS raw_status,
    'spans: llm_call' AS source,
    a.attributes
  FROM span_fallback s
  JOIN span_fallback_attributes a USING (record_key)
),
spanned AS (
  SELECT DISTINCT session_id, process_key FROM from_spans
),
-- Fallback 2: gemini_cli.api.request.count (model, status_code, error_type), cumulative, for
-- processes with neither API logs nor llm_call spans; one row per counted attempt, at the export
-- time of its window. Gemini 0.61 counts every FAILED attempt twice in this metric, once with
-- error_type (ApiError) and once without (gm05–gm07: one api_error each, two points each), while
-- successes are counted once without error_type. So per status, failed attempts are the larger
-- of the two series, never their sum.
metric_counts AS (
  SELECT
    m.session_id, m.process_key, m.resource_id,
    coalesce(m.attributes ->> 'model', '') AS model,
    TRY_CAST(m.attributes ->> 'status_code' AS INTEGER) AS status_code,
    m.window_end_unix_nano,
    greatest(
      sum(CASE WHEN (m.attributes ->> 'error_type') IS NOT NULL THEN m.delta ELSE 0 END),
      sum(CASE WHEN (m.attributes ->> 'error_type') IS NULL THEN m.delta ELSE 0 END)) AS n,
    max(m.attributes ->> 'error_type') AS agent_error_type
  FROM gemini_cli_metric_deltas m
  LEFT JOIN logged l ON l.session_id IS NOT DISTINCT FROM m.session_id AND l.process_key = m.process_key
  LEFT JOIN spanned sp ON sp.session_id IS NOT DISTINCT FROM m.session_id AND sp.process_key = m.process_key
  WHERE m.metric_name = 'gemini_cli.api.request.count'
    AND l.process_key IS NULL AND sp.process_key IS NULL
  GROUP BY m.session_id, m.process_key, m.resource_id, coalesce(m.attributes ->> 'model', ''), TRY_CAST(m.attributes ->> 'status_code' AS INTEGER), m.window_end_unix_nano
),
from_metrics AS (
  SELECT
    c.session_id, c.process_key, NULL AS prompt_key, '' AS role, c.resource_id,
    nullif(c.model, '') AS model,
    make_timestamp(c.window_end_unix_nano // 1000) AS ts,
    c.window_end_unix_nano AS ts_unix_nano,
    c.status_code,
    c.status_code IS NULL OR c.status_code >= 400 AS is_error,
    CAST(NULL AS DOUBLE) AS duration_ms,
    NULL AS error_json,
    c.agent_error_type,
    CAST(c.status_code AS VARCHAR) AS raw_status,
    'metrics: gemini_cli.api.request.count (cumulative deltas; one row per counted attempt, at export time)' AS source,
    json_object('model', nullif(c.model, ''), 'status_code', c.status_code, 'error_type', c.agent_error_type) AS attributes
  FROM metric_counts c, range(CAST(c.n AS BIGINT)) AS i(i)
  WHERE c.n > 0
),
attempts AS (
  SELECT * FROM from_logs
  UNION ALL
  SELECT * FROM from_spans
  UNION ALL
  SELECT * FROM from_metrics
),
-- Retries: Gemini retries a failed attempt (429/5xx, retryWithBackoff) inside the same prompt, so
-- an attempt that follows a failed attempt of the same prompt (same process and role; the model
-- may change on fallback) is a retry. attempt = 1 + the failed attempts right before it. Metric
-- rows have no order: attempt and is_retry stay NULL there.
numbered AS (
  SELECT
    *,
    coalesce(sum(CASE WHEN is_error THEN 0 ELSE 1 END) OVER (
      PARTITION BY session_id, process_key, prompt_key, role
      ORDER BY ts_unix_nano, source
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ok_before,
    lag(is_error) OVER (PARTITION BY session_id, process_key, prompt_key, role ORDER BY ts_unix_nano, source) AS prev_error
  FROM attempts
)
SELECT
  'gemini-cli' AS agent,
  n.session_id,
  n.model,
  n.ts,
  r.environment,
  r.service_name AS originator,
  sm.session_source,
  -- Gemini exports no id for a logical request (prompt_id spans a whole prompt).
  CAST(NULL AS VARCHAR) AS request_id,
  CASE WHEN n.prompt_key IS NOT NULL THEN
    row_number() OVER (PARTITION BY n.session_id, n.process_key, n.prompt_key, n.role, n.ok_before ORDER BY n.ts_unix_nano, n.source)
  END AS attempt,
  n.status_code,
  n.status_code IS NOT NULL AS status_reported,
  n.is_error,
  CASE WHEN n.prompt_key IS NOT NULL THEN coalesce(n.prev_error, false) END AS is_retry,
  n.duration_ms,
  -- The Google RPC status of the error body (RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL, ...), else
  -- the agent's error.type (ApiError).
  CASE WHEN n.is_error THEN coalesce(
    CASE WHEN json_valid(n.error_json) THEN json_extract_string(n.error_json, '$.error.status') END,
    n.agent_error_type) END AS error_type,
  CASE WHEN n.is_error THEN
    CASE
      WHEN n.status_code IS NOT NULL THEN 'http ' || CAST(n.status_code AS VARCHAR)
        || coalesce(' ' || CASE WHEN json_valid(n.error_json) THEN json_extract_string(n.error_json, '$.error.status') END, '')
      ELSE left(coalesce(n.raw_status, n.agent_error_type, 'error'), 80)
    END
  END AS error_message,
  n.source,
  r.resource_attributes,
  n.attributes
FROM numbered n
JOIN gemini_cli_resources r ON r.resource_id = n.resource_id
LEFT JOIN gemini_cli_session_meta sm ON sm.session_id IS NOT DISTINCT FROM n.session_id;

-- ---------------------------------------------------------------------------------------------
-- Tool calls
-- ---------------------------------------------------------------------------------------------

-- gemini_cli.tool_call: function_name, success (the agent's flag), decision (accept / reject /
-- modify / auto_accept; absent when the tool was never offered), metadata (JSON text; exitCode
-- and isError for run_shell_command), error_type (invalid_tool_params, tool_not_registered, ...).
-- Outcome rules, first match wins:
--   decision reject                   → rejected  ('decision reject')
--   error_type tool_not_registered    → rejected  (the tool is not available under the approval
--                                         policy, e.g. shell without --approval-mode yolo in -p)
--   any other error_type              → failure   ('error_type')
--   metadata.exitCode <> 0            → failure   ('metadata.exitCode'; Gemini says success=true)
--   metadata.exitCode = 0             → success   ('metadata.exitCode')
--   otherwise the agent's success flag            ('agent flag')
-- function_args, error / error.message (they quote the tool input) are stripped; metadata keeps
-- only its numbers and booleans (never output text).
CREATE OR REPLACE VIEW gemini_cli_tool_calls AS
WITH tl AS (
  SELECT
    l.*,
    l.attributes ->> 'function_name' AS tool_name,
    l.attributes ->> 'decision' AS decision_raw,
    TRY_CAST(l.attributes ->> 'success' AS BOOLEAN) AS agent_success,
    coalesce(l.attributes ->> 'error_type', l.attributes ->> '$."error.type"') AS agent_error_type,
    CASE WHEN json_valid(l.attributes ->> 'metadata') AND json_type(json(l.attributes ->> 'metadata')) = 'OBJECT'
      THEN json(l.attributes ->> 'metadata') END AS metadata,
    row_number() OVER (PARTITION BY l.trace_id, l.span_id, l.attributes ->> 'function_name' ORDER BY l.ts_unix_nano, l.record_key) AS n
  FROM gemini_cli_logs l
  WHERE l.event_name = 'gemini_cli.tool_call'
),
-- The tool_call log record points at its schedule_tool_calls span; that span's tool_call children
-- carry gen_ai.tool.call_id. Matched by tool name and order.
tool_spans AS (
  SELECT
    trace_id, parent_span_id,
    tool_name,
    tool_call_id AS call_id,
    row_number() OVER (PARTITION BY trace_id, parent_span_id, tool_name ORDER BY end_time_unix_nano, span_id) AS n
  FROM gemini_cli_spans
  WHERE name = 'tool_call'
),
from_logs AS (
  SELECT
    t.session_id,
    -- Calls that never ran (invalid params, tool not registered) have no span: session, time, tool.
    coalesce(ts.call_id, 'gemini_cli:' || coalesce(t.session_id, '') || ':' || CAST(t.ts_unix_nano AS VARCHAR) || ':' || coalesce(t.tool_name, '')) AS call_id,
    t.tool_name,
    t.ts,
    t.ts_unix_nano,
    t.process_key,
    t.prompt_key,
    t.resource_id,
    TRY_CAST(t.attributes ->> 'duration_ms' AS DOUBLE) AS duration_ms,
    t.decision_raw,
    t.agent_success,
    t.agent_error_type,
    TRY_CAST(json_extract_string(t.metadata, '$.exitCode') AS INTEGER) AS exit_code,
    'logs' AS via,
    json_merge_patch(
      json_merge_patch(t.attributes, '{"function_args":null,"error":null,"error.message":null,"metadata":null,"prompt":null,"event.name":null,"event.timestamp":null}'),
      json_object('metadata', CASE WHEN t.metadata IS NOT NULL THEN to_json(map_from_entries(list_filter(
        map_entries(CAST(t.metadata AS MAP(VARCHAR, JSON))),
        e -> json_type(e.value) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN')))) END)) AS attributes
  FROM tl t
  LEFT JOIN tool_spans ts
    ON t.trace_id <> '' AND ts.trace_id = t.trace_id AND ts.parent_span_id = t.span_id AND ts.tool_name = t.tool_name AND ts.n = t.n
),
logged AS (
  SELECT DISTINCT session_id, process_key FROM tl
),
-- Fallback: gemini_cli.tool.call.count (function_name, success, decision), cumulative, for
-- processes that logged no tool_call event: one row per counted call at its export time. The
-- metric has only the agent's flag (no exit code, no error type).
metric_counts AS (
  SELECT
    m.session_id, m.process_key, m.resource_id, m.window_end_unix_nano,
    m.attributes ->> 'function_name' AS tool_name,
    TRY_CAST(m.attributes ->> 'success' AS BOOLEAN) AS agent_success,
    m.attributes ->> 'decision' AS decision_raw,
    sum(m.delta) AS n,
    any_value(m.attributes) AS attributes
  FROM gemini_cli_metric_deltas m
  LEFT JOIN logged l ON l.session_id IS NOT DISTINCT FROM m.session_id AND l.process_key = m.process_key
  WHERE m.metric_name = 'gemini_cli.tool.call.count' AND l.process_key IS NULL
  GROUP BY m.session_id, m.process_key, m.resource_id, m.window_end_unix_nano,
    m.attributes ->> 'function_name', TRY_CAST(m.attributes ->> 'success' AS BOOLEAN), m.attributes ->> 'decision'
),
from_metrics AS (
  SELECT
    c.session_id,
    'gemini_cli:metrics:' || c.process_key || ':' || coalesce(c.tool_name, '') || ':' || CAST(c.window_end_unix_nano AS VARCHAR) || ':' || CAST(i AS VARCHAR) AS call_id,
    c.tool_name,
    make_timestamp(c.window_end_unix_nano // 1000) AS ts,
    c.window_end_unix_nano AS ts_unix_nano,
    c.process_key,
    NULL AS prompt_key,
    c.resource_id,
    CAST(NULL AS DOUBLE) AS duration_ms,
    c.decision_raw,
    c.agent_success,
    NULL AS agent_error_type,
    CAST(NULL AS INTEGER) AS exit_code,
    'metrics' AS via,
    c.attributes
  FROM metric_counts c, range(CAST(c.n AS BIGINT)) AS i(i)
  WHERE c.n > 0
),
calls AS (
  SELECT * FROM from_logs
  UNION ALL
  SELECT * FROM from_metrics
),
decided AS (
  SELECT
    c.*,
    CASE
      WHEN c.decision_raw = 'reject' THEN 'rejected'
      WHEN c.agent_error_type = 'tool_not_registered' THEN 'rejected'
      WHEN c.agent_error_type IS NOT NULL THEN 'failure'
      WHEN c.exit_code IS NOT NULL AND c.exit_code <> 0 THEN 'failure'
      WHEN c.exit_code = 0 THEN 'success'
      WHEN c.agent_success THEN 'success'
      WHEN NOT c.agent_success THEN 'failure'
    END AS outcome,
    CASE
      WHEN c.decision_raw = 'reject' THEN 'decision reject'
      WHEN c.agent_error_type = 'tool_not_registered' THEN 'tool_not_registered (not available under the approval policy)'
      WHEN c.agent_error_type IS NOT NULL THEN 'error_type'
      WHEN c.exit_code IS NOT NULL THEN 'metadata.exitCode'
      WHEN c.agent_success IS NOT NULL AND c.via = 'metrics' THEN 'agent flag (metrics: gemini_cli.tool.call.count)'
      WHEN c.agent_success IS NOT NULL THEN 'agent flag'
    END AS outcome_rule
  FROM calls c
)
SELECT
  'gemini-cli' AS agent,
  d.session_id,
  d.call_id,
  d.tool_name,
  -- The model that asked for the tool: the latest api_response of the same prompt before it.
  nullif(resp.model, '') AS model,
  d.ts,
  r.environment,
  r.service_name AS originator,
  sm.session_source,
  d.duration_ms,
  CASE
    WHEN d.decision_raw IN ('accept', 'auto_accept', 'modify') THEN 'accepted'
    WHEN d.decision_raw = 'reject' THEN 'rejected'
  END AS decision,
  d.agent_success,
  d.outcome = 'success' AS success,
  d.outcome,
  d.outcome_rule,
  d.exit_code,
  d.agent_error_type AS error_type,
  r.resource_attributes,
  d.attributes
FROM decided d
JOIN gemini_cli_resources r ON r.resource_id = d.resource_id
LEFT JOIN gemini_cli_session_meta sm ON sm.session_id IS NOT DISTINCT FROM d.session_id
ASOF LEFT JOIN gemini_cli_responses resp
  ON resp.session_id IS NOT DISTINCT FROM d.session_id
 AND resp.process_key = d.process_key
 AND resp.prompt_key = d.prompt_key
 AND d.ts_unix_nano >= resp.ts_unix_nano;

-- ---------------------------------------------------------------------------------------------
-- Sessions
-- ---------------------------------------------------------------------------------------------

-- Duration. Gemini has no session or prompt root span: every model attempt is its own trace with
-- an `llm_call` root, every tool batch a `schedule_tool_calls` root with `tool_call` children, all
-- tagged with gen_ai.conversation.id = prompt_id. The equivalent of a root span is the prompt:
-- first span start → last span end of one (process, prompt), and the session's duration is the sum
-- over its prompts (active time; the gap between a run and its --resume is not counted).
-- A process that exported no spans falls back to its first → last record (log times, metric
-- point start/end times).
CREATE OR REPLACE VIEW gemini_cli_activity AS
WITH span_windows AS (
  SELECT session_id, process_key, prompt_key,
    min(start_time_unix_nano) AS t0, max(end_time_unix_nano) AS t1, 'spans' AS kind
  FROM gemini_cli_spans
  GROUP BY session_id, process_key, prompt_key
),
spanned AS (
  SELECT DISTINCT session_id, process_key FROM span_windows
),
event_windows AS (
  SELECT rc.session_id, rc.process_key, NULL AS prompt_key, min(rc.t0) AS t0, max(rc.t1) AS t1, 'events' AS kind
  FROM gemini_cli_records rc
  LEFT JOIN spanned s ON s.session_id IS NOT DISTINCT FROM rc.session_id AND s.process_key = rc.process_key
  WHERE rc.signal <> 'spans' AND s.process_key IS NULL AND rc.t0 > 0
  GROUP BY rc.session_id, rc.process_key
)
SELECT * FROM span_windows
UNION ALL
SELECT * FROM event_windows;

CREATE OR REPLACE VIEW gemini_cli_sessions AS
WITH act AS (
  SELECT
    session_id,
    min(t0) AS t0,
    max(t1) AS t1,
    sum(t1 - t0) / 1e6 AS duration_ms,
    bool_or(kind = 'spans') AS by_spans,
    bool_or(kind = 'events') AS by_events
  FROM gemini_cli_activity
  GROUP BY session_id
),
prompts AS (
  -- gemini_cli.user_prompt: one per prompt; without logs, the distinct prompts of the spans.
  SELECT session_id, count(*) AS n
  FROM gemini_cli_logs
  WHERE event_name = 'gemini_cli.user_prompt'
  GROUP BY session_id
),
span_prompts AS (
  SELECT session_id, count(DISTINCT process_key || '|' || prompt_key) AS n
  FROM gemini_cli_spans
  GROUP BY session_id
),
models AS (
  SELECT session_id, list_sort(list_distinct(list(model))) AS models
  FROM (
    SELECT session_id, model FROM gemini_cli_model_calls WHERE model IS NOT NULL
    UNION ALL
    SELECT session_id, model FROM gemini_cli_api_attempts WHERE model IS NOT NULL
  )
  GROUP BY session_id
),
turns AS (
  -- A turn is one successful model round trip of the agent loop (Gemini's Turn), i.e. the
  -- attempts that got a response.
  SELECT session_id, count(*) FILTER (WHERE is_error = false) AS n
  FROM gemini_cli_api_attempts
  GROUP BY session_id
)
SELECT
  'gemini-cli' AS agent,
  sm.session_id,
  sm.originator,
  sm.session_source,
  sm.environment,
  coalesce(m.models, []) AS models,
  make_timestamp(a.t0 // 1000) AS start_ts,
  make_timestamp(a.t1 // 1000) AS end_ts,
  a.duration_ms,
  CASE
    WHEN a.by_spans AND a.by_events THEN 'spans: llm_call/schedule_tool_calls per prompt + events (processes without spans)'
    WHEN a.by_spans THEN 'spans: llm_call/schedule_tool_calls per prompt'
    WHEN a.by_events THEN 'events'
  END AS duration_source,
  sm.processes,
  coalesce(p.n, sp.n) AS prompts,
  coalesce(t.n, 0) AS turns,
  sm.has_logs,
  sm.has_spans,
  sm.has_metrics,
  sm.resource_attributes
FROM gemini_cli_session_meta sm
LEFT JOIN act a ON a.session_id IS NOT DISTINCT FROM sm.session_id
LEFT JOIN prompts p ON p.session_id IS NOT DISTINCT FROM sm.session_id
LEFT JOIN span_prompts sp ON sp.session_id IS NOT DISTINCT FROM sm.session_id
LEFT JOIN models m ON m.session_id IS NOT DISTINCT FROM sm.session_id
LEFT JOIN turns t ON t.session_id IS NOT DISTINCT FROM sm.session_id;

-- Any other producer of the OpenTelemetry GenAI semantic conventions → the normalized facts
-- (src/model/facts.ts). agent = the producer's service.name. Conventions used (semconv registry
-- model/gen-ai/registry.yaml, "development" stability):
--   spans   gen_ai.operation.name chat | generate_content | text_completion | embeddings (inference),
--           invoke_agent (an agent run), execute_tool (a tool call); error.type on failure
--   usage   gen_ai.usage.input_tokens, .output_tokens, .cache_read.input_tokens,
--           .cache_creation.input_tokens (+ the older spellings listed below)
--   events  gen_ai.client.inference.operation.details (the same usage as attributes)
--   metrics gen_ai.client.token.usage histogram, gen_ai.token.type = input | output
--   session gen_ai.conversation.id
--
-- Token rule. The registry says gen_ai.usage.input_tokens "SHOULD include all types of input
-- tokens, including cached tokens", and that cache_read / cache_creation "SHOULD be included in
-- gen_ai.usage.input_tokens". So input = input_tokens as reported. One exception, detectable from
-- the numbers alone: when input_tokens < cache_read + cache_creation the producer evidently reports
-- the parts apart (Anthropic style) and we add them. output = output_tokens (semconv output
-- includes reasoning); reasoning = gen_ai.usage.reasoning.output_tokens when a producer sends it
-- (not in the registry), else 0.
--
-- Precedence, each usage counted once: inference spans; then inference-details events that no
-- such span covers (same span context or same gen_ai.response.id); then gen_ai.client.token.usage
-- metric windows of a service and model that no span/event usage falls into. invoke_agent spans
-- may carry the SUM of their children's usage: their usage counts only for traces without
-- inference usage. A span whose parent is an inference span, or a span of a known agent, is the
-- same call seen by a gateway one hop further: it counts nothing (is_repeat).
--
-- Codex, Claude Code and Gemini CLI also emit gen_ai.* attributes and have their own mappings;
-- their resources are excluded here (genai_known_agent_resources).

-- Attribute keys that hold content (messages, instructions, tool arguments/results, documents,
-- exception text). Removed by key pattern because older conventions flatten messages into keys
-- such as gen_ai.prompt.0.content.
CREATE OR REPLACE MACRO genai_strip(j) AS to_json(map_from_entries(list_filter(
  map_entries(CAST(j AS MAP(VARCHAR, JSON))),
  e -> NOT regexp_matches(e.key,
    '^(gen_ai\.(input|output)\.messages|gen_ai\.system_instructions|gen_ai\.tool\.(call\.arguments|call\.result|definitions)|gen_ai\.(prompt|completion)(\..*)?|gen_ai\.retrieval\.(query\.text|documents)|gen_ai\.memory\.content|exception\.(message|stacktrace)|error\.message|.*\.content|.*(prompt|response)_text|prompt|response|input\.value|output\.value|llm\.(input|output)_messages.*)$'))));

-- ── Resources of the agents that have their own mapping ─────────────────────────────────────────
-- By service.name (Codex's is its originator: codex_exec, codex_cli_rs, codex-app-server,
-- codex_vscode, …) and, for renamed services, by instrumentation scope: Codex logs/metrics use
-- `codex`, `codex_otel…`; Claude Code `com.anthropic.claude_code…`; Gemini CLI `gemini-cli`. A
-- resource with any such record is excluded as a whole.
CREATE OR REPLACE MACRO genai_known_agent_service(service_name) AS
  service_name IN ('claude-code', 'gemini-cli') OR service_name LIKE 'codex%';

CREATE OR REPLACE VIEW genai_known_agent_resources AS
SELECT resource_id FROM resources
WHERE genai_known_agent_service(service_name)
UNION
SELECT x.resource_id
FROM (
  SELECT DISTINCT resource_id, scope_id FROM spans
  UNION SELECT DISTINCT resource_id, scope_id FROM logs
  UNION SELECT DISTINCT resource_id, scope_id FROM metric_number_points
  UNION SELECT DISTINCT resource_id, scope_id FROM metric_histogram_points
) x
JOIN scopes s USING (scope_id)
WHERE s.name LIKE 'codex%' OR s.name LIKE 'com.anthropic.claude_code%' OR s.name = 'gemini-cli';

-- ── Candidate records ───────────────────────────────────────────────────────────────────────────
-- Spans with a GenAI operation or usage. Codex's span scope is its originator (any name with
-- CODEX_INTERNAL_ORIGINATOR_OVERRIDE), but its spans keep the Rust tracing `target` codex_*.
CREATE OR REPLACE VIEW genai_spans AS
WITH s AS (
  SELECT
    sf.*,
    (sf.attributes ->> '$."gen_ai.operation.name"') AS op,
    (sf.attributes ->> '$."gen_ai.conversation.id"') AS conversation_id,
    coalesce(sf.attributes ->> '$."gen_ai.response.model"', sf.attributes ->> '$."gen_ai.request.model"') AS model,
    coalesce(TRY_CAST(sf.attributes ->> '$."gen_ai.usage.input_tokens"' AS BIGINT), TRY_CAST(sf.attributes ->> '$."gen_ai.usage.prompt_tokens"' AS BIGINT)) AS input_tokens,
    coalesce(TRY_CAST(sf.attributes ->> '$."gen_ai.usage.output_tokens"' AS BIGINT), TRY_CAST(sf.attributes ->> '$."gen_ai.usage.completion_tokens"' AS BIGINT)) AS output_tokens,
    coalesce(TRY_CAST(sf.attributes ->> '$."gen_ai.usage.cache_read.input_tokens"' AS BIGINT), TRY_CAST(sf.attributes ->> '$."gen_ai.usage.cache_read_input_tokens"' AS BIGINT)) AS cache_read_tokens,
    coalesce(TRY_CAST(sf.attributes ->> '$."gen_ai.usage.cache_creation.input_tokens"' AS BIGINT), TRY_CAST(sf.attributes ->> '$."gen_ai.usage.cache_creation_input_tokens"' AS BIGINT), TRY_CAST(sf.attributes ->> '$."gen_ai.usage.cache_write.input_tokens"' AS BIGINT)) AS cache_write_tokens,
    coalesce(TRY_CAST(sf.attributes ->> '$."gen_ai.usage.reasoning.output_tokens"' AS BIGINT), TRY_CAST(sf.attributes ->> '$."gen_ai.usage.reasoning_output_tokens"' AS BIGINT)) AS reasoning_tokens,
    (sf.attributes ->> '$."error.type"') AS error_type,
    TRY_CAST(sf.attributes ->> '$."http.response.status_code"' AS INTEGER) AS http_status,
    (sf.attributes ->> '$."gen_ai.response.id"') AS response_id,
    coalesce(sf.resource_attributes ->> '$."deployment.environment.name"', sf.resource_attributes ->> '$."deployment.environment"') AS environment
  FROM span_facts sf
  ANTI JOIN genai_known_agent_resources k USING (resource_id)
  -- the same exclusion by service name first, as a filter: it runs before any attribute is read
  -- (the anti join runs after), and a known agent's records are most of an archive
  WHERE NOT genai_known_agent_service(sf.service_name)
    AND ((sf.attributes ->> '$."gen_ai.operation.name"') IS NOT NULL
      OR (sf.attributes ->> '$."gen_ai.usage.input_tokens"') IS NOT NULL
      OR (sf.attributes ->> '$."gen_ai.usage.output_tokens"') IS NOT NULL)
    AND coalesce(sf.attributes ->> '$.target', '') NOT LIKE 'codex%'
),
s2 AS (
  SELECT
    s.*,
    -- inference: a model call. Spans with usage but no operation name are taken as inference too.
    coalesce(s.op IN ('chat', 'generate_content', 'text_completion', 'embeddings'),
             s.input_tokens IS NOT NULL OR s.output_tokens IS NOT NULL) AS is_inference
  FROM s
)
SELECT
  s2.*,
  -- Session: the span's conversation id, else one from its trace (often only the invoke_agent
  -- root carries it), else the trace itself.
  coalesce(s2.conversation_id, max(s2.conversation_id) OVER (PARTITION BY s2.trace_id), 'trace:' || s2.trace_id) AS session_id,
  -- The same model call seen again one hop further (an instrumented gateway or proxy whose span is
  -- the child of the caller's): its parent is an inference span, or a span of a known agent
  -- (Claude Code's llm_request, Codex's handle_responses) that its own mapping already counts.
  -- Such spans add no usage and no attempt.
  coalesce(ps.is_inference, false) OR kp.resource_id IS NOT NULL AS is_repeat
FROM s2
LEFT JOIN s2 ps ON ps.trace_id = s2.trace_id AND ps.span_id = s2.parent_span_id
LEFT JOIN (
  -- (only in the traces of these spans: the known agents' spans are most of an archive)
  SELECT p.trace_id, p.span_id, p.resource_id
  FROM spans p
  SEMI JOIN genai_known_agent_resources k USING (resource_id)
  SEMI JOIN (SELECT DISTINCT trace_id FROM s2) t USING (trace_id)
) kp ON kp.trace_id = s2.trace_id AND kp.span_id = s2.parent_span_id;

-- Inference-details events (logs), with their session: own conversation id, else the one of
-- their trace's spans, else the trace.
CREATE OR REPLACE VIEW genai_events AS
SELECT
  l.*,
  coalesce(l.attributes ->> '$."gen_ai.response.model"', l.attributes ->> '$."gen_ai.request.model"') AS model,
  TRY_CAST(l.attributes ->> '$."gen_ai.usage.input_tokens"' AS BIGINT) AS input_tokens,
  TRY_CAST(l.attributes ->> '$."gen_ai.usage.output_tokens"' AS BIGINT) AS output_tokens,
  TRY_CAST(l.attributes ->> '$."gen_ai.usage.cache_read.input_tokens"' AS BIGINT) AS cache_read_tokens,
  TRY_CAST(l.attributes ->> '$."gen_ai.usage.cache_creation.input_tokens"' AS BIGINT) AS cache_write_tokens,
  TRY_CAST(l.attributes ->> '$."gen_ai.usage.reasoning.output_tokens"' AS BIGINT) AS reasoning_tokens,
  (l.attributes ->> '$."error.type"') AS error_type,
  (l.attributes ->> '$."gen_ai.response.id"') AS response_id,
  coalesce(l.attributes ->> '$."gen_ai.conversation.id"', t.conversation_id, 'trace:' || nullif(l.trace_id, '')) AS session_id,
  coalesce(l.resource_attributes ->> '$."deployment.environment.name"', l.resource_attributes ->> '$."deployment.environment"') AS environment
FROM log_events l
LEFT JOIN (SELECT trace_id, max(session_id) AS conversation_id FROM genai_spans GROUP BY trace_id) t
  ON t.trace_id = nullif(l.trace_id, '')
ANTI JOIN genai_known_agent_resources k ON k.resource_id = l.resource_id
-- the service-name filter first: log_events reads the event name of every record it passes
WHERE NOT genai_known_agent_service(l.service_name)
  AND l.event_name = 'gen_ai.client.inference.operation.details';

-- ── Usage ─────────────────────────────────────────────────────────────────────────────────────────
CREATE OR REPLACE VIEW genai_usage_exact AS
WITH inf AS (
  SELECT
    service_name, session_id, trace_id, span_id, response_id, model, end_ts AS ts, environment, resource_attributes, attributes,
    input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
    'spans: ' || coalesce(op, 'gen_ai') AS source, is_inference
  FROM genai_spans
  WHERE (input_tokens IS NOT NULL OR output_tokens IS NOT NULL) AND NOT is_repeat
),
spans_used AS (
  SELECT * FROM inf WHERE is_inference
  UNION ALL
  -- agent-level usage only when the trace has no inference usage (it would repeat it)
  SELECT i.* FROM inf i
  ANTI JOIN (SELECT DISTINCT trace_id FROM inf WHERE is_inference) t USING (trace_id)
  WHERE NOT i.is_inference
)
SELECT * EXCLUDE (is_inference) FROM spans_used
UNION ALL
SELECT
  e.service_name, e.session_id, nullif(e.trace_id, ''), nullif(e.span_id, ''), e.response_id, e.model, e.ts, e.environment, e.resource_attributes, e.attributes,
  e.input_tokens, e.output_tokens, e.cache_read_tokens, e.cache_write_tokens, e.reasoning_tokens,
  'logs: gen_ai.client.inference.operation.details'
FROM genai_events e
-- an event inside a span that reports usage, or with the response id of one, repeats it
ANTI JOIN inf s ON s.trace_id = nullif(e.trace_id, '') AND s.span_id = nullif(e.span_id, '')
ANTI JOIN inf r ON r.response_id = e.response_id
WHERE e.input_tokens IS NOT NULL OR e.output_tokens IS NOT NULL;

-- Metric fallback: gen_ai.client.token.usage histogram points (sum = tokens of one token type).
-- DELTA points are a window each; CUMULATIVE points are turned into deltas per series (same
-- resource, attributes and start time). A window is used only when no span/event usage of the
-- same service and model lies in it (250 ms slack for records written just after the
-- collection). Only input and output are defined as token types: cache counts are 0 there, and one
-- row may stand for several calls (the histogram count says how many).
CREATE OR REPLACE VIEW genai_usage_metric_windows AS
WITH p AS (
  SELECT
    h.*,
    (h.attributes ->> '$."gen_ai.token.type"') AS token_type,
    coalesce(h.attributes ->> '$."gen_ai.response.model"', h.attributes ->> '$."gen_ai.request.model"') AS model,
    (h.attributes ->> '$."gen_ai.conversation.id"') AS conversation_id,
    lag(h.value) OVER w AS prev_value,
    lag(h.time_unix_nano) OVER w AS prev_ns
  FROM metric_points h
  ANTI JOIN genai_known_agent_resources k USING (resource_id)
  WHERE h.metric_name = 'gen_ai.client.token.usage' AND h.metric_type = 'histogram'
  WINDOW w AS (PARTITION BY h.resource_id, CAST(h.attributes AS VARCHAR), h.start_time_unix_nano ORDER BY h.time_unix_nano)
)
SELECT
  service_name, resource_id, model, conversation_id,
  -- An aggregate, not a group key: the input and output series of one export can have start
  -- times a few microseconds apart (the SDK stamps each series when it is first recorded).
  make_timestamp(min(CASE WHEN temporality = 2 THEN coalesce(prev_ns, start_time_unix_nano) ELSE start_time_unix_nano END) // 1000) AS start_ts,
  ts, time_unix_nano,
  CAST(round(sum(CASE WHEN temporality = 2 THEN value - coalesce(prev_value, 0) ELSE value END) FILTER (WHERE token_type = 'input')) AS BIGINT) AS input_tokens,
  CAST(round(sum(CASE WHEN temporality = 2 THEN value - coalesce(prev_value, 0) ELSE value END) FILTER (WHERE token_type = 'output')) AS BIGINT) AS output_tokens,
  any_value(coalesce(resource_attributes ->> '$."deployment.environment.name"', resource_attributes ->> '$."deployment.environment"')) AS environment,
  any_value(resource_attributes) AS resource_attributes,
  any_value(attributes) AS attributes
FROM p
WHERE temporality IN (1, 2)
GROUP BY ALL
HAVING coalesce(input_tokens, 0) + coalesce(output_tokens, 0) > 0;

CREATE OR REPLACE VIEW genai_usage AS
SELECT * FROM genai_usage_exact
UNION ALL
SELECT
  w.service_name, w.conversation_id, NULL, NULL, NULL, w.model, w.ts, w.environment, w.resource_attributes, w.attributes,
  coalesce(w.input_tokens, 0), coalesce(w.output_tokens, 0), 0, 0, NULL,
  'metrics: gen_ai.client.token.usage'
FROM genai_usage_metric_windows w
ANTI JOIN genai_usage_exact e
  ON e.service_name = w.service_name AND e.model IS NOT DISTINCT FROM w.model
  AND e.ts >= w.start_ts AND e.ts <= w.ts + INTERVAL 250 MILLISECOND;

CREATE OR REPLACE VIEW genai_model_calls AS
SELECT
  u.service_name AS agent,
  u.session_id,
  coalesce(u.response_id, u.span_id, concat_ws(':', u.source, u.service_name, u.model, epoch_us(u.ts))) AS call_id,
  u.model,
  u.ts,
  u.environment,
  u.service_name AS originator,
  CAST(NULL AS VARCHAR) AS session_source,
  CASE
    WHEN coalesce(u.input_tokens, 0) < coalesce(u.cache_read_tokens, 0) + coalesce(u.cache_write_tokens, 0)
      THEN coalesce(u.input_tokens, 0) + coalesce(u.cache_read_tokens, 0) + coalesce(u.cache_write_tokens, 0)
    ELSE coalesce(u.input_tokens, 0)
  END AS input,
  coalesce(u.cache_read_tokens, 0) AS cache_read,
  coalesce(u.cache_write_tokens, 0) AS cache_write,
  CAST(NULL AS BIGINT) AS cache_write_5m,
  CAST(NULL AS BIGINT) AS cache_write_1h,
  coalesce(u.output_tokens, 0) AS output,
  coalesce(u.reasoning_tokens, 0) AS reasoning,
  CAST(NULL AS DECIMAL(18, 9)) AS agent_cost_usd,
  u.source,
  u.resource_attributes,
  genai_strip(u.attributes) AS attributes
FROM genai_usage u;

-- ── API attempts: one row per inference call (span, else event) ────────────────────────────────
-- Semconv has no attempt counter: attempt / is_retry are NULL. The HTTP status is
-- http.response.status_code, else error.type when it is a status code (semconv: "the status code
-- as a string" for HTTP errors). Otherwise it is not reported (never guessed, not even 200).
CREATE OR REPLACE VIEW genai_api_attempts AS
WITH a AS (
  SELECT
    service_name, session_id, model, start_ts AS ts, environment, resource_attributes, attributes,
    response_id, duration_ms, error_type, http_status, status_code = 2 AS span_error,
    'spans: ' || coalesce(op, 'gen_ai') AS source
  FROM genai_spans
  WHERE is_inference AND NOT is_repeat
  UNION ALL
  SELECT
    e.service_name, e.session_id, e.model, e.ts, e.environment, e.resource_attributes, e.attributes,
    e.response_id, NULL, e.error_type, TRY_CAST(e.attributes ->> '$."http.response.status_code"' AS INTEGER), false,
    'logs: gen_ai.client.inference.operation.details'
  FROM genai_events e
  ANTI JOIN genai_spans s ON s.trace_id = nullif(e.trace_id, '') AND s.span_id = nullif(e.span_id, '')
  ANTI JOIN genai_spans r ON r.response_id = e.response_id
  -- an event that describes no outcome (e.g. one written when the request is sent) is no attempt
  WHERE e.input_tokens IS NOT NULL OR e.output_tokens IS NOT NULL OR e.error_type IS NOT NULL OR e.response_id IS NOT NULL
)
SELECT
  a.service_name AS agent,
  a.session_id, a.model, a.ts, a.environment,
  a.service_name AS originator,
  CAST(NULL AS VARCHAR) AS session_source,
  a.response_id AS request_id,
  CAST(NULL AS INTEGER) AS attempt,
  coalesce(a.http_status, TRY_CAST(a.error_type AS INTEGER)) AS status_code,
  coalesce(a.http_status, TRY_CAST(a.error_type AS INTEGER)) IS NOT NULL AS status_reported,
  a.error_type IS NOT NULL OR a.span_error OR coalesce(a.http_status, 0) >= 400 AS is_error,
  CAST(NULL AS BOOLEAN) AS is_retry,
  a.duration_ms,
  a.error_type,
  CASE WHEN a.error_type IS NOT NULL OR a.span_error THEN concat_ws(' ', 'error', a.error_type) END AS error_message,
  a.source,
  a.resource_attributes,
  genai_strip(a.attributes) AS attributes
FROM a;

-- ── Tool calls: execute_tool spans ──────────────────────────────────────────────────────────────
-- Semconv has no success flag and no permission decision: error.type set → failure ('error.type');
-- span status ERROR → failure ('span status error'); else success ('span status'). agent_success
-- is the span status as the producer set it.
CREATE OR REPLACE VIEW genai_tool_calls AS
WITH t AS (
  SELECT * FROM genai_spans WHERE op = 'execute_tool'
),
inf AS (SELECT session_id, model, start_ts FROM genai_spans WHERE is_inference AND model IS NOT NULL)
SELECT
  t.service_name AS agent,
  t.session_id,
  coalesce(t.attributes ->> '$."gen_ai.tool.call.id"', t.span_id) AS call_id,
  (t.attributes ->> '$."gen_ai.tool.name"') AS tool_name,
  m.model,
  t.start_ts AS ts,
  t.environment,
  t.service_name AS originator,
  CAST(NULL AS VARCHAR) AS session_source,
  t.duration_ms,
  CAST(NULL AS VARCHAR) AS decision,
  t.status_code <> 2 AS agent_success,
  t.error_type IS NULL AND t.status_code <> 2 AS success,
  CASE WHEN t.error_type IS NULL AND t.status_code <> 2 THEN 'success' ELSE 'failure' END AS outcome,
  CASE WHEN t.error_type IS NOT NULL THEN 'error.type' WHEN t.status_code = 2 THEN 'span status error' ELSE 'span status' END AS outcome_rule,
  CAST(NULL AS INTEGER) AS exit_code,
  t.error_type,
  t.resource_attributes,
  genai_strip(t.attributes) AS attributes
FROM t
-- the model that asked for the tool: the session's latest inference call that started before it
ASOF LEFT JOIN inf m ON m.session_id = t.session_id AND t.start_ts >= m.start_ts;

-- ── Sessions ──────────────────────────────────────────────────────────────────────────────────────
-- Duration: the union of the session's invoke_agent span intervals (nested or parallel agent
-- runs are not counted twice; idle time between runs is not counted); start/end = first start,
-- last end. Without invoke_agent spans: first → last record ('events').
CREATE OR REPLACE VIEW genai_sessions AS
WITH runs AS (
  SELECT service_name, session_id, start_time_unix_nano AS s, end_time_unix_nano AS e,
    max(end_time_unix_nano) OVER (PARTITION BY service_name, session_id ORDER BY start_time_unix_nano, end_time_unix_nano ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
  FROM genai_spans WHERE op = 'invoke_agent'
),
islands AS (
  SELECT service_name, session_id, s, e, sum(CASE WHEN prev_end IS NULL OR s > prev_end THEN 1 ELSE 0 END) OVER (PARTITION BY service_name, session_id ORDER BY s, e) AS island
  FROM runs
),
active AS (
  SELECT service_name, session_id, sum(island_ms) AS active_ms, make_timestamp(min(s0) // 1000) AS start_ts, make_timestamp(max(e0) // 1000) AS end_ts
  FROM (SELECT service_name, session_id, island, (max(e) - min(s)) / 1e6 AS island_ms, min(s) AS s0, max(e) AS e0 FROM islands GROUP BY ALL)
  GROUP BY service_name, session_id
),
rec AS (
  -- a gateway's repeat of someone else's call is not a session of its own
  SELECT service_name, session_id, start_ts AS ts, end_ts, 'spans' AS signal, resource_id, resource_attributes, environment FROM genai_spans WHERE NOT is_repeat
  UNION ALL
  SELECT service_name, session_id, ts, ts, 'logs', resource_id, resource_attributes, environment FROM genai_events
  UNION ALL
  SELECT service_name, conversation_id, start_ts, ts, 'metrics', resource_id, resource_attributes, environment FROM genai_usage_metric_windows
),
agg AS (
  SELECT
    service_name, session_id,
    min(ts) AS first_ts, max(end_ts) AS last_ts,
    bool_or(signal = 'logs') AS has_logs, bool_or(signal = 'spans') AS has_spans, bool_or(signal = 'metrics') AS has_metrics,
    -- processes: distinct service instances (service.instance.id, else the resource)
    count(DISTINCT coalesce(resource_attributes ->> '$."service.instance.id"', resource_id)) AS processes,
    arg_min(resource_attributes, ts) AS resource_attributes,
    arg_min(environment, ts) AS environment
  FROM rec
  WHERE session_id IS NOT NULL
  GROUP BY ALL
),
models AS (
  SELECT service_name, session_id, list_sort(list(DISTINCT model)) AS models
  FROM (SELECT service_name, session_id, model FROM genai_usage UNION ALL SELECT agent, session_id, model FROM genai_api_attempts)
  WHERE model IS NOT NULL
  GROUP BY ALL
),
counts AS (
  SELECT
    service_name, session_id,
    -- prompts: agent runs not nested in another run of the same session (top-level invoke_agent)
    count(*) FILTER (WHERE op = 'invoke_agent' AND NOT parent_is_run) AS prompts,
    count(*) FILTER (WHERE op = 'invoke_agent') AS runs,
    count(*) FILTER (WHERE is_inference AND NOT is_repeat) AS turns
  FROM (
    SELECT g.*, p.span_id IS NOT NULL AS parent_is_run
    FROM genai_spans g
    LEFT JOIN (SELECT DISTINCT trace_id, span_id FROM genai_spans WHERE op = 'invoke_agent') p
      ON p.trace_id = g.trace_id AND p.span_id = g.parent_span_id
  )
  GROUP BY ALL
)
SELECT
  a.service_name AS agent,
  a.session_id,
  a.service_name AS originator,
  CAST(NULL AS VARCHAR) AS session_source,
  a.environment,
  coalesce(m.models, []::VARCHAR[]) AS models,
  coalesce(x.start_ts, a.first_ts) AS start_ts,
  coalesce(x.end_ts, a.last_ts) AS end_ts,
  coalesce(x.active_ms, (epoch_us(a.last_ts) - epoch_us(a.first_ts)) / 1000.0) AS duration_ms,
  CASE WHEN x.session_id IS NOT NULL THEN 'spans: invoke_agent' ELSE 'events' END AS duration_source,
  a.processes,
  CASE WHEN c.runs > 0 THEN c.prompts END AS prompts,
  CASE WHEN a.has_spans THEN c.turns END AS turns,
  a.has_logs, a.has_spans, a.has_metrics,
  a.resource_attributes
FROM agg a
LEFT JOIN active x USING (service_name, session_id)
LEFT JOIN models m USING (service_name, session_id)
LEFT JOIN counts c USING (service_name, session_id);

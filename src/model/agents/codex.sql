-- Codex CLI (OpenAI, opentelemetry-rust) → the normalized facts (src/model/facts.ts).
-- Signals and their meaning: shared/captures/README.md §3.1 and §4; inventory:
-- shared/reference/inventory/codex.md.
--
-- Identity
--   session   = `conversation.id` (logs, span events, spans codex.sampling / run_turn / …) or
--               `thread_id` (session_loop, shell_snapshot, …). A resumed conversation (`codex exec
--               resume`) keeps its id, so it is one session with several processes.
--   side conversations: the TUI starts an *ephemeral* thread (span session_init.thread_persistence
--               with `session_init.ephemeral=true`) to generate the thread title. It has its own
--               conversation.id, a synthetic user prompt and even its own session_loop, but it is
--               not a user session: it is folded into the real conversation of the same originator
--               that was active when it started (its tokens, attempts and costs count there, once).
--               Without spans this cannot be told apart, and the side thread shows as a session.
--
-- Signal precedence (each usage counted exactly once):
--   tokens    1. `codex.sse_event` usage records (the `response.completed` record WITH token fields)
--             2. `handle_responses` spans (gen_ai.usage.*) for responses missing from the logs,
--                paired with the log records on (conversation, token tuple, k-th occurrence)
--             3. `codex.turn.token_usage` DELTA histograms for export windows where no log/span
--                usage exists for that originator and model (no conversation id on metrics)
--   attempts  1. `codex.api_request` logs (one per HTTP attempt)
--             2. the `codex.api_request` span events (a trace-safe mirror, same attributes) for
--                attempts missing from the logs, paired on (conversation, trace, Codex attempt,
--                status, duration, k-th occurrence)
--             3. `codex.api_request` metric counts (per status) for windows with neither
--             `attempt` / `is_retry` are derived by ordering a turn's attempts (Codex's own
--             0-based `attempt` resets on stream-level retries and stays 0 after a 429).
--   tools     `codex.tool_decision` + `codex.tool_result` logs (exit code parsed from the output
--             text), else the `codex.tool_result` span events (no output, so only the agent flag).
--             No fallback to the `codex.tool.call` metrics: no call id, and their success flag
--             lies the same way.
--   sessions  duration from `session_loop` root spans (one per process, summed as active time),
--             else first → last record of the conversation.
--   agent cost `codex.turn_cost` logs (`usage.estimated_usd`), else `codex.turn.cost_microusd`
--             metrics: per TURN, so never on model_calls; exposed as the extra view
--             codex_agent_costs(session_id, turn_id, model, ts, cost_usd, source).

-- ── Helpers ─────────────────────────────────────────────────────────────────────────────────────
-- Codex names the environment `env` (otel.environment); generic resources use deployment.*.
CREATE OR REPLACE MACRO codex_env(ra) AS
  coalesce(ra ->> '$."deployment.environment.name"', ra ->> '$."deployment.environment"', ra ->> '$.env');

-- Content removed from every attributes object we expose: the user prompt, tool arguments and
-- output, and SSE error payloads (a `response.failed` record carries the failed response JSON).
CREATE OR REPLACE MACRO codex_strip(j) AS json_merge_patch(j,
  '{"prompt":null,"arguments":null,"output":null,"error.message":null,"user.email":null}');

-- ── Raw records of Codex ────────────────────────────────────────────────────────────────────────
-- Codex log events carry their semantic name in the `event.name` attribute, always `codex.*`
-- (the LogRecord eventName is a Rust callsite). service.name is the originator and can be
-- overridden, so the name prefix is the reliable marker. Log time: timeUnixNano is always 0, the
-- base view falls back to the observed time.
CREATE OR REPLACE VIEW codex_log AS
WITH l AS MATERIALIZED (
  SELECT
    l.*,
    json_extract_string(l.attributes, ['$."event.name"', '$."conversation.id"', '$.originator', '$.model']) AS a
  FROM log_records l
  -- A Codex name is in the record's text (JSON as the loader writes it, with JSON.stringify, which
  -- never escapes a letter), so records without "codex." anywhere are passed over before their
  -- attributes are parsed: the other agents' records, Gemini's 25 kB inference details above
  -- all, are most of the log volume.
  WHERE contains(l.attributes, 'codex.') OR contains(l.record_event_name, 'codex.') OR contains(l.body, 'codex.')
)
SELECT
  l.record_key,
  l.ts,
  log_event_name(l.a[1], l.record_event_name, l.body) AS event_name,
  l.attributes,
  l.trace_id,
  l.span_id,
  l.service_name,
  l.resource_id,
  l.a[2] AS conversation_id,
  l.a[3] AS originator_attr,
  l.a[4] AS model
FROM l
WHERE log_event_name(l.a[1], l.record_event_name, l.body) LIKE 'codex.%';

-- Every Codex span carries `target` = the Rust module path (codex_core::…, codex_app_server::…).
-- Codex exports dozens of spans per turn and most name no conversation, so only the spans read
-- below are kept: those naming a conversation, the thread-persistence flag, the handle_responses
-- usage spans and the two spans above them (codex_usage_spans). The spans are narrowed first and
-- the `target` of the few left is read after (MATERIALIZED keeps that order): JSON extraction
-- over every span is the cost of this view. So the ids are parsed only from the spans whose text
-- names one of the two keys (the loader writes it with JSON.stringify, which never escapes a
-- letter, as codex_log relies on too): 2 % of the spans on the 1 GB bench, where the facts build
-- then took ~7 % less time and CPU (5 alternating runs: 2.9–3.4 s → 2.8–3.2 s). The texts
-- searched for are the keys' ends, `versation.id"` and `hread_id"`, not the quoted keys: contains()
-- looks for the first byte of the text with memchr, and a JSON object has a '"' every few bytes
-- (a 'v' or an 'h' is rarer); the search over every span took about half the time (warm, 1 GB bench:
-- ~250 ms → ~75 ms above the scan). A text that has the key has these too, and the few others (the
-- gen_ai.conversation.id spans) get NULL ids from the extraction, as before.
CREATE OR REPLACE VIEW codex_span AS
WITH usage_parents AS (
  SELECT DISTINCT trace_id, parent_span_id AS span_id
  FROM spans
  WHERE name = 'handle_responses'
),
named AS MATERIALIZED (
  SELECT s.*
  FROM (
    SELECT * EXCLUDE (ids), coalesce(ids[1], ids[2]) AS conversation_id
    FROM (
      SELECT
        *,
        CASE WHEN contains(attributes, 'versation.id"') OR contains(attributes, 'hread_id"')
          THEN json_extract_string(attributes, ['$."conversation.id"', '$.thread_id']) END AS ids
      FROM span_facts
    )
  ) s
  LEFT JOIN usage_parents up USING (trace_id, span_id)
  WHERE s.conversation_id IS NOT NULL
    OR s.name IN ('session_init.thread_persistence', 'try_run_sampling_request')
    OR (s.name = 'handle_responses' AND (s.attributes ->> '$."gen_ai.usage.input_tokens"') IS NOT NULL)
    OR up.span_id IS NOT NULL
)
SELECT * EXCLUDE (resource_attributes) FROM named WHERE (attributes ->> '$.target') LIKE 'codex%';

-- Span events mirror most log events ("trace_safe" copies: same attributes, minus prompt text and
-- tool output). They are the fallback when the logs were not exported.
CREATE OR REPLACE VIEW codex_span_event AS
SELECT
  e.span_key,
  e.seq,
  make_timestamp(e.time_unix_nano // 1000) AS ts,
  e.trace_id,
  e.span_id,
  (e.attributes ->> '$."event.name"') AS event_name,
  e.attributes,
  s.service_name,
  s.resource_id,
  (e.attributes ->> '$."conversation.id"') AS conversation_id,
  (e.attributes ->> '$.originator') AS originator_attr,
  (e.attributes ->> '$.model') AS model
FROM span_events e
JOIN span_facts s ON s.record_key = e.span_key
WHERE (e.attributes ->> '$."event.name"') LIKE 'codex.%';

-- Metric points of the four metrics the facts read (Codex exports a hundred others).
CREATE OR REPLACE VIEW codex_metric AS
SELECT
  m.* EXCLUDE (resource_attributes),
  (m.attributes ->> '$.originator') AS originator_attr,
  (m.attributes ->> '$.model') AS model,
  (m.attributes ->> '$.session_source') AS session_source
FROM metric_points m
WHERE m.metric_name IN ('codex.turn.token_usage', 'codex.turn.e2e_duration_ms', 'codex.api_request', 'codex.turn.cost_microusd');

-- The export windows of every Codex metric point with its originator and session_source (the
-- only signal that names the session source; see codex_conv_map).
CREATE OR REPLACE VIEW codex_metric_sources AS
SELECT DISTINCT originator, session_source, start_ts, ts
FROM (
  SELECT (attributes ->> '$.originator') AS originator, (attributes ->> '$.session_source') AS session_source, start_ts, ts
  FROM metric_points
  WHERE metric_name LIKE 'codex.%'
)
WHERE session_source IS NOT NULL AND originator IS NOT NULL;

-- ── Traces → conversation, originator, model ───────────────────────────────────────────────────
-- One trace per turn (root `turn/start`) or per thread start. Records of a trace that carry
-- `conversation.id` name its conversation; a trace with two conversations is left unmapped.
CREATE OR REPLACE VIEW codex_trace_conv AS
WITH r AS (
  SELECT trace_id, conversation_id, originator_attr AS originator, model FROM codex_log
  WHERE trace_id <> '' AND conversation_id IS NOT NULL
  UNION ALL
  SELECT trace_id, conversation_id, originator_attr, model FROM codex_span_event WHERE conversation_id IS NOT NULL
  UNION ALL
  SELECT trace_id, conversation_id, NULL, NULL FROM codex_span WHERE conversation_id IS NOT NULL
)
SELECT
  trace_id,
  CASE WHEN count(DISTINCT conversation_id) = 1 THEN min(conversation_id) END AS conversation_id,
  CASE WHEN count(DISTINCT originator) = 1 THEN min(originator) END AS originator,
  CASE WHEN count(DISTINCT model) = 1 THEN min(model) END AS model
FROM r
GROUP BY trace_id;

-- ── Conversations ───────────────────────────────────────────────────────────────────────────────
-- Everything that names a conversation, as time ranges. `codex.turn_cost` is left out: the daemon
-- emits it ~150 s after the turn, when its cost worker polls (README §3.1), not as session activity.
CREATE OR REPLACE VIEW codex_conv_activity AS
SELECT conversation_id, 'logs' AS signal, event_name AS kind, ts AS start_ts, ts AS end_ts, trace_id,
  originator_attr AS originator, service_name, resource_id, model, 0 AS signal_rank
FROM codex_log
WHERE conversation_id IS NOT NULL AND event_name <> 'codex.turn_cost'
UNION ALL
SELECT conversation_id, 'spans', event_name, ts, ts, trace_id, originator_attr, service_name, resource_id, model, 1
FROM codex_span_event
WHERE conversation_id IS NOT NULL
UNION ALL
SELECT conversation_id, 'spans', name, start_ts, end_ts, trace_id, NULL, service_name, resource_id,
  (attributes ->> '$.model'), 1
FROM codex_span
WHERE conversation_id IS NOT NULL;

-- Ephemeral threads (not persisted): the TUI's thread-title side request. The flag is on the
-- session_init.thread_persistence span of the thread-start trace; that trace's
-- `codex.conversation_starts` record names the conversation.
CREATE OR REPLACE VIEW codex_ephemeral_conversations AS
SELECT DISTINCT tc.conversation_id
FROM codex_span p
JOIN codex_trace_conv tc ON tc.trace_id = p.trace_id
WHERE p.name = 'session_init.thread_persistence'
  AND (p.attributes ->> '$."session_init.ephemeral"') = 'true'
  AND tc.conversation_id IS NOT NULL;

CREATE OR REPLACE VIEW codex_conversations AS
WITH a AS (
  SELECT
    conversation_id,
    min(start_ts) AS first_ts,
    max(end_ts) AS last_ts,
    -- the `originator` attribute (codex-tui for the TUI daemon, whose service.name is
    -- codex-app-server); spans do not carry it, so fall back to service.name
    coalesce(arg_min(originator, start_ts) FILTER (WHERE originator IS NOT NULL), arg_min(service_name, start_ts)) AS originator,
    arg_min(service_name, start_ts) AS service_name,
    -- log resources carry host.name; prefer them, earliest record first (deterministic)
    arg_min(resource_id, (signal_rank, start_ts)) AS resource_id,
    bool_or(signal = 'logs') AS has_logs,
    bool_or(signal = 'spans') AS has_spans,
    -- a user prompt is mirrored in logs and span events, each with its own event.timestamp:
    -- count per signal and take the larger count
    greatest(count(*) FILTER (WHERE kind = 'codex.user_prompt' AND signal = 'logs'),
             count(*) FILTER (WHERE kind = 'codex.user_prompt' AND signal = 'spans')) AS prompts,
    -- one codex.conversation_starts per process that opened the thread (exec, exec resume)
    greatest(count(*) FILTER (WHERE kind = 'codex.conversation_starts' AND signal = 'logs'),
             count(*) FILTER (WHERE kind = 'codex.conversation_starts' AND signal = 'spans')) AS starts,
    -- one trace per turn: count the traces of turn-scoped records
    count(DISTINCT trace_id) FILTER (WHERE trace_id <> '' AND kind IN ('codex.user_prompt', 'codex.api_request',
      'codex.turn_ttft', 'codex.tool_decision', 'codex.tool_result', 'codex.turn_input', 'run_turn')) AS turns,
    count(*) FILTER (WHERE kind = 'session_loop') AS session_loops,
    min(start_ts) FILTER (WHERE kind = 'session_loop') AS loop_start,
    max(end_ts) FILTER (WHERE kind = 'session_loop') AS loop_end,
    sum(epoch_us(end_ts) - epoch_us(start_ts)) FILTER (WHERE kind = 'session_loop') / 1000.0 AS loop_ms,
    bool_or(kind IN ('codex.conversation_starts', 'codex.user_prompt', 'session_loop', 'codex.api_request',
      'codex.sse_event', 'codex.turn_input', 'run_turn', 'codex.sampling')) AS has_activity
  FROM codex_conv_activity
  GROUP BY conversation_id
)
SELECT a.* EXCLUDE (resource_id), r.attributes AS resource_attributes, (e.conversation_id IS NOT NULL) AS is_ephemeral
FROM a
LEFT JOIN resources r USING (resource_id)
LEFT JOIN codex_ephemeral_conversations e USING (conversation_id);

-- Conversation → session, with the session's facts on every row (one view, evaluated once per
-- fact query: its parts are MATERIALIZED CTEs).
--   Side conversation: an ephemeral one that started while another, non-ephemeral conversation of
--   the same originator was active (first → last record); it is folded into that one (the latest
--   such). `codex exec --ephemeral` runs have no such parent and stay sessions of their own.
--   Session: a non-side conversation with some activity (a thread start, prompt, session_loop,
--   API attempt or response), not e.g. one seen only in a late `codex.turn_cost`.
--   Duration: the `session_loop` root spans (one per process, the thread's whole life), summed as
--   active time, with start = first start and end = last end; without them (failed runs lose their
--   traces, cx12; the TUI daemon's loop never ended before it was stopped, cx14) first → last record.
--   session_source exists only on metric points (exec / vscode, README §3.1), which carry no
--   conversation id: a session takes the session_source of the points of its originator whose
--   window [start, time] overlaps it; NULL when there are none or they disagree.
CREATE OR REPLACE VIEW codex_conv_map AS
WITH conv AS MATERIALIZED (
  SELECT * FROM codex_conversations
),
real AS (
  SELECT conversation_id, originator, first_ts, last_ts FROM conv WHERE NOT is_ephemeral
),
parent AS (
  SELECT e.conversation_id, r.conversation_id AS parent_id, r.last_ts AS parent_last_ts, e.first_ts
  FROM (SELECT conversation_id, originator, first_ts FROM conv WHERE is_ephemeral) e
  ASOF LEFT JOIN real r ON e.originator = r.originator AND e.first_ts >= r.first_ts
),
cs AS MATERIALIZED (
  SELECT c.*,
    (p.parent_last_ts IS NOT NULL AND p.parent_last_ts >= p.first_ts) AS is_side,
    CASE WHEN p.parent_last_ts >= p.first_ts THEN p.parent_id ELSE c.conversation_id END AS session_id
  FROM conv c
  LEFT JOIN parent p USING (conversation_id)
),
base AS MATERIALIZED (
  SELECT
    session_id, originator, service_name,
    codex_env(resource_attributes) AS environment,
    resource_attributes,
    CASE WHEN session_loops > 0 THEN loop_start ELSE first_ts END AS start_ts,
    CASE WHEN session_loops > 0 THEN loop_end ELSE last_ts END AS end_ts,
    CASE WHEN session_loops > 0 THEN loop_ms ELSE (epoch_us(last_ts) - epoch_us(first_ts)) / 1000.0 END AS duration_ms,
    CASE WHEN session_loops > 0 THEN 'spans: session_loop (sum over processes)' ELSE 'events: first→last record' END AS duration_source,
    greatest(session_loops, starts, 1) AS processes,
    prompts, turns, has_logs, has_spans, first_ts, last_ts
  FROM cs
  WHERE NOT is_side AND has_activity
),
-- A session overlaps a window of a session_source (start_ts <= last_ts and ts >= first_ts)
-- exactly when, among that source's windows starting by its last record, the latest end reaches
-- its first record: per originator and source, the windows by start with the latest end so far
-- (peers of a start included), and the session takes the last of those starting by its end. This
-- is one lookup per session and source instead of a join with every window of the originator.
sources AS (
  SELECT DISTINCT originator, session_source FROM codex_metric_sources
),
w AS (
  SELECT originator, session_source, start_ts,
    max(ts) OVER (PARTITION BY originator, session_source ORDER BY start_ts) AS max_ts
  FROM codex_metric_sources
),
overlap AS (
  SELECT b.session_id, s.session_source, w.max_ts >= b.first_ts AS overlaps
  FROM base b
  JOIN sources s ON s.originator = b.originator
  ASOF JOIN w ON w.originator = s.originator AND w.session_source = s.session_source AND b.last_ts >= w.start_ts
),
sm AS (
  SELECT b.session_id,
    CASE WHEN count(DISTINCT o.session_source) = 1 THEN min(o.session_source) END AS session_source,
    count(o.session_source) > 0 AS has_metrics
  FROM base b
  LEFT JOIN overlap o ON o.session_id = b.session_id AND o.overlaps
  GROUP BY b.session_id
)
SELECT
  cs.conversation_id,
  cs.session_id,
  cs.is_side,
  b.session_id IS NOT NULL AS is_session,
  b.* EXCLUDE (session_id),
  sm.session_source,
  sm.has_metrics
FROM cs
LEFT JOIN base b ON b.session_id = cs.session_id
LEFT JOIN sm ON sm.session_id = cs.session_id;

-- ── Model calls (token usage) ───────────────────────────────────────────────────────────────────
-- 1. Logs: the `codex.sse_event` record of `response.completed` that carries token fields (each
--    response.completed appears twice; the generic one has no tokens). Values come as strings or
--    ints in one record: read as text. input_token_count includes cached tokens and
--    output_token_count includes reasoning, as the contract wants. tool_token_count is the TOTAL
--    (misnamed) and is ignored.
CREATE OR REPLACE VIEW codex_usage_logs AS
SELECT
  l.record_key,
  l.ts,
  l.conversation_id,
  l.model,
  coalesce(l.originator_attr, l.service_name) AS originator,
  l.service_name,
  l.resource_id,
  TRY_CAST(l.attributes ->> '$.input_token_count' AS BIGINT) AS input,
  coalesce(TRY_CAST(l.attributes ->> '$.cached_token_count' AS BIGINT), 0) AS cache_read,
  coalesce(TRY_CAST(l.attributes ->> '$.cache_write_token_count' AS BIGINT), 0) AS cache_write,
  coalesce(TRY_CAST(l.attributes ->> '$.output_token_count' AS BIGINT), 0) AS output,
  coalesce(TRY_CAST(l.attributes ->> '$.reasoning_token_count' AS BIGINT), 0) AS reasoning,
  codex_strip(l.attributes) AS attributes,
  'logs: codex.sse_event' AS source
FROM codex_log l
WHERE l.event_name = 'codex.sse_event' AND (l.attributes ->> '$.input_token_count') IS NOT NULL;

-- 2. Spans: `handle_responses` processed the response.completed and carries gen_ai.usage.*
--    (input incl. cache read, output incl. reasoning, like the logs). Its conversation and
--    originator come from the other records of its trace; its model from the enclosing
--    try_run_sampling_request (handle_responses → receiving_stream → try_run_sampling_request),
--    else from the trace.
CREATE OR REPLACE VIEW codex_usage_spans AS
SELECT
  h.record_key,
  h.end_ts AS ts,
  tc.conversation_id,
  coalesce(gp.attributes ->> '$.model', tc.model) AS model,
  coalesce(tc.originator, h.service_name) AS originator,
  h.service_name,
  h.resource_id,
  TRY_CAST(h.attributes ->> '$."gen_ai.usage.input_tokens"' AS BIGINT) AS input,
  coalesce(TRY_CAST(h.attributes ->> '$."gen_ai.usage.cache_read.input_tokens"' AS BIGINT), 0) AS cache_read,
  coalesce(TRY_CAST(h.attributes ->> '$."gen_ai.usage.cache_write.input_tokens"' AS BIGINT), 0) AS cache_write,
  coalesce(TRY_CAST(h.attributes ->> '$."gen_ai.usage.output_tokens"' AS BIGINT), 0) AS output,
  coalesce(TRY_CAST(h.attributes ->> '$."codex.usage.reasoning_output_tokens"' AS BIGINT), 0) AS reasoning,
  codex_strip(h.attributes) AS attributes,
  'spans: handle_responses' AS source
FROM codex_span h
LEFT JOIN codex_trace_conv tc ON tc.trace_id = h.trace_id
LEFT JOIN codex_span p ON p.trace_id = h.trace_id AND p.span_id = h.parent_span_id
LEFT JOIN codex_span gp ON gp.trace_id = p.trace_id AND gp.span_id = p.parent_span_id AND gp.name = 'try_run_sampling_request'
WHERE h.name = 'handle_responses' AND (h.attributes ->> '$."gen_ai.usage.input_tokens"') IS NOT NULL;

-- Logs first; a span adds a response only when no log record matches it. Both signals report the
-- same response with identical token counts, so the k-th span of a (conversation, token tuple)
-- pairs with the k-th log record of it. A span whose conversation is unknown (its trace lost the
-- records naming it) is dropped when any log record with its tuple lies within 60 s.
CREATE OR REPLACE VIEW codex_usage_exact AS
WITH l AS MATERIALIZED (
  SELECT *, row_number() OVER (PARTITION BY conversation_id, input, cache_read, cache_write, output, reasoning ORDER BY ts, record_key) AS k
  FROM codex_usage_logs
),
s AS MATERIALIZED (
  SELECT *, row_number() OVER (PARTITION BY conversation_id, input, cache_read, cache_write, output, reasoning ORDER BY ts, record_key) AS k
  FROM codex_usage_spans
),
s_new AS (
  SELECT s.*
  FROM s
  LEFT JOIN l AS lp
    ON lp.conversation_id = s.conversation_id AND lp.k = s.k
   AND lp.input = s.input AND lp.cache_read = s.cache_read AND lp.cache_write = s.cache_write
   AND lp.output = s.output AND lp.reasoning = s.reasoning
  LEFT JOIN l AS lf
    ON (s.conversation_id IS NULL OR lf.conversation_id IS NULL)
   AND lf.input = s.input AND lf.cache_read = s.cache_read AND lf.cache_write = s.cache_write
   AND lf.output = s.output AND lf.reasoning = s.reasoning
   AND lf.ts BETWEEN s.ts - INTERVAL 60 SECOND AND s.ts + INTERVAL 60 SECOND
  WHERE lp.record_key IS NULL AND lf.record_key IS NULL
)
SELECT * EXCLUDE (k) FROM l
UNION ALL
SELECT * EXCLUDE (k) FROM s_new;

-- 3. Metrics: `codex.turn.token_usage` is a DELTA histogram, one point per export window per
--    token_type (sum = tokens of all turns that ended in the window, count = turns). A point's
--    start time is the first recording in its window, i.e. the end of its first turn, so its turns'
--    responses began up to the summed `codex.turn.e2e_duration_ms` of the same window earlier:
--    the point covers [start - e2e, time]. Without that histogram the window reaches back to the
--    previous point of the same originator and model (or without bound). A point is used only
--    when no log/span usage of its originator (or service) and model falls in its window, so a
--    response is never counted from two signals; its tokens are then exact but the calls are
--    turns (one row per window, `codex.turns` in attributes), not responses.
CREATE OR REPLACE VIEW codex_usage_metric_windows AS
WITH tu AS (
  SELECT
    service_name, originator_attr AS originator, model, session_source,
    (attributes ->> '$."app.version"') AS app_version,
    start_time_unix_nano, time_unix_nano,
    min(start_ts) AS start_ts,
    min(ts) AS ts,
    arg_min(resource_id, record_key) AS resource_id,
    max(count) AS turns,
    sum(value) FILTER (WHERE (attributes ->> '$.token_type') = 'input') AS input,
    sum(value) FILTER (WHERE (attributes ->> '$.token_type') = 'cached_input') AS cache_read,
    sum(value) FILTER (WHERE (attributes ->> '$.token_type') = 'cache_write_input') AS cache_write,
    sum(value) FILTER (WHERE (attributes ->> '$.token_type') = 'output') AS output,
    sum(value) FILTER (WHERE (attributes ->> '$.token_type') = 'reasoning_output') AS reasoning
  FROM codex_metric
  WHERE metric_name = 'codex.turn.token_usage' AND temporality = 1
  GROUP BY ALL
),
e2e AS (
  SELECT originator_attr AS originator, model, session_source, ts, value AS e2e_ms
  FROM codex_metric
  WHERE metric_name = 'codex.turn.e2e_duration_ms' AND temporality = 1
),
tu_e2e AS (
  SELECT tu.service_name, tu.originator, tu.model, tu.session_source, tu.start_time_unix_nano, tu.time_unix_nano,
    arg_min(e2e.e2e_ms, abs(epoch_us(e2e.ts) - epoch_us(tu.ts))) AS e2e_ms
  FROM tu
  JOIN e2e ON e2e.originator = tu.originator AND e2e.model = tu.model
   AND e2e.session_source IS NOT DISTINCT FROM tu.session_source
   AND e2e.ts BETWEEN tu.ts - INTERVAL 2 SECOND AND tu.ts + INTERVAL 2 SECOND
  GROUP BY ALL
)
SELECT
  tu.*,
  coalesce(
    tu.start_ts - to_microseconds(CAST(ceil(x.e2e_ms * 1000) AS BIGINT)),
    lag(tu.ts) OVER (PARTITION BY tu.originator, tu.model ORDER BY tu.ts, tu.start_ts),
    TIMESTAMP '-infinity') AS window_start
FROM tu
LEFT JOIN tu_e2e x USING (service_name, originator, model, session_source, start_time_unix_nano, time_unix_nano);

-- Facts: exact rows first, then the metric windows no exact row falls into. The heavy inputs are
-- MATERIALIZED so each is evaluated once.
CREATE OR REPLACE VIEW codex_model_calls AS
WITH u AS MATERIALIZED (
  SELECT * FROM codex_usage_exact
),
map AS MATERIALIZED (
  SELECT * FROM codex_conv_map
),
sess AS (
  SELECT session_id, originator, service_name, first_ts, last_ts FROM map WHERE is_session AND conversation_id = session_id
),
win AS MATERIALIZED (
  SELECT * FROM codex_usage_metric_windows
),
covered AS (
  SELECT DISTINCT w.service_name, w.originator, w.model, w.session_source, w.start_time_unix_nano, w.time_unix_nano
  FROM win w
  JOIN u ON u.model = w.model AND (u.originator = w.originator OR u.service_name = w.service_name)
   AND u.ts BETWEEN w.window_start AND w.ts
),
m AS (
  SELECT w.*
  FROM win w
  LEFT JOIN covered c USING (service_name, originator, model, session_source, start_time_unix_nano, time_unix_nano)
  WHERE c.time_unix_nano IS NULL
),
-- metric points name no conversation: a window belongs to the one session of its originator (or
-- service) that overlaps it, else to none
m_sess AS (
  SELECT m.service_name, m.originator, m.model, m.session_source, m.start_time_unix_nano, m.time_unix_nano,
    CASE WHEN count(DISTINCT s.session_id) = 1 THEN min(s.session_id) END AS session_id
  FROM m
  JOIN sess s ON (s.originator = m.originator OR s.service_name = m.service_name)
   AND s.first_ts <= m.ts AND s.last_ts >= m.window_start
  GROUP BY ALL
)
SELECT
  'codex' AS agent,
  coalesce(map.session_id, u.conversation_id) AS session_id,
  CAST(u.record_key AS VARCHAR) AS call_id,
  u.model,
  u.ts,
  codex_env(res.attributes) AS environment,
  u.originator,
  map.session_source,
  u.input,
  u.cache_read,
  u.cache_write,
  CAST(NULL AS BIGINT) AS cache_write_5m,
  CAST(NULL AS BIGINT) AS cache_write_1h,
  u.output,
  u.reasoning,
  -- Codex's own cost is per turn (codex.turn_cost), never per response: see codex_agent_costs
  CAST(NULL AS DECIMAL(18,9)) AS agent_cost_usd,
  u.source,
  res.attributes AS resource_attributes,
  u.attributes
FROM u
LEFT JOIN map ON map.conversation_id = u.conversation_id
LEFT JOIN resources res ON res.resource_id = u.resource_id
UNION ALL
SELECT
  'codex',
  ms.session_id,
  'metrics:' || m.originator || ':' || m.model || ':' || CAST(m.time_unix_nano AS VARCHAR),
  m.model,
  m.ts,
  codex_env(res.attributes),
  m.originator,
  m.session_source,
  CAST(m.input AS BIGINT),
  CAST(coalesce(m.cache_read, 0) AS BIGINT),
  CAST(coalesce(m.cache_write, 0) AS BIGINT),
  NULL,
  NULL,
  CAST(coalesce(m.output, 0) AS BIGINT),
  CAST(coalesce(m.reasoning, 0) AS BIGINT),
  NULL,
  'metrics: codex.turn.token_usage',
  res.attributes,
  json_object('originator', m.originator, 'model', m.model, 'session_source', m.session_source,
    'codex.turns', m.turns, 'window_start', CAST(m.window_start AS VARCHAR), 'window_end', CAST(m.ts AS VARCHAR))
FROM m
LEFT JOIN m_sess ms USING (service_name, originator, model, session_source, start_time_unix_nano, time_unix_nano)
LEFT JOIN resources res ON res.resource_id = m.resource_id;

-- ── API attempts ────────────────────────────────────────────────────────────────────────────────
-- `codex.api_request`: one record per HTTP attempt (README §3.1 "Retry semantics"). The endpoint
-- is kept only for model endpoints (/responses, /responses/compact; /chat/completions of older
-- wire APIs): model-list polling and similar housekeeping are not API attempts of a session.
-- Status, attempt and duration arrive as int or string: read as text.
CREATE OR REPLACE VIEW codex_api_raw AS
SELECT
  'l:' || CAST(l.record_key AS VARCHAR) AS rec_id,
  l.ts, l.conversation_id, l.trace_id, l.model,
  coalesce(l.originator_attr, l.service_name) AS originator,
  l.service_name, l.resource_id,
  TRY_CAST(l.attributes ->> '$."http.response.status_code"' AS INTEGER) AS status_code,
  TRY_CAST(l.attributes ->> '$.attempt' AS INTEGER) AS codex_attempt,
  TRY_CAST(l.attributes ->> '$.duration_ms' AS DOUBLE) AS duration_ms,
  (l.attributes ->> '$."error.message"') AS error_message,
  (l.attributes ->> '$.endpoint') AS endpoint,
  l.attributes,
  'logs: codex.api_request' AS source
FROM codex_log l
WHERE l.event_name = 'codex.api_request'
UNION ALL
SELECT
  's:' || CAST(e.span_key AS VARCHAR) || ':' || CAST(e.seq AS VARCHAR),
  e.ts, e.conversation_id, e.trace_id, e.model,
  coalesce(e.originator_attr, e.service_name),
  e.service_name, e.resource_id,
  TRY_CAST(e.attributes ->> '$."http.response.status_code"' AS INTEGER),
  TRY_CAST(e.attributes ->> '$.attempt' AS INTEGER),
  TRY_CAST(e.attributes ->> '$.duration_ms' AS DOUBLE),
  (e.attributes ->> '$."error.message"'),
  (e.attributes ->> '$.endpoint'),
  json_merge_patch(e.attributes, '{"level":null,"target":null,"code.file.path":null,"code.module.name":null,"code.line.number":null}'),
  'spans: codex.api_request span event'
FROM codex_span_event e
WHERE e.event_name = 'codex.api_request';

-- SSE records that say the stream of the attempt before them failed although HTTP said 200
-- (cx07: `response.failed`, then "stream disconnected before completion"). Codex reconnects.
CREATE OR REPLACE VIEW codex_stream_failures AS
SELECT conversation_id, ts
FROM codex_log
WHERE event_name = 'codex.sse_event'
  AND ((attributes ->> '$."event.kind"') = 'response.failed' OR (attributes ->> '$."error.message"') IS NOT NULL);

-- Logs first; a span event adds an attempt only when no log pairs with it. A log record and its
-- span-event mirror have their own event.timestamp, so they pair on (conversation, trace,
-- Codex attempt, status, duration) and the k-th occurrence in time.
CREATE OR REPLACE VIEW codex_api_exact AS
WITH raw AS MATERIALIZED (
  SELECT * FROM codex_api_raw
  WHERE endpoint IS NULL OR endpoint LIKE '%/responses%' OR endpoint LIKE '%/chat/completions%'
),
l AS (
  SELECT *, row_number() OVER (PARTITION BY conversation_id, trace_id, codex_attempt, status_code, duration_ms ORDER BY ts, rec_id) AS k
  FROM raw WHERE source LIKE 'logs:%'
),
s AS (
  SELECT *, row_number() OVER (PARTITION BY conversation_id, trace_id, codex_attempt, status_code, duration_ms ORDER BY ts, rec_id) AS k
  FROM raw WHERE source LIKE 'spans:%'
),
a AS (
  SELECT * EXCLUDE (k) FROM l
  UNION ALL
  SELECT s.* EXCLUDE (k)
  FROM s
  LEFT JOIN l ON l.conversation_id IS NOT DISTINCT FROM s.conversation_id AND l.trace_id = s.trace_id
   AND l.codex_attempt IS NOT DISTINCT FROM s.codex_attempt AND l.status_code IS NOT DISTINCT FROM s.status_code
   AND l.duration_ms IS NOT DISTINCT FROM s.duration_ms AND l.k = s.k
  WHERE l.rec_id IS NULL
),
nx AS MATERIALIZED (
  SELECT *, lead(ts) OVER (PARTITION BY conversation_id ORDER BY ts, rec_id) AS next_ts FROM a
),
sf AS (
  SELECT nx.rec_id
  FROM nx
  JOIN codex_stream_failures f ON f.conversation_id = nx.conversation_id
   AND f.ts >= nx.ts AND f.ts < coalesce(nx.next_ts, nx.ts + INTERVAL 10 MINUTE)
  WHERE nx.status_code < 400
  GROUP BY nx.rec_id
),
f AS (
  SELECT nx.*, (sf.rec_id IS NOT NULL) AS stream_failed,
    (coalesce(nx.status_code >= 400, false) OR sf.rec_id IS NOT NULL) AS failed
  FROM nx LEFT JOIN sf USING (rec_id)
),
-- Retries: 500/503 are retried at the HTTP level (Codex attempt 0→1→2→3), each exhausted series
-- again at the stream level (attempt resets to 0), and 429 or a failed stream goes straight to a
-- stream-level retry (attempt stays 0). So Codex's own `attempt` does not say whether an attempt is
-- a retry: within a turn (trace) an attempt repeats the same request exactly when the attempt
-- before it failed. Requests are numbered by the successes before them; attempts within each.
g AS (
  SELECT f.*,
    coalesce(sum(CASE WHEN failed THEN 0 ELSE 1 END) OVER (
      PARTITION BY conversation_id, trace_id ORDER BY ts, rec_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS request_seq
  FROM f
)
SELECT g.*,
  row_number() OVER (PARTITION BY conversation_id, trace_id, request_seq ORDER BY ts, rec_id) AS attempt
FROM g;

-- Metrics: `codex.api_request` counts attempts per status in each export window (the start time
-- is the window's first recording). Used only for windows (±1 s) with no log/span attempt of
-- that originator and model; each count becomes that many rows, with no attempt number.
CREATE OR REPLACE VIEW codex_api_attempts AS
WITH a AS MATERIALIZED (
  SELECT * FROM codex_api_exact
),
map AS MATERIALIZED (
  SELECT * FROM codex_conv_map
),
sess AS (
  SELECT session_id, originator, service_name, first_ts, last_ts FROM map WHERE is_session AND conversation_id = session_id
),
p AS MATERIALIZED (
  SELECT record_key, service_name, resource_id, originator_attr AS originator, model, session_source,
    start_ts - INTERVAL 1 SECOND AS window_start, ts + INTERVAL 1 SECOND AS window_end, ts,
    TRY_CAST(attributes ->> '$.status' AS INTEGER) AS status_code,
    (attributes ->> '$.success') AS success,
    CAST(value AS BIGINT) AS n,
    attributes
  FROM codex_metric
  WHERE metric_name = 'codex.api_request' AND temporality = 1 AND metric_type <> 'histogram' AND value > 0
),
covered AS (
  SELECT DISTINCT p.record_key
  FROM p
  JOIN a ON a.model = p.model AND (a.originator = p.originator OR a.service_name = p.service_name)
   AND a.ts BETWEEN p.window_start AND p.window_end
),
p_sess AS (
  SELECT p.record_key, CASE WHEN count(DISTINCT s.session_id) = 1 THEN min(s.session_id) END AS session_id
  FROM p
  JOIN sess s ON (s.originator = p.originator OR s.service_name = p.service_name)
   AND s.first_ts <= p.window_end AND s.last_ts >= p.window_start
  GROUP BY p.record_key
),
m AS (
  SELECT p.*, ps.session_id, unnest(range(p.n)) AS i
  FROM p
  LEFT JOIN covered c USING (record_key)
  LEFT JOIN p_sess ps USING (record_key)
  WHERE c.record_key IS NULL
)
SELECT
  'codex' AS agent,
  coalesce(map.session_id, a.conversation_id) AS session_id,
  a.model,
  a.ts,
  codex_env(res.attributes) AS environment,
  a.originator,
  map.session_source,
  -- Codex names no logical request: the grouping behind `attempt` is derived (codex_api_exact)
  CAST(NULL AS VARCHAR) AS request_id,
  a.attempt,
  a.status_code,
  a.status_code IS NOT NULL AS status_reported,
  a.failed AS is_error,
  a.attempt > 1 AS is_retry,
  a.duration_ms,
  CASE WHEN a.status_code >= 400 THEN 'http_error' WHEN a.stream_failed THEN 'stream_failed' END AS error_type,
  CASE WHEN a.status_code >= 400 THEN coalesce(a.error_message, 'http ' || CAST(a.status_code AS VARCHAR))
       WHEN a.stream_failed THEN 'stream failed after http ' || CAST(a.status_code AS VARCHAR) || ' (response.failed)' END AS error_message,
  a.source,
  res.attributes AS resource_attributes,
  a.attributes
FROM a
LEFT JOIN map ON map.conversation_id = a.conversation_id
LEFT JOIN resources res ON res.resource_id = a.resource_id
UNION ALL
SELECT
  'codex',
  m.session_id,
  m.model,
  m.ts,
  codex_env(res.attributes),
  m.originator,
  m.session_source,
  NULL,
  NULL,
  m.status_code,
  m.status_code IS NOT NULL,
  coalesce(m.status_code >= 400, m.success = 'false'),
  NULL,
  NULL,
  CASE WHEN m.status_code >= 400 OR m.success = 'false' THEN 'http_error' END,
  CASE WHEN m.status_code >= 400 THEN 'http ' || CAST(m.status_code AS VARCHAR) END,
  'metrics: codex.api_request',
  res.attributes,
  m.attributes
FROM m
LEFT JOIN resources res ON res.resource_id = m.resource_id;

-- ── Tool calls ──────────────────────────────────────────────────────────────────────────────────
-- `codex.tool_result.success` is "true" even when the command exits non-zero (README §4): the
-- exit code is only in the output text, `Process exited with code N` (older shells: `Exit code:
-- N`), in the header before `Output:` (the command's own output is not searched). The output and
-- the arguments are content and are dropped from the attributes.
CREATE OR REPLACE VIEW codex_tool_results AS
WITH l AS (
  SELECT
    conversation_id, (attributes ->> '$.call_id') AS call_id, ts,
    (attributes ->> '$.tool_name') AS tool_name, model,
    coalesce(originator_attr, service_name) AS originator, service_name, resource_id,
    TRY_CAST(attributes ->> '$.duration_ms' AS DOUBLE) AS duration_ms,
    TRY_CAST(attributes ->> '$.success' AS BOOLEAN) AS agent_success,
    TRY_CAST(regexp_extract(split_part(attributes ->> '$.output', chr(10) || 'Output:', 1),
      '(?:Process exited with code|Exit code:)\s*(-?\d+)', 1) AS INTEGER) AS exit_code,
    codex_strip(attributes) AS attributes,
    'logs: codex.tool_result' AS source
  FROM codex_log
  WHERE event_name = 'codex.tool_result'
),
-- the span-event mirror has no output (only its length), so no exit code
s AS (
  SELECT
    conversation_id, (attributes ->> '$.call_id') AS call_id, ts,
    (attributes ->> '$.tool_name') AS tool_name, model,
    coalesce(originator_attr, service_name) AS originator, service_name, resource_id,
    TRY_CAST(attributes ->> '$.duration_ms' AS DOUBLE) AS duration_ms,
    TRY_CAST(attributes ->> '$.success' AS BOOLEAN) AS agent_success,
    CAST(NULL AS INTEGER) AS exit_code,
    codex_strip(json_merge_patch(attributes, '{"level":null,"target":null,"code.file.path":null,"code.module.name":null,"code.line.number":null}')) AS attributes,
    'spans: codex.tool_result span event' AS source
  FROM codex_span_event
  WHERE event_name = 'codex.tool_result'
)
SELECT * FROM l
UNION ALL
SELECT s.* FROM s
LEFT JOIN l ON l.conversation_id IS NOT DISTINCT FROM s.conversation_id AND l.call_id = s.call_id
WHERE l.call_id IS NULL;

-- `codex.tool_decision`: decision = Codex's ReviewDecision (approved, approved_for_session,
-- approved_execpolicy_amendment, denied, abort, …) and its source (Config = approval policy, User).
CREATE OR REPLACE VIEW codex_tool_decisions AS
WITH d AS (
  SELECT conversation_id, (attributes ->> '$.call_id') AS call_id, ts, (attributes ->> '$.tool_name') AS tool_name, model,
    coalesce(originator_attr, service_name) AS originator, service_name, resource_id,
    (attributes ->> '$.decision') AS decision, (attributes ->> '$.source') AS decision_source,
    codex_strip(attributes) AS attributes, 0 AS signal_rank
  FROM codex_log WHERE event_name = 'codex.tool_decision'
  UNION ALL
  SELECT conversation_id, (attributes ->> '$.call_id'), ts, (attributes ->> '$.tool_name'), model,
    coalesce(originator_attr, service_name), service_name, resource_id,
    (attributes ->> '$.decision'), (attributes ->> '$.source'),
    codex_strip(attributes), 1
  FROM codex_span_event WHERE event_name = 'codex.tool_decision'
)
SELECT conversation_id, call_id,
  arg_min(ts, (signal_rank, ts)) AS ts,
  arg_min(tool_name, (signal_rank, ts)) AS tool_name,
  arg_min(model, (signal_rank, ts)) AS model,
  arg_min(originator, (signal_rank, ts)) AS originator,
  arg_min(service_name, (signal_rank, ts)) AS service_name,
  arg_min(resource_id, (signal_rank, ts)) AS resource_id,
  arg_min(decision, (signal_rank, ts)) AS decision,
  arg_min(decision_source, (signal_rank, ts)) AS decision_source,
  arg_min(attributes, (signal_rank, ts)) AS attributes
FROM d
GROUP BY conversation_id, call_id;

CREATE OR REPLACE VIEW codex_tool_calls AS
WITH j AS (
  SELECT
    coalesce(r.conversation_id, d.conversation_id) AS conversation_id,
    coalesce(r.call_id, d.call_id) AS call_id,
    coalesce(r.tool_name, d.tool_name) AS tool_name,
    coalesce(r.model, d.model) AS model,
    coalesce(r.ts, d.ts) AS ts,
    coalesce(r.originator, d.originator) AS originator,
    coalesce(r.resource_id, d.resource_id) AS resource_id,
    r.duration_ms,
    CASE WHEN d.decision LIKE 'approved%' THEN 'accepted'
         WHEN d.decision IN ('denied', 'abort', 'rejected', 'timed_out') THEN 'rejected' END AS decision,
    r.agent_success,
    r.exit_code,
    r.call_id IS NOT NULL AS has_result,
    json_merge_patch(coalesce(r.attributes, d.attributes),
      json_object('decision', d.decision, 'decision_source', d.decision_source, 'fact_source', coalesce(r.source, 'logs: codex.tool_decision'))) AS attributes
  FROM codex_tool_results r
  FULL OUTER JOIN codex_tool_decisions d ON d.conversation_id IS NOT DISTINCT FROM r.conversation_id AND d.call_id = r.call_id
),
o AS (
  SELECT j.*,
    CASE WHEN decision = 'rejected' THEN 'rejected'
         WHEN exit_code IS NOT NULL THEN CASE WHEN exit_code = 0 THEN 'success' ELSE 'failure' END
         WHEN agent_success IS NOT NULL THEN CASE WHEN agent_success THEN 'success' ELSE 'failure' END
    END AS outcome,
    CASE WHEN decision = 'rejected' THEN 'rejected by approval policy'
         WHEN exit_code IS NOT NULL THEN 'exit code in output'
         WHEN agent_success IS NOT NULL AND has_result THEN 'agent flag (no exit code exported)'
         ELSE 'no tool_result exported'
    END AS outcome_rule
  FROM j
)
SELECT
  'codex' AS agent,
  coalesce(map.session_id, o.conversation_id) AS session_id,
  o.call_id,
  o.tool_name,
  o.model,
  o.ts,
  codex_env(res.attributes) AS environment,
  o.originator,
  map.session_source,
  o.duration_ms,
  o.decision,
  o.agent_success,
  CASE o.outcome WHEN 'success' THEN true WHEN 'failure' THEN false WHEN 'rejected' THEN false END AS success,
  o.outcome,
  o.outcome_rule,
  o.exit_code,
  CASE o.outcome WHEN 'failure' THEN CASE WHEN o.exit_code IS NOT NULL THEN 'non_zero_exit' ELSE 'agent_reported_failure' END
                 WHEN 'rejected' THEN 'rejected' END AS error_type,
  res.attributes AS resource_attributes,
  o.attributes
FROM o
LEFT JOIN codex_conv_map map ON map.conversation_id = o.conversation_id
LEFT JOIN resources res ON res.resource_id = o.resource_id;

-- ── Sessions ────────────────────────────────────────────────────────────────────────────────────
CREATE OR REPLACE VIEW codex_sessions AS
WITH map AS MATERIALIZED (
  SELECT * FROM codex_conv_map
),
-- models named by the records of the session's conversations (side ones included): the
-- configured model at thread start, and the model of every prompt, attempt and response
models AS (
  SELECT map.session_id, list_sort(list(DISTINCT a.model)) AS models
  FROM codex_conv_activity a
  JOIN map USING (conversation_id)
  WHERE a.model IS NOT NULL AND a.kind LIKE 'codex.%'
  GROUP BY map.session_id
)
SELECT
  'codex' AS agent,
  s.session_id,
  s.originator,
  s.session_source,
  s.environment,
  coalesce(models.models, CAST([] AS VARCHAR[])) AS models,
  s.start_ts,
  s.end_ts,
  s.duration_ms,
  s.duration_source,
  s.processes,
  s.prompts,
  s.turns,
  s.has_logs,
  s.has_spans,
  s.has_metrics,
  s.resource_attributes
FROM map s
LEFT JOIN models USING (session_id)
WHERE s.is_session AND s.conversation_id = s.session_id;

-- ── Codex's own cost, per turn (extra view for the cost reconciliation) ─────────────────────────
-- `codex.turn_cost` (usage.estimated_usd, a decimal string; only the long-lived TUI daemon emits
-- it, ~150 s after the turn) is exact; `codex.turn.cost_microusd` (DELTA sum, integer µUSD,
-- rounded) is the fallback for turns without the log. A side conversation's turn (thread title)
-- is charged to the session it belongs to, like its tokens.
CREATE OR REPLACE VIEW codex_agent_costs AS
WITH l AS (
  SELECT conversation_id, (attributes ->> '$."turn.id"') AS turn_id, model, ts,
    TRY_CAST(attributes ->> '$."usage.estimated_usd"' AS DECIMAL(18,10)) AS cost_usd,
    'logs: codex.turn_cost' AS source
  FROM codex_log
  WHERE event_name = 'codex.turn_cost'
),
m AS (
  SELECT (attributes ->> '$."conversation.id"') AS conversation_id, (attributes ->> '$."turn.id"') AS turn_id, model,
    max(ts) AS ts, CAST(sum(value) AS DECIMAL(18,10)) / 1000000 AS cost_usd,
    'metrics: codex.turn.cost_microusd' AS source
  FROM codex_metric
  WHERE metric_name = 'codex.turn.cost_microusd' AND temporality = 1
  GROUP BY ALL
),
x AS (
  SELECT * FROM l
  UNION ALL
  SELECT m.* FROM m LEFT JOIN l ON l.turn_id = m.turn_id WHERE l.turn_id IS NULL
)
SELECT
  coalesce(map.session_id, x.conversation_id) AS session_id,
  x.turn_id,
  x.model,
  x.ts,
  CAST(x.cost_usd AS DECIMAL(18,10)) AS cost_usd,
  x.source
FROM x
LEFT JOIN codex_conv_map map ON map.conversation_id = x.conversation_id;

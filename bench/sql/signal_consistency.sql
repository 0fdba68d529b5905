-- Input and output tokens of each agent as every signal tells them, from the raw tables: the
-- generator rewrites counts per response and recomputes every span and metric that repeats or
-- aggregates them, so within an agent all sources must agree.
--   codex   logs codex.sse_event | spans handle_responses | spans session_task.turn | metric codex.turn.token_usage (DELTA histogram sums)
--   claude  logs api_request (input excludes cache) | spans claude_code.llm_request | metric claude_code.token.usage (DELTA)
--   gemini  logs gemini_cli.api_response | logs gen_ai.client.inference.operation.details | metric gemini_cli.token.usage (CUMULATIVE: last value per series)
WITH
la AS (SELECT json_extract_string(attributes, '$."event.name"') AS ev, attributes FROM logs
       WHERE json_extract_string(attributes, '$."event.name"') IN ('codex.sse_event', 'api_request', 'gemini_cli.api_response', 'gen_ai.client.inference.operation.details')),
sa AS (SELECT name, attributes FROM spans WHERE name IN ('handle_responses', 'session_task.turn', 'claude_code.llm_request')),
n AS (SELECT metric_name, attributes, resource_id, start_time_unix_nano, time_unix_nano, coalesce(CAST(value_int AS DOUBLE), value_double) AS v
      FROM metric_number_points WHERE metric_name IN ('claude_code.token.usage', 'gemini_cli.token.usage')),
h AS (SELECT metric_name, attributes, sum FROM metric_histogram_points WHERE metric_name = 'codex.turn.token_usage'),
src AS (
  SELECT 'codex' AS agent, 'logs codex.sse_event' AS source,
    sum(TRY_CAST(json_extract_string(attributes, '$.input_token_count') AS BIGINT)) AS input,
    sum(TRY_CAST(json_extract_string(attributes, '$.output_token_count') AS BIGINT)) AS output
  FROM la WHERE ev = 'codex.sse_event' AND json_extract_string(attributes, '$.input_token_count') IS NOT NULL
  UNION ALL
  SELECT 'codex', 'spans handle_responses',
    sum(TRY_CAST(json_extract_string(attributes, '$."gen_ai.usage.input_tokens"') AS BIGINT)),
    sum(TRY_CAST(json_extract_string(attributes, '$."gen_ai.usage.output_tokens"') AS BIGINT))
  FROM sa WHERE name = 'handle_responses'
  UNION ALL
  SELECT 'codex', 'spans session_task.turn',
    sum(TRY_CAST(json_extract_string(attributes, '$."codex.turn.token_usage.input_tokens"') AS BIGINT)),
    sum(TRY_CAST(json_extract_string(attributes, '$."codex.turn.token_usage.output_tokens"') AS BIGINT))
  FROM sa WHERE name = 'session_task.turn'
  UNION ALL
  SELECT 'codex', 'metric codex.turn.token_usage',
    CAST(sum(sum) FILTER (WHERE json_extract_string(attributes, '$.token_type') = 'input') AS BIGINT),
    CAST(sum(sum) FILTER (WHERE json_extract_string(attributes, '$.token_type') = 'output') AS BIGINT)
  FROM h
  UNION ALL
  SELECT 'claude_code', 'logs api_request',
    sum(TRY_CAST(json_extract_string(attributes, '$.input_tokens') AS BIGINT)),
    sum(TRY_CAST(json_extract_string(attributes, '$.output_tokens') AS BIGINT))
  FROM la WHERE ev = 'api_request' AND json_extract_string(attributes, '$.input_tokens') IS NOT NULL
  UNION ALL
  SELECT 'claude_code', 'spans claude_code.llm_request',
    sum(TRY_CAST(json_extract_string(attributes, '$.input_tokens') AS BIGINT)),
    sum(TRY_CAST(json_extract_string(attributes, '$.output_tokens') AS BIGINT))
  FROM sa WHERE name = 'claude_code.llm_request'
  UNION ALL
  SELECT 'claude_code', 'metric claude_code.token.usage',
    CAST(sum(v) FILTER (WHERE json_extract_string(attributes, '$.type') = 'input') AS BIGINT),
    CAST(sum(v) FILTER (WHERE json_extract_string(attributes, '$.type') = 'output') AS BIGINT)
  FROM n WHERE metric_name = 'claude_code.token.usage'
  UNION ALL
  SELECT 'gemini_cli', 'logs gemini_cli.api_response',
    sum(TRY_CAST(json_extract_string(attributes, '$.input_token_count') AS BIGINT)),
    sum(TRY_CAST(json_extract_string(attributes, '$.output_token_count') AS BIGINT))
  FROM la WHERE ev = 'gemini_cli.api_response'
  UNION ALL
  SELECT 'gemini_cli', 'logs gen_ai.client.inference.operation.details',
    sum(TRY_CAST(json_extract_string(attributes, '$."gen_ai.usage.input_tokens"') AS BIGINT)),
    sum(TRY_CAST(json_extract_string(attributes, '$."gen_ai.usage.output_tokens"') AS BIGINT))
  FROM la WHERE ev = 'gen_ai.client.inference.operation.details' AND json_extract_string(attributes, '$."gen_ai.usage.input_tokens"') IS NOT NULL
  UNION ALL
  SELECT 'gemini_cli', 'metric gemini_cli.token.usage (last per series)',
    CAST(sum(last_v) FILTER (WHERE ty = 'input') AS BIGINT), CAST(sum(last_v) FILTER (WHERE ty = 'output') AS BIGINT)
  FROM (
    SELECT json_extract_string(attributes, '$.type') AS ty, arg_max(v, time_unix_nano) AS last_v
    FROM n WHERE metric_name = 'gemini_cli.token.usage'
    GROUP BY resource_id, attributes, start_time_unix_nano
  )
)
SELECT agent, source, input, output FROM src ORDER BY agent, source;

-- Per-response token usage straight from the raw `logs` table (no agent mapping involved), in the
-- normalized convention: input incl. cache reads+writes, output incl. reasoning.
--   codex   codex.sse_event usage record: input_token_count includes cached; output includes reasoning
--   claude  api_request: input_tokens excludes cache reads and writes
--   gemini  gemini_cli.api_response: input includes cached; output excludes thoughts
-- Checks that ingest stored every usage record exactly once, whatever the encoding.
WITH r AS (
  SELECT
    json_extract_string(attributes, '$."event.name"') AS ev,
    json_extract_string(attributes, '$.model') AS model,
    attributes
  FROM logs
  WHERE json_extract_string(attributes, '$."event.name"') IN ('codex.sse_event', 'api_request', 'gemini_cli.api_response')
),
n AS (
  SELECT
    ev, model,
    TRY_CAST(json_extract_string(attributes, '$.input_token_count') AS BIGINT) AS input_token_count,
    TRY_CAST(json_extract_string(attributes, '$.cached_token_count') AS BIGINT) AS cached_token_count,
    TRY_CAST(json_extract_string(attributes, '$.cache_write_token_count') AS BIGINT) AS cache_write_token_count,
    TRY_CAST(json_extract_string(attributes, '$.output_token_count') AS BIGINT) AS output_token_count,
    TRY_CAST(json_extract_string(attributes, '$.reasoning_token_count') AS BIGINT) AS reasoning_token_count,
    TRY_CAST(json_extract_string(attributes, '$.input_tokens') AS BIGINT) AS input_tokens,
    TRY_CAST(json_extract_string(attributes, '$.output_tokens') AS BIGINT) AS output_tokens,
    TRY_CAST(json_extract_string(attributes, '$.cache_read_tokens') AS BIGINT) AS cache_read_tokens,
    TRY_CAST(json_extract_string(attributes, '$.cache_creation_tokens') AS BIGINT) AS cache_creation_tokens,
    TRY_CAST(json_extract_string(attributes, '$.cached_content_token_count') AS BIGINT) AS cached_content_token_count,
    TRY_CAST(json_extract_string(attributes, '$.thoughts_token_count') AS BIGINT) AS thoughts_token_count
  FROM r
),
u AS (
  SELECT 'codex' AS agent, model, input_token_count AS input, coalesce(cached_token_count, 0) AS cache_read,
    coalesce(cache_write_token_count, 0) AS cache_write, coalesce(output_token_count, 0) AS output, coalesce(reasoning_token_count, 0) AS reasoning
  FROM n WHERE ev = 'codex.sse_event' AND input_token_count IS NOT NULL
  UNION ALL
  SELECT 'claude_code', model, input_tokens + coalesce(cache_read_tokens, 0) + coalesce(cache_creation_tokens, 0), coalesce(cache_read_tokens, 0),
    coalesce(cache_creation_tokens, 0), coalesce(output_tokens, 0), 0
  FROM n WHERE ev = 'api_request' AND input_tokens IS NOT NULL
  UNION ALL
  SELECT 'gemini_cli', model, input_token_count, coalesce(cached_content_token_count, 0), 0,
    coalesce(output_token_count, 0) + coalesce(thoughts_token_count, 0), coalesce(thoughts_token_count, 0)
  FROM n WHERE ev = 'gemini_cli.api_response' AND input_token_count IS NOT NULL
)
SELECT agent, model, sum(input) AS input, sum(cache_read) AS "cacheRead", sum(cache_write) AS "cacheWrite",
  sum(output) AS output, sum(reasoning) AS reasoning, count(*) AS calls
FROM u
GROUP BY agent, model
ORDER BY agent, model;

-- Panel 1: token burn by model and environment over time.
-- Plain SQL over the normalized facts (runs on DuckDB here, and on ClickHouse over the same facts).
-- Tokens: input includes cache reads and writes; output includes reasoning (see README).

-- name: series
SELECT
  date_trunc($bucket, ts) AS bucket_start,
  agent,
  model,
  coalesce(environment, '(none)') AS environment,
  sum(input) AS input,
  sum(cache_read) AS cache_read,
  sum(cache_write) AS cache_write,
  sum(output) AS output,
  sum(reasoning) AS reasoning,
  count(*) AS calls
FROM model_calls
GROUP BY date_trunc($bucket, ts), agent, model, coalesce(environment, '(none)')
ORDER BY bucket_start, agent, model, environment;

-- name: by_model
SELECT
  agent,
  model,
  sum(input) AS input,
  sum(cache_read) AS cache_read,
  sum(cache_write) AS cache_write,
  sum(output) AS output,
  sum(reasoning) AS reasoning,
  count(*) AS calls
FROM model_calls
GROUP BY agent, model
ORDER BY agent, model;

-- name: total
SELECT
  coalesce(sum(input), 0) AS input,
  coalesce(sum(cache_read), 0) AS cache_read,
  coalesce(sum(cache_write), 0) AS cache_write,
  coalesce(sum(output), 0) AS output,
  coalesce(sum(reasoning), 0) AS reasoning,
  count(*) AS calls
FROM model_calls;

-- name: sources
-- Which signal each count came from (logs are exact per call; metrics are the fallback).
SELECT agent, source, count(*) AS calls, sum(input + output) AS tokens
FROM model_calls
GROUP BY agent, source
ORDER BY agent, source;

-- name: per_session_minute
-- Tokens per minute of session time: the tokens of a model and environment divided by the
-- summed duration of the sessions that used it (a session that used two models counts for both).
WITH used AS (
  SELECT agent, session_id, model, coalesce(environment, '(none)') AS environment,
         sum(input + output) AS tokens
  FROM model_calls
  GROUP BY agent, session_id, model, coalesce(environment, '(none)')
)
SELECT
  u.agent,
  u.model,
  u.environment,
  sum(u.tokens) AS tokens,
  sum(s.duration_ms) / 60000.0 AS session_minutes,
  CASE WHEN sum(s.duration_ms) > 0 THEN sum(u.tokens) / (sum(s.duration_ms) / 60000.0) END AS tokens_per_minute
FROM used u
JOIN sessions s ON s.agent = u.agent AND s.session_id = u.session_id
GROUP BY u.agent, u.model, u.environment
ORDER BY u.agent, u.model, u.environment;

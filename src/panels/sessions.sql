-- Panel 2: session duration distribution over real sessions.
-- Percentiles are nearest-rank (percentile_disc): P95 is the shortest duration that at least
-- 95 % of sessions do not exceed, so it is always a real session's duration, checkable by hand.

-- name: overall
SELECT
  count(*) AS sessions,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
  percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
  percentile_disc(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99_ms,
  max(duration_ms) AS max_ms,
  sum(CASE WHEN duration_ms > $slow_ms THEN 1 ELSE 0 END) AS slow_sessions
FROM sessions;

-- name: by_agent
SELECT
  agent,
  count(*) AS sessions,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
  percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
  percentile_disc(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99_ms,
  max(duration_ms) AS max_ms
FROM sessions
GROUP BY agent
ORDER BY agent;

-- name: by_model
-- A session that used two models counts under both.
WITH sm AS (
  SELECT DISTINCT s.agent, s.session_id, c.model, s.duration_ms
  FROM sessions s
  JOIN model_calls c ON c.agent = s.agent AND c.session_id = s.session_id
)
SELECT
  agent,
  model,
  count(*) AS sessions,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
  percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
  percentile_disc(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99_ms,
  max(duration_ms) AS max_ms
FROM sm
GROUP BY agent, model
ORDER BY agent, model;

-- name: durations
-- Every session's duration, for the distribution chart.
SELECT agent, session_id, duration_ms, CASE WHEN duration_ms > $slow_ms THEN 1 ELSE 0 END AS slow
FROM sessions
ORDER BY duration_ms, agent, session_id;

-- name: slowest
-- The $max_list longest sessions, with what their model calls cost (has_calls = 0: none priced or
-- unpriced was seen for the session).
WITH slowest AS (
  SELECT agent, session_id, duration_ms
  FROM sessions
  ORDER BY duration_ms DESC NULLS LAST, agent, session_id
  LIMIT $max_list
),
cost AS (
  SELECT
    c.agent,
    c.session_id,
    max(c.originator) AS originator,
    sum(c.input + c.output) AS tokens,
    sum(c.cost_usd) AS cost_usd,
    sum(CASE WHEN c.priced THEN 0 ELSE 1 END) AS unpriced_calls
  FROM priced_calls c
  JOIN slowest s ON s.agent = c.agent AND s.session_id = c.session_id
  GROUP BY c.agent, c.session_id
)
SELECT
  s.agent,
  s.session_id,
  s.duration_ms,
  CASE WHEN s.duration_ms > $slow_ms THEN 1 ELSE 0 END AS slow,
  CASE WHEN c.agent IS NULL THEN 0 ELSE 1 END AS has_calls,
  c.originator,
  c.tokens,
  c.cost_usd,
  c.unpriced_calls
FROM slowest s
LEFT JOIN cost c ON c.agent = s.agent AND c.session_id = s.session_id
ORDER BY s.duration_ms DESC NULLS LAST, s.agent, s.session_id;

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

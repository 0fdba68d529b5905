-- Rollups: sessions, tokens, cost, P95 duration, API error rate and tool success rate per group.
-- The caller fills rollup_groups(agent, session_id, group_value): one group per session, for the
-- dimension asked for (originator, session_source, environment, agent, or any attribute).
-- Rows whose session is not in `sessions` (e.g. side requests, metric fallbacks) use their own value.

-- name: rollup
WITH
g AS (SELECT agent, session_id, group_value FROM rollup_groups),
s AS (
  SELECT coalesce(g.group_value, '(none)') AS group_value, count(*) AS sessions,
         percentile_disc(0.95) WITHIN GROUP (ORDER BY x.duration_ms) AS p95_ms
  FROM sessions x LEFT JOIN g ON g.agent = x.agent AND g.session_id = x.session_id
  GROUP BY coalesce(g.group_value, '(none)')
),
c AS (
  SELECT coalesce(g.group_value, CASE CAST($dim AS VARCHAR) WHEN 'originator' THEN p.originator WHEN 'session_source' THEN p.session_source WHEN 'environment' THEN p.environment WHEN 'agent' THEN p.agent ELSE coalesce(p.attributes ->> $path, p.resource_attributes ->> $path) END, '(none)') AS group_value,
         count(*) AS calls, sum(p.input) AS input, sum(p.cache_read) AS cache_read, sum(p.cache_write) AS cache_write,
         sum(p.output) AS output, sum(p.reasoning) AS reasoning, sum(p.cost_usd) AS cost_usd,
         sum(CASE WHEN p.priced THEN 0 ELSE 1 END) AS unpriced_calls
  FROM priced_calls p LEFT JOIN g ON g.agent = p.agent AND g.session_id = p.session_id
  GROUP BY 1
),
a AS (
  SELECT coalesce(g.group_value, CASE CAST($dim AS VARCHAR) WHEN 'originator' THEN x.originator WHEN 'session_source' THEN x.session_source WHEN 'environment' THEN x.environment WHEN 'agent' THEN x.agent ELSE coalesce(x.attributes ->> $path, x.resource_attributes ->> $path) END, '(none)') AS group_value,
         count(*) AS attempts, sum(CASE WHEN x.is_error THEN 1 ELSE 0 END) AS errors
  FROM api_attempts x LEFT JOIN g ON g.agent = x.agent AND g.session_id = x.session_id
  GROUP BY 1
),
t AS (
  SELECT coalesce(g.group_value, CASE CAST($dim AS VARCHAR) WHEN 'originator' THEN x.originator WHEN 'session_source' THEN x.session_source WHEN 'environment' THEN x.environment WHEN 'agent' THEN x.agent ELSE coalesce(x.attributes ->> $path, x.resource_attributes ->> $path) END, '(none)') AS group_value,
         count(*) AS tool_calls, sum(CASE WHEN x.success THEN 1 ELSE 0 END) AS tool_successes
  FROM tool_calls x LEFT JOIN g ON g.agent = x.agent AND g.session_id = x.session_id
  GROUP BY 1
),
k AS (
  SELECT group_value FROM s UNION SELECT group_value FROM c UNION SELECT group_value FROM a UNION SELECT group_value FROM t
)
SELECT
  k.group_value,
  coalesce(s.sessions, 0) AS sessions,
  s.p95_ms,
  coalesce(c.calls, 0) AS calls,
  coalesce(c.input, 0) AS input,
  coalesce(c.cache_read, 0) AS cache_read,
  coalesce(c.cache_write, 0) AS cache_write,
  coalesce(c.output, 0) AS output,
  coalesce(c.reasoning, 0) AS reasoning,
  c.cost_usd,
  coalesce(c.unpriced_calls, 0) AS unpriced_calls,
  coalesce(a.attempts, 0) AS attempts,
  coalesce(a.errors, 0) AS errors,
  coalesce(t.tool_calls, 0) AS tool_calls,
  coalesce(t.tool_successes, 0) AS tool_successes
FROM k
LEFT JOIN s ON s.group_value = k.group_value
LEFT JOIN c ON c.group_value = k.group_value
LEFT JOIN a ON a.group_value = k.group_value
LEFT JOIN t ON t.group_value = k.group_value
ORDER BY c.cost_usd DESC NULLS LAST, coalesce(c.input, 0) + coalesce(c.output, 0) DESC, k.group_value;

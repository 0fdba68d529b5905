-- Data quality: what the inputs did not say, so the report can say it instead of guessing.

-- name: signals
-- Which signals each agent's sessions exported. Failed runs often lose traces and metrics.
SELECT
  agent,
  count(*) AS sessions,
  sum(CASE WHEN has_logs THEN 1 ELSE 0 END) AS with_logs,
  sum(CASE WHEN has_spans THEN 1 ELSE 0 END) AS with_spans,
  sum(CASE WHEN has_metrics THEN 1 ELSE 0 END) AS with_metrics,
  sum(CASE WHEN has_logs AND NOT has_spans THEN 1 ELSE 0 END) AS logs_without_spans
FROM sessions
GROUP BY agent
ORDER BY agent;

-- name: sessions_without_spans
SELECT agent, session_id, originator, duration_source, has_logs, has_metrics
FROM sessions
WHERE NOT has_spans
ORDER BY agent, session_id;

-- name: status_not_reported
-- Attempts whose HTTP status the agent did not export (e.g. Claude Code's retried requests).
SELECT agent, model, count(*) AS attempts, sum(CASE WHEN is_error THEN 1 ELSE 0 END) AS failed_attempts
FROM api_attempts
WHERE NOT status_reported
GROUP BY agent, model
ORDER BY agent, model;

-- name: agent_flag_wrong
-- Tool calls the agent reported as successful although the derived outcome is not.
SELECT agent, tool_name, outcome_rule, count(*) AS calls
FROM tool_calls
WHERE agent_success AND NOT success
GROUP BY agent, tool_name, outcome_rule
ORDER BY agent, tool_name, outcome_rule;

-- name: calls_without_session
SELECT agent, source, count(*) AS calls
FROM model_calls
WHERE session_id IS NULL
GROUP BY agent, source
ORDER BY agent, source;

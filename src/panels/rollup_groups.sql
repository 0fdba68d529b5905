-- One group per session for a rollup dimension: a session column (originator, session_source,
-- environment, agent), or any attribute: the session's resource attribute, else the first value
-- the attribute has on the session's records (model calls, API attempts, tool calls).
CREATE OR REPLACE TEMP TABLE rollup_groups AS
WITH rec AS (
  SELECT agent, session_id, min(coalesce(attributes ->> $path, resource_attributes ->> $path)) AS v FROM model_calls GROUP BY agent, session_id
  UNION ALL
  SELECT agent, session_id, min(coalesce(attributes ->> $path, resource_attributes ->> $path)) FROM api_attempts GROUP BY agent, session_id
  UNION ALL
  SELECT agent, session_id, min(coalesce(attributes ->> $path, resource_attributes ->> $path)) FROM tool_calls GROUP BY agent, session_id
),
recv AS (SELECT agent, session_id, min(v) AS v FROM rec GROUP BY agent, session_id)
SELECT
  s.agent,
  s.session_id,
  CASE CAST($dim AS VARCHAR)
    WHEN 'originator' THEN s.originator
    WHEN 'session_source' THEN s.session_source
    WHEN 'environment' THEN s.environment
    WHEN 'agent' THEN s.agent
    ELSE coalesce(s.resource_attributes ->> $path, r.v)
  END AS group_value
FROM sessions s
LEFT JOIN recv r ON r.agent = s.agent AND r.session_id = s.session_id;

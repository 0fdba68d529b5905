-- The rollup dimensions, and one group per session for each: a session column (originator,
-- session_source, environment, agent), or any attribute: the session's resource attribute, else
-- the first value the attribute has on the session's records (model calls, API attempts, tool
-- calls). Every dimension at once, so the rollups are one query whatever their number.
-- $keys: the rollups' names; $dims: 'originator', 'session_source', 'environment', 'agent' or
-- 'attribute'; $paths: the attribute's JSON path (used for 'attribute' only).
CREATE OR REPLACE TEMP TABLE rollup_dims AS
SELECT unnest(CAST($keys AS VARCHAR[])) AS key, unnest(CAST($dims AS VARCHAR[])) AS dim, unnest(CAST($paths AS VARCHAR[])) AS path;

CREATE OR REPLACE TEMP TABLE rollup_groups AS
WITH attr AS (SELECT key, path FROM rollup_dims WHERE dim = 'attribute'),
rec AS (
  SELECT d.key, x.agent, x.session_id, min(coalesce(x.attributes ->> d.path, x.resource_attributes ->> d.path)) AS v
  FROM model_calls x CROSS JOIN attr d GROUP BY d.key, x.agent, x.session_id
  UNION ALL
  SELECT d.key, x.agent, x.session_id, min(coalesce(x.attributes ->> d.path, x.resource_attributes ->> d.path))
  FROM api_attempts x CROSS JOIN attr d GROUP BY d.key, x.agent, x.session_id
  UNION ALL
  SELECT d.key, x.agent, x.session_id, min(coalesce(x.attributes ->> d.path, x.resource_attributes ->> d.path))
  FROM tool_calls x CROSS JOIN attr d GROUP BY d.key, x.agent, x.session_id
),
recv AS (SELECT key, agent, session_id, min(v) AS v FROM rec GROUP BY key, agent, session_id)
SELECT
  d.key,
  s.agent,
  s.session_id,
  CASE d.dim
    WHEN 'originator' THEN s.originator
    WHEN 'session_source' THEN s.session_source
    WHEN 'environment' THEN s.environment
    WHEN 'agent' THEN s.agent
    ELSE coalesce(s.resource_attributes ->> d.path, r.v)
  END AS group_value
FROM sessions s
CROSS JOIN rollup_dims d
LEFT JOIN recv r ON r.key = d.key AND r.agent = s.agent AND r.session_id = s.session_id;

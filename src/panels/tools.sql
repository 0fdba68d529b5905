-- Panel 3: tool call success rate, overall, per agent and per tool; flagged under $flag_rate.
-- A rejected call (permission policy, tool not available) is not a success and is also counted
-- as rejected. `success` is the derived outcome; `agent_success` is the agent's own flag.

-- name: overall
SELECT
  count(*) AS calls,
  sum(CASE WHEN success THEN 1 ELSE 0 END) AS successes,
  sum(CASE WHEN outcome = 'failure' THEN 1 ELSE 0 END) AS failures,
  sum(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END) AS rejected,
  sum(CASE WHEN agent_success AND NOT success THEN 1 ELSE 0 END) AS agent_flag_wrong
FROM tool_calls;

-- name: by_tool
SELECT
  agent,
  tool_name,
  count(*) AS calls,
  sum(CASE WHEN success THEN 1 ELSE 0 END) AS successes,
  sum(CASE WHEN outcome = 'failure' THEN 1 ELSE 0 END) AS failures,
  sum(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END) AS rejected,
  sum(CASE WHEN agent_success AND NOT success THEN 1 ELSE 0 END) AS agent_flag_wrong,
  avg(duration_ms) AS avg_duration_ms
FROM tool_calls
GROUP BY agent, tool_name
ORDER BY agent, tool_name;

-- name: by_agent
SELECT
  agent,
  count(*) AS calls,
  sum(CASE WHEN success THEN 1 ELSE 0 END) AS successes,
  sum(CASE WHEN outcome = 'failure' THEN 1 ELSE 0 END) AS failures,
  sum(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END) AS rejected
FROM tool_calls
GROUP BY agent
ORDER BY agent;

-- name: rules
-- Which rule decided each outcome (e.g. the exit code in the output overrode the agent's flag).
SELECT agent, tool_name, outcome, outcome_rule, count(*) AS calls
FROM tool_calls
GROUP BY agent, tool_name, outcome, outcome_rule
ORDER BY agent, tool_name, outcome, outcome_rule;

-- Panel 5: cost estimate = tokens × the versioned price table (priced_calls, exact DECIMAL).
-- A call whose model has no price is UNPRICED: its tokens are shown, its cost is NULL (never 0),
-- and every total says how many calls and tokens it leaves out.

-- name: by_model
SELECT
  agent,
  model,
  max(price_model_id) AS price_model_id,
  max(price_rule) AS price_rule,
  count(*) AS calls,
  sum(CASE WHEN priced THEN 1 ELSE 0 END) AS priced_calls,
  sum(CASE WHEN priced THEN 0 ELSE 1 END) AS unpriced_calls,
  sum(input) AS input,
  sum(cache_read) AS cache_read,
  sum(cache_write) AS cache_write,
  sum(output) AS output,
  sum(cost_input_usd) AS cost_input_usd,
  sum(cost_cache_read_usd) AS cost_cache_read_usd,
  sum(cost_cache_write_usd) AS cost_cache_write_usd,
  sum(cost_output_usd) AS cost_output_usd,
  sum(cost_usd) AS cost_usd,
  max(unpriced_reason) AS unpriced_reason
FROM priced_calls
GROUP BY agent, model
ORDER BY agent, model;

-- name: total
SELECT
  count(*) AS calls,
  sum(CASE WHEN priced THEN 0 ELSE 1 END) AS unpriced_calls,
  sum(CASE WHEN priced THEN 0 ELSE input + output END) AS unpriced_tokens,
  coalesce(sum(cost_usd), 0) AS cost_usd
FROM priced_calls;

-- name: unpriced
SELECT
  agent,
  model,
  unpriced_reason AS reason,
  count(*) AS calls,
  sum(input) AS input,
  sum(cache_read) AS cache_read,
  sum(cache_write) AS cache_write,
  sum(output) AS output,
  sum(reasoning) AS reasoning
FROM priced_calls
WHERE NOT priced
GROUP BY agent, model, unpriced_reason
ORDER BY agent, model, reason;

-- name: by_session
-- The $max_list costliest sessions (the report lists no more; a 1 GB archive has thousands).
SELECT
  agent,
  session_id,
  max(originator) AS originator,
  count(*) AS calls,
  sum(input + output) AS tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN priced THEN 0 ELSE 1 END) AS unpriced_calls
FROM priced_calls
GROUP BY agent, session_id
ORDER BY cost_usd DESC NULLS LAST, tokens DESC, agent, session_id
LIMIT $max_list;

-- name: by_originator
SELECT
  coalesce(originator, '(none)') AS originator,
  count(*) AS calls,
  sum(input + output) AS tokens,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN priced THEN 0 ELSE 1 END) AS unpriced_calls
FROM priced_calls
GROUP BY coalesce(originator, '(none)')
ORDER BY cost_usd DESC NULLS LAST, originator;

-- name: by_day
SELECT
  CAST(ts AS DATE) AS day,
  agent,
  model,
  sum(cost_usd) AS cost_usd,
  sum(CASE WHEN priced THEN 0 ELSE 1 END) AS unpriced_calls
FROM priced_calls
GROUP BY CAST(ts AS DATE), agent, model
ORDER BY day, agent, model;

-- name: reconciliation
-- Our estimate beside the agent's own figure, per model, over the sessions where the agent
-- reported one (Claude Code: cost_usd per call; Codex: usage.estimated_usd per turn). Our side is
-- NULL when any of those calls is unpriced.
WITH theirs AS (
  SELECT agent, model, session_id, max(scope) AS scope, count(*) AS items, sum(cost_usd) AS cost
  FROM agent_costs
  GROUP BY agent, model, session_id
),
ours AS (
  SELECT agent, model, session_id, count(*) AS calls, sum(cost_usd) AS cost,
         sum(CASE WHEN priced THEN 0 ELSE 1 END) AS unpriced
  FROM priced_calls
  GROUP BY agent, model, session_id
)
SELECT
  t.agent,
  t.model,
  max(t.scope) AS scope,
  sum(t.items) AS reported_items,
  sum(t.cost) AS agent_cost_usd,
  coalesce(sum(o.calls), 0) AS calls,
  CASE WHEN coalesce(sum(o.unpriced), 0) > 0 OR sum(o.calls) IS NULL THEN NULL ELSE sum(o.cost) END AS our_cost_usd,
  coalesce(sum(o.unpriced), 0) AS unpriced_calls
FROM theirs t
LEFT JOIN ours o ON o.agent = t.agent AND o.model = t.model AND o.session_id IS NOT DISTINCT FROM t.session_id
GROUP BY t.agent, t.model
ORDER BY t.agent, t.model;

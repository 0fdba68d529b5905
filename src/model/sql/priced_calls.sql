-- priced_calls: every row of model_calls with the price in force and what the call cost in USD.
--
-- Reads model_calls (one row per model call, written by the agent mappings; `input` counts ALL
-- prompt tokens, cache reads and writes included; `output` includes reasoning/thinking tokens)
-- and the tables src/model/pricing.ts writes:
--   price_match(model, matched_id, rule, provider)   matched_id NULL: no price for that model id
--   prices(model_id, effective_from, effective_to, above_input_tokens, <USD per 1M tokens>, source)
--   pricing_params(price_date)                       NULL: each call is priced on its own day
--                                                    (ts, UTC); a date: every call at that date
--
-- cost = (input - cache_read - cache_write) x input price
--      + cache_read x cache-read price
--      + cache_write_5m x 5-minute write price + cache_write_1h x 1-hour write price
--      + (cache_write - cache_write_5m - cache_write_1h) x 5-minute write price
--      + output x output price
-- all divided by 1e6 (prices are per 1M tokens), in exact DECIMAL arithmetic. The fifth line prices
-- the part of the cache writes that the Anthropic 5m/1h breakdown does not explain at the 5-minute
-- rate, as Claude Code's own cost_usd does. A price without any cache-write rate (OpenAI, Google)
-- charges cache writes at the input price. The long-context tier is the price row with the largest
-- above_input_tokens that the call's input exceeds.
--
-- A call is unpriced (priced false, every cost column NULL, never 0) when its model id matched no
-- price ('no-price-entry'), when no price was in force on its day ('no-price-at-date'), or when it
-- used a token kind whose rate the table leaves open ('missing-price-component').
--
-- Plain SQL on purpose (CTEs, LEFT JOIN, CASE, CAST, LEAD): it should also run on ClickHouse.
-- Money is multiplied by a DECIMAL 0.000001, never divided, so no engine falls back to floats.
CREATE OR REPLACE VIEW priced_calls AS
WITH
params AS (
  SELECT MAX(price_date) AS price_date FROM pricing_params
),
calls AS (
  SELECT
    c.agent, c.session_id, c.call_id, c.model, c.ts, c.environment, c.originator, c.session_source,
    c.input, c.cache_read, c.cache_write, c.cache_write_5m, c.cache_write_1h, c.output, c.reasoning,
    c.agent_cost_usd, c.source, c.resource_attributes, c.attributes,
    pm.matched_id,
    COALESCE(pm.rule, 'unpriced') AS match_rule,
    COALESCE(params.price_date, CAST(c.ts AS DATE)) AS price_day,
    COALESCE(c.input, 0) AS n_input,
    COALESCE(c.cache_read, 0) AS n_cache_read,
    COALESCE(c.cache_write, 0) AS n_cache_write,
    COALESCE(c.cache_write_5m, 0) AS n_cw5m,
    COALESCE(c.cache_write_1h, 0) AS n_cw1h,
    COALESCE(c.output, 0) AS n_output
  FROM model_calls c
  CROSS JOIN params
  LEFT JOIN price_match pm ON pm.model = c.model
),
tiers AS (
  SELECT
    p.model_id, p.effective_from, p.effective_to, p.above_input_tokens,
    p.input, p.cache_read, p.cache_write_5m, p.cache_write_1h, p.output, p.source,
    LEAD(p.above_input_tokens) OVER (
      PARTITION BY p.model_id, p.effective_from ORDER BY p.above_input_tokens
    ) AS next_above_input_tokens
  FROM prices p
),
rated AS (
  SELECT
    calls.*,
    t.model_id AS t_model_id,
    t.effective_from AS t_effective_from,
    t.above_input_tokens AS t_above_input_tokens,
    t.source AS t_source,
    calls.n_input - calls.n_cache_read - calls.n_cache_write AS n_uncached,
    CASE
      WHEN calls.n_cache_write - calls.n_cw5m - calls.n_cw1h > 0
      THEN calls.n_cache_write - calls.n_cw5m - calls.n_cw1h
      ELSE 0
    END AS n_cw_rest,
    -- USD per token
    t.input * CAST('0.000001' AS DECIMAL(7, 6)) AS r_input,
    t.cache_read * CAST('0.000001' AS DECIMAL(7, 6)) AS r_cache_read,
    CASE
      WHEN t.cache_write_5m IS NULL AND t.cache_write_1h IS NULL THEN t.input
      ELSE t.cache_write_5m
    END * CAST('0.000001' AS DECIMAL(7, 6)) AS r_cw5m,
    CASE
      WHEN t.cache_write_5m IS NULL AND t.cache_write_1h IS NULL THEN t.input
      ELSE t.cache_write_1h
    END * CAST('0.000001' AS DECIMAL(7, 6)) AS r_cw1h,
    t.output * CAST('0.000001' AS DECIMAL(7, 6)) AS r_output
  FROM calls
  LEFT JOIN tiers t
    ON t.model_id = calls.matched_id
   AND t.effective_from <= calls.price_day
   AND (t.effective_to IS NULL OR calls.price_day < t.effective_to)
   AND (t.above_input_tokens = 0 OR calls.n_input > t.above_input_tokens)
   AND (t.next_above_input_tokens IS NULL OR calls.n_input <= t.next_above_input_tokens)
),
parts AS (
  -- A part is NULL when there is no price row, or when tokens of that kind were used and their
  -- rate is unknown; zero tokens cost zero whatever the rate.
  SELECT
    rated.*,
    CASE WHEN t_model_id IS NULL THEN NULL WHEN n_uncached = 0 THEN CAST(0 AS DECIMAL(38, 12))
         ELSE CAST(n_uncached * r_input AS DECIMAL(38, 12)) END AS c_input,
    CASE WHEN t_model_id IS NULL THEN NULL WHEN n_cache_read = 0 THEN CAST(0 AS DECIMAL(38, 12))
         ELSE CAST(n_cache_read * r_cache_read AS DECIMAL(38, 12)) END AS c_cache_read,
    CASE WHEN t_model_id IS NULL THEN NULL WHEN n_cw5m = 0 THEN CAST(0 AS DECIMAL(38, 12))
         ELSE CAST(n_cw5m * r_cw5m AS DECIMAL(38, 12)) END AS c_cw5m,
    CASE WHEN t_model_id IS NULL THEN NULL WHEN n_cw1h = 0 THEN CAST(0 AS DECIMAL(38, 12))
         ELSE CAST(n_cw1h * r_cw1h AS DECIMAL(38, 12)) END AS c_cw1h,
    CASE WHEN t_model_id IS NULL THEN NULL WHEN n_cw_rest = 0 THEN CAST(0 AS DECIMAL(38, 12))
         ELSE CAST(n_cw_rest * r_cw5m AS DECIMAL(38, 12)) END AS c_cw_rest,
    CASE WHEN t_model_id IS NULL THEN NULL WHEN n_output = 0 THEN CAST(0 AS DECIMAL(38, 12))
         ELSE CAST(n_output * r_output AS DECIMAL(38, 12)) END AS c_output
  FROM rated
),
costed AS (
  SELECT
    parts.*,
    CAST(c_input + c_cache_read + c_cw5m + c_cw1h + c_cw_rest + c_output AS DECIMAL(38, 12)) AS c_total
  FROM parts
)
SELECT
  agent, session_id, call_id, model, ts, environment, originator, session_source,
  input, cache_read, cache_write, cache_write_5m, cache_write_1h, output, reasoning, agent_cost_usd,
  source, resource_attributes, attributes,
  c_total IS NOT NULL AS priced,
  CASE
    WHEN matched_id IS NULL THEN 'no-price-entry'
    WHEN t_model_id IS NULL THEN 'no-price-at-date'
    WHEN c_total IS NULL THEN 'missing-price-component'
  END AS unpriced_reason,
  matched_id AS price_model_id,
  match_rule AS price_rule,
  price_day AS price_date,
  t_effective_from AS price_effective_from,
  t_above_input_tokens AS price_above_input_tokens,
  t_source AS price_source,
  c_total AS cost_usd,
  CASE WHEN c_total IS NULL THEN NULL ELSE c_input END AS cost_input_usd,
  CASE WHEN c_total IS NULL THEN NULL ELSE c_cache_read END AS cost_cache_read_usd,
  CASE WHEN c_total IS NULL THEN NULL ELSE CAST(c_cw5m + c_cw1h + c_cw_rest AS DECIMAL(38, 12)) END AS cost_cache_write_usd,
  CASE WHEN c_total IS NULL THEN NULL ELSE c_output END AS cost_output_usd
FROM costed;

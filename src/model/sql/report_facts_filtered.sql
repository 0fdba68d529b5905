-- The facts a report with filters or a time zone works on: the rows of the stored fact_* tables it
-- keeps, copied into tables of the report's catalog (report_scope.sql), so the stored facts never
-- change. Every time is shifted from UTC to wall-clock time in $tz (NULL: no shift), so time
-- buckets, filters and printed times are in the report's time zone; the filters apply after the
-- shift, so the dates a user types are read in that zone. NULL parameters mean "no filter".
-- Calls, attempts and tool calls are kept by their own time; sessions when they overlap the
-- window. --model keeps sessions that used the model, and rows of that model.
-- A row is left out when its condition below is true (a NULL condition keeps it).
-- Calls, attempts and tool calls: the rows of `fact` (a fact_* table) kept, time shifted.
CREATE OR REPLACE TEMP MACRO kept_by_time(fact, tz, since, until, envs, originators, agents, models) AS TABLE
SELECT * FROM (
  SELECT x.* REPLACE (CASE WHEN tz IS NULL THEN x.ts ELSE timezone(tz, CAST(x.ts AS TIMESTAMPTZ)) END AS ts)
  FROM query_table(fact) x
)
WHERE ((since IS NOT NULL AND ts < since) OR (until IS NOT NULL AND ts >= until)
   OR (envs IS NOT NULL AND NOT list_contains(envs, coalesce(environment, '(none)')))
   OR (originators IS NOT NULL AND NOT list_contains(originators, coalesce(originator, '(none)')))
   OR (agents IS NOT NULL AND NOT list_contains(agents, agent))
   OR (models IS NOT NULL AND NOT list_contains(models, model))) IS NOT TRUE;

CREATE OR REPLACE TABLE model_calls AS
SELECT * FROM kept_by_time('fact_model_calls', CAST($tz AS VARCHAR), CAST($since AS TIMESTAMP), CAST($until AS TIMESTAMP),
  CAST($envs AS VARCHAR[]), CAST($originators AS VARCHAR[]), CAST($agents AS VARCHAR[]), CAST($models AS VARCHAR[]));

CREATE OR REPLACE TABLE api_attempts AS
SELECT * FROM kept_by_time('fact_api_attempts', CAST($tz AS VARCHAR), CAST($since AS TIMESTAMP), CAST($until AS TIMESTAMP),
  CAST($envs AS VARCHAR[]), CAST($originators AS VARCHAR[]), CAST($agents AS VARCHAR[]), CAST($models AS VARCHAR[]));

CREATE OR REPLACE TABLE tool_calls AS
SELECT * FROM kept_by_time('fact_tool_calls', CAST($tz AS VARCHAR), CAST($since AS TIMESTAMP), CAST($until AS TIMESTAMP),
  CAST($envs AS VARCHAR[]), CAST($originators AS VARCHAR[]), CAST($agents AS VARCHAR[]), CAST($models AS VARCHAR[]));

-- After model_calls: --model keeps the sessions with a call of that model in the window.
CREATE OR REPLACE TABLE sessions AS
SELECT * FROM (
  SELECT x.* REPLACE (
    CASE WHEN CAST($tz AS VARCHAR) IS NULL THEN x.start_ts ELSE timezone(CAST($tz AS VARCHAR), CAST(x.start_ts AS TIMESTAMPTZ)) END AS start_ts,
    CASE WHEN CAST($tz AS VARCHAR) IS NULL THEN x.end_ts ELSE timezone(CAST($tz AS VARCHAR), CAST(x.end_ts AS TIMESTAMPTZ)) END AS end_ts)
  FROM fact_sessions x
) s
WHERE ((CAST($since AS TIMESTAMP) IS NOT NULL AND s.end_ts < CAST($since AS TIMESTAMP)) OR (CAST($until AS TIMESTAMP) IS NOT NULL AND s.start_ts >= CAST($until AS TIMESTAMP))
   OR (CAST($envs AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($envs AS VARCHAR[]), coalesce(s.environment, '(none)')))
   OR (CAST($originators AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($originators AS VARCHAR[]), coalesce(s.originator, '(none)')))
   OR (CAST($agents AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($agents AS VARCHAR[]), s.agent))
   OR (CAST($models AS VARCHAR[]) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM model_calls c WHERE c.session_id = s.session_id AND c.agent = s.agent))) IS NOT TRUE;

-- What the agents said things cost: neither shifted nor filtered (as stored).
CREATE OR REPLACE VIEW agent_costs AS SELECT * FROM fact_agent_costs;

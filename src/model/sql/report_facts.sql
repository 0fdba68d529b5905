-- The facts a report works on: TEMP copies of the stored fact_* tables, so the report's time zone
-- shift and filters (timezone.sql, filter.sql) never change what is stored.
CREATE OR REPLACE TEMP TABLE sessions AS SELECT * FROM fact_sessions;
CREATE OR REPLACE TEMP TABLE model_calls AS SELECT * FROM fact_model_calls;
CREATE OR REPLACE TEMP TABLE api_attempts AS SELECT * FROM fact_api_attempts;
CREATE OR REPLACE TEMP TABLE tool_calls AS SELECT * FROM fact_tool_calls;
CREATE OR REPLACE TEMP TABLE agent_costs AS SELECT * FROM fact_agent_costs;

-- The facts an unfiltered report in UTC works on: the stored fact_* tables as they are, through
-- plain views in the report's catalog (report_scope.sql), so nothing is copied and each query reads
-- only the columns it uses. A report with filters or another time zone uses
-- report_facts_filtered.sql instead.
CREATE OR REPLACE VIEW sessions AS SELECT * FROM fact_sessions;
CREATE OR REPLACE VIEW model_calls AS SELECT * FROM fact_model_calls;
CREATE OR REPLACE VIEW api_attempts AS SELECT * FROM fact_api_attempts;
CREATE OR REPLACE VIEW tool_calls AS SELECT * FROM fact_tool_calls;
CREATE OR REPLACE VIEW agent_costs AS SELECT * FROM fact_agent_costs;

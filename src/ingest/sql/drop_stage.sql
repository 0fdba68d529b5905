-- Drop the staging tables after a load.
DROP TABLE IF EXISTS stage_resources;
DROP TABLE IF EXISTS stage_scopes;
DROP TABLE IF EXISTS stage_spans;
DROP TABLE IF EXISTS stage_span_events;
DROP TABLE IF EXISTS stage_span_links;
DROP TABLE IF EXISTS stage_logs;
DROP TABLE IF EXISTS stage_metric_number_points;
DROP TABLE IF EXISTS stage_metric_histogram_points;
DROP TABLE IF EXISTS stage_metric_exp_histogram_points;
DROP TABLE IF EXISTS stage_metric_summary_points;

-- Empty staging copies of the record tables. A load appends here, then merge.sql moves the
-- records not already stored into the real tables, so a load is idempotent.
CREATE OR REPLACE TABLE stage_resources AS SELECT * FROM resources LIMIT 0;
CREATE OR REPLACE TABLE stage_scopes AS SELECT * FROM scopes LIMIT 0;
CREATE OR REPLACE TABLE stage_spans AS SELECT * FROM spans LIMIT 0;
CREATE OR REPLACE TABLE stage_span_events AS SELECT * FROM span_events LIMIT 0;
CREATE OR REPLACE TABLE stage_span_links AS SELECT * FROM span_links LIMIT 0;
CREATE OR REPLACE TABLE stage_logs AS SELECT * FROM logs LIMIT 0;
CREATE OR REPLACE TABLE stage_metric_number_points AS SELECT * FROM metric_number_points LIMIT 0;
CREATE OR REPLACE TABLE stage_metric_histogram_points AS SELECT * FROM metric_histogram_points LIMIT 0;
CREATE OR REPLACE TABLE stage_metric_exp_histogram_points AS SELECT * FROM metric_exp_histogram_points LIMIT 0;
CREATE OR REPLACE TABLE stage_metric_summary_points AS SELECT * FROM metric_summary_points LIMIT 0;

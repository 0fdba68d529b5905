-- How many records the database holds (to say "no telemetry" instead of an empty report).
-- name: count
SELECT (SELECT count(*) FROM spans) + (SELECT count(*) FROM logs) + (SELECT count(*) FROM metric_number_points)
     + (SELECT count(*) FROM metric_histogram_points) AS records;

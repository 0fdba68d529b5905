-- Sum, gauge and histogram points in one shape: `value` is the number (sums, gauges) or the
-- histogram's sum; `count` is the histogram's count (NULL for numbers). temporality 1 = DELTA,
-- 2 = CUMULATIVE: cumulative series repeat running totals and must never be summed as is.
CREATE OR REPLACE VIEW metric_points AS
SELECT
  p.record_key,
  p.metric_name,
  p.metric_type,
  p.unit,
  p.temporality,
  p.is_monotonic,
  make_timestamp(p.start_time_unix_nano // 1000) AS start_ts,
  make_timestamp(p.time_unix_nano // 1000) AS ts,
  p.start_time_unix_nano,
  p.time_unix_nano,
  coalesce(CAST(p.value_int AS DOUBLE), p.value_double) AS value,
  p.value_int,
  p.value_double,
  CAST(NULL AS UBIGINT) AS count,
  p.attributes,
  r.service_name,
  r.attributes AS resource_attributes,
  r.resource_id,
  p.file_id
FROM metric_number_points p
JOIN resources r USING (resource_id)
UNION ALL
SELECT
  h.record_key,
  h.metric_name,
  'histogram' AS metric_type,
  h.unit,
  h.temporality,
  true AS is_monotonic,
  make_timestamp(h.start_time_unix_nano // 1000),
  make_timestamp(h.time_unix_nano // 1000),
  h.start_time_unix_nano,
  h.time_unix_nano,
  h.sum,
  NULL,
  h.sum,
  h.count,
  h.attributes,
  r.service_name,
  r.attributes,
  r.resource_id,
  h.file_id
FROM metric_histogram_points h
JOIN resources r USING (resource_id);

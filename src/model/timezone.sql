-- Shift every fact timestamp from UTC to wall-clock time in $tz, so time buckets, filters and
-- printed times are in the report's time zone (stated in the report).
UPDATE model_calls SET ts = timezone($tz, CAST(ts AS TIMESTAMPTZ));
UPDATE api_attempts SET ts = timezone($tz, CAST(ts AS TIMESTAMPTZ));
UPDATE tool_calls SET ts = timezone($tz, CAST(ts AS TIMESTAMPTZ));
UPDATE sessions SET start_ts = timezone($tz, CAST(start_ts AS TIMESTAMPTZ)), end_ts = timezone($tz, CAST(end_ts AS TIMESTAMPTZ));

-- Spans with their resource and scope, times as UTC timestamps and duration in milliseconds.
CREATE OR REPLACE VIEW span_facts AS
SELECT
  sp.record_key,
  sp.trace_id,
  sp.span_id,
  sp.parent_span_id,
  sp.name,
  sp.kind,
  make_timestamp(sp.start_time_unix_nano // 1000) AS start_ts,
  make_timestamp(sp.end_time_unix_nano // 1000) AS end_ts,
  sp.start_time_unix_nano,
  sp.end_time_unix_nano,
  (sp.end_time_unix_nano - sp.start_time_unix_nano) / 1e6 AS duration_ms,
  sp.status_code,
  sp.status_message,
  sp.attributes,
  sp.event_count,
  r.service_name,
  r.attributes AS resource_attributes,
  r.resource_id,
  sc.name AS scope_name,
  sp.file_id
FROM spans sp
JOIN resources r USING (resource_id)
JOIN scopes sc USING (scope_id);

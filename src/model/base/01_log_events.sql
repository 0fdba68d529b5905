-- Log records with their resource and scope, and the semantic event name: the `event.name`
-- attribute (Codex, Claude Code, Gemini CLI), else the LogRecord event_name field, else a string
-- body. ts is the record's effective time in UTC (see logs.ts_unix_nano).
CREATE OR REPLACE VIEW log_events AS
SELECT
  l.record_key,
  make_timestamp(l.ts_unix_nano // 1000) AS ts,
  l.ts_unix_nano,
  coalesce(l.attributes ->> '$."event.name"', nullif(l.event_name, ''), CASE WHEN json_type(l.body) = 'VARCHAR' THEN l.body ->> '$' END) AS event_name,
  l.severity_number,
  l.attributes,
  l.body,
  l.trace_id,
  l.span_id,
  r.service_name,
  r.attributes AS resource_attributes,
  r.resource_id,
  s.name AS scope_name,
  l.file_id
FROM logs l
JOIN resources r USING (resource_id)
JOIN scopes s USING (scope_id);

-- The semantic event name of a log record: the `event.name` attribute (Codex, Claude Code, Gemini
-- CLI), else the LogRecord event_name field, else a string body.
CREATE OR REPLACE MACRO log_event_name(attributes, record_event_name, body) AS
  coalesce(attributes ->> '$."event.name"', nullif(record_event_name, ''), CASE WHEN json_type(body) = 'VARCHAR' THEN body ->> '$' END);

-- Log records with their resource and scope, and the semantic event name (log_event_name). ts is
-- the record's effective time in UTC (see logs.ts_unix_nano).
-- event_name is computed for every record that reaches this view: narrow it with filters on its
-- columns (pushed below it), not with joins (applied after it).
CREATE OR REPLACE VIEW log_events AS
SELECT
  l.record_key,
  make_timestamp(l.ts_unix_nano // 1000) AS ts,
  l.ts_unix_nano,
  log_event_name(l.attributes, l.event_name, l.body) AS event_name,
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

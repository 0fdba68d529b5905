-- The semantic event name of a log record: the `event.name` attribute (Codex, Claude Code, Gemini
-- CLI; passed in as read, attributes ->> '$."event.name"'), else the LogRecord event_name field,
-- else a string body.
CREATE OR REPLACE MACRO log_event_name(event_name_attribute, record_event_name, body) AS
  coalesce(event_name_attribute, nullif(record_event_name, ''), CASE WHEN json_type(body) = 'VARCHAR' THEN body ->> '$' END);

-- Log records with their resource and scope, as stored (record_event_name: the LogRecord
-- event_name field). ts is the record's effective time in UTC (see logs.ts_unix_nano).
CREATE OR REPLACE VIEW log_records AS
SELECT
  l.record_key,
  make_timestamp(l.ts_unix_nano // 1000) AS ts,
  l.ts_unix_nano,
  l.event_name AS record_event_name,
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

-- Log records with the semantic event name (log_event_name). The name is read from the attributes
-- of every record that reaches this view: a mapping that keeps few records narrows them with
-- filters on its columns (pushed below it), not with joins (applied after it), or reads
-- log_records.
CREATE OR REPLACE VIEW log_events AS
SELECT
  record_key,
  ts,
  ts_unix_nano,
  log_event_name(attributes ->> '$."event.name"', record_event_name, body) AS event_name,
  severity_number,
  attributes,
  body,
  trace_id,
  span_id,
  service_name,
  resource_attributes,
  resource_id,
  scope_name,
  file_id
FROM log_records;

-- One row per distinct InstrumentationScope (content-addressed like resources).
CREATE TABLE IF NOT EXISTS scopes (
  scope_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  version VARCHAR NOT NULL,
  attributes JSON NOT NULL,
  schema_url VARCHAR NOT NULL
);

-- One row per distinct OTLP Resource (content-addressed: resource_id = hash of attributes + schema URL).
CREATE TABLE IF NOT EXISTS resources (
  resource_id VARCHAR NOT NULL,
  service_name VARCHAR NOT NULL,
  attributes JSON NOT NULL,
  schema_url VARCHAR NOT NULL,
  dropped_attributes_count INTEGER NOT NULL
);

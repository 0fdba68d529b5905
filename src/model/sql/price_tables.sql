-- Tables that src/model/pricing.ts fills and priced_calls.sql reads. Prices are USD per 1M tokens.
CREATE OR REPLACE TABLE price_match (model VARCHAR NOT NULL, matched_id VARCHAR, rule VARCHAR NOT NULL, provider VARCHAR);
CREATE OR REPLACE TABLE prices (
  model_id VARCHAR NOT NULL,
  provider VARCHAR NOT NULL,
  effective_from DATE NOT NULL,
  effective_to DATE,
  above_input_tokens BIGINT NOT NULL,
  input DECIMAL(18,6) NOT NULL,
  cache_read DECIMAL(18,6),
  cache_write_5m DECIMAL(18,6),
  cache_write_1h DECIMAL(18,6),
  output DECIMAL(18,6) NOT NULL,
  source VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE price_table_info (seq INTEGER NOT NULL, kind VARCHAR NOT NULL, file VARCHAR NOT NULL, version VARCHAR, models INTEGER NOT NULL);
CREATE OR REPLACE TABLE pricing_params (price_date DATE);

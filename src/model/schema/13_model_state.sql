-- Which model version built the stored fact_* tables, from which loads (see src/model/facts.ts).
CREATE TABLE IF NOT EXISTS model_state (version VARCHAR, max_file_id INTEGER, built_at TIMESTAMP);

-- Price every call once: the priced_calls view (src/model/sql/priced_calls.sql) becomes a table of
-- the same rows in the report's catalog, so the cost panels and the rollups read it instead of
-- each planning and running the pricing joins again.
CREATE OR REPLACE TABLE priced_calls_once AS SELECT * FROM priced_calls;
DROP VIEW priced_calls;
ALTER TABLE priced_calls_once RENAME TO priced_calls;

-- Price every call once: the priced_calls view (src/model/sql/priced_calls.sql) becomes a table of
-- the same rows in the report's catalog, so the cost panels and the rollups read it instead of
-- each planning and running the pricing joins again. The attribute objects are kept only when
-- $with_attributes (a rollup groups by an attribute: rollups.sql reads them for calls outside any
-- session); otherwise they are NULL, and not read.
CREATE OR REPLACE TABLE priced_calls_once AS
SELECT * REPLACE (
  CASE WHEN $with_attributes THEN attributes END AS attributes,
  CASE WHEN $with_attributes THEN resource_attributes END AS resource_attributes
) FROM priced_calls;
DROP VIEW priced_calls;
ALTER TABLE priced_calls_once RENAME TO priced_calls;

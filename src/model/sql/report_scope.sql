-- The report's own catalog: an in-memory database attached beside the store and made this
-- connection's default, so that what a report creates (its fact views, the price tables, the
-- priced_calls view, rollup groups) never writes to a --db file (no write-ahead log, no checkpoint
-- at close) and is seen by every connection of the report. What is stored (fact_* and the raw
-- tables) is still found by its bare name, through the search path. Run once per connection.
-- (A store itself named oar_report_run is then simply the default, as it was before.)
SET VARIABLE oar_store = coalesce(getvariable('oar_store'), current_database());
ATTACH IF NOT EXISTS ':memory:' AS oar_report_run;
USE oar_report_run;
SET search_path = 'oar_report_run.main,"' || replace(getvariable('oar_store'), '"', '""') || '".main';

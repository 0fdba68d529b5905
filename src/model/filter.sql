-- Apply the report's filters to the materialised facts (after the optional --tz shift, so the
-- dates a user types are read in the report's time zone). NULL parameters mean "no filter".
-- Calls, attempts and tool calls are kept by their own time; sessions when they overlap the
-- window. --model keeps sessions that used the model, and rows of that model.
DELETE FROM model_calls
WHERE (CAST($since AS TIMESTAMP) IS NOT NULL AND ts < CAST($since AS TIMESTAMP)) OR (CAST($until AS TIMESTAMP) IS NOT NULL AND ts >= CAST($until AS TIMESTAMP))
   OR (CAST($envs AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($envs AS VARCHAR[]), coalesce(environment, '(none)')))
   OR (CAST($originators AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($originators AS VARCHAR[]), coalesce(originator, '(none)')))
   OR (CAST($agents AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($agents AS VARCHAR[]), agent))
   OR (CAST($models AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($models AS VARCHAR[]), model));

DELETE FROM api_attempts
WHERE (CAST($since AS TIMESTAMP) IS NOT NULL AND ts < CAST($since AS TIMESTAMP)) OR (CAST($until AS TIMESTAMP) IS NOT NULL AND ts >= CAST($until AS TIMESTAMP))
   OR (CAST($envs AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($envs AS VARCHAR[]), coalesce(environment, '(none)')))
   OR (CAST($originators AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($originators AS VARCHAR[]), coalesce(originator, '(none)')))
   OR (CAST($agents AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($agents AS VARCHAR[]), agent))
   OR (CAST($models AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($models AS VARCHAR[]), model));

DELETE FROM tool_calls
WHERE (CAST($since AS TIMESTAMP) IS NOT NULL AND ts < CAST($since AS TIMESTAMP)) OR (CAST($until AS TIMESTAMP) IS NOT NULL AND ts >= CAST($until AS TIMESTAMP))
   OR (CAST($envs AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($envs AS VARCHAR[]), coalesce(environment, '(none)')))
   OR (CAST($originators AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($originators AS VARCHAR[]), coalesce(originator, '(none)')))
   OR (CAST($agents AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($agents AS VARCHAR[]), agent))
   OR (CAST($models AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($models AS VARCHAR[]), model));

DELETE FROM sessions
WHERE (CAST($since AS TIMESTAMP) IS NOT NULL AND end_ts < CAST($since AS TIMESTAMP)) OR (CAST($until AS TIMESTAMP) IS NOT NULL AND start_ts >= CAST($until AS TIMESTAMP))
   OR (CAST($envs AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($envs AS VARCHAR[]), coalesce(environment, '(none)')))
   OR (CAST($originators AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($originators AS VARCHAR[]), coalesce(originator, '(none)')))
   OR (CAST($agents AS VARCHAR[]) IS NOT NULL AND NOT list_contains(CAST($agents AS VARCHAR[]), agent))
   OR (CAST($models AS VARCHAR[]) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM model_calls c WHERE c.session_id = sessions.session_id AND c.agent = sessions.agent));

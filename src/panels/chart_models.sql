-- The models the charts colour, one shared colour each: every model of a model call or an API
-- attempt, NULL for those without one. The charts' panels show models of no other table
-- (sessions' and costs' are their calls'), so a report knows every chart's colours before its
-- first chart is drawn.
-- name: models
SELECT model FROM model_calls
UNION
SELECT model FROM api_attempts;

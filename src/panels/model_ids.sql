-- The model ids the price table must match.
-- name: models
SELECT DISTINCT model FROM model_calls WHERE model IS NOT NULL ORDER BY model;

-- Panel 4: API error rate by model and status, with retries.
-- Status classes: 429, 400, other 4xx, 5xx, and "not reported" (the agent does not say which
-- status a retried attempt got: Claude Code). An error is any attempt that did not succeed.

-- name: by_model
SELECT
  agent,
  model,
  count(*) AS attempts,
  sum(CASE WHEN is_error THEN 1 ELSE 0 END) AS errors,
  sum(CASE WHEN status_code = 429 THEN 1 ELSE 0 END) AS s429,
  sum(CASE WHEN status_code = 400 THEN 1 ELSE 0 END) AS s400,
  sum(CASE WHEN status_code >= 400 AND status_code < 500 AND status_code NOT IN (400, 429) THEN 1 ELSE 0 END) AS s4xx_other,
  sum(CASE WHEN status_code >= 500 THEN 1 ELSE 0 END) AS s5xx,
  sum(CASE WHEN is_error AND status_code IS NULL THEN 1 ELSE 0 END) AS error_status_unknown,
  sum(CASE WHEN NOT status_reported THEN 1 ELSE 0 END) AS status_not_reported,
  sum(CASE WHEN is_retry THEN 1 ELSE 0 END) AS retries
FROM api_attempts
GROUP BY agent, model
ORDER BY agent, model;

-- name: by_status
SELECT
  agent,
  model,
  CASE WHEN status_code IS NULL THEN 'not reported' ELSE CAST(status_code AS VARCHAR) END AS status,
  is_error,
  count(*) AS attempts,
  sum(CASE WHEN is_retry THEN 1 ELSE 0 END) AS retries
FROM api_attempts
GROUP BY agent, model, CASE WHEN status_code IS NULL THEN 'not reported' ELSE CAST(status_code AS VARCHAR) END, is_error
ORDER BY agent, model, status, is_error;

-- name: overall
SELECT
  count(*) AS attempts,
  sum(CASE WHEN is_error THEN 1 ELSE 0 END) AS errors,
  sum(CASE WHEN is_retry THEN 1 ELSE 0 END) AS retries,
  sum(CASE WHEN NOT status_reported THEN 1 ELSE 0 END) AS status_not_reported
FROM api_attempts;

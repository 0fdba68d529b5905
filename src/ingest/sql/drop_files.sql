-- Drop the rows of files this load read that turned out to repeat an earlier load (stdin input).
DELETE FROM spans WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM span_events WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM span_links WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM logs WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM metric_number_points WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM metric_histogram_points WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM metric_exp_histogram_points WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM metric_summary_points WHERE list_contains($file_ids::INTEGER[], file_id);

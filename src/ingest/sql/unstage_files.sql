-- Drop staged rows of files that turned out to repeat an earlier load (stdin input).
DELETE FROM stage_spans WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM stage_span_events WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM stage_span_links WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM stage_logs WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM stage_metric_number_points WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM stage_metric_histogram_points WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM stage_metric_exp_histogram_points WHERE list_contains($file_ids::INTEGER[], file_id);
DELETE FROM stage_metric_summary_points WHERE list_contains($file_ids::INTEGER[], file_id);

-- Load the CSV files the decode workers wrote (src/ingest/sink.ts CsvSink) into the stage tables.
-- One parameter per table: the list of its files. Strings are always quoted with RS (chr(30)),
-- which JSON text never holds raw, so an unquoted empty field is NULL and a quoted one is ''. Column lists mirror src/ingest/sink.ts COLUMNS (tested).
INSERT INTO stage_resources SELECT * FROM read_csv($resources,
  columns = {'resource_id': 'VARCHAR', 'service_name': 'VARCHAR', 'attributes': 'VARCHAR', 'schema_url': 'VARCHAR', 'dropped_attributes_count': 'INTEGER'},
  header = false, auto_detect = false, delim = ',', quote = chr(30), escape = chr(30), nullstr = '', allow_quoted_nulls = false, new_line = '\n');
INSERT INTO stage_scopes SELECT * FROM read_csv($scopes,
  columns = {'scope_id': 'VARCHAR', 'name': 'VARCHAR', 'version': 'VARCHAR', 'attributes': 'VARCHAR', 'schema_url': 'VARCHAR'},
  header = false, auto_detect = false, delim = ',', quote = chr(30), escape = chr(30), nullstr = '', allow_quoted_nulls = false, new_line = '\n');
INSERT INTO stage_spans SELECT * FROM read_csv($spans,
  columns = {'record_key': 'BIGINT', 'trace_id': 'VARCHAR', 'span_id': 'VARCHAR', 'parent_span_id': 'VARCHAR', 'trace_state': 'VARCHAR', 'name': 'VARCHAR', 'kind': 'TINYINT', 'start_time_unix_nano': 'BIGINT', 'end_time_unix_nano': 'BIGINT', 'status_code': 'TINYINT', 'status_message': 'VARCHAR', 'flags': 'UINTEGER', 'attributes': 'VARCHAR', 'dropped_attributes_count': 'INTEGER', 'event_count': 'INTEGER', 'link_count': 'INTEGER', 'resource_id': 'VARCHAR', 'scope_id': 'VARCHAR', 'file_id': 'INTEGER'},
  header = false, auto_detect = false, delim = ',', quote = chr(30), escape = chr(30), nullstr = '', allow_quoted_nulls = false, new_line = '\n');
INSERT INTO stage_span_events SELECT * FROM read_csv($span_events,
  columns = {'span_key': 'BIGINT', 'seq': 'INTEGER', 'trace_id': 'VARCHAR', 'span_id': 'VARCHAR', 'time_unix_nano': 'BIGINT', 'name': 'VARCHAR', 'attributes': 'VARCHAR', 'file_id': 'INTEGER'},
  header = false, auto_detect = false, delim = ',', quote = chr(30), escape = chr(30), nullstr = '', allow_quoted_nulls = false, new_line = '\n');
INSERT INTO stage_span_links SELECT * FROM read_csv($span_links,
  columns = {'span_key': 'BIGINT', 'seq': 'INTEGER', 'trace_id': 'VARCHAR', 'span_id': 'VARCHAR', 'linked_trace_id': 'VARCHAR', 'linked_span_id': 'VARCHAR', 'trace_state': 'VARCHAR', 'flags': 'UINTEGER', 'attributes': 'VARCHAR', 'file_id': 'INTEGER'},
  header = false, auto_detect = false, delim = ',', quote = chr(30), escape = chr(30), nullstr = '', allow_quoted_nulls = false, new_line = '\n');
INSERT INTO stage_logs SELECT * FROM read_csv($logs,
  columns = {'record_key': 'BIGINT', 'time_unix_nano': 'BIGINT', 'observed_time_unix_nano': 'BIGINT', 'ts_unix_nano': 'BIGINT', 'severity_number': 'TINYINT', 'severity_text': 'VARCHAR', 'body': 'VARCHAR', 'attributes': 'VARCHAR', 'dropped_attributes_count': 'INTEGER', 'flags': 'UINTEGER', 'trace_id': 'VARCHAR', 'span_id': 'VARCHAR', 'event_name': 'VARCHAR', 'resource_id': 'VARCHAR', 'scope_id': 'VARCHAR', 'file_id': 'INTEGER'},
  header = false, auto_detect = false, delim = ',', quote = chr(30), escape = chr(30), nullstr = '', allow_quoted_nulls = false, new_line = '\n');
INSERT INTO stage_metric_number_points SELECT * FROM read_csv($metric_number_points,
  columns = {'record_key': 'BIGINT', 'metric_name': 'VARCHAR', 'description': 'VARCHAR', 'unit': 'VARCHAR', 'temporality': 'TINYINT', 'start_time_unix_nano': 'BIGINT', 'time_unix_nano': 'BIGINT', 'attributes': 'VARCHAR', 'flags': 'UINTEGER', 'exemplar_count': 'INTEGER', 'resource_id': 'VARCHAR', 'scope_id': 'VARCHAR', 'metric_type': 'VARCHAR', 'is_monotonic': 'BOOLEAN', 'value_int': 'BIGINT', 'value_double': 'DOUBLE', 'file_id': 'INTEGER'},
  header = false, auto_detect = false, delim = ',', quote = chr(30), escape = chr(30), nullstr = '', allow_quoted_nulls = false, new_line = '\n');
INSERT INTO stage_metric_histogram_points SELECT * FROM read_csv($metric_histogram_points,
  columns = {'record_key': 'BIGINT', 'metric_name': 'VARCHAR', 'description': 'VARCHAR', 'unit': 'VARCHAR', 'temporality': 'TINYINT', 'start_time_unix_nano': 'BIGINT', 'time_unix_nano': 'BIGINT', 'attributes': 'VARCHAR', 'flags': 'UINTEGER', 'exemplar_count': 'INTEGER', 'resource_id': 'VARCHAR', 'scope_id': 'VARCHAR', 'count': 'UBIGINT', 'sum': 'DOUBLE', 'min': 'DOUBLE', 'max': 'DOUBLE', 'bucket_counts': 'VARCHAR', 'explicit_bounds': 'VARCHAR', 'file_id': 'INTEGER'},
  header = false, auto_detect = false, delim = ',', quote = chr(30), escape = chr(30), nullstr = '', allow_quoted_nulls = false, new_line = '\n');
INSERT INTO stage_metric_exp_histogram_points SELECT * FROM read_csv($metric_exp_histogram_points,
  columns = {'record_key': 'BIGINT', 'metric_name': 'VARCHAR', 'description': 'VARCHAR', 'unit': 'VARCHAR', 'temporality': 'TINYINT', 'start_time_unix_nano': 'BIGINT', 'time_unix_nano': 'BIGINT', 'attributes': 'VARCHAR', 'flags': 'UINTEGER', 'exemplar_count': 'INTEGER', 'resource_id': 'VARCHAR', 'scope_id': 'VARCHAR', 'count': 'UBIGINT', 'sum': 'DOUBLE', 'min': 'DOUBLE', 'max': 'DOUBLE', 'scale': 'INTEGER', 'zero_count': 'UBIGINT', 'zero_threshold': 'DOUBLE', 'positive_offset': 'INTEGER', 'positive_bucket_counts': 'VARCHAR', 'negative_offset': 'INTEGER', 'negative_bucket_counts': 'VARCHAR', 'file_id': 'INTEGER'},
  header = false, auto_detect = false, delim = ',', quote = chr(30), escape = chr(30), nullstr = '', allow_quoted_nulls = false, new_line = '\n');
INSERT INTO stage_metric_summary_points SELECT * FROM read_csv($metric_summary_points,
  columns = {'record_key': 'BIGINT', 'metric_name': 'VARCHAR', 'description': 'VARCHAR', 'unit': 'VARCHAR', 'temporality': 'TINYINT', 'start_time_unix_nano': 'BIGINT', 'time_unix_nano': 'BIGINT', 'attributes': 'VARCHAR', 'flags': 'UINTEGER', 'exemplar_count': 'INTEGER', 'resource_id': 'VARCHAR', 'scope_id': 'VARCHAR', 'count': 'UBIGINT', 'sum': 'DOUBLE', 'quantile_values': 'VARCHAR', 'file_id': 'INTEGER'},
  header = false, auto_detect = false, delim = ',', quote = chr(30), escape = chr(30), nullstr = '', allow_quoted_nulls = false, new_line = '\n');

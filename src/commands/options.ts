/**
 * Flags shared by several commands, defined once.
 */
import { Option } from 'commander';

export const opt = {
  db: () => new Option('--db <file>', 'DuckDB database file to use and keep (default: an in-memory database)'),
  json: () => new Option('--json', 'print JSON on stdout instead of a table'),
  progress: () => new Option('--progress', 'show progress on stderr even when it is not a terminal (never with --json)'),
  strict: () => new Option('--strict', 'exit with code 3 when any record was skipped'),
};

export interface CommonOpts {
  db?: string;
  json?: boolean;
  progress?: boolean;
  strict?: boolean;
}

/** Progress goes to stderr, only on a terminal or when asked, never in JSON mode. */
export function progressWanted(o: CommonOpts): boolean {
  if (o.json) return false;
  return Boolean(o.progress) || Boolean(process.stderr.isTTY);
}

/**
 * Flags shared by several commands, defined once.
 */
import { Option } from 'commander';
import { CliError, EXIT } from '../errors.js';
import type { AnalysisOptions, FilterFlags } from '../pipeline.js';

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

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

/** Filters and analysis flags shared by `summary`, `report` and `demo`. */
export function analysisOptions(): Option[] {
  return [
    opt.db(),
    new Option('--since <when>', 'only data from this time on: YYYY-MM-DD[THH:MM] in --tz, or an age like 7d, 12h, 2w'),
    new Option('--until <when>', 'only data before this time (same forms as --since)'),
    new Option('--env <name>', 'only this environment (repeat or comma-separate for several; "(none)" for unset)').argParser(collect),
    new Option('--originator <name>', 'only this originator / service.name (repeatable)').argParser(collect),
    new Option('--agent <name>', 'only this agent: codex, claude-code, gemini-cli, or a service.name (repeatable)').argParser(collect),
    new Option('--model <id>', 'only this model (repeatable)').argParser(collect),
    new Option('--tz <zone>', 'time zone for time buckets, filters and printed times').default('UTC'),
    new Option('--slow <minutes>', 'flag sessions longer than this many minutes').default('10'),
    new Option('--flag-below <percent>', 'flag tools whose success rate is below this').default('90'),
    new Option('--group-by <attribute>', 'add a rollup by this resource or record attribute (repeatable)').argParser(collect),
    new Option('--prices <file>', 'price table to merge over the built-in one (our format or LiteLLM JSON; repeatable)').argParser(collect),
    new Option('--price-date <YYYY-MM-DD>', 'price every call at this date instead of at its own time'),
    opt.progress(),
  ];
}

export interface AnalysisFlags extends CommonOpts, FilterFlags {
  tz: string;
  slow: string;
  flagBelow: string;
  groupBy?: string[];
  prices?: string[];
  priceDate?: string;
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new CliError(`${flag} ${JSON.stringify(v)} is not a non-negative number`, EXIT.USAGE);
  return n;
}

/** Flags → pipeline options. OTEL_AGENT_REPORT_NOW pins the clock for relative dates (tests). */
export function toAnalysisOptions(paths: string[], o: AnalysisFlags, onProgress?: AnalysisOptions['onProgress']): AnalysisOptions {
  const now = process.env.OTEL_AGENT_REPORT_NOW ? new Date(process.env.OTEL_AGENT_REPORT_NOW) : undefined;
  return {
    paths,
    db: o.db,
    since: o.since,
    until: o.until,
    env: o.env,
    originator: o.originator,
    agent: o.agent,
    model: o.model,
    tz: o.tz,
    slowMs: positive('--slow', o.slow) * 60_000,
    flagBelow: positive('--flag-below', o.flagBelow) / 100,
    groupBy: o.groupBy ?? [],
    prices: o.prices ?? [],
    priceDate: o.priceDate,
    now,
    onProgress,
  };
}

/**
 * The one-way pipeline shared by `summary`, `report` and `demo`:
 * ingest (optional) → model (facts) → time zone and filters → prices → panels.
 * Returns plain data; rendering happens in src/render.
 */
import { listValue, type DuckDBConnection } from './model/duckdb.js';
import { CliError, EXIT } from './errors.js';
import { lap } from './timing.js';
import type { FileReport, Progress } from './ingest/load.js';
import { openDb, querySqlFile, runSqlFile, type Db } from './model/db.js';
import { buildModel, modelIsCurrent, prepareFacts, useReportScope } from './model/facts.js';
import { createPricedCallsView, loadPriceTable, writePriceTables, type PriceMatchRow, type PriceTable } from './model/pricing.js';
import { CHART_PANELS, panelQueries, runConcurrently, runPanel, type Job, type PanelResult, type Row } from './panels/index.js';

/** The report filters as the user gives them (shared by the CLI flags and the pipeline). */
export interface FilterFlags {
  since?: string;
  until?: string;
  env?: string[];
  originator?: string[];
  agent?: string[];
  model?: string[];
}

export interface AnalysisOptions extends FilterFlags {
  paths: string[];
  db?: string;
  /** IANA time zone for buckets, filters and printed times. */
  tz: string;
  /** Sessions longer than this are flagged as slow. */
  slowMs: number;
  /** Tool success rates below this are flagged. */
  flagBelow: number;
  groupBy: string[];
  prices: string[];
  priceDate?: string;
  /** Clock for relative --since/--until (tests pin it). */
  now?: Date;
  onProgress?: (p: Progress) => void;
}

export interface Analysis {
  options: AnalysisOptions;
  /** Files read by this run (empty when only --db was given). */
  loaded: FileReport[];
  filters: ResolvedFilters;
  bucket: Bucket;
  panels: Record<string, PanelResult>;
  rollups: Record<string, Row[]>;
  priceTable: PriceTable;
  priceMatches: PriceMatchRow[];
}

export type Bucket = 'minute' | 'hour' | 'day' | 'week';

export interface ResolvedFilters {
  since: string | null;
  until: string | null;
  env: string[] | null;
  originator: string[] | null;
  agent: string[] | null;
  model: string[] | null;
  tz: string;
  slowMs: number;
  flagBelow: number;
  groupBy: string[];
  priceDate: string | null;
}

const REL_RE = /^(\d+)\s*(m|h|d|w)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** An ISO date/time or a relative age like `7d` → a naive timestamp in the report's time zone. */
export function resolveTime(flag: string, value: string | undefined, now: Date, tz: string): string | null {
  if (value === undefined) return null;
  const rel = REL_RE.exec(value.trim());
  if (rel) {
    const t = new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS]);
    return wallClock(t, tz);
  }
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?$/.exec(value.trim());
  if (!m) throw new CliError(`${flag} ${JSON.stringify(value)} is not a date: use YYYY-MM-DD, YYYY-MM-DDTHH:MM, or an age like 7d, 12h, 2w`, EXIT.USAGE);
  const time = m[2] ?? '00:00';
  return `${m[1]} ${time.length === 5 ? `${time}:00` : time}`;
}

/** Wall-clock time of an instant in a time zone, as `YYYY-MM-DD HH:MM:SS`. */
function wallClock(t: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(t);
  const g = (k: string) => parts.find((p) => p.type === k)!.value;
  return `${g('year')}-${g('month')}-${g('day')} ${g('hour')}:${g('minute')}:${g('second')}`;
}

export function checkTimeZone(tz: string): void {
  // The default needs no check, and the first time zone lookup loads ICU's zone data (25 ms).
  if (tz === 'UTC') return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new CliError(`--tz ${JSON.stringify(tz)} is not a time zone: use an IANA name such as UTC, Europe/Paris or America/New_York`, EXIT.USAGE);
  }
}

function list(v: string[] | undefined): string[] | null {
  return v && v.length ? v : null;
}

/** Time bucket for the burn-rate chart, from the span of the data. */
export function chooseBucket(firstTs: string | null, lastTs: string | null): Bucket {
  if (!firstTs || !lastTs) return 'hour';
  const span = Date.parse(lastTs.replace(' ', 'T') + 'Z') - Date.parse(firstTs.replace(' ', 'T') + 'Z');
  if (span <= 3 * 3_600_000) return 'minute';
  if (span <= 7 * 86_400_000) return 'hour';
  if (span <= 120 * 86_400_000) return 'day';
  return 'week';
}

/**
 * The longest session lists a summary holds (the slowest, the costliest): the panel queries return
 * no more rows than this ($max_list), not every session of the period.
 */
export const LIST_LIMIT = 50;

/** Connections that run the panel queries at once (the machine's cores are few; more only queue). */
const CONNECTIONS = 2;

/**
 * What the charts are drawn from: the panels tokens, sessions, tools, api_errors and cost (not yet
 * inputs or data_quality), and no rollups.
 */
export type ChartedAnalysis = Pick<Analysis, 'filters' | 'bucket' | 'panels' | 'priceTable' | 'priceMatches'>;

export interface AnalysisHooks {
  /**
   * Called once the panels the charts are drawn from are done, while the rollups and the other
   * tables still run: a report starts its charts then.
   */
  onChartPanels?: (a: ChartedAnalysis) => void;
}

export async function analyse(opts: AnalysisOptions, hooks: AnalysisHooks = {}): Promise<{ db: Db; analysis: Analysis }> {
  checkTimeZone(opts.tz);
  const now = opts.now ?? new Date();
  const filters: ResolvedFilters = {
    since: resolveTime('--since', opts.since, now, opts.tz),
    until: resolveTime('--until', opts.until, now, opts.tz),
    env: list(opts.env),
    originator: list(opts.originator),
    agent: list(opts.agent),
    model: list(opts.model),
    tz: opts.tz,
    slowMs: opts.slowMs,
    flagBelow: opts.flagBelow,
    groupBy: opts.groupBy,
    priceDate: opts.priceDate ?? null,
  };
  if (opts.paths.length === 0 && !opts.db) throw new CliError('give input files or directories, or --db FILE with data loaded by `ingest`', EXIT.USAGE);
  const priceTable = loadPriceTable(opts.prices);
  // File discovery (tinyglobby) and the loader are imported only when there are paths.
  const inputs = opts.paths.length ? await (await import('./ingest/discover.js')).discoverInputs(opts.paths) : [];
  lap('started');
  const db = await openDb(opts.db);
  lap('database opened');
  try {
    // The loader (workers, decoders) is imported only when there are files to load.
    const loaded = inputs.length ? await (await import('./ingest/load.js')).ingest(db, inputs, { onProgress: opts.onProgress }) : [];
    const stored = (await querySqlFile(db.conn, 'panels/count_records.sql'))[0];
    if (Number(stored.records) === 0) {
      throw new CliError(`no telemetry found in ${opts.paths.length ? opts.paths.join(' ') : opts.db} (see \`otel-agent-report inspect\` for what the files are)`, EXIT.NO_DATA);
    }
    if (!(await modelIsCurrent(db))) await buildModel(db);
    lap('model built');
    await prepareFacts(db, {
      tz: opts.tz === 'UTC' ? null : opts.tz,
      since: filters.since,
      until: filters.until,
      envs: filters.env ? listValue(filters.env) : null,
      originators: filters.originator ? listValue(filters.originator) : null,
      agents: filters.agent ? listValue(filters.agent) : null,
      models: filters.model ? listValue(filters.model) : null,
    });
    const modelIds = (await querySqlFile(db.conn, 'panels/model_ids.sql')).map((r) => r.model as string);
    const priceMatches = await writePriceTables(db.conn, priceTable, modelIds, { priceDate: opts.priceDate });
    await createPricedCallsView(db.conn);
    lap('facts filtered, prices matched');

    // The time bucket of the token chart depends on the data's time range.
    const range = (await panelQueries('inputs').find((q) => q.name === 'range')!.run(db.conn))[0];
    const bucket = chooseBucket(range?.first_ts as string | null, range?.last_ts as string | null);
    const params = { bucket, slow_ms: opts.slowMs, max_list: LIST_LIMIT };

    // Every panel statement is independent of the others, and so are the rollups (one query for
    // every dimension): they run on a few connections at once. Meanwhile priced_calls is computed
    // once into a table; what reads it waits for that.
    const dims = new Map<string, string>([
      ['byOriginator', 'originator'],
      ['bySessionSource', 'session_source'],
      ['byEnvironment', 'environment'],
      ['byAgent', 'agent'],
    ]);
    for (const a of opts.groupBy) if (!dims.has(`attr:${a}`)) dims.set(`attr:${a}`, a);
    const withAttributes = opts.groupBy.length > 0;
    const rollupParams = {
      keys: listValue([...dims.keys()]),
      dims: listValue([...dims.keys()].map((k) => (k.startsWith('attr:') ? 'attribute' : dims.get(k)!))),
      paths: listValue([...dims.values()].map((d) => `$."${d.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)),
    };
    let pricedDone!: () => void;
    let pricedFailed!: (e: unknown) => void;
    const priced = new Promise<void>((resolve, reject) => ((pricedDone = resolve), (pricedFailed = reject)));
    priced.catch(() => {}); // the job below reports the failure
    const pricedJob = async (conn: DuckDBConnection) => {
      try {
        // The calls' attribute objects are copied only when a rollup groups by an attribute:
        // they are most of the table (5 GB bench: 31 of ~40 MB; 0.3 s → 0.15 s without them).
        await runSqlFile(conn, 'panels/priced_calls_once.sql', { with_attributes: withAttributes });
        pricedDone();
      } catch (e) {
        pricedFailed(e);
        throw e;
      }
    };
    let rollupRows: Row[] = [];
    const rollupsJob = async (conn: DuckDBConnection) => {
      await priced;
      // rollup_groups is a TEMP table: both statements on the one connection.
      await runSqlFile(conn, 'panels/rollup_groups.sql', rollupParams);
      rollupRows = (await runPanel(conn, 'rollups', { with_attributes: withAttributes })).rollup;
    };
    const charted = CHART_PANELS.flatMap((id) => panelQueries(id, params));
    const tables = (['data_quality', 'inputs'] as const).flatMap((id) => panelQueries(id, params));
    const queries = [...charted, ...tables];
    const results = new Map<string, Row[]>();
    const panelsOf = (qs: typeof queries) => {
      const panels: Record<string, PanelResult> = {};
      for (const q of qs) (panels[q.panel] ??= {})[q.name] = results.get(`${q.panel}.${q.name}`)!;
      return panels;
    };
    const readsPrices = (q: (typeof queries)[number]) => /\bpriced_calls\b/.test(q.sql);
    let chartedLeft = charted.length;
    const queryJob = (q: (typeof queries)[number]): Job => async (conn) => {
      if (readsPrices(q)) await priced;
      const rows = await q.start(conn);
      return () => {
        results.set(`${q.panel}.${q.name}`, rows());
        if (charted.includes(q) && --chartedLeft === 0) hooks.onChartPanels?.({ filters, bucket, panels: panelsOf(charted), priceTable, priceMatches });
      };
    };
    // The charts' panels first (those reading priced_calls last among them), then the rollups,
    // the longest job, then the other tables.
    const jobs = [
      pricedJob,
      ...charted.filter((q) => !readsPrices(q)).map(queryJob),
      ...charted.filter(readsPrices).map(queryJob),
      rollupsJob,
      ...tables.map(queryJob),
    ];
    const conns = [db.conn];
    try {
      for (let i = 1; i < CONNECTIONS; i++) {
        const conn = await db.instance.connect();
        conns.push(conn);
        await useReportScope(conn);
      }
      await runConcurrently(conns, jobs);
    } finally {
      for (const c of conns.slice(1)) c.closeSync();
    }
    const panels = panelsOf(queries);
    const rollups: Record<string, Row[]> = {};
    for (const key of dims.keys()) rollups[key] = [];
    for (const { key, ...row } of rollupRows) rollups[key as string].push(row);
    lap('panels and rollups');
    return { db, analysis: { options: opts, loaded, filters, bucket, panels, rollups, priceTable, priceMatches } };
  } catch (e) {
    db.close();
    throw e;
  }
}

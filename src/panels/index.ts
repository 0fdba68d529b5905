/**
 * Panels: one `<id>.sql` each (plus `<id>.vl.json` chart specs for the charted ones). A panel file
 * holds one or more named queries (`-- name: series`); running a panel returns rows per name.
 * Values come back JSON-safe: BIGINT/DECIMAL as strings, converted by the summary with checks.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { SqlError } from '../errors.js';
import { sqlText } from '../model/db.js';

/** The five report panels, in report order; each has a chart spec `<id>.vl.json`. */
export const CHART_PANELS = ['tokens', 'sessions', 'tools', 'api_errors', 'cost'] as const;
/** Other SQL in this folder: tables without a chart of their own. */
export const TABLE_PANELS = ['rollups', 'data_quality', 'inputs'] as const;
export type PanelId = (typeof CHART_PANELS)[number] | (typeof TABLE_PANELS)[number];

export type Row = Record<string, unknown>;
export type PanelResult = Record<string, Row[]>;

const NAME_RE = /^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$/gm;

/** Split a panel file into its named statements. */
export function namedStatements(file: string, text: string): { name: string; sql: string }[] {
  const marks = [...text.matchAll(NAME_RE)];
  if (marks.length === 0) throw new Error(`${file}: no "-- name: …" query in the file`);
  return marks.map((m, i) => ({
    name: m[1],
    sql: text.slice(m.index! + m[0].length, i + 1 < marks.length ? marks[i + 1].index : text.length),
  }));
}

/** Parameters a statement uses ($name), so each gets only its own. */
function paramsFor(sql: string, all: Record<string, unknown>): Record<string, unknown> | undefined {
  const used = new Set([...sql.matchAll(/\$([a-z_][a-z0-9_]*)/g)].map((m) => m[1]));
  if (used.size === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of used) {
    if (!(k in all)) throw new Error(`parameter $${k} is not provided`);
    out[k] = all[k];
  }
  return out;
}

export async function runPanel(conn: DuckDBConnection, id: PanelId, params: Record<string, unknown> = {}): Promise<PanelResult> {
  const file = `panels/${id}.sql`;
  const out: PanelResult = {};
  for (const st of namedStatements(file, sqlText(file))) {
    try {
      const p = paramsFor(st.sql, params);
      const reader = p ? await conn.runAndReadAll(st.sql, p as never) : await conn.runAndReadAll(st.sql);
      out[st.name] = reader.getRowObjectsJson() as Row[];
    } catch (e) {
      throw new SqlError(`src/${file} (query "${st.name}")`, e);
    }
  }
  return out;
}

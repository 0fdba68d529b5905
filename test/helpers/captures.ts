/**
 * Test helpers over the real captures in ../shared/captures (read-only; CI has it beside the clone).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { discoverInputs } from '../../src/ingest/discover.js';
import { ingest } from '../../src/ingest/load.js';
import { openDb, type Db } from '../../src/model/db.js';
import { buildModel, prepareFacts } from '../../src/model/facts.js';

export const SHARED = resolve(__dirname, '../../../shared');
export const CAPTURES = resolve(SHARED, 'captures');
export type Agent = 'codex' | 'claude' | 'gemini';

export function capturePath(agent: Agent, ...rest: string[]): string {
  return resolve(CAPTURES, agent, ...rest);
}

/** Ingest the given paths into a fresh in-memory DB and build the normalized facts. */
export async function loadDb(paths: string[]): Promise<Db> {
  const db = await openDb();
  await ingest(db, await discoverInputs(paths));
  await buildModel(db);
  await prepareFacts(db);
  return db;
}

/** The JSONL of a capture, plus the Gemini outfile for gemini (all that agent's telemetry). */
export function capturePaths(agent: Agent): string[] {
  const p = [capturePath(agent, 'otlp.jsonl')];
  if (agent === 'gemini') p.push(capturePath('gemini', 'outfile'));
  return p;
}

export async function rows(db: Db, sql: string, params?: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const r = params ? await db.conn.runAndReadAll(sql, params as never) : await db.conn.runAndReadAll(sql);
  return r.getRowObjectsJson() as Record<string, unknown>[];
}

export function readJsonl<T = Record<string, unknown>>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export interface Tokens {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
  calls: number;
}

export interface GroundTruthLine {
  t: string;
  kind: string;
  status: number;
  scenario: string;
  step: number;
  model: string;
  session_id?: string;
  usage?: Record<string, any>;
  usageMetadata?: Record<string, any>;
}

/**
 * The normalized usage of one successful mock response, following the product's conventions:
 * input includes cache reads and writes; output includes reasoning.
 * OpenAI and Gemini report input including cached tokens; Anthropic reports the parts apart.
 */
export function normalizeUsage(agent: Agent, g: GroundTruthLine): Omit<Tokens, 'calls'> {
  if (agent === 'codex') {
    const u = g.usage!;
    return {
      input: u.input_tokens,
      cacheRead: u.input_tokens_details?.cached_tokens ?? 0,
      cacheWrite: u.input_tokens_details?.cache_write_tokens ?? 0,
      output: u.output_tokens,
      reasoning: u.output_tokens_details?.reasoning_tokens ?? 0,
    };
  }
  if (agent === 'claude') {
    const u = g.usage!;
    const cr = u.cache_read_input_tokens ?? 0;
    const cw = u.cache_creation_input_tokens ?? 0;
    return { input: u.input_tokens + cr + cw, cacheRead: cr, cacheWrite: cw, output: u.output_tokens, reasoning: 0 };
  }
  const u = g.usageMetadata!;
  const thoughts = u.thoughtsTokenCount ?? 0;
  return {
    input: u.promptTokenCount ?? 0,
    cacheRead: u.cachedContentTokenCount ?? 0,
    cacheWrite: 0,
    output: (u.candidatesTokenCount ?? 0) + thoughts,
    reasoning: thoughts,
  };
}

/** Successful responses of a capture's ground truth (the usage the model servers really sent). */
export function groundTruthResponses(agent: Agent): GroundTruthLine[] {
  return readJsonl<GroundTruthLine>(capturePath(agent, 'mock-ground-truth.jsonl')).filter((g) => g.kind === 'response' && g.status === 200);
}

/** Per-model token totals from the ground truth. */
export function groundTruthByModel(agent: Agent, filter: (g: GroundTruthLine) => boolean = () => true): Map<string, Tokens> {
  const out = new Map<string, Tokens>();
  for (const g of groundTruthResponses(agent).filter(filter)) {
    const u = normalizeUsage(agent, g);
    const t = out.get(g.model) ?? { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, calls: 0 };
    t.input += u.input;
    t.cacheRead += u.cacheRead;
    t.cacheWrite += u.cacheWrite;
    t.output += u.output;
    t.reasoning += u.reasoning;
    t.calls++;
    out.set(g.model, t);
  }
  return out;
}

/** The non-empty lines of a JSON-lines file (gunzipped when it ends in .gz), as Buffers. */
export function lineBuffers(path: string): Buffer[] {
  let buf = readFileSync(path);
  if (path.endsWith('.gz')) buf = gunzipSync(buf);
  const out: Buffer[] = [];
  for (let pos = 0; pos < buf.length; ) {
    let nl = buf.indexOf(10, pos);
    if (nl < 0) nl = buf.length;
    if (nl > pos) out.push(buf.subarray(pos, nl));
    pos = nl + 1;
  }
  return out;
}

/** The bundled sample's JSON-lines files and the bad-input fixtures that are JSON lines. */
export function fixtureJsonLinesFiles(): string[] {
  const dir = resolve(__dirname, '../../fixtures');
  return [
    ...['sample/claude-otlp.jsonl', 'sample/codex-otlp-2026-11-24T07-30-00.000-size.jsonl.gz'].map((f) => join(dir, f)),
    ...readdirSync(join(dir, 'bad'))
      .filter((f) => /\.jsonl?$/.test(f))
      .map((f) => join(dir, 'bad', f)),
  ];
}

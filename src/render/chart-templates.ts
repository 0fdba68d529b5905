/**
 * Precompiled charts. Compiling a panel's filled Vega-Lite spec to Vega and parsing that into a
 * dataflow (vl.compile, vega.parse) took ~190 ms of the ~430 ms that a report's five charts took to
 * draw (1 GB bench, on the chart thread, cold), and Vega-Lite itself ~25 ms to load. Neither depends
 * on the report's data, only on the spec's shape. So the build (scripts/precompile-charts.mjs)
 * compiles each panel's spec once, with markers where a report fills something in, into
 * dist/charts/<id>.json; a report reads that, puts its values where the markers are, and Vega runs
 * the dataflow. The SVG is the same (test/charts.test.ts draws every chart both ways).
 *
 * What a report fills in (exactly what `fillSpec` puts into the spec):
 *   - each declared dataset: a one-row marker array in the template, replaced by the rows;
 *   - each top-level param value, the model colour domain and range, and the legend's models:
 *     a marker element inside an array, replaced by the list's items (params must be lists);
 *   - the `${name}` placeholders and the text alternative: markers inside strings.
 * Vega compiles titles and some lists into expression code as JSON literals; there the values go
 * in JSON-escaped. A marker anywhere else, a stale template (its key: the spec, the config and the
 * Vega and Vega-Lite versions), a missing file or an empty list in code: the chart is compiled as
 * before (`null`). Telemetry text is never scanned: rows and lists are put in, not searched.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { CHART_PANELS, type ChartId } from '../panels/ids.js';
import { fromRoot } from '../paths.js';
import { CONFIG, fillSpec, legendOf, loadSpec, specFile, staticSpec, substitute, type PanelInput, type Rows } from './chart-spec.js';
import { buildFile, collectingLogger, vegaLiteModule, vegaModule, type Vega } from './vega-runtime.js';

const OPEN = '\uE000oar:';
const CLOSE = '\uE001';
const mark = (name: string) => `${OPEN}${name}${CLOSE}`;
/** The key of a dataset's marker row: `{ [DATA]: name }`. */
const DATA = mark('data');
const MARKER = /\uE000oar:[^\uE001]*\uE001/g;
const QUOTED_MARKER = /"\uE000oar:[^\uE001]*\uE001"/g;

/** The `${name}` placeholders of the spec files (charts.ts gives their values). */
export const PLACEHOLDERS = ['tz', 'bucket', 'flagBelow', 'slow'] as const;

/** Bump when what a template holds, or how it is filled, changes. */
const FORMAT = 1;

/** What a report fills into a chart: what it gives `fillSpec` (and `substitute`). */
export interface TemplateFill {
  vars: Record<string, string>;
  input: PanelInput;
  colors: Map<string, string>;
}

interface Template {
  key: string;
  /** `vega.parse` output, with markers. */
  runtime: unknown;
}

let vlVersion: string | undefined;

/** What a template was built from: the raw spec (as parsed), the config, Vega's and Vega-Lite's versions. */
function templateKey(raw: unknown, vega: Vega): string {
  vlVersion ??= String(JSON.parse(readFileSync(buildFile('vega-lite', '../package.json'), 'utf8')).version);
  return createHash('sha256')
    .update(JSON.stringify({ FORMAT, raw, CONFIG, PLACEHOLDERS, vega: vega.version, vegaLite: vlVersion }))
    .digest('hex')
    .slice(0, 32);
}

/** The spec's top-level params that have a value, with it (a panel may leave one as the spec has it). */
function paramDefaults(spec: Record<string, unknown>): Map<string, unknown> {
  const params = (spec.params ?? []) as { name: string; value?: unknown }[];
  return new Map(params.filter((p) => 'value' in p).map((p) => [p.name, p.value]));
}

/** A panel's template: its spec filled with markers, compiled and parsed; or why there is none. */
export function buildTemplate(id: ChartId): { template: Template } | { reason: string } {
  const raw = loadSpec(id);
  const vars = Object.fromEntries(PLACEHOLDERS.map((n) => [n, mark(`var:${n}`)]));
  const spec = substitute(raw, vars, specFile(id)) as Record<string, unknown>;
  const input: PanelInput = {
    datasets: Object.fromEntries(Object.keys((spec.datasets as object | undefined) ?? {}).map((n) => [n, [{ [DATA]: n }]])),
    params: Object.fromEntries([...paramDefaults(spec).keys()].map((n) => [n, [mark(`param:${n}`)]])),
    alt: mark('alt'),
    empty: null,
    legend: [mark('legend')],
  };
  fillSpec(id, spec, input, new Map([[mark('domain'), mark('range')]]));
  const vega = vegaModule();
  const warnings: string[] = [];
  const vg = vegaLiteModule().compile(staticSpec(spec) as TopLevelSpec, { logger: collectingLogger(warnings, vega.Warn) }).spec;
  const runtime = vega.parse(vg);
  if (warnings.length) return { reason: `${specFile(id)}: ${warnings.join('; ')}` };
  return { template: { key: templateKey(raw, vega), runtime } };
}

/** Build every panel's template into `dir` (the build does, into dist/charts). Returns the panels without one, and why. */
export function writeTemplates(dir = fromRoot('dist', 'charts')): string[] {
  mkdirSync(dir, { recursive: true });
  const skipped: string[] = [];
  for (const id of CHART_PANELS) {
    const built = buildTemplate(id);
    if ('reason' in built) skipped.push(`${id}: ${built.reason}`);
    else writeFileSync(join(dir, `${id}.json`), JSON.stringify(built.template));
  }
  return skipped;
}

class Miss extends Error {}

/**
 * The Vega runtime spec of a panel's chart from its template and what the report fills in, or
 * null when there is no usable template. `raw`: the spec file as parsed (before placeholders).
 */
export function runtimeFromTemplate(id: ChartId, raw: unknown, fill: TemplateFill, dir = fromRoot('dist', 'charts')): unknown | null {
  let template: Template;
  try {
    template = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as Template;
  } catch {
    return null;
  }
  if (template.key !== templateKey(raw, vegaModule())) return null;

  const lists = new Map<string, unknown[]>([
    [mark('domain'), [...fill.colors.keys()]],
    [mark('range'), [...fill.colors.values()]],
    [mark('legend'), legendOf(fill.input, fill.colors)],
  ]);
  const given = new Map(Object.entries(fill.input.params ?? {}));
  for (const [name, value] of paramDefaults(raw as Record<string, unknown>)) {
    const v = given.has(name) ? given.get(name) : value;
    if (!Array.isArray(v)) return null; // a template holds param values as lists
    lists.set(mark(`param:${name}`), v);
  }
  const texts = new Map<string, string>([[mark('alt'), fill.input.alt]]);
  for (const [name, value] of Object.entries(fill.vars)) texts.set(mark(`var:${name}`), value);

  const textOf = (m: string) => {
    const v = texts.get(m);
    if (v === undefined) throw new Miss(m);
    return v;
  };
  const text = (s: string) => (s.includes(OPEN) ? s.replace(MARKER, textOf) : s);
  // Expression code: markers sit in JSON string literals (Vega writes literals with JSON.stringify).
  const code = (s: string) => {
    if (!s.includes(OPEN)) return s;
    return s
      .replace(QUOTED_MARKER, (q) => {
        const list = lists.get(q.slice(1, -1));
        if (list === undefined) return q;
        if (list.length === 0) throw new Miss(q); // `[,"other models"]` is not code
        return JSON.stringify(list).slice(1, -1);
      })
      .replace(MARKER, (m) => JSON.stringify(textOf(m)).slice(1, -1));
  };
  const rowsOf = (el: unknown): Rows | undefined => {
    if (!el || typeof el !== 'object' || Array.isArray(el)) return undefined;
    const keys = Object.keys(el);
    if (keys.length !== 1 || keys[0] !== DATA) return undefined;
    const rows = fill.input.datasets[(el as Record<string, string>)[DATA]];
    if (!rows) throw new Miss(DATA);
    return rows;
  };
  const walk = (node: unknown, key: string | undefined): unknown => {
    if (typeof node === 'string') return key === 'code' ? code(node) : text(node);
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (const el of node) {
        const list = typeof el === 'string' ? lists.get(el) : undefined;
        const rows = list ? undefined : rowsOf(el);
        if (list) out.push(...list);
        else if (rows) out.push(...rows);
        else out.push(walk(el, undefined));
      }
      return out;
    }
    if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      for (const k of Object.keys(obj)) obj[k] = walk(obj[k], k);
      return obj;
    }
    return node;
  };
  try {
    return walk(template.runtime, undefined);
  } catch (e) {
    if (e instanceof Miss) return null;
    throw e;
  }
}

/**
 * A panel's Vega-Lite spec as a report fills it in: read from `src/panels/<id>.vl.json`, its
 * `${name}` placeholders replaced, its declared datasets and params given their values, every
 * `color` encoding on `model` given the report's one model scale, and the text alternative and
 * config set. `staticSpec` is what is compiled for a static SVG. Each check names the spec file,
 * so a renamed field fails loudly.
 */
import { readFileSync } from 'node:fs';
import type { ChartId } from '../panels/ids.js';
import { fromRoot } from '../paths.js';

export type Rows = Record<string, unknown>[];

/** What a panel contributes to its spec. `empty` set: nothing to draw, show this sentence instead. */
export interface PanelInput {
  datasets: Record<string, Rows>;
  params?: Record<string, unknown>;
  alt: string;
  empty: string | null;
  /** The models a model-coloured legend lists, in order (default: every model in the datasets, by colour order). */
  legend?: string[];
}

/**
 * Arial-metric fonts only (Liberation Sans is Arial's metric twin on Linux): vega lays out labels
 * from the width table in charts.ts (textWidth), so the fonts that draw them must have those widths.
 */
export const FONT = 'Arial, Helvetica, "Liberation Sans", "Nimbus Sans", sans-serif';

export const CONFIG = {
  background: '#ffffff',
  padding: 8,
  font: FONT,
  view: { stroke: null },
  title: { anchor: 'start', fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555555', offset: 10 },
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', labelColor: '#333333', titleColor: '#333333', gridColor: '#e5e5e5' },
  legend: { labelFontSize: 10, titleFontSize: 11, labelLimit: 220 },
  header: { labelFontSize: 11, titleFontSize: 11 },
};

export const OTHER = 'other models';
export const OTHER_COLOR = '#bbbbbb';

export const specFile = (id: string) => `src/panels/${id}.vl.json`;

export function loadSpec(id: ChartId): Record<string, unknown> {
  const file = specFile(id);
  let text: string;
  try {
    text = readFileSync(fromRoot('src', 'panels', `${id}.vl.json`), 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read the chart spec (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** Replace `${name}` in every string of the spec; an unknown name is an error naming the file. */
export function substitute(node: unknown, vars: Record<string, string>, file: string): unknown {
  if (typeof node === 'string') {
    return node.replace(/\$\{(\w+)\}/g, (_, name: string) => {
      if (!(name in vars)) throw new Error(`${file}: unknown placeholder \${${name}} (known: ${Object.keys(vars).join(', ')})`);
      return vars[name];
    });
  }
  if (Array.isArray(node)) return node.map((n) => substitute(n, vars, file));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v, vars, file)]));
  }
  return node;
}

/** Give every `color` encoding on `model` the report's shared model scale; its legend lists only this chart's models. */
function applyModelScale(node: unknown, colors: Map<string, string>, present: string[]): void {
  if (Array.isArray(node)) return node.forEach((n) => applyModelScale(n, colors, present));
  if (!node || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  const enc = obj.encoding as Record<string, Record<string, unknown>> | undefined;
  const color = enc?.color;
  if (color && color.field === 'model') {
    color.scale = { domain: [...colors.keys(), OTHER], range: [...colors.values(), OTHER_COLOR] };
    if (color.legend !== null) color.legend = { ...(color.legend as object), values: present };
  }
  for (const v of Object.values(obj)) applyModelScale(v, colors, present);
}

/** The models a chart's legend lists: the panel's own list, else every model in its datasets, by colour order. */
export function legendOf(input: PanelInput, colors: Map<string, string>): string[] {
  if (input.legend) return input.legend;
  const present = new Set(Object.values(input.datasets).flatMap((rows) => rows.map((r) => r.model)));
  return [...colors.keys(), OTHER].filter((m) => present.has(m));
}

/** `spec`: a fresh copy (from `substitute`), filled in place. */
export function fillSpec(id: ChartId, spec: Record<string, unknown>, input: PanelInput, colors: Map<string, string>) {
  const file = specFile(id);
  const declared = Object.keys((spec.datasets as object | undefined) ?? {});
  const given = Object.keys(input.datasets);
  for (const name of declared) if (!given.includes(name)) throw new Error(`${file}: dataset "${name}" is declared but the chart code does not fill it`);
  for (const name of given) if (!declared.includes(name)) throw new Error(`${file}: the chart code fills dataset "${name}", which the spec does not declare under "datasets"`);
  spec.datasets = input.datasets;
  const params = (spec.params ?? []) as { name: string; value?: unknown }[];
  for (const [name, value] of Object.entries(input.params ?? {})) {
    const p = params.find((q) => q.name === name);
    if (!p || !('value' in p)) throw new Error(`${file}: the chart code sets param "${name}", which the spec does not declare with a "value"`);
    p.value = value;
  }
  applyModelScale(spec, colors, legendOf(input, colors));
  spec.description = input.alt;
  spec.config = CONFIG;
  return spec;
}

export function noDataSpec(title: unknown, message: string, alt: string): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    description: alt,
    width: 420,
    height: 40,
    data: { values: [{ message }] },
    mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 12, color: '#555555' },
    encoding: { x: { value: 0 }, y: { value: 20 }, text: { field: 'message', type: 'nominal' } },
    config: CONFIG,
  };
}

/**
 * The spec as drawn to a static SVG: without what only a browser uses. Interactive selections
 * (zoom) need browser events, which a headless view cannot attach (it warns); only selections
 * nothing else refers to, such as `bind: "scales"`, are used. Tooltips are not drawn in an SVG,
 * but a view still compiles their expressions and evaluates them for every mark: half of the
 * token chart's time. The SVG is the same without both. Data (`datasets`, `values`) is not copied.
 */
export function staticSpec(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(staticSpec);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'tooltip') continue;
    out[k] =
      k === 'datasets' || k === 'values'
        ? v
        : k === 'params' && Array.isArray(v)
          ? v.filter((p: { select?: unknown }) => p.select === undefined)
          : staticSpec(v);
  }
  return out;
}

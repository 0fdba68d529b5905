/**
 * The model colours every chart of a report shares: each model id (or "no model") gets one
 * palette colour, in code-point order of the ids, so a model has the same colour in all charts.
 */
import type { ChartedSummary } from './summary.js';

/** Dark hues first, then their light partners, so the first ten models are far apart. */
export const MODEL_PALETTE = [
  '#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#79706e',
  '#9ecae9', '#ffbf79', '#88d27a', '#ff9d98', '#bcdcd9', '#d6a5c9', '#f2cf5b', '#d8b5a5', '#fcbfd2', '#bab0ac',
];

const NO_MODEL = '(unknown model)';
export const modelOf = (m: string | null) => m ?? NO_MODEL;

/** Code-point order, the same on every machine (localeCompare is not). */
export const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every model id in the summary, sorted by code point (not locale), → a palette colour. */
export function modelColors(s: ChartedSummary): Map<string, string> {
  const models: (string | null)[] = [];
  const add = (rows: { model: string | null }[]) => rows.forEach((r) => models.push(r.model));
  add(s.tokens.byModel);
  add(s.tokens.series);
  add(s.sessions.byModel);
  add(s.api.byModel);
  add(s.api.byModelStatus);
  add(s.cost.byModel);
  add(s.cost.unpriced);
  return colorsFor(models);
}

/** Model ids (null: no model), each once, sorted by code point (not locale) → palette colours. */
export function colorsFor(models: Iterable<string | null>): Map<string, string> {
  const sorted = [...new Set(Array.from(models, modelOf))].sort(byText);
  return new Map(sorted.map((m, i) => [m, MODEL_PALETTE[i % MODEL_PALETTE.length]]));
}

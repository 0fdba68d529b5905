/**
 * The panel ids, apart from the code that runs the panels' SQL, so that the renderers (and the
 * chart thread) can name panels without loading the database driver.
 */

/** The five report panels, in report order; each has a chart spec `<id>.vl.json`. */
export const CHART_PANELS = ['tokens', 'sessions', 'tools', 'api_errors', 'cost'] as const;
export type ChartId = (typeof CHART_PANELS)[number];
/** Other SQL in this folder: tables without a chart of their own. */
export const TABLE_PANELS = ['rollups', 'data_quality', 'inputs'] as const;
export type PanelId = (typeof CHART_PANELS)[number] | (typeof TABLE_PANELS)[number];

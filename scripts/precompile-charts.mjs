// Build step (after tsc): each panel's chart spec compiled and parsed once, with markers where a
// report fills in its data, into dist/charts/<id>.json (src/render/chart-templates.ts). A panel
// whose spec cannot be made a template is named here and compiled at report time, as before.
import { writeTemplates } from '../dist/src/render/chart-templates.js';

const skipped = writeTemplates();
for (const s of skipped) process.stderr.write(`precompile-charts: no template for ${s}; it is compiled at report time\n`);

// Build step (after tsc): precompile templates/*.hbs into dist/templates.precompiled.json
// (src/render/templates.ts explains why, and what happens when a template changes later).
import { writePrecompiled } from '../dist/src/render/templates.js';

writePrecompiled();

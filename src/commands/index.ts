import type { Command } from 'commander';
import { registerIngest } from './ingest.js';
import { registerInspect } from './inspect.js';
import { registerSummary } from './summary.js';
import { registerReport } from './report.js';

export function registerCommands(program: Command): void {
  registerIngest(program);
  registerInspect(program);
  registerSummary(program);
  registerReport(program);
}

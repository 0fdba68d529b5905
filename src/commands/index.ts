import type { Command } from 'commander';
import { registerIngest } from './ingest.js';
import { registerInspect } from './inspect.js';

export function registerCommands(program: Command): void {
  registerIngest(program);
  registerInspect(program);
}

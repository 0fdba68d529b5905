import type { Command } from 'commander';
import { analyse } from '../pipeline.js';
import { lap } from '../timing.js';
import { buildSummary } from '../render/summary.js';
import { progressPrinter } from './ingest.js';
import { analysisOptions, opt, toAnalysisOptions, type AnalysisFlags } from './options.js';

export function registerSummary(program: Command): void {
  const cmd = program
    .command('summary')
    .description('print the JSON summary (tokens, sessions, tools, API errors, cost, rollups, data quality) on stdout')
    .argument('[paths...]', 'files, directories, globs or - (or use --db with data loaded by `ingest`)');
  for (const o of analysisOptions()) cmd.addOption(o);
  cmd
    .addOption(opt.json())
    .addHelpText('after', '\nExamples:\n  otel-agent-report summary ~/otel-archive --json > summary.json\n  otel-agent-report summary --db agents.duckdb --since 7d --originator codex_exec --json')
    .action(async (paths: string[], o: AnalysisFlags) => {
      const { db, analysis } = await analyse(toAnalysisOptions(paths, o, o.progress ? progressPrinter() : undefined));
      try {
        // JSON is the only format of this command; --json is accepted for symmetry with the others.
        process.stdout.write(JSON.stringify(buildSummary(analysis, new Date()), null, 2) + '\n');
        lap('summary written');
      } finally {
        db.close();
      }
    });
}

import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import type { Progress } from '../ingest/load.js';
import { openDb } from '../model/db.js';
import { buildModel } from '../model/facts.js';
import { filesJson, filesText, totals } from '../render/ingest-text.js';
import { opt, progressWanted, type CommonOpts } from './options.js';

export function progressPrinter(): (p: Progress) => void {
  const started = performance.now();
  return (p) => {
    const s = (performance.now() - started) / 1000;
    const mbps = s > 0 ? p.bytesDone / 1e6 / s : 0;
    process.stderr.write(`\r[${p.filesDone}/${p.filesTotal}] ${(p.bytesDone / 1e6).toFixed(1)} MB, ${mbps.toFixed(1)} MB/s, ${p.records} records   `);
    if (p.filesDone === p.filesTotal) process.stderr.write('\n');
  };
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('load OTLP files (JSON, JSON Lines, protobuf, gzip/zstd, Gemini outfile) into DuckDB and print what was loaded')
    .argument('<paths...>', 'files, directories (recursive), globs, or - for stdin')
    .addOption(opt.db())
    .addOption(opt.json())
    .addOption(opt.progress())
    .addOption(opt.strict())
    .addHelpText('after', '\nExamples:\n  otel-agent-report ingest ~/otel-archive --db agents.duckdb\n  otel-agent-report ingest "dumps/*.jsonl.zst" --json\n  zcat otlp.jsonl.gz | otel-agent-report ingest -')
    .action(async (paths: string[], o: CommonOpts) => {
      const { discoverInputs } = await import('../ingest/discover.js');
      const inputs = await discoverInputs(paths);
      if (inputs.length === 0) throw new CliError(`no files found in ${paths.join(' ')}`, EXIT.NO_DATA);
      const db = await openDb(o.db);
      try {
        // Loaded here, not at start-up: `report --db` and `summary --db` never need the loader (nor the
        // file discovery above).
        const { ingest } = await import('../ingest/load.js');
        const files = await ingest(db, inputs, { onProgress: progressWanted(o) ? progressPrinter() : undefined });
        // Build the normalized facts now, so reports from this database start at the panels.
        if (o.db && files.some((f) => f.status === 'loaded')) await buildModel(db);
        process.stdout.write(o.json ? JSON.stringify(filesJson(files, 'ingest'), null, 2) + '\n' : filesText(files, 'ingest'));
        const t = totals(files);
        if (t.spans + t.logs + t.metricPoints === 0 && t.filesAlreadyLoaded === 0) {
          throw new CliError(`no telemetry found in ${paths.join(' ')} (${t.files} files read; see the notes above)`, EXIT.NO_DATA);
        }
        if (o.strict && t.skipped > 0) process.exitCode = EXIT.SKIPPED;
      } finally {
        db.close();
      }
    });
}

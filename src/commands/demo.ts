import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { fromRoot } from '../paths.js';
import { analysisOptions } from './options.js';
import { outputOptions, runReport, type ReportFlags } from './report.js';

/** The real telemetry sample shipped with the package. */
export function samplePath(): string {
  const dir = fromRoot('fixtures', 'sample');
  if (!existsSync(dir) || readdirSync(dir).length === 0) {
    throw new CliError(
      `the bundled sample (${dir}) is missing from this installation, so there is nothing to demo.\n` +
        'Reinstall otel-agent-report, or make a report from your own files: otel-agent-report report <files…> --out DIR',
      EXIT.FATAL,
    );
  }
  return dir;
}

export function registerDemo(program: Command): void {
  const cmd = program
    .command('demo')
    .description('write every report file (HTML, Markdown, email, PR comment, JSON, charts) from the bundled real sample, and print the paths');
  for (const o of [...analysisOptions().filter((x) => x.long !== '--db'), ...outputOptions('demo-report').filter((x) => x.long === '--out' || x.long === '--interactive')]) cmd.addOption(o);
  cmd
    .addHelpText('after', '\nExample:\n  otel-agent-report demo && open demo-report/report.html')
    .action(async (o: ReportFlags) => {
      const dir = samplePath();
      // The sample's own README and build script are not telemetry: leave them out. Relative paths
      // keep the report's file list the same wherever the package is installed.
      const inputs = readdirSync(dir)
        .filter((f) => !/\.(md|mjs|js)$/.test(f))
        .sort()
        .map((f) => relative(process.cwd(), join(dir, f)));
      await runReport(inputs, o, { email: true, prComment: true });
    });
}

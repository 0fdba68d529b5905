/**
 * Wiring only: commands, shared flags, exit codes. Work happens in the stage modules.
 */
import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT } from './errors.js';
import { registerCommands } from './commands/index.js';
import { saveDuckDBCodeCache } from './model/duckdb.js';
import { packageVersion } from './paths.js';

// Output piped into `head` and closed early: the rest of the output is dropped, not a crash, and
// the command still finishes its work (a report's files are written all the same).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

const program = new Command();
program
  .name('otel-agent-report')
  .description(
    'Reports on AI coding agents (Codex CLI, Claude Code, Gemini CLI, any OTel GenAI producer) from their exported OpenTelemetry files:\n' +
      'tokens, cost, sessions, tool failures and API errors, as HTML, Markdown and JSON. Offline; nothing is uploaded.',
  )
  .version(packageVersion(), '-V, --version', 'print the version and exit')
  .addOption(new Option('--debug', 'print stack traces on errors'))
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })
  .showHelpAfterError('(run with --help for usage)');

registerCommands(program);

program.addHelpText(
  'after',
  `
Examples:
  otel-agent-report inspect ~/otel-archive                        what each archived file is
  otel-agent-report ingest ~/otel-archive --db agents.duckdb      load (again: only new files)
  otel-agent-report summary --db agents.duckdb --since 7d         JSON summary on stdout
  otel-agent-report report ~/otel-archive --out weekly --email    HTML, Markdown, email, charts
  otel-agent-report demo                                          a report of the bundled sample

Exit codes: 0 ok; 1 fatal error; 2 usage error; 3 records were skipped (with --strict); 4 no telemetry found.`,
);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    const debug = process.argv.includes('--debug');
    if (e instanceof CliError) {
      process.stderr.write(`otel-agent-report: ${e.message}\n`);
      if (debug) process.stderr.write(`${e.stack}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`otel-agent-report: internal error: ${(e as Error).message ?? String(e)}\n`);
    process.stderr.write(debug ? `${(e as Error).stack}\n` : 'Run again with --debug for the stack trace, and please report it.\n');
    process.exitCode = EXIT.FATAL;
  }
}

await main();
// After the command, so that the cache holds what it compiled (only the first run writes one).
saveDuckDBCodeCache();

import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { filesJson, filesText } from '../render/ingest-text.js';
import { opt, type CommonOpts } from './options.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('say what each file is (format, compression, signals, record counts, time range, services) without loading it')
    .argument('<paths...>', 'files, directories (recursive), globs, or - for stdin')
    .addOption(opt.json())
    .addHelpText('after', '\nExample:\n  otel-agent-report inspect ~/otel-archive/2026-11-*')
    .action(async (paths: string[], o: CommonOpts) => {
      // Loaded here, not at start-up: the decoders are most of the code, and only inspect and ingest use them.
      const { discoverInputs } = await import('../ingest/discover.js');
      const inputs = await discoverInputs(paths);
      if (inputs.length === 0) throw new CliError(`no files found in ${paths.join(' ')}`, EXIT.NO_DATA);
      const { inspectInputs } = await import('../ingest/inspect.js');
      const files = await inspectInputs(inputs);
      process.stdout.write(o.json ? JSON.stringify(filesJson(files, 'inspect'), null, 2) + '\n' : filesText(files, 'inspect'));
    });
}

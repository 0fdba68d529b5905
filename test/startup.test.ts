/**
 * What every command loads at start-up: the modules src/cli.ts reaches through static imports.
 * The ingest stage (decoders, protobuf, zstd, file discovery) is imported by the commands that
 * read files, when they run: `report --db` and `summary --db` never need it, and loading it cost
 * every command ~50 ms.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../src/paths.js';

/** Relative modules imported statically (`import … from`, `export … from`; not `import type`, not `import()`). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'(\.[^']+)';/gm)) {
    if (m[1]) continue;
    out.push(join(dirname(file), m[2].replace(/\.js$/, '.ts')));
  }
  return out;
}

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...staticImports(f));
  }
  return new Set([...seen].map((f) => relative(fromRoot(), f)));
}

describe('start-up', () => {
  const loaded = reachable(fromRoot('src', 'cli.ts'));

  it('follows the static imports (the walk sees the command modules)', () => {
    for (const f of ['src/commands/report.ts', 'src/pipeline.ts', 'src/model/db.ts', 'src/model/duckdb.ts']) expect(loaded).toContain(f);
  });

  it('does not load the ingest stage', () => {
    expect([...loaded].filter((f) => f.startsWith('src/ingest/'))).toEqual([]);
  });
});

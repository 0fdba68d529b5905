/**
 * Input arguments → the list of inputs to read: files, directories (recursive), globs, and `-`
 * for stdin. Order is stable (sorted within each argument) so reports are deterministic.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { CliError, EXIT } from '../errors.js';

export interface Input {
  /** Display path as the user gave it (or found under a directory they gave). */
  path: string;
  stdin: boolean;
  /** True when the user named it directly (not found by walking a directory or glob). */
  explicit: boolean;
}

const GLOB_CHARS = /[*?[\]{}]/;

function walk(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

export async function discoverInputs(args: string[]): Promise<Input[]> {
  const out: Input[] = [];
  const seen = new Set<string>();
  const add = (path: string, explicit: boolean) => {
    const key = resolve(path);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, stdin: false, explicit });
  };
  for (const arg of args) {
    if (arg === '-') {
      out.push({ path: '-', stdin: true, explicit: true });
      continue;
    }
    let st;
    try {
      st = statSync(arg);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) {
      const files: string[] = [];
      walk(arg, files);
      for (const f of files) add(f, false);
    } else if (st?.isFile()) add(arg, true);
    else if (GLOB_CHARS.test(arg)) {
      const matches = (await glob(arg, { onlyFiles: true, dot: false, expandDirectories: false })).sort();
      if (matches.length === 0) throw new CliError(`no files match ${arg}`, EXIT.NO_DATA);
      for (const m of matches) add(m, false);
    } else throw new CliError(`cannot read ${arg}: no such file or directory`, EXIT.FATAL);
  }
  return out;
}

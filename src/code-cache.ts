/**
 * CommonJS bundles loaded with V8's code cache. The bytecode of the functions a run compiled is
 * kept in the user's cache folder and reused by later runs, which skip compiling them again: for
 * Vega's builds in a chart thread, about a fifth of its work; for @duckdb/node-api's bundle
 * (src/model/duckdb.ts), ~60 ms of every command's start. Keyed by the bundle's text, Node's
 * version and a tag naming the work done (threads drawing different charts compile different
 * functions); V8 checks the rest and rejects a cache that does not fit. Best effort: any failure
 * only means compiling again. Saving a bundle's cache for a tag deletes that bundle's caches for
 * the same tag made by other versions (of the bundle or of Node), so the folder does not grow with
 * upgrades.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { Script } from 'node:vm';
import { threadId } from 'node:worker_threads';

function cacheDir(): string | null {
  try {
    const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    return join(base, 'otel-agent-report', 'v8');
  } catch {
    return null;
  }
}

export interface LoadedBundle {
  exports: Record<string, unknown>;
  /** Store the code cache, with what has been compiled so far, unless the cache was used. */
  saveCache(): void;
}

/**
 * Run a CommonJS bundle (`exports`, `require` and `module` given, `require` answering from `deps`
 * only). With a `cacheTag`, its compiled code is cached as above.
 */
export function loadBundle(path: string, deps: Record<string, unknown>, cacheTag?: string): LoadedBundle {
  const source = readFileSync(path, 'utf8');
  const dir = cacheTag === undefined ? null : cacheDir();
  const key = createHash('sha256').update(`${process.version} ${process.arch} ${cacheTag}\n`).update(source).digest('hex').slice(0, 32);
  // <bundle>-<tag>-<key>.v8: the tag part finds this tag's caches of other versions.
  const prefix = `${basename(path)}-${createHash('sha256').update(String(cacheTag)).digest('hex').slice(0, 8)}-`;
  const file = dir && join(dir, `${prefix}${key}.v8`);
  let cachedData: Buffer | undefined;
  if (file) {
    try {
      cachedData = readFileSync(file);
    } catch {
      // not cached yet
    }
  }
  // The wrapper CommonJS modules get; the column offset keeps positions in stack traces right.
  const wrapper = '(function (exports, require, module) {';
  const script = new Script(`${wrapper}${source}\n})`, { filename: path, columnOffset: -wrapper.length, cachedData });
  const module = { exports: {} as Record<string, unknown> };
  const require = (id: string) => {
    if (id in deps) return deps[id];
    throw new Error(`${path}: unexpected require(${JSON.stringify(id)})`);
  };
  (script.runInThisContext() as (e: unknown, r: unknown, m: unknown) => void).call(module.exports, module.exports, require, module);
  const cached = cachedData !== undefined && !script.cachedDataRejected;
  return {
    exports: module.exports,
    saveCache() {
      if (!file || !dir || cached) return;
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const tmp = `${file}.${process.pid}.${threadId}`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, file);
        // Also the name these caches had before the tag was in it (<bundle>-<key>.v8).
        const untagged = (f: string) => f.startsWith(`${basename(path)}-`) && /^-[0-9a-f]{32}\.v8$/.test(f.slice(basename(path).length));
        for (const f of readdirSync(dir)) {
          if (join(dir, f) !== file && ((f.startsWith(prefix) && f.endsWith('.v8')) || untagged(f))) rmSync(join(dir, f), { force: true });
        }
      } catch {
        // best effort
      }
    },
  };
}

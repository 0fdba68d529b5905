/**
 * Vega and Vega-Lite, loaded once per thread from their single-file builds (the very files that
 * --interactive inlines in the page), as the CommonJS modules they also are. Their ES module entry
 * points pull in some forty packages and hundreds of files, which took about three times as long
 * to load. Vega-Lite is loaded only when a spec is compiled: a chart drawn from its precompiled
 * template (chart-templates.ts) needs Vega alone.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LoggerInterface } from 'vega';
import { loadBundle, type LoadedBundle } from '../code-cache.js';

export type Vega = typeof import('vega');
export type VegaLite = typeof import('vega-lite');

/** Where a package's single-file builds sit (resolved like imports: the packages may be hoisted). */
export function buildFile(pkg: string, file: string): string {
  return join(dirname(createRequire(import.meta.url).resolve(pkg)), file);
}

let tag: string | undefined;
let vegaLoaded: { vega: Vega; bundle: LoadedBundle } | undefined;
let vlLoaded: { vl: VegaLite; bundle: LoadedBundle } | undefined;

/** Vega. `cacheTag` (on the first call of the thread): keep its compiled code between runs (code-cache.ts). */
export function vegaModule(cacheTag?: string): Vega {
  if (!vegaLoaded) {
    tag ??= cacheTag;
    const bundle = loadBundle(buildFile('vega', 'vega.min.js'), {}, tag);
    vegaLoaded = { vega: bundle.exports as unknown as Vega, bundle };
  }
  return vegaLoaded.vega;
}

/** Vega-Lite (and Vega, which it requires), for compiling a spec. */
export function vegaLiteModule(): VegaLite {
  if (!vlLoaded) {
    const bundle = loadBundle(buildFile('vega-lite', 'vega-lite.min.js'), { vega: vegaModule() }, tag);
    vlLoaded = { vl: bundle.exports as unknown as VegaLite, bundle };
  }
  return vlLoaded.vl;
}

/**
 * Load Vega now rather than at the first chart (a chart thread does, while the queries run), its
 * compiled code cached under `cacheTag` if given.
 */
export function preloadVega(cacheTag?: string): void {
  vegaModule(cacheTag);
}

/** Store the code cache of what was loaded (when loaded with a cache tag, and no cache was used). */
export function saveVegaCodeCache(): void {
  vegaLoaded?.bundle.saveCache();
  vlLoaded?.bundle.saveCache();
}

/** A logger that collects Vega and Vega-Lite warnings and errors into `into`. */
export function collectingLogger(into: string[], Warn: number): LoggerInterface {
  let level = Warn;
  const push = (kind: string) => (...args: readonly unknown[]) => {
    into.push(`${kind}: ${args.map(String).join(' ')}`);
    return logger;
  };
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error: push('error'),
    warn: push('warning'),
    info: () => logger,
    debug: () => logger,
  };
  return logger as unknown as LoggerInterface;
}

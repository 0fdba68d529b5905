/**
 * V8 code cache of bundles (src/code-cache.ts): a run saves the compiled code, the next
 * reuses it, and a new version of a bundle (or of Node) replaces that tag's old caches instead of
 * piling up beside them.
 */
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../src/code-cache.js';

const home = mkdtempSync(join(tmpdir(), 'oar-v8-'));
const bundle = join(home, 'lib.min.js');
const cacheFiles = () => readdirSync(join(home, 'otel-agent-report', 'v8')).sort();
const before = process.env.XDG_CACHE_HOME;

beforeAll(() => {
  process.env.XDG_CACHE_HOME = home;
});
afterAll(() => {
  if (before === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = before;
});

/** Load the bundle's current text with `tag`, run it, save its cache; returns what it computed. */
function run(tag: string): number {
  const b = loadBundle(bundle, { dep: { k: 3 } }, tag);
  const value = (b.exports.twice as (n: number) => number)(21);
  b.saveCache();
  return value;
}

describe('V8 code cache', () => {
  it('is saved per bundle and tag, reused, and replaced when the bundle changes', () => {
    writeFileSync(bundle, `exports.twice = (n) => n * 2 + require('dep').k - 3;`);
    expect(run('charts')).toBe(42);
    const [charts] = cacheFiles();
    expect(run('other')).toBe(42);
    expect(cacheFiles()).toHaveLength(2);
    const [other] = cacheFiles().filter((f) => f !== charts);
    // Reused: a second run with the cache in place does not write it again.
    const mtime = statSync(join(home, 'otel-agent-report', 'v8', charts)).mtimeMs;
    expect(run('charts')).toBe(42);
    expect(statSync(join(home, 'otel-agent-report', 'v8', charts)).mtimeMs).toBe(mtime);
    // A cache in the name used before tags were part of it.
    writeFileSync(join(home, 'otel-agent-report', 'v8', `lib.min.js-${'0'.repeat(32)}.v8`), 'old');
    // A new version of the bundle: its cache replaces the old one of the same tag only.
    writeFileSync(bundle, `exports.twice = (n) => n + n + require('dep').k - 3;`);
    expect(run('charts')).toBe(42);
    const after = cacheFiles();
    expect(after).toHaveLength(2);
    expect(after).toContain(other); // the other tag's cache is still there
    expect(after).not.toContain(charts); // the old version's is gone
    expect(after.some((f) => f.startsWith('lib.min.js-0000'))).toBe(false);
  });
});

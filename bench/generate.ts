/**
 * bench/generate — a seeded, deterministic synthetic archive of agent telemetry, built from the
 * shapes of real captures (one OTLP export request per JSON line).
 *
 *   node dist/bench/generate.js --size 100MB|1GB|5GB [--seed 1] [--out DIR] [--templates DIR]
 *                               [--weeks 6] [--rotate-mb N] [--increment-mb N]
 *
 * Every copy of a template session gets fresh ids (trace/span ids, conversation.id, session.id,
 * thread/turn ids, request and tool ids…), a time shift that spreads sessions over weeks, an
 * environment (`env` / `deployment.environment`), an originator for Codex exec sessions, and new
 * token counts per model response with every span and metric that repeats or aggregates them
 * rewritten to match (see lib/templates.ts). Copies are routed to three Collector-style outputs
 * (lib/writer.ts): rotated JSON lines with gzip backups, rotated JSON lines with native zstd frames,
 * and rotated length-prefixed protobuf. Sizes count uncompressed bytes (what a reader parses).
 *
 * Output (DIR defaults to bench/data/<size>-s<seed>):
 *   archive/collector-{a,b,c}/otlp-<time>-size.<ext>, plus each collector's live file
 *   increment/collector-a/otlp-<time>-size.jsonl.gz   one more rotated file, newer than the archive
 *   expected.json   exact token totals per agent and model (normalized convention), files, counts
 *
 * Same seed, size and templates → byte-identical output. Memory stays flat: one session copy is
 * rendered at a time and written out.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fromRoot } from '../src/paths.js';
import { encodeRequest } from './lib/proto.js';
import { Rng } from './lib/prng.js';
import { makeInstance, renderLine } from './lib/render.js';
import { AGENTS, FACT_AGENT, addTokens, compileGroup, loadTemplates, normalize, type Agent, type CompiledGroup, type TokenRow } from './lib/templates.js';
import { Collector, type CollectorKind, type FileInfo } from './lib/writer.js';

export const GENERATOR_VERSION = 1;

export interface GenerateOptions {
  sizeBytes: number;
  sizeLabel: string;
  seed: number;
  out: string;
  templates: string;
  weeks: number;
  rotateBytes: number;
  incrementBytes: number;
  quiet: boolean;
}

const AGENT_WEIGHTS: [Agent, number][] = [
  ['codex', 0.3],
  ['claude', 0.4],
  ['gemini', 0.3],
];
const COLLECTORS: [{ dir: string; kind: CollectorKind }, number][] = [
  [{ dir: 'collector-a', kind: 'json-gzip' }, 0.45],
  [{ dir: 'collector-b', kind: 'json-zstd' }, 0.35],
  [{ dir: 'collector-c', kind: 'proto' }, 0.2],
];
const ENVS: [string, number][] = [
  ['prod', 0.5],
  ['staging', 0.25],
  ['dev', 0.15],
  ['ci', 0.1],
];
const CODEX_ORIGINATORS: [string, number][] = [
  ['codex_exec', 0.6],
  ['codex_vscode', 0.4],
];
const USERS = 12;

export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s} (use e.g. 100MB, 1GB, 5GB)`);
  const mult: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 };
  return Math.round(Number(m[1]) * mult[(m[2] ?? 'B').toUpperCase()]);
}

export function defaultTemplates(): string {
  for (const p of [fromRoot('..', 'shared', 'captures'), fromRoot('fixtures', 'sample'), fromRoot('fixtures')]) if (existsSync(p)) return p;
  throw new Error('no templates: pass --templates DIR (a directory with otlp.jsonl files)');
}

export function defaultOut(sizeLabel: string, seed: number): string {
  return fromRoot('bench', 'data', `${sizeLabel}-s${seed}`);
}

interface Totals {
  files: FileInfo[];
  uncompressedBytes: number;
  diskBytes: number;
  requests: number;
  records: { spans: number; logs: number; metricPoints: number };
  instances: number;
  sessions: Record<string, number>;
  tokens: Map<string, TokenRow>;
}

function emptyTotals(): Totals {
  return { files: [], uncompressedBytes: 0, diskBytes: 0, requests: 0, records: { spans: 0, logs: 0, metricPoints: 0 }, instances: 0, sessions: {}, tokens: new Map() };
}

/** One part (archive or increment) of expected.json, as bench/run.ts reads it back. */
export type ExpectedPart = ReturnType<typeof totalsJson>;

function totalsJson(t: Totals) {
  const byModel = [...t.tokens.values()].sort((a, b) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  const sum = { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, calls: 0 };
  for (const r of byModel) addTokens(sum, r);
  const json = t.files.filter((f) => f.format === 'jsonl');
  return {
    files: t.files,
    uncompressedBytes: t.uncompressedBytes,
    jsonUncompressedBytes: json.reduce((n, f) => n + f.uncompressedBytes, 0),
    protobufUncompressedBytes: t.files.filter((f) => f.format !== 'jsonl').reduce((n, f) => n + f.uncompressedBytes, 0),
    diskBytes: t.files.reduce((n, f) => n + f.diskBytes, 0),
    requests: t.requests,
    records: t.records,
    instances: t.instances,
    sessions: t.sessions,
    tokens: { total: sum, byModel },
  };
}

class Emitter {
  constructor(
    private readonly seed: number,
    private readonly groups: Map<Agent, CompiledGroup[]>,
  ) {}

  /** Render one copy of a template into `pick(collector)`; returns uncompressed bytes written. */
  emit(inst: number, startMs: number, totals: Totals, pickCollector: (rng: Rng) => Collector): number {
    const rng = new Rng(this.seed, inst, 0x5e55);
    const agents = AGENT_WEIGHTS.filter(([a]) => this.groups.get(a)?.length);
    const agent = rng.weighted(agents);
    const list = this.groups.get(agent)!;
    const g = list[rng.int(list.length)];
    const env = rng.weighted(ENVS);
    const originator = g.hasOriginator ? rng.weighted(CODEX_ORIGINATORS) : '';
    const user = rng.int(USERS);
    const collector = pickCollector(rng);
    const dms = Math.round(startMs - g.startMs);
    const instance = makeInstance(g, { seed: this.seed, inst, user, dms, env, originator });
    let bytes = 0;
    for (const line of g.lines) {
      const text = renderLine(line, instance);
      const ms = line.maxMs + dms;
      if (collector.kind === 'proto') bytes += collector.write(encodeRequest(line.signal, JSON.parse(text)), ms);
      else bytes += collector.write(text, ms);
      totals.records.spans += line.records.spans;
      totals.records.logs += line.records.logs;
      totals.records.metricPoints += line.records.metricPoints;
    }
    totals.requests += g.lines.length;
    totals.uncompressedBytes += bytes;
    totals.instances++;
    const fa = FACT_AGENT[g.agent];
    totals.sessions[fa] = (totals.sessions[fa] ?? 0) + g.sessions;
    instance.unitVals.forEach((v, i) => {
      const model = g.units[i].model;
      const key = `${fa}\u0000${model}`;
      let t = totals.tokens.get(key);
      if (!t) totals.tokens.set(key, (t = { agent: fa, model, input: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, calls: 0 }));
      addTokens(t, { ...normalize(g.agent, v), calls: 1 });
    });
    return bytes;
  }
}

export async function generate(o: GenerateOptions): Promise<void> {
  const log = (s: string) => {
    if (!o.quiet) process.stderr.write(s);
  };
  const started = performance.now();
  if (existsSync(o.out) && readdirSync(o.out).length) {
    if (!existsSync(join(o.out, '.generated'))) throw new Error(`${o.out} exists and was not written by bench/generate; refusing to overwrite`);
    rmSync(o.out, { recursive: true, force: true });
  }
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, '.generated'), 'written by bench/generate; safe to delete\n');

  const groups = loadTemplates(o.templates);
  if (!groups.length) throw new Error(`no OTLP/JSON lines of Codex, Claude Code or Gemini CLI found under ${o.templates}`);
  const compiled = groups.map(compileGroup);
  const byAgent = new Map<Agent, CompiledGroup[]>();
  for (const g of compiled) byAgent.set(g.agent, [...(byAgent.get(g.agent) ?? []), g]);
  const warnings = [...new Set(compiled.flatMap((g) => g.warnings.map((w) => `${g.name}: ${w}`)))];
  log(
    `templates: ${o.templates}\n` +
      AGENTS.map((a) => {
        const gs = byAgent.get(a) ?? [];
        const st = gs.reduce((s, g) => ({ u: s.u + g.stats.units, ok: s.ok + g.stats.sitesSolved, bad: s.bad + g.stats.sitesUnexplained }), { u: 0, ok: 0, bad: 0 });
        return `  ${a}: ${gs.length} template groups, ${st.u} responses, ${st.ok} usage sites rewritten consistently, ${st.bad} left as is\n`;
      }).join('') +
      (warnings.length ? `  ${warnings.length} warnings (see expected.json)\n` : ''),
  );

  // Spread copies over `weeks`, ending at the newest template time (the capture date).
  const endMs = Math.ceil(Math.max(...compiled.map((g) => g.endMs)) / 3_600_000) * 3_600_000;
  const spanMs = o.weeks * 7 * 86_400_000;
  const agentsPresent = AGENT_WEIGHTS.filter(([a]) => byAgent.get(a)?.length);
  const wsum = agentsPresent.reduce((n, [, w]) => n + w, 0);
  const avgBytes = agentsPresent.reduce((n, [a, w]) => {
    const gs = byAgent.get(a)!;
    return n + (w / wsum) * (gs.reduce((m, g) => m + g.bytes, 0) / gs.length);
  }, 0);
  const estimated = Math.max(1, Math.ceil(o.sizeBytes / avgBytes));

  const emitter = new Emitter(o.seed, byAgent);
  const archiveRoot = join(o.out, 'archive');
  const collectors = COLLECTORS.map(([c, w]) => [new Collector(archiveRoot, c.dir, c.kind, o.rotateBytes), w] as [Collector, number]);
  const main = emptyTotals();
  let inst = 0;
  let lastReport = 0;
  while (main.uncompressedBytes < o.sizeBytes) {
    const jitter = new Rng(o.seed, inst, 0x71e).float();
    const startMs = endMs - spanMs + ((inst + jitter) / estimated) * spanMs;
    emitter.emit(inst, startMs, main, (rng) => rng.weighted(collectors));
    inst++;
    if (main.uncompressedBytes - lastReport > 50e6) {
      lastReport = main.uncompressedBytes;
      log(`\r  ${(main.uncompressedBytes / 1e6).toFixed(0)} / ${(o.sizeBytes / 1e6).toFixed(0)} MB, ${inst} session copies`);
    }
  }
  for (const [c] of collectors) main.files.push(...(await c.finish()));
  log(`\r  archive: ${(main.uncompressedBytes / 1e6).toFixed(1)} MB uncompressed in ${main.files.length} files, ${inst} session copies\n`);

  // The increment: one more rotated (gzip) file, newer than everything in the archive.
  const inc = emptyTotals();
  const incCollector = new Collector(join(o.out, 'increment'), 'collector-a', 'json-gzip', Infinity, true);
  let j = 0;
  while (inc.uncompressedBytes < o.incrementBytes) {
    emitter.emit(inst++, endMs + 2 * 3_600_000 + j * 20 * 60_000, inc, () => incCollector);
    j++;
  }
  inc.files.push(...(await incCollector.finish()));
  for (const f of inc.files) f.path = join('increment', f.path);
  for (const f of main.files) f.path = join('archive', f.path);

  const expected = {
    generator: `bench/generate v${GENERATOR_VERSION}`,
    seed: o.seed,
    size: o.sizeLabel,
    targetBytes: o.sizeBytes,
    weeks: o.weeks,
    rotateBytes: o.rotateBytes,
    templates: {
      dir: o.templates,
      groups: compiled.map((g) => ({ name: g.name, agent: g.agent, bytes: g.bytes, sessions: g.sessions, responses: g.stats.units, sitesRewritten: g.stats.sitesSolved, sitesLeftAsIs: g.stats.sitesUnexplained })),
    },
    conventions:
      'tokens: input includes cache reads and writes, output includes reasoning; agent names as in model_calls (codex, claude_code, gemini_cli); one call per model response with usage',
    warnings,
    archive: totalsJson(main),
    increment: totalsJson(inc),
  };
  writeFileSync(join(o.out, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
  log(`  increment: ${inc.files.map((f) => f.path).join(', ')}\n  wrote ${join(o.out, 'expected.json')} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

export function parseArgs(argv: string[]): GenerateOptions {
  const a = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--')) throw new Error(`unexpected argument ${k}`);
    if (k === '--quiet') a.set('quiet', '1');
    else a.set(k.slice(2), argv[++i] ?? '');
  }
  const sizeLabel = (a.get('size') ?? '100MB').toUpperCase();
  const sizeBytes = parseSize(sizeLabel);
  const seed = Number(a.get('seed') ?? 1);
  const rotateMb = a.get('rotate-mb');
  const incMb = a.get('increment-mb');
  return {
    sizeBytes,
    sizeLabel,
    seed,
    out: resolve(a.get('out') ?? defaultOut(sizeLabel, seed)),
    templates: resolve(a.get('templates') ?? defaultTemplates()),
    weeks: Number(a.get('weeks') ?? 6),
    // Collector default max_megabytes is 100; smaller sets rotate sooner so every set has several files.
    rotateBytes: rotateMb ? Number(rotateMb) * 1e6 : Math.min(100e6, Math.max(4e6, Math.round(sizeBytes / 16))),
    incrementBytes: incMb ? Number(incMb) * 1e6 : Math.min(50e6, Math.max(2e6, Math.round(sizeBytes / 100))),
    quiet: a.has('quiet'),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  generate(parseArgs(process.argv.slice(2))).catch((e) => {
    process.stderr.write(`bench/generate: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  });
}

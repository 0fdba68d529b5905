/**
 * `report` on the real captures, through the real CLI: every file is written, Markdown tables are
 * valid GFM, HTML, Markdown and summary.json print the same numbers, no prompt or response text
 * gets out, telemetry markup stays text, two runs differ only in their generated-at line, and the
 * PR comment and the email stay under their limits.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderCharts, type Chart } from '../src/render/charts.js';
import { CHART_PANELS } from '../src/panels/ids.js';
import { buildView, LIMITS, viewWithoutCharts } from '../src/render/format.js';
import { renderHtml, renderHtmlLater } from '../src/render/html.js';
import { duration, int, pct, usd } from '../src/render/format.js';
import { PR_COMMENT_MAX, renderMarkdown, renderMarkdownLater, renderPrComment } from '../src/render/markdown.js';
import type { Summary } from '../src/render/summary.js';
import { capturePaths, CAPTURES } from './helpers/captures.js';
import { ROOT, runCli, type CliResult } from './helpers/cli.js';

const INPUTS = [...capturePaths('claude'), ...capturePaths('codex'), ...capturePaths('gemini')];
const XSS = resolve(ROOT, 'fixtures/xss/otlp.jsonl');
const FILES = ['summary.json', ...['tokens', 'sessions', 'tools', 'api_errors', 'cost'].map((c) => `charts/${c}.svg`), 'report.html', 'report.md', 'report-email.html', 'pr-comment.md'];

const tmp = mkdtempSync(join(tmpdir(), 'oar-report-'));
const dirs = { a: join(tmp, 'a'), b: join(tmp, 'b'), xss: join(tmp, 'xss') };
const runs: Record<keyof typeof dirs, CliResult> = {} as never;

beforeAll(async () => {
  const report = (paths: string[], out: string) => runCli(['report', ...paths, '--out', out, '--email', '--pr-comment']);
  [runs.a, runs.b, runs.xss] = await Promise.all([report(INPUTS, dirs.a), report(INPUTS, dirs.b), report([XSS], dirs.xss)]);
}, 600_000);

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const summaryOf = (dir: string) => JSON.parse(read(dir, 'summary.json')) as Summary;

/** Every file under a folder, relative. */
function listFiles(dir: string, sub = ''): string[] {
  return readdirSync(join(dir, sub)).flatMap((f) => (statSync(join(dir, sub, f)).isDirectory() ? listFiles(dir, join(sub, f)) : [join(sub, f)]));
}

// ---- parsing what the reports print ----

const decodeHtml = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&#x60;/g, '`').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
const decodeMd = (s: string) => s.replace(/\\(.)/g, '$1').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#64;/g, '@').replace(/&amp;/g, '&');

interface ParsedTable {
  caption: string;
  header: string[];
  rows: string[][];
}

function htmlTables(html: string): ParsedTable[] {
  return [...html.matchAll(/<table id="t-[^"]*">([\s\S]*?)<\/table>/g)].map((m) => {
    const cells = (row: string, tag: string) => [...row.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((c) => decodeHtml(c[1]));
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(m[1])![1];
    return {
      caption: decodeHtml(/<caption>([\s\S]*?)<\/caption>/.exec(m[1])![1]),
      header: cells(/<thead>([\s\S]*?)<\/thead>/.exec(m[1])![1], 'th'),
      rows: [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) => cells(r[1], 'td')),
    };
  });
}

/** Cells of a GFM table row, split on pipes that are not backslash-escaped. */
const mdCells = (line: string) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim());

/** Every GFM table in a Markdown text; throws on one that GitHub would not render as a table. */
function mdTables(md: string): ParsedTable[] {
  const lines = md.split('\n');
  const out: ParsedTable[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('|') || (i > 0 && lines[i - 1].startsWith('|'))) continue;
    const header = mdCells(lines[i]);
    const sep = lines[i + 1] ?? '';
    expect(sep, `line ${i + 2} should be the separator row of the table at line ${i + 1}`).toMatch(/^\|( :?-{3,}:? \|)+$/);
    expect(mdCells(sep).length, `separator columns at line ${i + 2}`).toBe(header.length);
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j].startsWith('|'); j++) {
      expect(lines[j], `table row at line ${j + 1}`).toMatch(/^\|.*\|$/);
      expect(mdCells(lines[j]).length, `columns at line ${j + 1}: ${lines[j]}`).toBe(header.length);
      rows.push(mdCells(lines[j]).map(decodeMd));
    }
    expect(lines[i - 1] ?? '', `a blank line before the table at line ${i + 1}`).toBe('');
    const caption = /^\*\*(.*)\*\*$/.exec(lines[i - 2] ?? '');
    out.push({ caption: caption ? decodeMd(caption[1]) : '', header: header.map(decodeMd), rows });
    i = j;
  }
  return out;
}

function htmlKpis(html: string): Record<string, { raw: string; text: string }> {
  const out: Record<string, { raw: string; text: string }> = {};
  for (const m of html.matchAll(/<div class="kpi(?: flagged)?" id="kpi-([a-z_0-9]+)">\s*<div class="kpi-label">.*?<\/div>\s*<data class="kpi-value" value="([^"]*)">([^<]*)<\/data>/g)) {
    out[m[1]] = { raw: decodeHtml(m[2]), text: decodeHtml(m[3]) };
  }
  return out;
}

describe('report on the real captures', () => {
  it('exits 0, writes every file and prints their paths', () => {
    for (const [name, r] of Object.entries(runs)) {
      expect(r.stderr, name).toBe('');
      expect(r.code, name).toBe(0);
    }
    expect(runs.a.stdout).toBe(FILES.map((f) => join(dirs.a, f)).join('\n') + '\n');
    expect(listFiles(dirs.a).sort()).toEqual([...FILES].sort());
  });

  it('writes valid GFM tables, the same ones in report.md as in report.html', () => {
    const md = read(dirs.a, 'report.md');
    const fromMd = mdTables(md);
    const fromHtml = htmlTables(read(dirs.a, 'report.html'));
    expect(fromHtml.length).toBeGreaterThan(15);
    // Same tables, in the same order, with the same cells (Markdown marks flagged rows with ⚠).
    expect(fromMd.filter((t) => t.caption !== '').map((t) => t.caption)).toEqual(fromHtml.map((t) => t.caption));
    const tables = fromMd.filter((t) => t.caption !== '');
    fromHtml.forEach((h, i) => {
      expect(tables[i].header, h.caption).toEqual(h.header);
      expect(tables[i].rows.map((r) => r.map((c, k) => (k === 0 ? c.replace(/^⚠ /, '') : c))), h.caption).toEqual(h.rows);
    });
    // Charts are relative image links to files that exist.
    const images = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(images).toEqual(['tokens', 'sessions', 'tools', 'api_errors', 'cost'].map((c) => `charts/${c}.svg`));
    for (const img of images) expect(existsSync(join(dirs.a, img))).toBe(true);
    mdTables(read(dirs.a, 'pr-comment.md'));
    mdTables(read(dirs.xss, 'report.md'));
  });

  it('prints the same key figures in HTML, Markdown, the PR comment and summary.json', () => {
    const s = summaryOf(dirs.a);
    const html = read(dirs.a, 'report.html');
    const kpi = htmlKpis(html);
    const expected: Record<string, { raw: number | string; text: string }> = {
      cost: { raw: s.cost.totalUsdExact!, text: usd(s.cost.totalUsdExact) },
      tokens: { raw: s.tokens.total.input + s.tokens.total.output, text: int(s.tokens.total.input + s.tokens.total.output) },
      sessions: { raw: s.sessions.count, text: int(s.sessions.count) },
      p95: { raw: s.sessions.durationMs.p95!, text: duration(s.sessions.durationMs.p95) },
      tool_success: { raw: s.tools.successRate!, text: pct(s.tools.successRate) },
      api_error_rate: { raw: s.api.errorRate!, text: pct(s.api.errorRate) },
    };
    expect(Object.keys(kpi).sort()).toEqual(Object.keys(expected).sort());
    for (const [id, e] of Object.entries(expected)) {
      expect(kpi[id].raw, id).toBe(String(e.raw));
      expect(kpi[id].text, id).toBe(e.text);
    }
    // The printed text is the summary's value, rounded (checked without the formatting code).
    const num = (t: string) => Number(t.replace(/[$,%\s]|ms|s$/g, ''));
    expect(Math.abs(num(kpi.cost.text) - Number(s.cost.totalUsdExact))).toBeLessThanOrEqual(0.005);
    expect(num(kpi.tokens.text)).toBe(s.tokens.total.input + s.tokens.total.output);
    expect(num(kpi.sessions.text)).toBe(s.sessions.count);
    expect(Math.abs(num(kpi.tool_success.text) - s.tools.successRate! * 100)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(num(kpi.api_error_rate.text) - s.api.errorRate! * 100)).toBeLessThanOrEqual(0.05);
    expect(kpi.p95.text).toMatch(/^[\d.]+ (ms|s|min|h)$/);

    // Markdown's key-figure table and the PR comment's row show the same texts.
    const md = mdTables(read(dirs.a, 'report.md')).find((t) => t.header[0] === 'Figure')!;
    expect(md.rows.map((r) => r[1])).toEqual(['cost', 'tokens', 'sessions', 'p95', 'tool_success', 'api_error_rate'].map((id) => kpi[id].text));
    const pr = mdTables(read(dirs.a, 'pr-comment.md'))[0];
    expect(pr.rows[0]).toEqual(['cost', 'tokens', 'sessions', 'p95', 'tool_success', 'api_error_rate'].map((id) => kpi[id].text));

    // Per-model cost: HTML and Markdown rows carry the summary's exact figure, unpriced as "unpriced".
    const costMd = mdTables(read(dirs.a, 'report.md')).find((t) => t.caption === 'Cost by model (USD)')!;
    for (const m of s.cost.byModel) {
      const row = costMd.rows.find((r) => r[1] === m.model)!;
      expect(row[7], String(m.model)).toBe(m.costUsd === null ? 'unpriced' : usd(m.costUsdExact));
    }
  });

  it('never prints an unpriced model as $0', () => {
    const s = summaryOf(dirs.a);
    const unpriced = s.cost.byModel.filter((m) => m.costUsd === null).map((m) => m.model!);
    expect(unpriced.length).toBeGreaterThan(0);
    for (const t of mdTables(read(dirs.a, 'report.md'))) {
      for (const r of t.rows.filter((row) => unpriced.some((u) => row.includes(u) || row[0].replace(/^⚠ /, '') === u))) {
        expect(r.join(' | '), t.caption).not.toMatch(/\$0(\.0+)?(?!\.\d*[1-9])\b/);
      }
    }
    const cost = htmlTables(read(dirs.a, 'report.html')).find((t) => t.caption === 'Cost by model (USD)')!;
    for (const u of unpriced) expect(cost.rows.find((r) => r[1] === u)!.slice(3, 8)).toEqual(Array(5).fill('unpriced'));
  });

  it('lets no prompt or response text from the captures into any file', () => {
    const secrets = capturedTexts();
    expect(secrets.length).toBeGreaterThan(10);
    for (const dir of [dirs.a, dirs.xss]) {
      for (const f of listFiles(dir)) {
        const text = read(dir, f);
        for (const secret of secrets) {
          for (const form of new Set([secret, secret.slice(0, 24), decodeHtml(secret).slice(0, 24)])) {
            expect(text.includes(form), `${f} contains ${JSON.stringify(form)}`).toBe(false);
          }
        }
      }
    }
  });

  it('is deterministic: two runs differ only in their generated-at line', () => {
    for (const f of FILES) {
      const a = read(dirs.a, f).split('\n');
      const b = read(dirs.b, f).split('\n');
      expect(b.length, f).toBe(a.length);
      const diff = a.map((line, i) => [line, b[i]]).filter(([x, y]) => x !== y);
      expect(diff.length, f).toBeLessThanOrEqual(1);
      for (const [x] of diff) expect(x, f).toMatch(/[Gg]enerated/);
    }
    // Exactly one line in each report names the time it was generated.
    for (const f of ['report.html', 'report.md', 'report-email.html', 'pr-comment.md', 'summary.json']) {
      expect(read(dirs.a, f).split('\n').filter((l) => /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/.test(l)), f).toHaveLength(1);
    }
  });

  it('keeps the email under 1 MB with its charts as data: images', () => {
    const email = read(dirs.a, 'report-email.html');
    expect(Buffer.byteLength(email)).toBeLessThan(1_000_000);
    expect([...email.matchAll(/<img src="data:image\/svg\+xml;base64,/g)]).toHaveLength(5);
    expect(email).not.toMatch(/<style|<script|<link/i);
  });

  it('writes one self-contained HTML file with a strict Content-Security-Policy', () => {
    const html = read(dirs.a, 'report.html');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; style-src &#x27;unsafe-inline&#x27;; img-src data:;`);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(\s*['"]?(?:https?:|\/\/)/i);
    expect(html).not.toMatch(/\b(?:src|href)="(?!#)/);
    expect([...html.matchAll(/<figure class="chart" data-chart="([a-z_]+)"/g)].map((m) => m[1])).toEqual(['tokens', 'sessions', 'tools', 'api_errors', 'cost']);
  });
});

/**
 * The Claude capture's failed request (api_error log) alone, in a session of its own, once for a
 * model that has no model call and once without a model: the API chart shows both.
 */
function failedOnlyLines(): string {
  const lines: string[] = [];
  for (const line of readFileSync(join(CAPTURES, 'claude', 'otlp.jsonl'), 'utf8').split('\n')) {
    if (!line.includes('"api_error"')) continue;
    const req = JSON.parse(line);
    for (const [session, model] of [['early-chart-a', 'zz-only-failed'], ['early-chart-b', null]] as const) {
      const copy = structuredClone(req);
      for (const rl of copy.resourceLogs) {
        for (const sl of rl.scopeLogs) {
          sl.logRecords = sl.logRecords.filter((r: { attributes: { key: string; value: { stringValue?: string } }[] }) => {
            const attr = (k: string) => r.attributes.find((a) => a.key === k);
            if (attr('event.name')?.value.stringValue !== 'api_error') return false;
            attr('session.id')!.value = { stringValue: session };
            if (model) attr('model')!.value = { stringValue: model };
            else r.attributes = r.attributes.filter((a) => a.key !== 'model');
            return true;
          });
        }
      }
      lines.push(JSON.stringify(copy));
    }
  }
  return lines.join('\n') + '\n';
}

describe('charts drawn on the chart thread', () => {
  it('are the charts of the whole summary, in the same model colours', async () => {
    const extra = join(tmp, 'failed-only.jsonl');
    writeFileSync(extra, failedOnlyLines());
    const out = join(tmp, 'early');
    const r = await runCli(['report', ...INPUTS, extra, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = summaryOf(out);
    // The models only the API chart shows, coloured as in every other chart of the report.
    const apiModels = s.api.byModel.map((m) => m.model);
    expect(apiModels).toContain('zz-only-failed');
    expect(apiModels).toContain(null);
    expect(s.tokens.byModel.map((m) => m.model)).not.toContain('zz-only-failed');
    for (const dir of [out, dirs.a, dirs.xss]) {
      const charts = await renderCharts(summaryOf(dir));
      for (const c of charts) expect(read(dir, `charts/${c.id}.svg`), `${dir} ${c.id}`).toBe(c.svg.endsWith('\n') ? c.svg : `${c.svg}\n`);
    }
  }, 120_000);
});

describe('pages rendered while the charts are drawn', () => {
  it('are, once the charts are in, the pages rendered with them', async () => {
    // Titles and alt texts with every character HTML or Markdown escapes, and replacement patterns.
    const hostile = (c: Chart): Chart => ({ ...c, title: `${c.title} <b>"'&=\`$1$&`, alt: `${c.alt} *_[x](y)|#@~$\\ \n<script>` });
    const quiet = (c: Chart): Chart => ({ ...c, warnings: [] });
    for (const dir of [dirs.a, dirs.xss]) {
      const s = summaryOf(dir);
      const real = await renderCharts(s);
      const base = viewWithoutCharts(s, LIMITS.full);
      for (const charts of [real.map(quiet), real.map(quiet).map(hostile)]) {
        const view = buildView(s, charts, LIMITS.full);
        expect(renderHtmlLater(base, CHART_PANELS)(charts), dir).toBe(renderHtml(view));
        expect(renderMarkdownLater(base, CHART_PANELS)(charts), dir).toBe(renderMarkdown(view));
      }
      // A chart missing, or one with warnings (listed in the data-quality notes): no page, and the
      // report renders it whole. (The XSS sample's cost chart, all unpriced, warns of an empty extent.)
      expect(renderHtmlLater(base, CHART_PANELS)(real.map(quiet).slice(1))).toBeNull();
      expect(renderMarkdownLater(base, CHART_PANELS)(real.map(quiet).slice(1))).toBeNull();
      const warned = real.some((c) => c.warnings.length > 0);
      expect(warned, dir).toBe(dir === dirs.xss);
      if (warned) expect(renderHtmlLater(base, CHART_PANELS)(real)).toBeNull();
    }
  });
});

describe('telemetry values are text, never markup', () => {
  const ATTACKS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '</td><img src=x onerror=alert(2)>', '<svg onload=alert(3)>', '\'"><iframe srcdoc=x>'];

  it('escapes them in HTML (report and email)', () => {
    const s = summaryOf(dirs.xss);
    expect(s.rollups.byOriginator.map((r) => r.group)).toContain(ATTACKS[0]);
    expect(s.tokens.byModel.map((r) => r.model)).toContain(ATTACKS[1]);
    expect(s.tools.byTool.map((r) => r.tool)).toContain(ATTACKS[2]);
    for (const f of ['report.html', 'report-email.html']) {
      const html = read(dirs.xss, f);
      // No element or attribute came from telemetry: the only tags are the template's and the charts'.
      for (const m of html.matchAll(/<([a-zA-Z][\w:-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g)) {
        expect(['script', 'iframe', 'object', 'embed'], `${f}: <${m[1]}>`).not.toContain(m[1].toLowerCase());
        if (m[1].toLowerCase() === 'img') expect(m[2], f).toMatch(/^ src="data:image\/svg\+xml;base64,/);
        for (const a of m[2].matchAll(/\s+([^\s=/>]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?/g)) {
          expect(a[1], `${f}: <${m[1]} ${a[1]}=…>`).not.toMatch(/^(on\w+|srcdoc)$/i);
        }
      }
      expect(html, f).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html, f).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    }
    // The charts hold the names as escaped text too.
    for (const c of ['tokens', 'tools', 'cost']) expect(read(dirs.xss, `charts/${c}.svg`)).not.toMatch(/<(script|img|iframe)\b|<svg onload/);
  });

  it('escapes them in Markdown (report and PR comment)', () => {
    for (const f of ['report.md', 'pr-comment.md']) {
      const md = read(dirs.xss, f);
      const tags = [...md.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1].toLowerCase());
      expect(new Set(tags), f).toEqual(new Set(f === 'pr-comment.md' ? ['details', 'summary', 'sub'] : []));
      expect(md, f).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      // Pipes in values cannot break a table: every table still parses with its own column count.
      mdTables(md);
    }
  });
});

describe('PR comment on a huge input', () => {
  it('stays under 65,536 characters and says how much it left out', () => {
    const big = hugeSummary(summaryOf(dirs.a), 4000);
    const md = renderPrComment(big);
    expect(md.length).toBeLessThan(65_536);
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(PR_COMMENT_MAX);
    expect(md).toMatch(/and 3,?99\d more/);
    mdTables(md);
    // Even absurd names cannot push it over.
    const absurd = hugeSummary(summaryOf(dirs.a), 300, 20_000);
    const md2 = renderPrComment(absurd);
    expect(md2.length).toBeLessThan(65_536);
    mdTables(md2);
  });
});

describe('demo', () => {
  it('writes the report from the bundled sample, or says clearly that it is missing', async () => {
    const out = join(tmp, 'demo');
    const r = await runCli(['demo', '--out', out]);
    if (existsSync(resolve(ROOT, 'fixtures/sample'))) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual(FILES.map((f) => join(out, f)));
    } else {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/bundled sample .*fixtures\/sample.* is missing/);
      expect(r.stdout).toBe('');
    }
  });

  it('report without --out is a usage error', async () => {
    const r = await runCli(['report', XSS]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out/);
  });
});

/** Prompt and response texts the agents logged in the captures (what a report must never show). */
function capturedTexts(): string[] {
  const out = new Set<string>(['XSS-FIXTURE-PROMPT-CANARY', 'XSS-FIXTURE-RESPONSE-CANARY', 'XSS-FIXTURE-TOOL-INPUT-CANARY']);
  const keys = new Set(['prompt', 'prompt_text', 'user_prompt', 'response']);
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (!x || typeof x !== 'object') return;
    const o = x as { key?: unknown; value?: { stringValue?: unknown } };
    const v = o.value?.stringValue;
    if (typeof o.key === 'string' && typeof v === 'string') {
      if (keys.has(o.key)) out.add(v);
      // Gemini logs the model's reply as JSON: its text parts.
      if (o.key === 'response_text') for (const m of v.matchAll(/"text":"((?:[^"\\]|\\.)*)"/g)) out.add(JSON.parse(`"${m[1]}"`));
    }
    Object.values(x).forEach(walk);
  };
  for (const agent of ['codex', 'claude', 'gemini']) {
    for (const line of readFileSync(join(CAPTURES, agent, 'otlp.jsonl'), 'utf8').split('\n')) if (line.trim()) walk(JSON.parse(line));
  }
  return [...out].map((s) => s.trim()).filter((s) => s.length >= 12 && s !== '[REDACTED]');
}

/** The real summary blown up to n models, tools, sessions and groups, with long hostile names. */
function hugeSummary(s: Summary, n: number, nameLength = 120): Summary {
  const name = (kind: string, i: number) => `${kind}-${i}-${'x|<b>*_'.repeat(Math.ceil(nameLength / 7))}`.slice(0, nameLength);
  const many = <T>(rows: T[], f: (r: T, i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(rows[i % rows.length], i));
  return {
    ...s,
    filters: { ...s.filters, model: Array.from({ length: 50 }, (_, i) => name('filter', i)) },
    tokens: { ...s.tokens, byModel: many(s.tokens.byModel, (r, i) => ({ ...r, model: name('model', i) })) },
    sessions: {
      ...s.sessions,
      byAgent: many(s.sessions.byAgent, (r, i) => ({ ...r, agent: name('agent', i) })),
      list: many(s.sessions.list, (r, i) => ({ ...r, sessionId: name('session', i), slow: true })),
      slowCount: n,
    },
    tools: { ...s.tools, byTool: many(s.tools.byTool, (r, i) => ({ ...r, tool: name('tool', i), flagged: true })) },
    api: { ...s.api, byModel: many(s.api.byModel, (r, i) => ({ ...r, model: name('model', i), errorRate: 0.5 })) },
    cost: {
      ...s.cost,
      byModel: many(s.cost.byModel, (r, i) => ({ ...r, model: name('model', i) })),
      unpriced: many(s.cost.unpriced, (r, i) => ({ ...r, model: name('unpriced', i) })),
      bySession: many(s.cost.bySession, (r, i) => ({ ...r, sessionId: name('session', i) })),
    },
    rollups: { ...s.rollups, byOriginator: many(s.rollups.byOriginator, (r, i) => ({ ...r, group: name('originator', i) })) },
  };
}

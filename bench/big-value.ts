/**
 * bench/big-value — one JSON value of hundreds of megabytes (an OTLP request body saved whole, as a
 * proxy or a custom receiver writes it), against the same records as Collector JSON lines.
 *
 *   npm run build && node dist/bench/big-value.js --size 400MB [--templates DIR] [--keep]
 *
 * Writes to bench/data/big-value-<size>/: `logs.json` (one logs request, one line) and
 * `spans.json` (one traces request, pretty-printed) of about size/2 each, built from the log
 * records and spans of the templates (the real captures, else fixtures/sample), each copy made
 * distinct (log times, span ids); and `lines.jsonl`, the same records as requests of ~1,000
 * records a line. Ingests each set into a fresh --db in its own process (wall time, peak RSS)
 * and checks that every generated record was stored. Exit code 1 when a check fails.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../src/paths.js';
import { defaultTemplates, parseSize } from './generate.js';
import { runStep } from './lib/measure.js';

type Obj = Record<string, any>;

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Plain .jsonl files under dir, recursively. */
function jsonlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...jsonlFiles(p));
    else if (e.name.endsWith('.jsonl')) out.push(p);
  }
  return out.sort();
}

/** Every OTLP/JSON logs and traces request of the templates' .jsonl files. */
function templates(dir: string): { logs: Obj[]; spans: Obj[] } {
  const logs: Obj[] = [];
  const spans: Obj[] = [];
  for (const f of jsonlFiles(dir)) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (line.startsWith('{"resourceLogs"')) logs.push(JSON.parse(line));
      else if (line.startsWith('{"resourceSpans"')) spans.push(JSON.parse(line));
    }
  }
  if (!logs.length || !spans.length) throw new Error(`${dir}: no OTLP/JSON logs and spans lines in its .jsonl files`);
  return { logs, spans };
}

/** The records of all requests, and the first request's envelope around its first scope's records, cut where they go. */
function parts(all: Obj[], top: string, scopes: string, records: string): { head: string; tail: string; items: Obj[] } {
  const req = all[0];
  const items = all.flatMap((r) => r[top].flatMap((rs: Obj) => rs[scopes].flatMap((s: Obj) => s[records] ?? [])));
  const env = structuredClone(req);
  env[top] = [env[top][0]];
  env[top][0][scopes] = [{ ...env[top][0][scopes][0], [records]: ['@@RECORDS@@'] }];
  const [head, tail] = JSON.stringify(env).split('"@@RECORDS@@"');
  return { head, tail, items };
}

class Out {
  private fd: number;
  private buf: string[] = [];
  private len = 0;
  bytes = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  write(s: string): void {
    this.buf.push(s);
    this.len += s.length;
    this.bytes += Buffer.byteLength(s);
    if (this.len > 1 << 22) this.flush();
  }
  flush(): void {
    writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.len = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function generate(dir: string, size: number, tplDir: string): { logs: number; spans: number } {
  const t = templates(tplDir);
  const L = parts(t.logs, 'resourceLogs', 'scopeLogs', 'logRecords');
  const S = parts(t.spans, 'resourceSpans', 'scopeSpans', 'spans');
  const big = { logs: new Out(join(dir, 'logs.json')), spans: new Out(join(dir, 'spans.json')) };
  const lines = new Out(join(dir, 'lines.jsonl'));
  let logs = 0;
  let spans = 0;
  // One record at a time into the big value and into the current line of ~1,000 records.
  const emit = (kind: 'logs' | 'spans', rec: Obj, n: number, head: string, tail: string, pretty: boolean) => {
    const text = pretty ? JSON.stringify(rec, null, 2) : JSON.stringify(rec);
    big[kind].write(n === 0 ? head + text : ',' + text);
    const k = n % 1000;
    lines.write(k === 0 ? (n === 0 ? '' : tail + '\n') + head + JSON.stringify(rec) : ',' + JSON.stringify(rec));
  };
  while (big.logs.bytes < size / 2) {
    const rec = structuredClone(L.items[logs % L.items.length]);
    // each copy a distinct record: its time (or, where the agent leaves that 0, its observed time) moved by 1 ns a copy
    const field = BigInt(rec.timeUnixNano ?? 0) > 0n || !(BigInt(rec.observedTimeUnixNano ?? 0) > 0n) ? 'timeUnixNano' : 'observedTimeUnixNano';
    rec[field] = String(BigInt(rec[field] ?? '1700000000000000000') + BigInt(logs));
    emit('logs', rec, logs, L.head, L.tail, false);
    logs++;
  }
  big.logs.write(L.tail);
  lines.write(L.tail + '\n');
  while (big.spans.bytes < size / 2) {
    const rec = structuredClone(S.items[spans % S.items.length]);
    rec.spanId = (0x1000000000000000n + BigInt(spans)).toString(16); // fresh span ids
    emit('spans', rec, spans, S.head, S.tail, true);
    spans++;
  }
  big.spans.write(S.tail);
  lines.write(S.tail + '\n');
  big.logs.close();
  big.spans.close();
  lines.close();
  return { logs, spans };
}

async function main(): Promise<void> {
  const sizeLabel = arg('size', '400MB')!;
  const size = parseSize(sizeLabel);
  const tplDir = arg('templates') ?? defaultTemplates();
  const dir = fromRoot('bench', 'data', `big-value-${sizeLabel}`);
  mkdirSync(dir, { recursive: true });
  const expectedFile = join(dir, 'expected.json');
  let expected: { logs: number; spans: number };
  if (existsSync(expectedFile)) expected = JSON.parse(readFileSync(expectedFile, 'utf8'));
  else {
    expected = generate(dir, size, tplDir);
    writeSync(openSync(expectedFile, 'w'), JSON.stringify(expected));
  }
  const mb = (f: string) => statSync(join(dir, f)).size / 1e6;
  process.stdout.write(`bench/big-value: ${sizeLabel} from ${tplDir}; ${expected.logs} log records, ${expected.spans} spans\n\n`);
  process.stdout.write('| input | MB | ingest s | MB/s | peak RSS MB | log records | spans | check |\n|---|---:|---:|---:|---:|---:|---:|---|\n');
  let ok = true;
  for (const [label, files] of [
    ['one logs request (one line) + one traces request (pretty-printed)', ['logs.json', 'spans.json']],
    ['the same records as JSON lines of ~1,000 records', ['lines.jsonl']],
  ] as const) {
    const db = join(dir, 'bench.duckdb');
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
    const r = await runStep(process.execPath, [fromRoot('bin', 'otel-agent-report.js'), 'ingest', ...files.map((f) => join(dir, f)), '--db', db, '--json']);
    const totals = r.code === 0 ? (JSON.parse(r.stdout).totals as Record<string, number>) : null;
    const good = totals !== null && totals.logs === expected.logs && totals.spans === expected.spans && totals.newLogs === expected.logs && totals.newSpans === expected.spans && totals.skipped === 0;
    ok &&= good;
    const inMb = files.reduce((a, f) => a + mb(f), 0);
    process.stdout.write(
      `| ${label} | ${inMb.toFixed(0)} | ${(r.wallMs / 1000).toFixed(2)} | ${(inMb / (r.wallMs / 1000)).toFixed(1)} | ${r.peakRss === null ? 'n/a' : (r.peakRss / 1e6).toFixed(0)} | ${totals?.newLogs ?? 'n/a'} | ${totals?.newSpans ?? 'n/a'} | ${good ? 'all stored' : `FAILED (exit ${r.code}) ${r.stderr.trim().split('\n').pop() ?? ''}`} |\n`,
    );
    rmSync(db, { force: true });
  }
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  process.exitCode = ok ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});

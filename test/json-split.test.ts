/**
 * JSON values too large to decode whole are cut into smaller requests (json-split.ts). With the
 * thresholds shrunk, every value of the real captures is cut, and what is stored must equal what
 * the whole values give: every raw row (record keys included), the request counts, the tokens.
 * Then the shapes around it: identical records in different parts, a value cut off, a top-level
 * array, a pretty-printed value, a record too large, a bad record's path, non-OTLP JSON.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverInputs } from '../src/ingest/discover.js';
import { splitValue } from '../src/ingest/json-split.js';
import { jsonValues } from '../src/ingest/json-values.js';
import { ingest, type FileReport, type IngestOptions } from '../src/ingest/load.js';
import { KeyMaker } from '../src/ingest/flatten.js';
import { LargeKeyMaker, rebased } from '../src/ingest/process.js';
import { COLUMNS } from '../src/ingest/sink.js';
import { openDb, type Db } from '../src/model/db.js';
import { buildModel } from '../src/model/facts.js';
import { capturePath, rows, type Agent } from './helpers/captures.js';
import { runCli } from './helpers/cli.js';

const TMP = mkdtempSync(join(tmpdir(), 'oar-split-test-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** Cut every value above 1 KB into parts of about 2 KB. */
const SMALL: IngestOptions = { split: { above: 1024, part: 2048 } };

async function load(paths: string[], opts: IngestOptions = {}): Promise<{ db: Db; reports: FileReport[] }> {
  const db = await openDb();
  const reports = await ingest(db, await discoverInputs(paths), { tempDir: TMP, ...opts });
  return { db, reports };
}

/** Every raw table's rows, in a stable order (file ids aside: the runs number files alike). */
async function rawRows(db: Db): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of Object.keys(COLUMNS)) {
    const cols = COLUMNS[table].map(([c]) => `"${c}"`).join(', ');
    out[table] = await rows(db, `SELECT ${cols} FROM ${table} ORDER BY ${cols}`);
  }
  return out;
}

const counts = (r: FileReport) => ({ requests: r.requests, spans: r.spans, logs: r.logs, metrics: r.metrics, metricPoints: r.metricPoints, skipped: r.skipped, problems: r.problems });

function writeTemp(name: string, text: string | Buffer): string {
  const dir = join(TMP, `in-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A capture's logs lines (requests of log records), parsed. */
function logRequests(agent: Agent): Record<string, any>[] {
  return readFileSync(capturePath(agent, 'otlp.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"resourceLogs"'))
    .map((l) => JSON.parse(l));
}

describe.each<Agent>(['codex', 'claude', 'gemini'])('%s capture, every value cut into parts', (agent) => {
  it.each([2, 0])('stores the rows the whole values give (%i workers)', async (workers) => {
    const path = capturePath(agent, 'otlp.jsonl');
    const whole = await load([path], { workers });
    const cut = await load([path], { ...SMALL, workers });
    expect(counts(cut.reports[0])).toEqual(counts(whole.reports[0]));
    expect(cut.reports[0].spans + cut.reports[0].logs + cut.reports[0].metricPoints).toBeGreaterThan(100);
    expect(await rawRows(cut.db)).toEqual(await rawRows(whole.db));
    for (const { db } of [whole, cut]) await buildModel(db);
    const tokens = 'SELECT agent, model, sum(input) i, sum(cache_read) cr, sum(cache_write) cw, sum(output) o, sum(reasoning) r, count(*) n FROM fact_model_calls GROUP BY ALL ORDER BY ALL';
    expect(await rows(cut.db, tokens)).toEqual(await rows(whole.db, tokens));
    whole.db.close();
    cut.db.close();
  });
});

describe('parts of one value', () => {
  it.each([2, 0])('keeps identical records that fall into different parts, with the keys of the whole request (%i workers)', async (workers) => {
    const req = logRequests('codex')[0];
    const records = req.resourceLogs[0].scopeLogs[0].logRecords;
    // six copies of the same record, then the rest: identical records within one request are distinct
    req.resourceLogs[0].scopeLogs[0].logRecords = [...Array(6).fill(records[0]), ...records];
    const path = writeTemp('dup.json', JSON.stringify(req));
    const whole = await load([path], { workers });
    const cut = await load([path], { workers, split: { above: 1024, part: JSON.stringify(records[0]).length * 2 + 10 } });
    expect(whole.reports[0].logs).toBe(records.length + 6);
    expect(counts(cut.reports[0])).toEqual(counts(whole.reports[0]));
    expect(await rawRows(cut.db)).toEqual(await rawRows(whole.db));
    expect(Number((await rows(cut.db, 'SELECT count(DISTINCT record_key) n FROM logs'))[0].n)).toBe(records.length + 6);
  });

  // ~6 MB of records in one request, cut into parts that fill several decode batches. Log copies
  // are distinct records, numbered within their request, so parts decoded on two workers, each
  // counting from 1, would give keys that collide (they go to one worker); spans are keyed by their
  // ids (given fresh here), so a traces request's parts go to either worker.
  it.each([
    ['logs', 'one worker', 'resourceLogs', 'scopeLogs', 'logRecords', 'SELECT count(DISTINCT record_key) n FROM logs'],
    ['spans', 'any worker', 'resourceSpans', 'scopeSpans', 'spans', 'SELECT count(DISTINCT span_id) n FROM spans'],
  ] as const)('stores every one of ~6 MB of %s in one request, decoded on %s', async (kind, _where, top, scopes, records, count) => {
    const req = readFileSync(capturePath('codex', 'otlp.jsonl'), 'utf8').split('\n').filter((l) => l.startsWith(`{"${top}"`)).map((l) => JSON.parse(l))[0];
    const record = req[top][0][scopes][0][records][0];
    const n = Math.ceil(6e6 / JSON.stringify(record).length);
    req[top][0][scopes][0][records] = Array.from({ length: n }, (_, i) => (kind === 'spans' ? { ...record, spanId: (0x1000000000000000n + BigInt(i)).toString(16) } : record));
    const cut = await load([writeTemp('many.json', JSON.stringify(req))], { workers: 2, split: { above: 1 << 20, part: 64 << 10 } });
    expect(kind === 'spans' ? cut.reports[0].spans : cut.reports[0].logs).toBe(n);
    expect(cut.reports[0].requests).toBe(1);
    expect(Number((await rows(cut.db, count))[0].n)).toBe(n);
  });

  it('reads the whole records of a value cut off, and says where it stops', async () => {
    const line = JSON.stringify(logRequests('claude')[0]);
    const cutAt = Math.floor(line.length * 0.6);
    const path = writeTemp('cut.json', line.slice(0, cutAt));
    const { db, reports } = await load([path], SMALL);
    const whole = logRequests('claude')[0].resourceLogs[0].scopeLogs[0].logRecords.length;
    expect(reports[0].logs).toBeGreaterThan(0);
    expect(reports[0].logs).toBeLessThan(whole);
    expect(reports[0].problems.map((p) => [p.where, p.message])).toEqual([
      [`line 1, byte ${cutAt}`, `the value ends before it closes (cut-off file?): what follows byte ${cutAt} of the value is not read`],
    ]);
    // the records read are the first ones of the request, whole
    const stored = await rows(db, 'SELECT count(*) n FROM logs');
    expect(Number(stored[0].n)).toBe(reports[0].logs);
  });

  it('cuts a top-level array and a pretty-printed value like a JSON line, and counts requests once', async () => {
    const reqs = logRequests('gemini');
    const line = await load([writeTemp('lines.jsonl', reqs.map((r) => JSON.stringify(r)).join('\n') + '\n')]);
    const array = await load([writeTemp('array.json', JSON.stringify(reqs))], SMALL);
    const prettyText = reqs.map((r) => JSON.stringify(r, null, 2)).join('\n');
    const pretty = await load([writeTemp('pretty.json', prettyText)], SMALL);
    const prettyWhole = await load([writeTemp('pretty.json', prettyText)]);
    expect(line.reports[0].requests).toBe(reqs.length);
    for (const other of [array, pretty]) {
      expect(other.reports[0].problems).toEqual([]);
      expect(other.reports[0].requests).toBe(reqs.length);
      expect(other.reports[0].logs).toBe(line.reports[0].logs);
      expect(await rawRows(other.db)).toEqual(await rawRows(line.db));
    }
    expect(pretty.reports[0].format).toBe(prettyWhole.reports[0].format);
    expect(array.reports[0].format).toBe('otlp-json');
  });

  it('skips a record larger than the limit, loads the rest, and names the record in the whole value', async () => {
    const req = logRequests('codex')[0];
    const recs = req.resourceLogs[0].scopeLogs[0].logRecords;
    const big = { ...recs[1], body: { stringValue: 'x'.repeat(5000) } };
    const bad = { ...recs[2], traceId: 'not-hex' };
    req.resourceLogs[0].scopeLogs[0].logRecords = [recs[0], big, ...recs.slice(2, 20), bad, ...recs.slice(20)];
    const text = JSON.stringify(req);
    const path = writeTemp('big-record.json', text);
    const { reports } = await load([path], { split: { above: 4096, part: 2048, maxUnit: 4096 } });
    const problems = reports[0].problems.map((p) => p.message);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^a record of 0\.0 MB is larger than 0\.0 MB: skipped$/);
    expect(reports[0].problems[0].where).toBe(`line 1, byte ${text.indexOf(JSON.stringify(big))}`);
    // the bad record is record 20 of the whole request, whatever part it came in
    expect(problems[1]).toMatch(/^record skipped: resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[20\]\.traceId: /);
    expect(reports[0].logs).toBe(req.resourceLogs[0].scopeLogs[0].logRecords.length - 2);
    expect(reports[0].skipped).toBe(2);
  });

  it('the CLI cuts a value over 16 MB, and the report names the line and byte of a bad record in it', async () => {
    // real thresholds, the real binary: ~17 MB of Claude Code log records in one request, one bad
    const req = logRequests('claude')[0];
    const recs = req.resourceLogs[0].scopeLogs[0].logRecords;
    const n = Math.ceil(17e6 / JSON.stringify(recs[0]).length);
    const all = Array.from({ length: n }, (_, i) => ({ ...recs[i % recs.length], observedTimeUnixNano: String(BigInt(recs[i % recs.length].observedTimeUnixNano) + BigInt(i)) }));
    const bad = n - 10;
    all[bad] = { ...all[bad], spanId: 'zz' };
    req.resourceLogs[0].scopeLogs[0].logRecords = all;
    const text = JSON.stringify(req);
    const path = writeTemp('body.json', text);
    const out = join(TMP, 'cli-report');
    const r = await runCli(['report', path, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const at = text.lastIndexOf(JSON.stringify(all[bad - 1]), text.indexOf('"spanId":"zz"'));
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.inputs.records.logs).toBe(n - 1);
    const md = readFileSync(join(out, 'report.md'), 'utf8').replace(/\\(?=[[\]])/g, ''); // Markdown escapes of brackets
    // the part holding it starts at or before the record before it; its index is the whole value's
    expect(md).toMatch(new RegExp(`line 1, byte [\\d,]+ \\| 1 \\| record skipped: resourceLogs\\[0\\]\\.scopeLogs\\[0\\]\\.logRecords\\[${bad}\\]\\.spanId`));
    const byte = Number(/line 1, byte ([\d,]+) \|/.exec(md)![1].replace(/,/g, ''));
    expect(byte).toBeGreaterThan(16e6);
    expect(byte).toBeLessThanOrEqual(at);
  }, 60_000);

  it('calls a large first value that is not OTLP not telemetry, and leaves no spooled file behind', async () => {
    const spool = join(TMP, 'spool');
    mkdirSync(spool);
    const path = writeTemp('big.json', JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ i, text: 'abc'.repeat(20) })) }));
    const { reports } = await load([path], { ...SMALL, tempDir: spool });
    expect(reports[0].status).toBe('not-telemetry');
    expect(reports[0].note).toMatch(/^not OpenTelemetry data: the first JSON value \(\d+ bytes\) names none of resourceSpans/);
    expect(readdirSync(spool)).toEqual([]);
  });
});

describe('splitValue', () => {
  it('gives each part the envelope of its records, whatever the order of the members', () => {
    // schemaUrl and the resource after the records, as protobuf field order does not promise
    const value = '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"a":1},{"a":2},{"a":3}],"scope":{"name":"s"},"schemaUrl":"u2"}],"resource":{"attributes":[]},"schemaUrl":"u1"}]}';
    const path = writeTemp('order.json', value);
    const fd = openSync(path, 'r');
    let id = 0;
    const events = [...splitValue(fd, value.length, 1, { part: 12, maxUnit: 1000, nextId: () => ++id })];
    closeSync(fd);
    expect(events[0]).toEqual({ kind: 'shape', otlp: true });
    const parts = events.slice(1).map((e) => (e.kind === 'unit' ? { text: JSON.parse(e.text.toString()), split: e.split } : e));
    const env = (recs: unknown[]) => ({ resourceLogs: [{ resource: { attributes: [] }, schemaUrl: 'u1', scopeLogs: [{ scope: { name: 's' }, schemaUrl: 'u2', logRecords: recs }] }] });
    expect(parts).toEqual([
      { text: env([{ a: 1 }]), split: { id: 1, pinned: true, part: 0, last: false, bases: [0, 0, 0] } },
      { text: env([{ a: 2 }]), split: { id: 1, pinned: true, part: 1, last: false, bases: [0, 0, 1] } },
      { text: env([{ a: 3 }]), split: { id: 1, pinned: true, part: 2, last: true, bases: [0, 0, 2] } },
    ]);
  });

  it('LargeKeyMaker gives the keys KeyMaker gives, repeats included, past several growths', () => {
    const small = new KeyMaker();
    const large = new LargeKeyMaker();
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const contents = Array.from({ length: 30000 }, () => `record ${next() % 12000}`);
    const a = contents.map((c) => small.key(c));
    const b = contents.map((c) => large.key(c));
    expect(b).toEqual(a);
    expect(new Set(b).size).toBe(contents.length); // every occurrence its own key
  });

  it('yields each part as it is made, not after reading the whole request', () => {
    const req = logRequests('codex')[0];
    const value = JSON.stringify(req);
    const path = writeTemp('lazy.json', value);
    const fd = openSync(path, 'r');
    let id = 0;
    const parts = splitValue(fd, Buffer.byteLength(value), 1, { part: 512, maxUnit: 1 << 20, nextId: () => ++id });
    expect(parts.next().value).toEqual({ kind: 'shape', otlp: true });
    expect(parts.next().value).toMatchObject({ kind: 'unit', split: { part: 0 } });
    // the later parts are still to be read from the file: with it closed, the next one fails
    closeSync(fd);
    expect(() => parts.next()).toThrow(/EBADF|bad file descriptor/i);
  });

  it('finds the same parts whatever the reads cut: escapes, quotes and keys across windows', () => {
    const tricky = ['a\\', '\\', 'q"q', '\\"', 'x\\\\', '{[', ']}', 'é ✓', '\u2028'];
    const value = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: tricky.map((t, i) => ({ key: `k${t}${i}`, value: { stringValue: t } })) },
          scopeLogs: [{ scope: { name: 's"\\' }, logRecords: tricky.map((t) => ({ body: { stringValue: t.repeat(3) }, attributes: [{ key: t, value: { stringValue: t } }] })), schemaUrl: '\\' }],
        },
      ],
    });
    const path = writeTemp('tricky.json', value);
    const fd = openSync(path, 'r');
    const parts = (window: number) => {
      let id = 0;
      return [...splitValue(fd, Buffer.byteLength(value), 1, { part: 150, maxUnit: 1 << 20, nextId: () => ++id, window })].map((e) => (e.kind === 'unit' ? e.text.toString() : e));
    };
    const whole = parts(1 << 20);
    expect(whole.length).toBeGreaterThan(4);
    const records = whole.slice(1).flatMap((t) => JSON.parse(t as string).resourceLogs[0].scopeLogs[0].logRecords);
    expect(records).toEqual(JSON.parse(value).resourceLogs[0].scopeLogs[0].logRecords);
    for (let w = 1; w <= 9; w++) expect(parts(w)).toEqual(whole);
    closeSync(fd);
  });

  it('jsonValues cuts pretty-printed values the same whatever the chunks: escapes across chunks', async () => {
    const tricky = ['a\\', '\\', 'q"q', '\\"', 'x\\\\', '{[', ']}', 'é ✓'];
    const text = tricky.map((t) => JSON.stringify({ resourceLogs: [{ k: t, [t]: [t, { t }] }] }, null, 1)).join('\n  ') + '\n';
    const values = async (size: number) => {
      const bytes = Buffer.from(text);
      async function* chunks() {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      }
      const out: unknown[] = [];
      for await (const item of jsonValues(chunks())) out.push('text' in item ? [item.text.toString(), item.line, item.byteOffset] : item);
      return out;
    };
    const whole = await values(1 << 20);
    expect(whole.map((v) => JSON.parse((v as [string])[0]))).toEqual(tricky.map((t) => ({ resourceLogs: [{ k: t, [t]: [t, { t }] }] })));
    for (let size = 1; size <= 9; size++) expect(await values(size)).toEqual(whole);
  });

  it('rebased: record paths get the indexes of the whole value', () => {
    expect(rebased('resourceSpans[0].scopeSpans[1].spans[2].events[0]: bad', [3, 4, 5])).toBe('resourceSpans[3].scopeSpans[5].spans[7].events[0]: bad');
    expect(rebased('resourceLogs[1]: not an object', [7])).toBe('resourceLogs[8]: not an object');
    expect(rebased('resourceLogs[0].scopeLogs[0].logRecords[4]: x', [2, 0, 100])).toBe('resourceLogs[2].scopeLogs[0].logRecords[104]: x');
  });
});

/**
 * Span rows written while parsing (otlp-json.ts RawSpans, taken by CsvSink) must be byte for byte
 * the CSV that flatten.ts + CsvSink write from the parsed values, with the same counts, times and
 * problems; or the parser must decline and leave the array to that path. Checked on every line of
 * the real captures, the bundled fixtures, hand-written span shapes and seeded random mutations.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Unit } from '../src/ingest/decode.js';
import { parseOtlpJson, RawSpans } from '../src/ingest/otlp-json.js';
import { processUnits } from '../src/ingest/process.js';
import { CsvSink } from '../src/ingest/sink.js';
import { capturePath, fixtureJsonLinesFiles, lineBuffers as lines, type Agent } from './helpers/captures.js';

const TMP = mkdtempSync(join(tmpdir(), 'span-rows-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
let runs = 0;

/** The CSV files (per table) and the batch result of `texts`, one unit each. */
function csv(texts: Buffer[], spanRows: boolean): { tables: Record<string, string>; result: unknown } {
  const sink = new CsvSink(TMP, `r${runs++}`);
  sink.fileId = 42;
  const units: Unit[] = texts.map((text, k) => ({ kind: 'json', text, location: { path: 'in.jsonl', line: k + 1 } }));
  const result = processUnits(units, sink, spanRows);
  const tables: Record<string, string> = {};
  for (const f of sink.finish()) {
    tables[f.table] = readFileSync(f.path, 'latin1');
    rmSync(f.path);
  }
  return { tables, result };
}

/** Both ways give the same bytes; returns how many spans arrays were written as rows. */
function expectSame(texts: Buffer[]): number {
  const rows = csv(texts, true);
  const values = csv(texts, false);
  expect(Object.keys(rows.tables).sort()).toEqual(Object.keys(values.tables).sort());
  for (const t of Object.keys(values.tables)) expect(rows.tables[t], t).toBe(values.tables[t]);
  expect(rows.result).toEqual(values.result);
  return texts.reduce((n, t) => n + rawArrays(t), 0);
}

/** How many `spans` arrays of a request the parser writes as rows. */
function rawArrays(text: Buffer): number {
  const body = parseOtlpJson(text, 1) as { resourceSpans?: unknown } | null;
  let n = 0;
  const list = (v: unknown) => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
  for (const r of list(body?.resourceSpans)) for (const s of list(r?.scopeSpans)) if (s?.spans instanceof RawSpans) n++;
  return n;
}

const AGENTS: Agent[] = ['codex', 'claude', 'gemini'];
const isTraces = (l: Buffer) => l.subarray(0, 40).includes('"resourceSpans"');

describe('span rows written while parsing', () => {
  it.each(AGENTS)('are the CSV of the parsed values for every line of the %s capture, and take every span there', (agent) => {
    const all = lines(capturePath(agent, 'otlp.jsonl'));
    const traces = all.filter(isTraces);
    expect(traces.length).toBeGreaterThan(5);
    const arrays = traces.reduce((n, t) => n + ((parseOtlpJson(t) as any).resourceSpans as any[]).reduce((m, r) => m + r.scopeSpans.length, 0), 0);
    // every spans array of the real agents' requests is written as rows: the fast way is the usual one
    expect(expectSame(all)).toBe(arrays);
  });

  it('are the CSV of the parsed values for the bundled sample and the bad-input fixtures', () => {
    const files = fixtureJsonLinesFiles();
    const texts = files.flatMap((f) => lines(f));
    expect(expectSame(texts)).toBeGreaterThan(10);
  });

  const req = (spans: string, tail = '') =>
    `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"scope":{"name":"s","version":"1"},"spans":[${spans}]${tail}}],"schemaUrl":"u"}]}`;
  const span = (extra = '', ids = '"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef"') =>
    `{${ids},"name":"n","kind":1,"startTimeUnixNano":"1700000000000000001","endTimeUnixNano":"1700000000000000002","attributes":[{"key":"a","value":{"stringValue":"x"}}]${extra}}`;
  const ev = (inner: string) => `,"events":[${inner}]`;

  // [name, request, written as rows?]
  const cases: [string, string, boolean][] = [
    ['plain', req(span()), true],
    ['two spans, second earlier', req(`${span()},${span().replace('"1700000000000000001"', '"5"').replace('"spanId":"0123456789abcdef"', '"spanId":"1123456789abcdef"')}`), true],
    ['all members', req(span(',"parentSpanId":"fedcba9876543210","traceState":"k=v","flags":257,"droppedAttributesCount":2,"events":[],"droppedEventsCount":0,"links":[],"droppedLinksCount":0,"status":{"message":"m","code":2}')), true],
    ['members in another order', req('{"status":{"code":1},"attributes":[],"name":"n","spanId":"0123456789abcdef","startTimeUnixNano":"9","traceId":"0123456789abcdef0123456789abcdef"}'), true],
    ['only ids', req('{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef"}'), true],
    ['empty spans', req(''), true],
    ['empty parent id', req(span(',"parentSpanId":""')), true],
    ['pretty-printed', req(' {\n "traceId" : "0123456789abcdef0123456789abcdef" ,\n "spanId":"0123456789abcdef", "status" : { "code" : 0 } , "events" : [ ] , "links" : [ ] }\n'), true],
    ['events', req(span(ev('{"timeUnixNano":"3","name":"e","attributes":[{"key":"k","value":{"intValue":"1"}}],"droppedAttributesCount":0},{"name":"f"},{}'))), true],
    ['event members in another order', req(span(ev('{"attributes":[],"name":"e","timeUnixNano":12}'))), true],
    ['unknown members', req(span(',"futureField":{"a":[1,2]},"status":{"code":0,"future":true}')), true],
    ['non-ASCII name', req(span(',"traceState":"é=✓"').replace('"name":"n"', '"name":"ключ 😀"')), true],
    ['unquoted times', req(span().replace('"startTimeUnixNano":"1700000000000000001"', '"startTimeUnixNano":170000000000000')), true],
    ['negative time', req(span().replace('"1700000000000000001"', '"-5"')), true],
    ['zero start', req(span().replace('"1700000000000000001"', '"0"')), true],
    ['schemaUrl after spans, a second scope', `{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[${span()}],"scope":{"name":"a"},"schemaUrl":"s1"},{"scope":{},"spans":[${span()}]}],"schemaUrl":"r"}]}`, true],
    // what the parser leaves to the values
    ['upper-case ids', req(span('', '"traceId":"0123456789ABCDEF0123456789ABCDEF","spanId":"0123456789ABCDEF"')), false],
    ['base64 ids', req(span('', '"traceId":"ASNFZ4mrze8BI0VniavN7w==","spanId":"ASNFZ4mrze8="')), false],
    ['bad id', req(span('', '"traceId":"0123","spanId":"0123456789abcdef"')), false],
    ['no span id', req('{"traceId":"0123456789abcdef0123456789abcdef"}'), false],
    ['escaped name', req(span().replace('"name":"n"', String.raw`"name":"a\"b\u00e9"`)), true],
    ['escaped member name', req(span().replace('"kind"', String.raw`"\u006bind"`)), true],
    ['kind by name', req(span().replace('"kind":1', '"kind":"SPAN_KIND_SERVER"')), false],
    ['kind 1.0', req(span().replace('"kind":1', '"kind":1.0')), false],
    ['kind as string digits', req(span().replace('"kind":1', '"kind":"2"')), false],
    ['big flags', req(span(',"flags":4294967295')), false],
    ['time with leading zero', req(span().replace('"1700000000000000001"', '"01"')), false],
    ['time -0', req(span().replace('"1700000000000000001"', '"-0"')), false],
    ['unquoted time of 19 digits', req(span().replace('"1700000000000000001"', '1700000000000000001')), false],
    ['time as exponent', req(span().replace('"1700000000000000001"', '1e3')), false],
    ['bad time', req(span().replace('"1700000000000000001"', '"12a"')), false],
    ['empty time', req(span().replace('"1700000000000000001"', '""')), false],
    ['null name', req(span().replace('"name":"n"', '"name":null')), false],
    ['status code by name', req(span(',"status":{"code":"STATUS_CODE_ERROR"}')), false],
    ['status message escaped', req(span(String.raw`,"status":{"message":"a\nb\u001f\ud800"}`)), true],
    ['name holding an escaped RS', req(span().replace('"name":"n"', String.raw`"name":"a\u001eb"`)), false],
    ['two status members', req(span(',"status":{"code":1},"status":{}')), false],
    ['duplicate name', req(span(',"name":"second"')), false],
    ['duplicate status code', req(span(',"status":{"code":1,"code":2}')), false],
    ['links', req(span(',"links":[{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef","attributes":[]}]')), false],
    ['snake_case member', req(span(',"parent_span_id":"fedcba9876543210"')), false],
    ['__proto__ member', req(span(',"__proto__":{"a":1}')), false],
    ['attributes null', req(span(',"attributes":null').replace(',"attributes":[{"key":"a","value":{"stringValue":"x"}}]', '')), false],
    ['attributes not a list', req(span().replace('"attributes":[{"key":"a","value":{"stringValue":"x"}}]', '"attributes":{"a":1}')), false],
    ['bad attribute value', req(span().replace('{"stringValue":"x"}', '{"intValue":"12a"}')), false],
    ['attribute list with an escaped key', req(span().replace('"key":"a"', String.raw`"key":"a\"b"`)), false],
    ['event not an object', req(span(ev('"e"'))), false],
    ['event with a bad time', req(span(ev('{"timeUnixNano":"x"}'))), false],
    ['event with an escaped name', req(span(ev(String.raw`{"name":"\u0041"}`))), true],
    ['event with snake_case time', req(span(ev('{"time_unix_nano":"3"}'))), false],
    ['span not an object', req('"x"'), false],
    ['one bad span among good ones', req(`${span()},{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef","name":5},${span()}`), false],
    ['a spans object in a logs request', '{"resourceLogs":[{"resource":{},"scopeLogs":[{"scope":{},"spans":[],"logRecords":[{"observedTimeUnixNano":"5","body":{"stringValue":"b"}}]}]}]}', false],
  ];

  it.each(cases)('span shape: %s', (_name, text, asRows) => {
    const buf = Buffer.from(text);
    const n = expectSame([buf]);
    expect(n > 0).toBe(asRows);
  });

  it('tracks the earliest and latest positive start of rows written while parsing', () => {
    const starts = ['"0"', '"-5"', '"7"', '"30"', '"3"', '"12"'];
    const spans = starts.map((t, k) => span().replace('"1700000000000000001"', t).replace('"spanId":"0123456789abcdef"', `"spanId":"${String(k).repeat(16)}"`));
    const text = Buffer.from(req(spans.join(',')));
    expect(rawArrays(text)).toBe(1);
    expect(csv([text], true).result).toMatchObject({ spans: 6, minTimeNs: '3', maxTimeNs: '30' });
    expectSame([text]);
  });

  it('writes a span name of invalid UTF-8 as the values path decodes it', () => {
    for (const bad of [[0xff], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const [head, tail] = req(span()).split('"name":"n"');
      const text = Buffer.concat([Buffer.from(head + '"name":"a'), Buffer.from(bad), Buffer.from('b"' + tail)]);
      expect(expectSame([text])).toBe(1);
    }
  });

  it('agrees with the values path on 2,000 seeded random mutations of capture span lines', () => {
    let seed = 11;
    const rand = (k: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % k;
    };
    const pool = AGENTS.flatMap((a) => lines(capturePath(a, 'otlp.jsonl'))).filter((l) => isTraces(l) && l.length < 300_000);
    const inserts = ['\\"', '\\u0041', '"', ',', ']', '}', '{', '0', '-', 'e', '_', ' ', 'A', '[]', '\u0001', 'é'];
    const texts: Buffer[] = [];
    for (let t = 0; t < 2000; t++) {
      let text = pool[rand(pool.length)].toString('latin1');
      for (let m = 1 + rand(3); m > 0; m--) {
        const at = rand(text.length);
        const op = rand(4);
        if (op === 0) text = text.slice(0, at) + inserts[rand(inserts.length)] + text.slice(at);
        else if (op === 1) text = text.slice(0, at) + text.slice(at + 1);
        else if (op === 2) {
          // duplicate a span member (JSON.parse keeps the last)
          const k = text.indexOf('"name":', at);
          const e = k < 0 ? -1 : text.indexOf(',', k);
          if (e > 0) text = text.slice(0, e) + ',' + text.slice(k, e) + text.slice(e);
        } else {
          // upper-case one hex digit of an id
          const k = text.indexOf('Id":"', at);
          if (k > 0) text = text.slice(0, k + 5) + text[k + 5].toUpperCase() + text.slice(k + 6);
        }
      }
      texts.push(Buffer.from(text, 'latin1'));
    }
    // most mutations leave JSON the writer takes: the comparison is not empty
    expect(expectSame(texts)).toBeGreaterThan(500);
  });
});

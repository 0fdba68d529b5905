/**
 * The OTLP/JSON parser that renders attribute lists while reading (src/ingest/otlp-json.ts) must
 * give exactly the rows the flattener makes from JSON.parse, or decline. Checked on every line of
 * the real captures and the bundled fixtures, on hand-written edge cases, and on seeded random
 * mutations of capture lines.
 */
import { describe, expect, it } from 'vitest';
import { flattenRequest, jsonSignal } from '../src/ingest/flatten.js';
import { parseOtlpJson } from '../src/ingest/otlp-json.js';
import type { RowSink } from '../src/ingest/rows.js';
import { capturePath, fixtureJsonLinesFiles, lineBuffers as lines, type Agent } from './helpers/captures.js';

type Rows = [string, unknown][];

/** A sink that keeps every row it gets, with the table it was for. */
function recorder(): { sink: RowSink; rows: Rows } {
  const rows: Rows = [];
  const sink = new Proxy({}, { get: (_t, table) => (row: object) => rows.push([String(table), { ...row }]) }) as RowSink;
  return { sink, rows };
}

function flatten(body: Record<string, unknown>): { rows: Rows; result: unknown } {
  const { sink, rows } = recorder();
  const signal = jsonSignal(body);
  if (!signal) return { rows, result: 'not OTLP' };
  const r = flattenRequest(signal, body, sink);
  return { rows, result: { ...r, serviceNames: [...r.serviceNames] } };
}

/** Both paths on one text: null when the fast parser declines, else both flattenings. */
function both(text: string | Buffer): { fast: ReturnType<typeof flatten>; slow: ReturnType<typeof flatten> } | null {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  const fast = parseOtlpJson(buf);
  if (fast === null) return null;
  // Whatever the fast parser accepts, JSON.parse accepts too (it would throw here otherwise).
  const slow = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
  return { fast: flatten(fast), slow: flatten(slow) };
}

function expectSame(text: string | Buffer): 'accepted' | 'declined' {
  const r = both(text);
  if (r === null) return 'declined';
  expect(r.fast).toEqual(r.slow);
  return 'accepted';
}

const AGENTS: Agent[] = ['codex', 'claude', 'gemini'];

describe('OTLP/JSON parser with rendered attributes', () => {
  it.each(AGENTS)('gives the rows of JSON.parse for every line of the %s capture, declining none', (agent) => {
    const all = lines(capturePath(agent, 'otlp.jsonl'));
    expect(all.length).toBeGreaterThan(10);
    const outcome = all.map((l) => expectSame(l));
    expect(outcome.filter((o) => o === 'declined')).toEqual([]);
  });

  it('gives the rows of JSON.parse for the bundled sample and the bad-input fixtures, or declines', () => {
    const files = fixtureJsonLinesFiles();
    let accepted = 0;
    let declined = 0;
    for (const f of files)
      for (const l of lines(f)) {
        if (expectSame(l) === 'accepted') accepted++;
        else declined++;
      }
    expect(accepted).toBeGreaterThan(50);
    // the bad fixtures hold invalid JSON, snake_case and base64 lines: some are declined
    expect(declined).toBeGreaterThan(0);
  });

  const span = (attrs: string, extra = '') =>
    `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"scope":{"name":"s"},"spans":[{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef","name":"n","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":${attrs}${extra}}]}]}]}`;
  const log = (attrs: string, body = '{"stringValue":"b"}') =>
    `{"resourceLogs":[{"resource":{"attributes":[]},"scopeLogs":[{"scope":{},"logRecords":[{"observedTimeUnixNano":"5","body":${body},"attributes":${attrs}}]}]}]}`;
  const kv = (k: string, v: string) => `{"key":${k},"value":${v}}`;

  const cases: [string, string][] = [
    ['string', kv('"a"', '{"stringValue":"x"}')],
    ['canonical escapes', kv('"a"', String.raw`{"stringValue":"q\"b\\n\nt\tc\u0001d\u001f"}`)],
    ['escaped slash', kv('"a"', String.raw`{"stringValue":"a\/b"}`)],
    ['escaped letter', kv('"a"', String.raw`{"stringValue":"\u0041"}`)],
    ['upper-case hex escape', kv('"a"', String.raw`{"stringValue":"\u001F"}`)],
    ['escaped newline as \\u000a', kv('"a"', String.raw`{"stringValue":"\u000a"}`)],
    ['HTML-safe escapes (Go)', kv('"a"', String.raw`{"stringValue":"\u003cb\u003e \u0026 \u2028"}`)],
    ['lone surrogate', kv('"a"', String.raw`{"stringValue":"\ud800"}`)],
    ['non-ASCII', kv('"ключ"', '{"stringValue":"é ✓ 😀"}')],
    ['escaped key', kv(String.raw`"a\"b"`, '{"stringValue":"x"}')],
    ['int as string', kv('"a"', '{"intValue":"123"}')],
    ['negative int', kv('"a"', '{"intValue":"-42"}')],
    ['int with leading zeros', kv('"a"', '{"intValue":"007"}')],
    ['minus zero', kv('"a"', '{"intValue":"-0"}')],
    ['empty int', kv('"a"', '{"intValue":""}')],
    ['int as number', kv('"a"', '{"intValue":12}')],
    ['big int as number', kv('"a"', '{"intValue":12345678901234567890}')],
    ['int as exponent', kv('"a"', '{"intValue":1e3}')],
    ['big int as string', kv('"a"', '{"intValue":"123456789012345678901234"}')],
    ['bad int', kv('"a"', '{"intValue":"12a"}')],
    ['bool', `${kv('"a"', '{"boolValue":true}')},${kv('"b"', '{"boolValue":false}')}`],
    ['bool as string', kv('"a"', '{"boolValue":"true"}')],
    ['double', `${kv('"a"', '{"doubleValue":1.50}')},${kv('"b"', '{"doubleValue":"NaN"}')},${kv('"c"', '{"doubleValue":1e999}')}`],
    ['array and kvlist', kv('"a"', '{"arrayValue":{"values":[{"intValue":"1"},{"stringValue":"s"}]}}') + ',' + kv('"b"', '{"kvlistValue":{"values":[{"key":"k","value":{"boolValue":true}}]}}')],
    ['bytes', kv('"a"', '{"bytesValue":"AAE="}')],
    ['empty value', kv('"a"', '{}')],
    ['null value', kv('"a"', 'null')],
    ['missing value', '{"key":"a"}'],
    ['value not an object', kv('"a"', '"x"')],
    ['missing key', '{"value":{"stringValue":"x"}}'],
    ['key not a string', kv('5', '{"stringValue":"x"}')],
    ['duplicate key: first wins', `${kv('"a"', '{"stringValue":"1"}')},${kv('"a"', '{"stringValue":"2"}')}`],
    ['duplicate key with a bad second value', `${kv('"a"', '{"stringValue":"1"}')},${kv('"a"', '"bad"')}`],
    ['duplicate members: last wins', '{"key":"a","key":"b","value":{"stringValue":"1"},"value":{"intValue":"2"}}'],
    ['two members in a value', kv('"a"', '{"stringValue":"s","intValue":"1"}')],
    ['string member after an int', kv('"a"', '{"intValue":"1","stringValue":"s"}')],
    ['extra member', '{"key":"a","value":{"stringValue":"x"},"other":[1,{"x":null}]}'],
    ['whitespace', ' { "key" : "a" , "value" : { "stringValue" : "x" } } '],
    ['__proto__ key', kv('"__proto__"', '{"stringValue":"x"}')],
    ['item not an object', '"a"'],
  ];

  it.each(cases)('attribute list: %s', (_name, items) => {
    for (const text of [span(`[${items}]`), log(`[${items}]`)]) expectSame(text);
  });

  it('renders the lists the Collector writes without falling back (the shapes the speed comes from)', () => {
    const r = parseOtlpJson(Buffer.from(span(`[${cases.slice(0, 2).map((c) => c[1]).join(',')}]`))) as any;
    const attrs = r.resourceSpans[0].scopeSpans[0].spans[0].attributes;
    expect(Array.isArray(attrs)).toBe(false);
    expect(attrs.json).toBe(String.raw`{"a":"x"}`);
  });

  const bodies: [string, string][] = [
    ['plain', '{"resourceSpans":[]}'],
    ['whitespace everywhere', ' {\n "resourceSpans" : [ ] } \n'],
    ['attributes null', span('null')],
    ['attributes empty', span('[]')],
    ['attributes not an array', span('{"a":1}')],
    ['event attributes and links', span('[]', ',"events":[{"timeUnixNano":"3","name":"e","attributes":[{"key":"k","value":{"intValue":"1"}}]}],"links":[{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef","attributes":[]}]')],
    ['log body kinds', log('[]', '{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}}]}}')],
    ['log body string with escapes', log('[]', String.raw`{"stringValue":"a\"b\u00e9"}`)],
    ['numbers', span('[]', ',"kind":1,"flags":256,"droppedAttributesCount":0,"status":{"code":2,"message":"m"}')],
    ['number grammar', span('[]', ',"kind":1.0e0')],
    ['number arrays', '{"resourceMetrics":[{"resource":{},"scopeMetrics":[{"scope":{},"metrics":[{"name":"h","histogram":{"aggregationTemporality":1,"dataPoints":[{"startTimeUnixNano":"1","timeUnixNano":"2","count":"3","sum":1.5,"bucketCounts":["1","2",0],"explicitBounds":[-1,0.5e1,2],"attributes":[{"key":"a","value":{"stringValue":"]"}}]}]}}]}]}]}'],
    ['array with a string holding ]', span('[]', ',"x":[1,"]",2]')],
    ...(
      [
        ['bucket counts as strings', '["0","12","3"]'],
        ['bucket counts as numbers', '[0,12,3]'],
        ['empty bucket counts', '[ ]'],
        ['bucket counts with whitespace', '[ "1" , 2 ]'],
        ['bucket counts with a leading zero', '["007",1]'],
        ['negative bucket count', '["-1",1]'],
        ['bucket count of 16 digits', '[1234567890123456]'],
        ['bucket count of 20 digits', '[12345678901234567890]'],
        ['bucket count of 25 digit text', '["1234567890123456789012345"]'],
        ['bucket count as exponent', '[1e3]'],
        ['bucket count as double', '[1.5]'],
        ['bucket count null', '[null]'],
      ] as const
    ).map(([name, counts]): [string, string] => [
      name,
      `{"resourceMetrics":[{"resource":{},"scopeMetrics":[{"scope":{},"metrics":[{"name":"h","histogram":{"aggregationTemporality":2,"dataPoints":[{"timeUnixNano":"2","count":"3","bucketCounts":${counts},"explicitBounds":[1,2]},{"timeUnixNano":"3","count":"4","bucketCounts":${counts},"explicitBounds":[1,2]},{"timeUnixNano":"4","count":"4","bucketCounts":${counts},"explicitBounds":[1,2.5]},{"timeUnixNano":"5","count":"4","bucketCounts":${counts},"explicitBounds":[1,2]}]}}]}]}]}`,
    ]),
    ['the same bounds bytes, then other values', '{"resourceMetrics":[{"resource":{},"scopeMetrics":[{"scope":{},"metrics":[{"name":"h","histogram":{"dataPoints":[{"explicitBounds":[1,2]},{"explicitBounds":[1,2]},{"explicitBounds":[1,2,3]},{"explicitBounds":[1,"NaN"]},{"explicitBounds":[1,"NaN"]},{"explicitBounds":[1,2]}]}}]}]}]}'],
    ['__proto__ member', span('[]', ',"__proto__":{"a":1}')],
    ['duplicate member', span('[]', ',"name":"second"')],
    ['snake_case', '{"resource_spans":[{"resource":{},"scope_spans":[{"spans":[{"trace_id":"0123456789abcdef0123456789abcdef","span_id":"0123456789abcdef"}]}]}]}'],
    ['top-level array', '[{"resourceSpans":[]}]'],
  ];
  it.each(bodies)('request: %s', (_name, text) => {
    expectSame(text);
  });

  const invalid = [
    '{"resourceSpans":[],}',
    '{"resourceSpans":[1,]}',
    '{"resourceSpans":[]} x',
    '{"a":"raw\tcontrol"}',
    String.raw`{"a":"bad \x escape"}`,
    String.raw`{"a":"short \u12 escape"}`,
    '{"a":01}',
    '{"a":-}',
    '{"a":1.}',
    '{"a":.5}',
    '{"a":tru}',
    '{"a" 1}',
    '{"resourceSpans":[',
    '{"a":"unterminated',
    span('[{"key":"a","value":{"stringValue":"x"}},]'),
    span('[{"key":"a","value":{"stringValue":"x"}}'),
    '{"a":' + '['.repeat(100) + ']'.repeat(100) + '}',
  ];
  it.each(invalid)('declines what JSON.parse rejects or does not handle: %s', (text) => {
    const fast = parseOtlpJson(Buffer.from(text));
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
    }
    if (!parses) expect(fast).toBeNull();
    else expectSame(text);
  });

  it('treats invalid UTF-8 as JSON.parse of the decoded text does', () => {
    for (const bad of [[0xff], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const text = Buffer.concat([Buffer.from(span(`[{"key":"k`)), Buffer.from(bad), Buffer.from(`","value":{"stringValue":"v`), Buffer.from(bad), Buffer.from('"}}]')]);
      expectSame(text);
    }
  });

  it('agrees with JSON.parse on 3,000 seeded random mutations of capture lines', () => {
    let seed = 7;
    const rand = (k: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % k;
    };
    const pool = AGENTS.flatMap((a) => lines(capturePath(a, 'otlp.jsonl'))).filter((l) => l.length < 200_000);
    const inserts = ['\\"', '\\\\', '\\/', '\\u0041', '\\u001f', '\\n', 'é', ' ', '"', ',', ']', '}', '{', '\\', '0', '-', 'e', '\u0001'];
    let accepted = 0;
    for (let t = 0; t < 3000; t++) {
      const src = pool[rand(pool.length)];
      let text = src.toString('latin1');
      for (let m = 1 + rand(3); m > 0; m--) {
        const at = rand(text.length);
        const op = rand(3);
        if (op === 0) text = text.slice(0, at) + inserts[rand(inserts.length)] + text.slice(at);
        else if (op === 1) text = text.slice(0, at) + text.slice(at + 1);
        else {
          // duplicate an attribute entry (a duplicate key: the first must win)
          const k = text.indexOf('{"key":', at);
          const e = k < 0 ? -1 : text.indexOf('}},', k);
          if (e > 0) text = text.slice(0, k) + text.slice(k, e + 3) + text.slice(k);
        }
      }
      if (expectSame(Buffer.from(text, 'latin1')) === 'accepted') accepted++;
    }
    // most mutations leave valid JSON (inside strings, or duplicates): the comparison is not empty
    expect(accepted).toBeGreaterThan(500);
  });
});

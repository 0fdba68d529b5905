import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { afterAll, describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace, ROOT_CONTEXT, TraceFlags, ValueType } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import {
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationType, DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { ExponentialHistogram, Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { decodeProtobufRequest, detectProtobufSignal, splitProtobufFrames } from '../src/ingest/otlp-proto.js';
import { readSource, type ReadInfo } from '../src/ingest/read.js';
import { int64String, uint64String } from '../src/ingest/proto/wire.js';
import type { Signal } from '../src/ingest/types.js';

type Obj = Record<string, any>;

const CAPTURES = path.resolve(__dirname, '../../shared/captures');
const PROTO_DIR = path.resolve(__dirname, '../src/ingest/proto');

interface ManifestLine {
  file: string;
  protocol: string;
  signal: Signal;
  items: number;
  jsonlLine: number;
}

interface Capture extends ManifestLine {
  agent: string;
  body: Buffer;
  expected: Obj;
}

function loadCaptures(): Capture[] {
  const out: Capture[] = [];
  for (const agent of ['codex', 'claude', 'gemini']) {
    const dir = path.join(CAPTURES, agent);
    const jsonl = readFileSync(path.join(dir, 'otlp.jsonl'), 'utf8').split('\n');
    for (const line of readFileSync(path.join(dir, 'manifest.jsonl'), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const m = JSON.parse(line) as ManifestLine;
      if (!m.file.endsWith('.pb.gz')) continue;
      out.push({
        ...m,
        agent,
        // The raw files are gzipped at rest; gunzip gives the body (for gRPC, the message).
        body: gunzipSync(readFileSync(path.join(dir, m.file))),
        expected: JSON.parse(jsonl[m.jsonlLine - 1]),
      });
    }
  }
  return out;
}

const captures = loadCaptures();
const ITEM_KEYS: Record<Signal, [string, string, string]> = {
  traces: ['resourceSpans', 'scopeSpans', 'spans'],
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
};

/** The items of a request (spans, log records or metrics), in order. */
function items(body: Obj, signal: Signal): Obj[] {
  const [r, s, i] = ITEM_KEYS[signal];
  return (body[r] ?? []).flatMap((res: Obj) => (res[s] ?? []).flatMap((scope: Obj) => scope[i] ?? []));
}

const countItems = (body: Obj, signal: Signal) => items(body, signal).length;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'otlp-proto-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function zstdCompress(bytes: Uint8Array): Buffer {
  const src = path.join(tmp, `in-${Math.random().toString(36).slice(2)}`);
  writeFileSync(src, bytes);
  execFileSync('/usr/bin/zstd', ['-q', '-f', src, '-o', `${src}.zst`]);
  return readFileSync(`${src}.zst`);
}

function be32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Collector file exporter `proto` record: 4-byte big-endian length + payload. */
const lpRecord = (payload: Uint8Array) => Buffer.concat([be32(payload.length), payload]);
/** gRPC message: compressed flag + 4-byte big-endian length + payload. */
const grpcFrame = (payload: Uint8Array, compressed = false) =>
  Buffer.concat([Buffer.from([compressed ? 1 : 0]), be32(payload.length), payload]);

// ---------------------------------------------------------------------------------------------

describe('captured agent protobuf bodies', () => {
  it('covers every protobuf capture of every agent', () => {
    const perAgent = Object.fromEntries(['codex', 'claude', 'gemini'].map((a) => [a, captures.filter((c) => c.agent === a).length]));
    expect(perAgent).toEqual({ codex: 18, claude: 20, gemini: 14 });
  });

  it.each(captures.map((c) => [`${c.agent} ${c.file}`, c] as const))('%s decodes to its otlp.jsonl line', (_name, cap) => {
    const split = splitProtobufFrames(cap.body);
    // The receiver stored gRPC messages without their 5-byte frame (gemini's already gunzipped),
    // so every capture is a raw request body.
    expect(split).toMatchObject({ framing: 'single', problems: [] });
    expect(split.frames).toHaveLength(1);
    const msg = split.frames[0].bytes;
    expect(detectProtobufSignal(msg)).toBe(cap.signal);
    // Content wins over a misleading file name.
    expect(detectProtobufSignal(msg, 'logs-and-more.pb')).toBe(cap.signal);
    const decoded = decodeProtobufRequest(msg, cap.signal);
    expect(decoded).toEqual(cap.expected);
    expect(countItems(decoded, cap.signal)).toBe(cap.items);
  });
});

// ---------------------------------------------------------------------------------------------

describe('splitProtobufFrames', () => {
  const bodies = captures.filter((c) => c.agent === 'claude').slice(0, 4).map((c) => c.body);
  const zstdBody = captures.find((c) => c.signal === 'metrics' && c.agent === 'codex')!.body;

  it('splits a Collector `proto` file, decompressing legacy per-record zstd', () => {
    const compressed = zstdCompress(zstdBody);
    expect([...compressed.subarray(0, 4)]).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
    const records = [...bodies, compressed].map(lpRecord);
    const file = Buffer.concat(records);
    const split = splitProtobufFrames(file);
    expect(split.framing).toBe('length-prefixed');
    expect(split.problems).toEqual([]);
    expect(split.frames.map((f) => Buffer.from(f.bytes))).toEqual([...bodies, zstdBody]);
    let offset = 0;
    expect(split.frames.map((f) => f.byteOffset)).toEqual(records.map((r) => ((offset += r.length), offset - r.length)));
    // Mixed signals in one file are told apart per record.
    expect(split.frames.map((f) => detectProtobufSignal(f.bytes))).toEqual([
      ...captures.filter((c) => c.agent === 'claude').slice(0, 4).map((c) => c.signal),
      'metrics',
    ]);
  });

  it('keeps the good records of a file whose last record is cut off', () => {
    const records = bodies.map(lpRecord);
    const file = Buffer.concat(records);
    const lastStart = file.length - records[3].length;
    for (const cut of [file.length - 10, lastStart + 2]) {
      const split = splitProtobufFrames(file.subarray(0, cut));
      expect(split.framing).toBe('length-prefixed');
      expect(split.frames.map((f) => Buffer.from(f.bytes))).toEqual(bodies.slice(0, 3));
      expect(split.problems).toHaveLength(1);
      expect(split.problems[0].byteOffset).toBe(lastStart);
      expect(split.problems[0].message).toMatch(/cut off/);
    }
  });

  it('reports a record that does not decompress and keeps the others', () => {
    const bad = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5]);
    const file = Buffer.concat([lpRecord(bodies[0]), lpRecord(bad), lpRecord(bodies[1])]);
    const split = splitProtobufFrames(file);
    expect(split.framing).toBe('length-prefixed');
    expect(split.frames.map((f) => f.byteOffset)).toEqual([0, 4 + bodies[0].length + 4 + bad.length]);
    expect(split.problems).toEqual([{ byteOffset: 4 + bodies[0].length, message: expect.stringMatching(/decompress/) }]);
  });

  it('splits gRPC frames, gunzipping and un-zstd-ing compressed messages', () => {
    const frames = [grpcFrame(bodies[0]), grpcFrame(gzipSync(bodies[1]), true), grpcFrame(zstdCompress(bodies[2]), true)];
    const split = splitProtobufFrames(Buffer.concat(frames));
    expect(split.framing).toBe('grpc');
    expect(split.problems).toEqual([]);
    expect(split.frames.map((f) => Buffer.from(f.bytes))).toEqual(bodies.slice(0, 3));
    expect(split.frames.map((f) => f.byteOffset)).toEqual([0, frames[0].length, frames[0].length + frames[1].length]);
  });

  it('reports a gRPC message flagged compressed with an unknown codec', () => {
    const file = Buffer.concat([grpcFrame(Buffer.from('snappy?'), true), grpcFrame(bodies[0])]);
    const split = splitProtobufFrames(file);
    expect(split.framing).toBe('grpc');
    expect(split.frames.map((f) => f.byteOffset)).toEqual([12]);
    expect(split.problems).toEqual([{ byteOffset: 0, message: expect.stringMatching(/neither gzip, zlib nor zstd/) }]);
  });

  it('reports a cut-off gRPC frame with its offset', () => {
    const file = Buffer.concat([grpcFrame(bodies[0]), grpcFrame(bodies[1])]);
    const split = splitProtobufFrames(file.subarray(0, file.length - 1));
    expect(split.framing).toBe('grpc');
    expect(split.frames).toHaveLength(1);
    expect(split.problems).toEqual([{ byteOffset: 5 + bodies[0].length, message: expect.stringMatching(/cut off/) }]);
  });

  it('treats a raw body as a single message and an empty buffer as no messages', () => {
    expect(splitProtobufFrames(bodies[0])).toEqual({ framing: 'single', frames: [{ byteOffset: 0, bytes: bodies[0] }], problems: [] });
    expect(splitProtobufFrames(new Uint8Array(0))).toEqual({ framing: 'single', frames: [], problems: [] });
  });

  it('gives no frames and a clear problem for data that is not OTLP protobuf', () => {
    const notProto = (bytes: Uint8Array, message: RegExp, byteOffset = 0) =>
      expect(splitProtobufFrames(bytes)).toEqual({ framing: 'single', frames: [], problems: [{ byteOffset, message: expect.stringMatching(message) }] });
    notProto(Buffer.from('{"resourceSpans":[]}\n'), /^not OTLP protobuf \(starts 7b227265736f7572\): it is neither a raw request body, gRPC frames nor length-prefixed records/);
    notProto(gzipSync(bodies[0]), /gzip-compressed .*decompress it first/);
    // Starts like a request (0x0a) but breaks at once: reported where it breaks.
    notProto(Buffer.from('\nhello world, this is text'), /^not a complete OTLP protobuf request body \(cut off or corrupt\): length 104 runs past/, 1);
    // A raw body cut within its first record has no whole record to keep.
    const first = captures.find((c) => countItems(decodeProtobufRequest(c.body, c.signal), c.signal) > 1)!;
    notProto(first.body.subarray(0, 40), /^not a complete OTLP protobuf request body \(cut off or corrupt\)/, 1);
  });

  it('keeps the whole records of a raw body that is cut off, and says where it breaks', () => {
    // Every capture body with several records, of all three signals, cut at eight points.
    const many = captures.filter((c) => items(decodeProtobufRequest(c.body, c.signal), c.signal).length > 2);
    expect(new Set(many.map((c) => c.signal))).toEqual(new Set(['traces', 'logs', 'metrics']));
    let salvaged = 0;
    for (const cap of many) {
      const all = items(decodeProtobufRequest(cap.body, cap.signal), cap.signal);
      for (let k = 1; k <= 8; k++) {
        const cut = Math.floor((cap.body.length * k) / 9);
        const split = splitProtobufFrames(cap.body.subarray(0, cut));
        expect(split.problems).toHaveLength(1);
        expect(split.problems[0].message).toMatch(/cut off or corrupt/);
        if (split.frames.length === 0) continue; // cut within the first record
        salvaged++;
        expect(split.framing).toBe('single');
        expect(split.problems[0].byteOffset).toBeLessThanOrEqual(cut);
        expect(split.problems[0].message).toMatch(/records whole before byte \d+ are kept/);
        expect(detectProtobufSignal(split.frames[0].bytes)).toBe(cap.signal);
        // The records kept are the body's first ones, exactly as in the whole body, and not all.
        const kept = items(decodeProtobufRequest(split.frames[0].bytes, cap.signal), cap.signal);
        expect(kept.length).toBeGreaterThan(0);
        expect(kept.length).toBeLessThan(all.length);
        expect(kept).toEqual(all.slice(0, kept.length));
        // Cut exactly where it said it breaks (between two records): the same records, the same byte.
        const at = split.problems[0].byteOffset;
        const again = splitProtobufFrames(cap.body.subarray(0, at));
        expect(again.problems.map((p) => p.byteOffset)).toEqual([at]);
        expect(items(decodeProtobufRequest(again.frames[0].bytes, cap.signal), cap.signal)).toEqual(kept);
      }
    }
    expect(salvaged).toBeGreaterThan(many.length * 4);
  });
});

// ---------------------------------------------------------------------------------------------
// Every field of the v1.11 protos, encoded by protobufjs from the vendored .proto files.

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
root.loadSync(
  ['trace', 'logs', 'metrics'].map((s) => `opentelemetry/proto/collector/${s}/v1/${s}_service.proto`),
  { keepCase: false },
);
const encode = (type: string, obj: Obj) => {
  const T = root.lookupType(`opentelemetry.proto.collector.${type}`);
  return T.encode(T.fromObject(obj)).finish();
};

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const id = (hex: string) => Buffer.from(hex, 'hex');
const kvIn = (key: string, value: Obj) => ({ key, value });

/** The same AnyValues as protobufjs input and as canonical OTLP/JSON. */
const ANY_IN = [
  kvIn('s', { stringValue: 'héllo ✓' }),
  kvIn('empty', { stringValue: '' }),
  kvIn('f', { boolValue: false }),
  kvIn('i', { intValue: '-9223372036854775808' }),
  kvIn('big', { intValue: '9007199254740993' }),
  kvIn('d', { doubleValue: 1.5 }),
  kvIn('nan', { doubleValue: NaN }),
  kvIn('inf', { doubleValue: -Infinity }),
  kvIn('b', { bytesValue: Buffer.from([0, 255, 1]) }),
  kvIn('arr', { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '-1' }, { arrayValue: { values: [{ boolValue: true }] } }] } }),
  kvIn('kv', { kvlistValue: { values: [kvIn('inner', { kvlistValue: { values: [kvIn('z', { doubleValue: 0 })] } })] } }),
  kvIn('emptyArr', { arrayValue: {} }),
  kvIn('none', {}),
];
const ANY_OUT = [
  { key: 's', value: { stringValue: 'héllo ✓' } },
  { key: 'empty', value: { stringValue: '' } },
  { key: 'f', value: { boolValue: false } },
  { key: 'i', value: { intValue: '-9223372036854775808' } },
  { key: 'big', value: { intValue: '9007199254740993' } },
  { key: 'd', value: { doubleValue: 1.5 } },
  { key: 'nan', value: { doubleValue: 'NaN' } },
  { key: 'inf', value: { doubleValue: '-Infinity' } },
  { key: 'b', value: { bytesValue: 'AP8B' } },
  { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '-1' }, { arrayValue: { values: [{ boolValue: true }] } }] } } },
  { key: 'kv', value: { kvlistValue: { values: [{ key: 'inner', value: { kvlistValue: { values: [{ key: 'z', value: { doubleValue: 0 } }] } } }] } } },
  { key: 'emptyArr', value: { arrayValue: {} } },
  { key: 'none', value: {} },
];

const RESOURCE_IN = {
  attributes: [kvIn('service.name', { stringValue: 'svc' })],
  droppedAttributesCount: 2,
  entityRefs: [{ schemaUrl: 'https://e', type: 'service', idKeys: ['service.name'], descriptionKeys: ['a', 'b'] }],
};
const RESOURCE_OUT = {
  attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }],
  droppedAttributesCount: 2,
  entityRefs: [{ schemaUrl: 'https://e', type: 'service', idKeys: ['service.name'], descriptionKeys: ['a', 'b'] }],
};
const SCOPE_IN = { name: 'sc', version: '1.0', attributes: [kvIn('a', { intValue: '7' })], droppedAttributesCount: 1 };
const SCOPE_OUT = { name: 'sc', version: '1.0', attributes: [{ key: 'a', value: { intValue: '7' } }], droppedAttributesCount: 1 };

describe('decodeProtobufRequest on every OTLP field', () => {
  it('decodes a trace request', () => {
    const bytes = encode('trace.v1.ExportTraceServiceRequest', {
      resourceSpans: [{
        resource: RESOURCE_IN,
        schemaUrl: 'https://r',
        scopeSpans: [{
          scope: SCOPE_IN,
          schemaUrl: 'https://s',
          spans: [
            {
              traceId: id(TRACE_ID), spanId: id(SPAN_ID), traceState: 'k=v', parentSpanId: id('0102030405060708'),
              flags: 0x301, name: 'op', kind: 3, startTimeUnixNano: '1795504906843367946',
              endTimeUnixNano: '18446744073709551615', attributes: ANY_IN, droppedAttributesCount: 3,
              events: [{ timeUnixNano: '1795504906843367947', name: 'ev', attributes: [kvIn('e', { boolValue: true })], droppedAttributesCount: 4 }],
              droppedEventsCount: 5,
              links: [{ traceId: id(TRACE_ID), spanId: id('1112131415161718'), traceState: 'l=1', attributes: [kvIn('l', { stringValue: 'x' })], droppedAttributesCount: 6, flags: 0x100 }],
              droppedLinksCount: 7,
              status: { message: 'boom', code: 2 },
            },
            { traceId: id(TRACE_ID), spanId: id(SPAN_ID), status: {} },
          ],
        }],
      }],
    });
    expect(detectProtobufSignal(bytes)).toBe('traces');
    expect(decodeProtobufRequest(bytes, 'traces')).toEqual({
      resourceSpans: [{
        resource: RESOURCE_OUT,
        schemaUrl: 'https://r',
        scopeSpans: [{
          scope: SCOPE_OUT,
          schemaUrl: 'https://s',
          spans: [
            {
              traceId: TRACE_ID, spanId: SPAN_ID, traceState: 'k=v', parentSpanId: '0102030405060708',
              flags: 0x301, name: 'op', kind: 3, startTimeUnixNano: '1795504906843367946',
              endTimeUnixNano: '18446744073709551615', attributes: ANY_OUT, droppedAttributesCount: 3,
              events: [{ timeUnixNano: '1795504906843367947', name: 'ev', attributes: [{ key: 'e', value: { boolValue: true } }], droppedAttributesCount: 4 }],
              droppedEventsCount: 5,
              links: [{ traceId: TRACE_ID, spanId: '1112131415161718', traceState: 'l=1', attributes: [{ key: 'l', value: { stringValue: 'x' } }], droppedAttributesCount: 6, flags: 0x100 }],
              droppedLinksCount: 7,
              status: { message: 'boom', code: 2 },
            },
            // A present but empty status stays `{}`, as in the captures.
            { traceId: TRACE_ID, spanId: SPAN_ID, status: {} },
          ],
        }],
      }],
    });
  });

  it('decodes a logs request, including event_name', () => {
    const bytes = encode('logs.v1.ExportLogsServiceRequest', {
      resourceLogs: [{
        resource: RESOURCE_IN,
        scopeLogs: [{
          scope: SCOPE_IN,
          logRecords: [{
            timeUnixNano: '1795504906000000000', observedTimeUnixNano: '1795504906000000001', severityNumber: 17,
            severityText: 'ERROR', body: { kvlistValue: { values: [kvIn('msg', { stringValue: 'hi' })] } },
            attributes: ANY_IN.slice(0, 3), droppedAttributesCount: 8, flags: 1, traceId: id(TRACE_ID), spanId: id(SPAN_ID),
            eventName: 'agent.turn',
          }, { severityNumber: 9 }],
        }],
      }],
    });
    expect(detectProtobufSignal(bytes)).toBe('logs');
    expect(decodeProtobufRequest(bytes, 'logs')).toEqual({
      resourceLogs: [{
        resource: RESOURCE_OUT,
        scopeLogs: [{
          scope: SCOPE_OUT,
          logRecords: [{
            timeUnixNano: '1795504906000000000', observedTimeUnixNano: '1795504906000000001', severityNumber: 17,
            severityText: 'ERROR', body: { kvlistValue: { values: [{ key: 'msg', value: { stringValue: 'hi' } }] } },
            attributes: ANY_OUT.slice(0, 3), droppedAttributesCount: 8, flags: 1, traceId: TRACE_ID, spanId: SPAN_ID,
            eventName: 'agent.turn',
          }, { severityNumber: 9 }],
        }],
      }],
    });
  });

  it('decodes a metrics request with every data point type', () => {
    const attrs = [kvIn('k', { stringValue: 'v' })];
    const attrsOut = [{ key: 'k', value: { stringValue: 'v' } }];
    const times = { startTimeUnixNano: '1795504900000000000', timeUnixNano: '1795504906000000000' };
    const bytes = encode('metrics.v1.ExportMetricsServiceRequest', {
      resourceMetrics: [{
        resource: RESOURCE_IN,
        scopeMetrics: [{
          scope: SCOPE_IN,
          metrics: [
            { name: 'g', description: 'gauge', unit: '1', gauge: { dataPoints: [{ ...times, asDouble: 0, attributes: attrs }] }, metadata: attrs },
            {
              name: 's', sum: {
                aggregationTemporality: 2, isMonotonic: true,
                dataPoints: [{ ...times, asInt: '-5', flags: 1, exemplars: [
                  { timeUnixNano: '1795504905000000000', asDouble: 2.5, spanId: id(SPAN_ID), traceId: id(TRACE_ID), filteredAttributes: attrs },
                  { asInt: '3' },
                ] }],
              },
            },
            {
              name: 'h', histogram: {
                aggregationTemporality: 1,
                dataPoints: [{ ...times, attributes: attrs, count: '12', sum: 0, bucketCounts: ['0', '4', '18446744073709551615'], explicitBounds: [0, 5.5], min: -1, max: 0, flags: 1 }],
              },
            },
            {
              name: 'e', exponentialHistogram: {
                aggregationTemporality: 2,
                dataPoints: [{ ...times, attributes: attrs, count: '3', sum: 6, scale: -3, zeroCount: '1', positive: { offset: -2, bucketCounts: ['1', '1'] }, negative: { offset: 5 }, flags: 1, min: 0, max: 4, zeroThreshold: 1e-9, exemplars: [{ asDouble: 4 }] }],
              },
            },
            {
              name: 'q', summary: {
                dataPoints: [{ ...times, attributes: attrs, count: '4', sum: 10, quantileValues: [{ quantile: 0.5, value: 2 }, { quantile: 0, value: 0 }], flags: 1 }],
              },
            },
          ],
        }],
      }],
    });
    expect(detectProtobufSignal(bytes)).toBe('metrics');
    expect(decodeProtobufRequest(bytes, 'metrics')).toEqual({
      resourceMetrics: [{
        resource: RESOURCE_OUT,
        scopeMetrics: [{
          scope: SCOPE_OUT,
          metrics: [
            { name: 'g', description: 'gauge', unit: '1', gauge: { dataPoints: [{ ...times, asDouble: 0, attributes: attrsOut }] }, metadata: attrsOut },
            {
              name: 's', sum: {
                aggregationTemporality: 2, isMonotonic: true,
                dataPoints: [{ ...times, asInt: '-5', flags: 1, exemplars: [
                  { timeUnixNano: '1795504905000000000', asDouble: 2.5, spanId: SPAN_ID, traceId: TRACE_ID, filteredAttributes: attrsOut },
                  { asInt: '3' },
                ] }],
              },
            },
            {
              name: 'h', histogram: {
                aggregationTemporality: 1,
                // sum/min/max are `optional`: present zeros are kept.
                dataPoints: [{ ...times, attributes: attrsOut, count: '12', sum: 0, bucketCounts: ['0', '4', '18446744073709551615'], explicitBounds: [0, 5.5], min: -1, max: 0, flags: 1 }],
              },
            },
            {
              name: 'e', exponentialHistogram: {
                aggregationTemporality: 2,
                dataPoints: [{ ...times, attributes: attrsOut, count: '3', sum: 6, scale: -3, zeroCount: '1', positive: { offset: -2, bucketCounts: ['1', '1'] }, negative: { offset: 5 }, flags: 1, min: 0, max: 4, zeroThreshold: 1e-9, exemplars: [{ asDouble: 4 }] }],
              },
            },
            {
              name: 'q', summary: {
                // A plain double 0 (quantile) is a default and is left out.
                dataPoints: [{ ...times, attributes: attrsOut, count: '4', sum: 10, quantileValues: [{ quantile: 0.5, value: 2 }, {}], flags: 1 }],
              },
            },
          ],
        }],
      }],
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-made wire bytes for what protobufjs would not produce.

const varint = (n: number | bigint) => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return Buffer.from(out);
};
const tag = (field: number, wire: number) => varint((field << 3) | wire);
const len = (field: number, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([tag(field, 2), varint(body.length), body]);
};
const str = (field: number, s: string) => len(field, Buffer.from(s));
const fixed64 = (field: number, v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return Buffer.concat([tag(field, 1), b]);
};
const double = (field: number, v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return Buffer.concat([tag(field, 1), b]);
};

describe('decodeProtobufRequest on unusual wire data', () => {
  it('accepts unpacked repeated scalars, skips unknown fields, maps legacy instrumentation_library_* (field 1000)', () => {
    const point = Buffer.concat([
      fixed64(4, 3n), fixed64(6, 1n), fixed64(6, 2n), double(7, 1), double(7, 2),
      tag(99, 0), varint(5), str(98, 'future field'), tag(97, 5), Buffer.alloc(4),
    ]);
    const metric = Buffer.concat([str(1, 'm'), len(9, len(1, point), tag(2, 0), varint(1))]);
    const bytes = len(1, len(1000, len(1, str(1, 'old-lib')), len(2, metric)));
    expect(decodeProtobufRequest(bytes, 'metrics')).toEqual({
      resourceMetrics: [{
        scopeMetrics: [{
          scope: { name: 'old-lib' },
          metrics: [{ name: 'm', histogram: { aggregationTemporality: 1, dataPoints: [{ count: '3', bucketCounts: ['1', '2'], explicitBounds: [1, 2] }] } }],
        }],
      }],
    });
  });

  it('reads negative and 10-byte varints', () => {
    const any = (v: Buffer) => len(1, len(2, len(2, len(6, str(1, 'k'), len(2, v)))));
    const kv = (v: Buffer) => (decodeProtobufRequest(any(v), 'logs') as Obj).resourceLogs[0].scopeLogs[0].logRecords[0].attributes[0].value;
    expect(kv(Buffer.concat([tag(3, 0), varint(-2n)]))).toEqual({ intValue: '-2' });
    expect(kv(Buffer.concat([tag(3, 0), varint(2n ** 63n - 1n)]))).toEqual({ intValue: '9223372036854775807' });
    expect(kv(Buffer.concat([tag(8, 0), varint(-3n)]))).toEqual({ stringValueStrindex: -3 });
  });

  it('prints 64-bit values exactly', () => {
    const samples = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 1795504906843367946n, 10n ** 16n, 10n ** 19n, 2n ** 64n - 1n];
    let x = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < 2000; i++) {
      x = (x * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      samples.push(x >> BigInt(i % 64));
    }
    for (const v of samples) {
      const low = Number(v & 0xffffffffn);
      const high = Number(v >> 32n);
      expect(uint64String(low, high)).toBe(v.toString());
      expect(int64String(low, high)).toBe(BigInt.asIntN(64, v).toString());
    }
  });

  it('throws with the byte offset when the bytes do not parse', () => {
    const good = encode('trace.v1.ExportTraceServiceRequest', {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: id(TRACE_ID), spanId: id(SPAN_ID), name: 'x', startTimeUnixNano: '1' }] }] }],
    });
    expect(() => decodeProtobufRequest(good.subarray(0, good.length - 3), 'traces')).toThrow(
      /^cannot decode ExportTraceServiceRequest: length \d+ runs past the end .* at byte 1 of the message$/,
    );
    // Span.start_time_unix_nano (7) sent as a varint instead of fixed64.
    const wrongType = len(1, len(2, len(2, str(5, 'x'), tag(7, 0), varint(1))));
    expect(() => decodeProtobufRequest(wrongType, 'traces')).toThrow(/Span field 7 has wire type varint, which does not match its type at byte 9 of the message/);
    expect(() => decodeProtobufRequest(Buffer.from('not protobuf at all'), 'logs')).toThrow(/cannot decode ExportLogsServiceRequest: .* at byte \d+/);
    // A fixed64 that crosses the end of its message.
    const crossing = len(1, len(2, len(2, str(5, 'x'), tag(7, 1), Buffer.alloc(2))), Buffer.alloc(6));
    expect(() => decodeProtobufRequest(crossing, 'traces')).toThrow(/runs past the end of its message/);
  });
});

describe('detectProtobufSignal', () => {
  const logNoTime = len(1, len(2, len(2, tag(2, 0), varint(9), str(3, 'INFO'))));
  it('recognises a log record without a timestamp (as Codex sends them)', () => {
    expect(detectProtobufSignal(logNoTime, 'traces.pb')).toBe('logs');
  });

  it('is not fooled by a gauge whose name and description have span-id lengths', () => {
    // name 16 bytes (like a trace id), description 8 bytes (like a span id), gauge in field 5 (a span's name).
    const gauge = len(5, len(1, double(4, 1.5)));
    const metric = len(1, len(2, len(2, str(1, 'process.cpu.time'), str(2, 'CPU time'), gauge)));
    expect(detectProtobufSignal(metric)).toBe('metrics');
  });

  it('uses the file name only when there are no items', () => {
    const noItems = len(1, len(1, len(1, str(1, 'k'))), len(2, len(1, str(1, 'scope'))));
    expect(detectProtobufSignal(noItems)).toBeUndefined();
    expect(detectProtobufSignal(noItems, '/data/otel-spans-2025.pb')).toBe('traces');
    expect(detectProtobufSignal(noItems, 'metrics.bin')).toBe('metrics');
    expect(detectProtobufSignal(noItems, 'x/logs.pb')).toBe('logs');
    expect(detectProtobufSignal(noItems, 'logs-and-metrics.pb')).toBeUndefined();
    expect(detectProtobufSignal(new Uint8Array(0), 'logs.pb')).toBe('logs');
  });

  it('returns undefined for bytes that are not a request', () => {
    expect(detectProtobufSignal(Buffer.from('garbage, not protobuf'), 'traces.pb')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Requests serialized by the OpenTelemetry JS SDK decode to the SDK objects' values.

const nanos = ([s, ns]: [number, number]) => (BigInt(s) * 1_000_000_000n + BigInt(ns)).toString();
const resource = resourceFromAttributes({ 'service.name': 'sdk-test', 'service.instance.count': 3 });

describe('requests from @opentelemetry/otlp-transformer', () => {
  it('traces', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('scope-a', '1.2.3');
    const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER, startTime: [1795504906, 843367946], attributes: { 'a.str': 's', 'a.int': -42, 'a.dbl': 0.25, 'a.bool': true, 'a.arr': ['x', 'y'] } });
    const remote = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true };
    const child = tracer.startSpan('child', { kind: SpanKind.CLIENT, startTime: [1795504907, 1], links: [{ context: remote, attributes: { 'link.n': 1 } }] }, trace.setSpan(context.active(), parent));
    child.addEvent('evt', { 'e.attr': 'v' }, [1795504907, 500]);
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'bad' });
    child.end([1795504908, 0]);
    parent.end([1795504909, 999999999]);
    const spans = exporter.getFinishedSpans();
    const bytes = ProtobufTraceSerializer.serializeRequest(spans)!;

    expect(detectProtobufSignal(bytes)).toBe('traces');
    const body = decodeProtobufRequest(bytes, 'traces') as Obj;
    const rs = body.resourceSpans[0];
    expect(rs.resource.attributes).toEqual(expect.arrayContaining([
      { key: 'service.name', value: { stringValue: 'sdk-test' } },
      { key: 'service.instance.count', value: { intValue: '3' } },
    ]));
    expect(rs.scopeSpans[0].scope).toEqual({ name: 'scope-a', version: '1.2.3' });
    const out = rs.scopeSpans[0].spans as Obj[];
    expect(out).toHaveLength(2);
    for (const s of spans) {
      const d = out.find((o) => o.spanId === s.spanContext().spanId)!;
      expect(d.traceId).toBe(s.spanContext().traceId);
      expect(d.name).toBe(s.name);
      expect(d.kind).toBe(s.kind + 1); // the SDK's enum starts at INTERNAL = 0
      expect(d.startTimeUnixNano).toBe(nanos(s.startTime));
      expect(d.endTimeUnixNano).toBe(nanos(s.endTime));
      // Span.flags: W3C trace flags plus the "has is_remote" bit (0x100).
      expect(d.flags).toBe(s.spanContext().traceFlags | 0x100);
    }
    const [p, c] = ['parent', 'child'].map((n) => out.find((o) => o.name === n)!);
    expect(p.parentSpanId).toBeUndefined();
    expect(c.parentSpanId).toBe(parent.spanContext().spanId);
    expect(p.attributes).toEqual([
      { key: 'a.str', value: { stringValue: 's' } },
      { key: 'a.int', value: { intValue: '-42' } },
      { key: 'a.dbl', value: { doubleValue: 0.25 } },
      { key: 'a.bool', value: { boolValue: true } },
      { key: 'a.arr', value: { arrayValue: { values: [{ stringValue: 'x' }, { stringValue: 'y' }] } } },
    ]);
    expect(c.events).toEqual([{ timeUnixNano: nanos([1795504907, 500]), name: 'evt', attributes: [{ key: 'e.attr', value: { stringValue: 'v' } }] }]);
    // Link.flags: sampled (1) | has is_remote (0x100) | is_remote (0x200).
    expect(c.links).toEqual([{ traceId: remote.traceId, spanId: remote.spanId, attributes: [{ key: 'link.n', value: { intValue: '1' } }], flags: 0x301 }]);
    expect(c.status).toEqual({ code: 2, message: 'bad' });
  });

  it('logs, with event_name, bytes and nested bodies', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('log-scope', '0.1.0');
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
    logger.emit({
      eventName: 'agent.turn',
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      timestamp: [1795504906, 123],
      observedTimestamp: [1795504906, 456],
      body: { msg: 'hello', nested: { list: [1, 'two', false] }, raw: new Uint8Array([0xde, 0xad]) },
      attributes: { 'tokens.input': 1234, cost: 0.0125 },
      context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
    });
    logger.emit({ body: 'plain' });
    await provider.forceFlush();
    const records = exporter.getFinishedLogRecords();
    const bytes = ProtobufLogsSerializer.serializeRequest(records)!;

    expect(detectProtobufSignal(bytes)).toBe('logs');
    const body = decodeProtobufRequest(bytes, 'logs') as Obj;
    const sl = body.resourceLogs[0].scopeLogs[0];
    expect(sl.scope).toEqual({ name: 'log-scope', version: '0.1.0' });
    expect(sl.logRecords[0]).toEqual({
      timeUnixNano: nanos(records[0].hrTime),
      observedTimeUnixNano: nanos(records[0].hrTimeObserved),
      severityNumber: 13,
      severityText: 'WARN',
      body: { kvlistValue: { values: [
        { key: 'msg', value: { stringValue: 'hello' } },
        { key: 'nested', value: { kvlistValue: { values: [{ key: 'list', value: { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'two' }, { boolValue: false }] } } }] } } },
        { key: 'raw', value: { bytesValue: '3q0=' } },
      ] } },
      attributes: [{ key: 'tokens.input', value: { intValue: '1234' } }, { key: 'cost', value: { doubleValue: 0.0125 } }],
      flags: 1,
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
      eventName: 'agent.turn',
    });
    expect(sl.logRecords[1]).toMatchObject({ body: { stringValue: 'plain' }, observedTimeUnixNano: nanos(records[1].hrTimeObserved) });
  });

  it('metrics: sums, gauges, histograms and exponential histograms', async () => {
    class TestReader extends MetricReader {
      protected async onForceFlush(): Promise<void> {}
      protected async onShutdown(): Promise<void> {}
    }
    const reader = new TestReader();
    const provider = new MeterProvider({
      resource,
      readers: [reader],
      views: [{ instrumentName: 'latency.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    });
    const meter = provider.getMeter('meter-scope', '2.0.0');
    const tokens = meter.createCounter('tokens', { valueType: ValueType.INT, unit: '{token}', description: 'tokens used' });
    tokens.add(5, { type: 'input' });
    tokens.add(7, { type: 'input' });
    tokens.add(3, { type: 'output' });
    meter.createCounter('cost').add(0.75);
    meter.createGauge('temp').record(-2.5);
    meter.createUpDownCounter('sessions', { valueType: ValueType.INT }).add(-2);
    const hist = meter.createHistogram('latency');
    for (const v of [3, 30, 300]) hist.record(v);
    const exp = meter.createHistogram('latency.exp');
    for (const v of [0, 1.5, 2, 1000]) exp.record(v);
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const bytes = ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!;

    expect(detectProtobufSignal(bytes)).toBe('metrics');
    const body = decodeProtobufRequest(bytes, 'metrics') as Obj;
    const sm = body.resourceMetrics[0].scopeMetrics[0];
    expect(sm.scope).toEqual({ name: 'meter-scope', version: '2.0.0' });
    const byName = Object.fromEntries((sm.metrics as Obj[]).map((m) => [m.name, m]));
    const sdk = Object.fromEntries(resourceMetrics.scopeMetrics[0].metrics.map((m) => [m.descriptor.name, m]));
    expect(Object.keys(byName).sort()).toEqual(Object.keys(sdk).sort());

    expect(byName.tokens).toMatchObject({ unit: '{token}', description: 'tokens used', sum: { aggregationTemporality: 2, isMonotonic: true } });
    expect(byName.tokens.sum.dataPoints.map((p: Obj) => [p.attributes[0].value.stringValue, p.asInt])).toEqual([['input', '12'], ['output', '3']]);
    expect(byName.cost.sum.dataPoints[0].asDouble).toBe(0.75);
    expect(byName.temp.gauge.dataPoints[0].asDouble).toBe(-2.5);
    expect(byName.sessions.sum).toMatchObject({ aggregationTemporality: 2, dataPoints: [{ asInt: '-2' }] });
    expect(byName.sessions.sum.isMonotonic).toBeUndefined();

    for (const [name, m] of Object.entries(sdk)) {
      const d = byName[name];
      const points = (d.sum ?? d.gauge ?? d.histogram ?? d.exponentialHistogram).dataPoints as Obj[];
      m.dataPoints.forEach((p, i) => {
        expect(points[i].startTimeUnixNano).toBe(nanos(p.startTime));
        expect(points[i].timeUnixNano).toBe(nanos(p.endTime));
      });
    }

    expect(sdk.latency.dataPointType).toBe(DataPointType.HISTOGRAM);
    const h = sdk.latency.dataPoints[0].value as Histogram;
    expect(byName.latency.histogram.dataPoints[0]).toMatchObject({
      count: String(h.count), sum: h.sum, min: h.min, max: h.max,
      explicitBounds: h.buckets.boundaries, bucketCounts: h.buckets.counts.map(String),
    });

    expect(sdk['latency.exp'].dataPointType).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
    const e = sdk['latency.exp'].dataPoints[0].value as ExponentialHistogram;
    const ep = byName['latency.exp'].exponentialHistogram.dataPoints[0];
    expect(ep).toMatchObject({ count: String(e.count), sum: e.sum, min: e.min, max: e.max, scale: e.scale, zeroCount: String(e.zeroCount) });
    expect(ep.positive).toEqual({ offset: e.positive.offset, bucketCounts: e.positive.bucketCounts.map(String) });
  });
});

// ---------------------------------------------------------------------------------------------

describe('readSource streams long record files', () => {
  const bodies = captures.filter((c) => c.agent === 'claude').slice(0, 4).map((c) => c.body);
  const zstdBody = captures.find((c) => c.signal === 'metrics' && c.agent === 'codex')!.body;

  async function events(file: Buffer, window: number, chunk: number) {
    let read = 0;
    async function* chunks() {
      for (let i = 0; i < file.length; i += chunk) {
        read = Math.min(file.length, i + chunk);
        yield file.subarray(i, i + chunk);
      }
    }
    const info: ReadInfo = { compression: 'none', format: 'empty' };
    const out: unknown[] = [];
    let readAtFirst = -1;
    for await (const ev of readSource(chunks(), 'otlp.pb', info, { protobufWindow: window })) {
      if (readAtFirst < 0) readAtFirst = read;
      out.push(ev.kind === 'unit' && ev.unit.kind === 'protobuf' ? { ...ev.unit, bytes: Buffer.from(ev.unit.bytes).toString('base64') } : ev);
    }
    return { format: info.format, events: out, readAtFirst };
  }

  const lp = [...bodies, zstdCompress(zstdBody)].map(lpRecord);
  const grpc = [grpcFrame(bodies[0]), grpcFrame(gzipSync(bodies[1]), true), grpcFrame(zstdCompress(bodies[2]), true), grpcFrame(bodies[3])];
  const bad = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5]);
  const cases: [string, Buffer][] = [
    ['length-prefixed, mixed signals, a zstd record', Buffer.concat(lp)],
    ['length-prefixed, last record cut off', Buffer.concat(lp).subarray(0, Buffer.concat(lp).length - 10)],
    ['length-prefixed, header of the last record cut off', Buffer.concat([...lp, Buffer.from([0, 0])])],
    ['length-prefixed, a record that does not decompress', Buffer.concat([lp[0], lpRecord(bad), lp[1], lp[2]])],
    ['gRPC frames, compressed messages', Buffer.concat(grpc)],
    ['gRPC frames, bad flag after the third', Buffer.concat([grpc[0], grpc[3], grpc[1], Buffer.from([7, 0, 0, 0, 1, 0])])],
    ['a raw request body', bodies[2]],
  ];
  it.each(cases)('%s: record by record gives what the whole file gives', async (_name, file) => {
    const whole = await events(file, 1 << 30, 1 << 20);
    // A window just past the first record, fed in odd-sized chunks, so records straddle chunks.
    const streamed = await events(file, 5 + bodies[0].length + 1, 997);
    // The whole-file path lists problems after the records; the report sorts them by offset.
    // Records came out before the whole file was read (except for a raw body: one message).
    if (_name.startsWith('a raw')) expect(streamed.readAtFirst).toBe(file.length);
    else expect(streamed.readAtFirst).toBeLessThan(file.length);
    const split = (r: { format: string; events: any[] }) => ({
      format: r.format,
      units: r.events.filter((e) => e.kind !== 'problem'),
      problems: r.events.filter((e) => e.kind === 'problem'),
    });
    expect(split(streamed)).toEqual(split(whole));
    expect(whole.events.length).toBeGreaterThan(0);
    if (!_name.startsWith('a raw')) expect(whole.format).toMatch(/grpc|length-prefixed/);
  });
});

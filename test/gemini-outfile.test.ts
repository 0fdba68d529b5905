import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, ValueType, trace, type HrTime } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { JsonLogsSerializer, JsonMetricsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { isSdkDumpValue, sdkDumpToOtlp } from '../src/ingest/gemini-outfile.js';

const __dirname = path.dirname(fileURLToPath(import.meta.url));
const SHARED = path.resolve(__dirname, '../../shared');
const OUTFILE = path.join(SHARED, 'captures/gemini/outfile/gm10-outfile.telemetry.log');
const OTLP_JSONL = path.join(SHARED, 'captures/gemini/otlp.jsonl');
const GROUND_TRUTH = path.join(SHARED, 'captures/gemini/mock-ground-truth.jsonl');

type Obj = Record<string, any>;

/** Splits concatenated (pretty-printed) JSON values: a brace/bracket counter that skips strings. */
function splitConcatenatedJson(text: string): { line: number; value: unknown }[] {
  const out: { line: number; value: unknown }[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let line = 1;
  let startLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) [start, startLine] = [i, line];
    } else if (c === '}' || c === ']') {
      if (--depth === 0) out.push({ line: startLine, value: JSON.parse(text.slice(start, i + 1)) });
    } else if (depth === 0 && !/\s/.test(c)) throw new Error(`unexpected ${c} at line ${line}`);
  }
  if (depth !== 0) throw new Error('truncated value at end of file');
  return out;
}

/** Gemini CLI's safeJsonStringify (packages/core/src/utils/safeJsonStringify.ts), as its file exporters use it. */
function safeJsonStringify(obj: unknown, space?: number): string {
  const seen = new WeakSet();
  return JSON.stringify(
    obj,
    (_key, value) => {
      if (typeof value === 'object' && value !== null) {
        if (seen.has(value)) return '[Circular]';
        seen.add(value);
      }
      return value;
    },
    space,
  );
}
/** What FileSpanExporter/FileLogExporter/FileMetricExporter write for one object, read back. */
const dumpLikeGemini = (obj: unknown): unknown => JSON.parse(safeJsonStringify(obj, 2) ?? 'null');

const dumps = splitConcatenatedJson(readFileSync(OUTFILE, 'utf8'));
const converted = dumps.map((d) => sdkDumpToOtlp(d.value));
const byName = (signal: string) => converted.filter((c) => c.signal === signal).map((c) => c.body);

const logRecords = (bodies: Obj[]): Obj[] =>
  bodies.flatMap((b) => (b.resourceLogs ?? []).flatMap((rl: Obj) => rl.scopeLogs.flatMap((sl: Obj) => sl.logRecords)));
const spans = (bodies: Obj[]): Obj[] =>
  bodies.flatMap((b) => (b.resourceSpans ?? []).flatMap((rs: Obj) => rs.scopeSpans.flatMap((ss: Obj) => ss.spans)));
const metrics = (bodies: Obj[]): Obj[] =>
  bodies.flatMap((b) => (b.resourceMetrics ?? []).flatMap((rm: Obj) => rm.scopeMetrics.flatMap((sm: Obj) => sm.metrics)));
const attr = (rec: Obj, key: string): Obj | undefined => rec.attributes.find((a: Obj) => a.key === key)?.value;
const eventName = (rec: Obj): string => attr(rec, 'event.name')?.stringValue;
const metricField = (m: Obj): string => ['sum', 'gauge', 'histogram', 'exponentialHistogram'].find((f) => m[f])!;
const tally = (names: string[]): Record<string, number> =>
  names.reduce<Record<string, number>>((acc, n) => ((acc[n] = (acc[n] ?? 0) + 1), acc), {});

describe('gm10 outfile', () => {
  it('is 20 concatenated dumps, each recognised and converted', () => {
    expect(dumps).toHaveLength(20);
    expect(dumps.every((d) => isSdkDumpValue(d.value))).toBe(true);
    expect(tally(converted.map((c) => c.signal))).toEqual({ traces: 4, logs: 15, metrics: 1 });
    for (const c of converted) expect(Object.keys(c.body)).toEqual([`resource${{ traces: 'Spans', logs: 'Logs', metrics: 'Metrics' }[c.signal]}`]);
  });

  it('counts spans, log records and metric data points by name', () => {
    expect(tally(spans(byName('traces')).map((s) => s.name))).toEqual({ llm_call: 2, tool_call: 1, schedule_tool_calls: 1 });
    expect(tally(logRecords(byName('logs')).map(eventName))).toEqual({
      'gemini_cli.config': 1,
      'gemini_cli.ripgrep_fallback': 1,
      'gemini_cli.startup_stats': 1,
      'gemini_cli.user_prompt': 1,
      'gemini_cli.model_routing': 1,
      'gemini_cli.api_request': 2,
      'gen_ai.client.inference.operation.details': 4,
      'gemini_cli.api_response': 2,
      'gemini_cli.tool_call': 1,
      'gemini_cli.plan.approval_mode_duration': 1,
    });
    const points: Record<string, number> = {};
    for (const m of metrics(byName('metrics'))) points[m.name] = m[metricField(m)].dataPoints.length;
    expect(points).toEqual({
      'gemini_cli.tool.call.count': 1,
      'gemini_cli.api.request.count': 1,
      'gemini_cli.token.usage': 5,
      'gemini_cli.session.count': 1,
      'gemini_cli.tool.call.latency': 1,
      'gemini_cli.api.request.latency': 1,
      'gemini_cli.model_routing.latency': 1,
      'gen_ai.client.token.usage': 2,
      'gen_ai.client.operation.duration': 1,
      'gemini_cli.startup.duration': 9,
    });
  });

  it('api_response token attributes equal the mock ground truth for gm10 (matched by time)', () => {
    const records = logRecords(byName('logs'));
    const times = [...records.map((r) => BigInt(r.timeUnixNano)), ...spans(byName('traces')).flatMap((s) => [BigInt(s.startTimeUnixNano), BigInt(s.endTimeUnixNano)])];
    const [lo, hi] = [times.reduce((a, b) => (b < a ? b : a)), times.reduce((a, b) => (b > a ? b : a))];
    const truth = readFileSync(GROUND_TRUTH, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((g) => g.kind === 'response')
      .filter((g) => {
        const ns = BigInt(Date.parse(g.t)) * 1_000_000n;
        return ns >= lo && ns <= hi;
      })
      .sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
    const responses = records.filter((r) => eventName(r) === 'gemini_cli.api_response').sort((a, b) => (BigInt(a.timeUnixNano) < BigInt(b.timeUnixNano) ? -1 : 1));
    expect(truth).toHaveLength(2);
    expect(responses).toHaveLength(2);
    responses.forEach((r, i) => {
      const g = truth[i];
      // The mock answered before Gemini logged the response, and after the previous response.
      expect(BigInt(Date.parse(g.t)) * 1_000_000n).toBeLessThanOrEqual(BigInt(r.timeUnixNano));
      if (i > 0) expect(BigInt(Date.parse(g.t)) * 1_000_000n).toBeGreaterThan(BigInt(responses[i - 1].timeUnixNano));
      const u = g.usageMetadata;
      expect(attr(r, 'model')).toEqual({ stringValue: g.model });
      expect(attr(r, 'input_token_count')).toEqual({ intValue: String(u.promptTokenCount) });
      expect(attr(r, 'output_token_count')).toEqual({ intValue: String(u.candidatesTokenCount) });
      expect(attr(r, 'cached_content_token_count')).toEqual({ intValue: String(u.cachedContentTokenCount ?? 0) });
      expect(attr(r, 'thoughts_token_count')).toEqual({ intValue: String(u.thoughtsTokenCount ?? 0) });
      expect(attr(r, 'tool_token_count')).toEqual({ intValue: String(u.toolUsePromptTokenCount ?? 0) });
      expect(attr(r, 'total_token_count')).toEqual({ intValue: String(u.totalTokenCount) });
    });
  });

  it('keeps timestamps exact to the nanosecond', () => {
    const first = spans(byName('traces'))[0];
    // hrTime [1795505346, 348000000] / [1795505346, 447450695]; the end is above 2^53 ns.
    expect(first.startTimeUnixNano).toBe('1795505346348000000');
    expect(first.endTimeUnixNano).toBe('1795505346447450695');
    expect(Number(first.endTimeUnixNano).toString()).not.toBe(first.endTimeUnixNano); // a double would not do
    const log = logRecords(byName('logs'))[0];
    expect([log.timeUnixNano, log.observedTimeUnixNano]).toEqual(['1795505346193000000', '1795505346193000000']);
    const span = structuredClone(dumps[0].value) as Obj;
    span.startTime = [1795505346, 999999999];
    span.endTime = [9007199254, 740993001];
    const s = spans([sdkDumpToOtlp(span).body])[0];
    expect([s.startTimeUnixNano, s.endTimeUnixNano]).toEqual(['1795505346999999999', '9007199254740993001']);
  });

  it('resolves the "[Circular]" placeholders safeJsonStringify leaves in the metrics dump', () => {
    const raw = readFileSync(OUTFILE, 'utf8');
    expect(raw).toContain('"endTime": "[Circular]"');
    expect(raw).toContain('"boundaries": "[Circular]"');
    const DEFAULT_BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    for (const m of metrics(byName('metrics'))) {
      for (const p of m[metricField(m)].dataPoints) {
        expect(p.timeUnixNano).toBe('1795505346592000000'); // the one collection time
        expect(p.startTimeUnixNano).toMatch(/^\d{19}$/);
        if (m.histogram) {
          expect(p.explicitBounds).toEqual(DEFAULT_BOUNDS);
          expect(p.bucketCounts).toHaveLength(16);
          expect(p.bucketCounts.reduce((a: bigint, c: string) => a + BigInt(c), 0n)).toBe(BigInt(p.count));
        }
      }
    }
  });

  it('matches what Gemini CLI 0.61 sent over OTLP: names, attribute keys and types, resource, scopes', () => {
    const otlp = readFileSync(OTLP_JSONL, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(otlp.some(isSdkDumpValue)).toBe(false);
    const kind = (v: Obj) => Object.keys(v)[0] ?? 'empty';
    const profile = (bodies: Obj[]) => {
      const p = new Map<string, Set<string>>();
      const add = (k: string, s: string) => (p.get(k) ?? p.set(k, new Set()).get(k)!).add(s);
      for (const b of bodies) {
        for (const r of [...(b.resourceSpans ?? []), ...(b.resourceLogs ?? []), ...(b.resourceMetrics ?? [])]) {
          for (const a of r.resource.attributes) add('resource', `${a.key}:${kind(a.value)}`);
        }
        for (const rs of b.resourceSpans ?? [])
          for (const ss of rs.scopeSpans)
            for (const s of ss.spans) {
              add(`span ${s.name}`, `scope=${JSON.stringify(ss.scope)} kind=${s.kind} flags=${s.flags} parent=${'parentSpanId' in s}`);
              for (const a of s.attributes) add(`span ${s.name}`, `${a.key}:${kind(a.value)}`);
            }
        for (const rl of b.resourceLogs ?? [])
          for (const sl of rl.scopeLogs)
            for (const l of sl.logRecords) {
              add(`log ${eventName(l)}`, `scope=${JSON.stringify(sl.scope)} body=${kind(l.body)}`);
              for (const a of l.attributes) add(`log ${eventName(l)}`, `${a.key}:${kind(a.value)}`);
            }
        for (const rm of b.resourceMetrics ?? [])
          for (const sm of rm.scopeMetrics)
            for (const m of sm.metrics) {
              const f = metricField(m);
              add(`metric ${m.name}`, `${f} unit=${m.unit} temporality=${m[f].aggregationTemporality} monotonic=${m[f].isMonotonic}`);
              for (const pt of m[f].dataPoints) for (const a of pt.attributes) add(`metric ${m.name}`, `${a.key}:${kind(a.value)}`);
            }
      }
      return p;
    };
    // Only the http-json requests: the protobuf ones went through a decoder that omits zero defaults.
    const manifest = readFileSync(path.join(SHARED, 'captures/gemini/manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const jsonLines = new Set(manifest.filter((m) => m.protocol === 'http-json').map((m) => m.jsonlLine));
    const reference = profile(otlp.filter((_, i) => jsonLines.has(i + 1)));
    const ours = profile(converted.map((c) => c.body));
    expect([...ours.keys()].filter((k) => !reference.has(k))).toEqual([]);
    for (const [k, facts] of ours) expect([...facts].filter((f) => !reference.get(k)!.has(f)), k).toEqual([]);
    expect(ours.get('resource')).toEqual(reference.get('resource'));
    // The gap: attributes whose value was undefined reach OTLP as empty values but vanish from the dump.
    const configDump = dumps.map((d) => d.value as Obj).find((v) => v.attributes?.['event.name'] === 'gemini_cli.config')!;
    expect(configDump._attributesCount - Object.keys(configDump.attributes).length).toBe(2);
    expect([...reference.get('log gemini_cli.config')!].filter((f) => !ours.get('log gemini_cli.config')!.has(f))).toEqual(['mcp_tools:empty', 'mcp_tools_count:empty']);
  });
});

describe('sdkDumpToOtlp mappings', () => {
  const span = dumps[1].value as Obj; // tool_call, child of schedule_tool_calls
  const metricsDump = dumps[19].value as Obj;

  it('maps SDK SpanKind (INTERNAL=0 … CONSUMER=4) to OTLP (1 … 5) and keeps status codes', () => {
    for (const [sdk, otlp] of [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]) {
      const s = spans([sdkDumpToOtlp({ ...span, kind: sdk }).body])[0];
      expect(s.kind).toBe(otlp);
    }
    for (const code of [0, 1, 2]) expect(spans([sdkDumpToOtlp({ ...span, status: { code, message: 'm' } }).body])[0].status).toEqual({ code, message: 'm' });
    const s = spans([sdkDumpToOtlp(span).body])[0];
    expect(s.parentSpanId).toBe('9ad3fab61569eeb4');
    expect(s.flags).toBe(0x101); // sampled | HAS_IS_REMOTE
    expect(spans([sdkDumpToOtlp({ ...span, parentSpanContext: { ...span.parentSpanContext, isRemote: true } }).body])[0].flags).toBe(0x301);
  });

  it('maps DataPointType, AggregationTemporality (DELTA=0/CUMULATIVE=1 → 1/2) and ValueType', () => {
    const counter = metricsDump.scopeMetrics[0].metrics[0];
    const hist = metricsDump.scopeMetrics[0].metrics[4];
    // Taken out of its export, a point's shared endTime ("[Circular]" in the dump) has no referent.
    expect(() => sdkDumpToOtlp({ resource: metricsDump.resource, scopeMetrics: [{ scope: { name: 's' }, metrics: [hist] }] })).toThrow(/endTime is "\[Circular\]"/);
    const convert = (m: Obj) => {
      const dataPoints = m.dataPoints.map((p: Obj) => (p.endTime === '[Circular]' ? { ...p, endTime: [1795505346, 592000000] } : p));
      return metrics([sdkDumpToOtlp({ resource: metricsDump.resource, scopeMetrics: [{ scope: { name: 's' }, metrics: [{ ...m, dataPoints }] }] }).body])[0];
    };
    expect(convert(counter).sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true });
    expect(convert({ ...counter, aggregationTemporality: 0 }).sum.aggregationTemporality).toBe(1);
    expect(convert(counter).sum.dataPoints[0].asInt).toBe('1');
    expect(convert({ ...counter, descriptor: { ...counter.descriptor, valueType: 1 } }).sum.dataPoints[0].asDouble).toBe(1);
    const gauge = convert({ ...counter, dataPointType: 2 });
    expect(gauge.gauge).toBeDefined();
    expect(gauge.gauge.aggregationTemporality).toBeUndefined();
    expect(convert(hist).histogram).toMatchObject({ aggregationTemporality: 2 });
    expect(convert(hist).histogram.dataPoints[0]).toMatchObject({ count: '1', sum: 94, min: 94, max: 94 });
    const exp = convert({
      ...hist,
      dataPointType: 1,
      dataPoints: [{ attributes: {}, startTime: [1, 2], endTime: [3, 4], value: { count: 3, sum: 6, min: 1, max: 3, scale: 2, zeroCount: 0, positive: { offset: 1, bucketCounts: [1, 2] }, negative: { offset: 0, bucketCounts: [] } } }],
    });
    expect(exp.exponentialHistogram).toEqual({
      aggregationTemporality: 2,
      dataPoints: [{ attributes: [], startTimeUnixNano: '1000000002', timeUnixNano: '3000000004', count: '3', sum: 6, min: 1, max: 3, scale: 2, zeroCount: '0', positive: { offset: 1, bucketCounts: ['1', '2'] }, negative: { offset: 0, bucketCounts: [] } }],
    });
    expect(() => convert({ ...counter, dataPointType: 7 })).toThrow(/unknown dataPointType/);
    expect(() => convert({ ...counter, aggregationTemporality: 5 })).toThrow(/unknown aggregationTemporality/);
  });

  it('types attribute values like otlp-transformer', () => {
    const rec = logRecords([sdkDumpToOtlp({ ...(dumps[4].value as Obj), attributes: { i: 3, d: 0.5, b: true, s: 'x', a: ['p', 1], o: { k: 2 }, n: null, big: 2 ** 64 } }).body])[0];
    expect(rec.attributes).toEqual([
      { key: 'i', value: { intValue: '3' } },
      { key: 'd', value: { doubleValue: 0.5 } },
      { key: 'b', value: { boolValue: true } },
      { key: 's', value: { stringValue: 'x' } },
      { key: 'a', value: { arrayValue: { values: [{ stringValue: 'p' }, { intValue: '1' }] } } },
      { key: 'o', value: { kvlistValue: { values: [{ key: 'k', value: { intValue: '2' } }] } } },
      { key: 'n', value: {} },
      { key: 'big', value: { doubleValue: 2 ** 64 } },
    ]);
  });

  it('throws a clear error for values that are not dumps', () => {
    const otlpLine = { resourceSpans: [] };
    for (const bad of [otlpLine, { resourceLogs: [] }, {}, [], 'text', 42, null, { _spanContext: {} }, { scopeMetrics: [] }]) {
      expect(isSdkDumpValue(bad)).toBe(false);
      expect(() => sdkDumpToOtlp(bad)).toThrow(/not an OTel JS SDK dump/);
    }
    expect(() => sdkDumpToOtlp({ resourceSpans: [] })).toThrow(/got an object with keys resourceSpans/);
    expect(() => sdkDumpToOtlp({ ...span, _spanContext: { traceId: 'xyz', spanId: '00' } })).toThrow(/span traceId: expected 32 hex digits/);
    expect(() => sdkDumpToOtlp({ ...span, endTime: '[Circular]' })).toThrow(/span endTime: expected an hrTime/);
  });
});

// ---- reference: real OTel JS SDK objects, dumped as Gemini does, vs otlp-transformer's JSON ----

/** otlp-transformer's JSON output in canonical form: 64-bit integers as decimal strings. */
function canonical(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => canonical(x, key === 'bucketCounts' ? 'u64' : ''));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canonical(x, k)]));
  if (typeof v === 'number' && ['intValue', 'asInt', 'count', 'zeroCount', 'u64'].includes(key)) return BigInt(v).toString();
  return v;
}
const decode = (bytes: Uint8Array | undefined): Obj => canonical(JSON.parse(new TextDecoder().decode(bytes))) as Obj;

const resource = resourceFromAttributes({
  'service.name': 'reference',
  'service.version': 'v20.20.2',
  'host.id': undefined as unknown as string, // dropped by the Resource getter, written as null in the dump
  'process.pid': 4242,
  'process.command_args': ['/usr/bin/node', '/usr/bin/gemini', '-p', 'hi'],
  'x.double': 1.25,
  'x.bool': false,
});

class TestReader extends MetricReader {
  constructor(temporality: AggregationTemporality) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

describe('reference: real SDK objects dumped like Gemini CLI convert to what otlp-transformer sends', () => {
  it('spans', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('ref-tracer', '1.2.3');
    const remoteParent = trace.setSpanContext(ROOT_CONTEXT, { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const child = tracer.startSpan(
      'child',
      {
        kind: SpanKind.CLIENT,
        startTime: [1795505346, 123456789],
        attributes: { 'a.int': 12157, 'a.double': 0.95, 'a.bool': true, 'a.str': 'x', 'a.strs': ['p', 'q'], 'a.ints': [1, 2] },
        links: [{ context: { traceId: 'ef'.repeat(16), spanId: '12'.repeat(8), traceFlags: TraceFlags.NONE, isRemote: true }, attributes: { 'l.n': 1 } }],
      },
      remoteParent,
    );
    child.addEvent('evt', { 'e.int': 7, 'e.double': 0.5 }, [1795505346, 200000001]);
    child.recordException(new Error('boom'), [1795505346, 300000002]);
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    child.end([1795505346, 987654321]);
    const root = tracer.startSpan('root', { startTime: [1795505347, 1] });
    root.end([1795505347, 2]);
    await provider.forceFlush();
    const finished = exporter.getFinishedSpans();
    expect(finished.map((s) => s.name)).toEqual(['child', 'root']);
    for (const s of finished) {
      const dump = dumpLikeGemini(s);
      expect(isSdkDumpValue(dump)).toBe(true);
      const ours = sdkDumpToOtlp(dump);
      expect(ours.signal).toBe('traces');
      expect(ours.body).toEqual(decode(JsonTraceSerializer.serializeRequest([s])));
    }
    const c = spans([sdkDumpToOtlp(dumpLikeGemini(finished[0])).body])[0];
    expect(c).toMatchObject({ kind: 3, flags: 0x301, status: { code: 2, message: 'failed' }, endTimeUnixNano: '1795505346987654321' });
    await provider.shutdown();
  });

  it('log records (newer sdk-logs keeps _hrTime/_body private; one HrTime for both timestamps becomes "[Circular]")', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('ref-logger', '0.0.1');
    const spanCtx = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
    const ts: HrTime = [1795505346, 555555555];
    logger.emit({ eventName: 'ref.event', severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: 'API response', attributes: { input_token_count: 12157, duration_ms: 323.5, ok: true, finish_reasons: ['stop'] }, timestamp: ts, observedTimestamp: ts, context: spanCtx });
    logger.emit({ body: { nested: { n: 1 }, list: [true, 'x'] }, attributes: { kept: 'x' }, timestamp: [1795505346, 1], observedTimestamp: [1795505346, 2] });
    await provider.forceFlush();
    const records = exporter.getFinishedLogRecords();
    expect(records).toHaveLength(2);
    const firstDump = dumpLikeGemini(records[0]) as Obj;
    expect(firstDump._hrTimeObserved).toBe('[Circular]');
    for (const r of records) {
      const ours = sdkDumpToOtlp(dumpLikeGemini(r));
      expect(ours.signal).toBe('logs');
      expect(ours.body).toEqual(decode(JsonLogsSerializer.serializeRequest([r])));
    }
    await provider.shutdown();
  });

  it('metrics of sync instruments, cumulative and delta, with shared endTime and boundaries arrays', async () => {
    for (const temporality of [AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA]) {
      const reader = new TestReader(temporality);
      const provider = new MeterProvider({ resource, readers: [reader], views: [{ instrumentName: 'ref.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }] });
      const meter = provider.getMeter('ref-meter', '9.9.9');
      const counter = meter.createCounter('ref.count', { valueType: ValueType.INT });
      counter.add(3, { type: 'input' });
      counter.add(4, { type: 'output' });
      meter.createCounter('ref.double', { valueType: ValueType.DOUBLE }).add(0.25);
      meter.createUpDownCounter('ref.updown').add(-2);
      meter.createGauge('ref.gauge').record(1.5);
      const h1 = meter.createHistogram('ref.latency', { unit: 'ms' });
      h1.record(94, { f: 'a' });
      h1.record(23, { f: 'b' });
      meter.createHistogram('ref.other').record(7); // default bounds, shared with ref.latency
      meter.createHistogram('ref.advised', { advice: { explicitBucketBoundaries: [1, 2, 3] } }).record(2.5);
      const exp = meter.createHistogram('ref.exp');
      for (const v of [1, 2, 3, 100]) exp.record(v);
      const { resourceMetrics } = await reader.collect();
      const dump = dumpLikeGemini(resourceMetrics);
      const text = safeJsonStringify(resourceMetrics, 2);
      expect(text).toContain('"endTime": "[Circular]"');
      expect(text).toContain('"boundaries": "[Circular]"');
      const ours = sdkDumpToOtlp(dump);
      expect(ours.signal).toBe('metrics');
      const expected = decode(JsonMetricsSerializer.serializeRequest(resourceMetrics));
      expect(ours.body).toEqual(expected);
      const temporalities = new Set(metrics([ours.body]).filter((m) => !m.gauge).map((m) => m[metricField(m)].aggregationTemporality));
      expect([...temporalities]).toEqual([temporality === AggregationTemporality.DELTA ? 1 : 2]);
      await provider.shutdown();
    }
  });

  it('metrics whose collection time is first written as an observable start time', async () => {
    const reader = new TestReader(AggregationTemporality.CUMULATIVE);
    const provider = new MeterProvider({ resource, readers: [reader] });
    provider.getMeter('observer').createObservableUpDownCounter('ref.observed', { valueType: ValueType.INT }).addCallback((r) => {
      r.observe(5, { series: 'a' });
      r.observe(-6, { series: 'b' });
    });
    const { resourceMetrics } = await reader.collect();
    const dump = dumpLikeGemini(resourceMetrics) as Obj;
    const points = dump.scopeMetrics[0].metrics[0].dataPoints;
    expect([Array.isArray(points[0].startTime), points[0].endTime, points[1].startTime, points[1].endTime]).toEqual([true, '[Circular]', '[Circular]', '[Circular]']);
    expect(sdkDumpToOtlp(dump).body).toEqual(decode(JsonMetricsSerializer.serializeRequest(resourceMetrics)));
    await provider.shutdown();
  });
});

describe('reference: what the dump cannot carry', () => {
  it('drops attributes whose value is undefined, which OTLP sends as empty values', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] });
    provider.getLogger('l').emit({ body: 'b', attributes: { kept: 'x', gone: undefined } });
    await provider.forceFlush();
    const [r] = exporter.getFinishedLogRecords();
    const sent = logRecords([decode(JsonLogsSerializer.serializeRequest([r]))])[0];
    const ours = logRecords([sdkDumpToOtlp(dumpLikeGemini(r)).body])[0];
    expect(sent.attributes).toEqual([{ key: 'kept', value: { stringValue: 'x' } }, { key: 'gone', value: {} }]);
    expect(ours.attributes).toEqual([{ key: 'kept', value: { stringValue: 'x' } }]);
    await provider.shutdown();
  });

  it('loses traceState (a Map inside the SDK, written as {})', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { TraceState } = await import('@opentelemetry/core');
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1, traceState: new TraceState('vendor=value') });
    provider.getTracer('t').startSpan('s', {}, parent).end();
    await provider.forceFlush();
    const [s] = exporter.getFinishedSpans();
    const sent = spans([decode(JsonTraceSerializer.serializeRequest([s]))])[0];
    const ours = spans([sdkDumpToOtlp(dumpLikeGemini(s)).body])[0];
    expect(sent.traceState).toBe('vendor=value');
    expect(ours.traceState).toBeUndefined();
    const { traceState: _dropped, ...rest } = sent;
    expect(ours).toEqual(rest);
    await provider.shutdown();
  });

  it('omits a shared start time it cannot attribute (observable series, second cumulative export)', async () => {
    const reader = new TestReader(AggregationTemporality.CUMULATIVE);
    const provider = new MeterProvider({ resource, readers: [reader] });
    const meter = provider.getMeter('m');
    meter.createCounter('sync.count').add(1); // writes the collection time first
    meter.createObservableGauge('observed').addCallback((r) => {
      r.observe(1, { s: 'a' });
      r.observe(2, { s: 'b' });
    });
    await reader.collect();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const { resourceMetrics } = await reader.collect();
    const named = (ms: Obj[]) => Object.fromEntries(ms.map((m) => [m.name, m]));
    const sent = named(metrics([decode(JsonMetricsSerializer.serializeRequest(resourceMetrics))]));
    const ours = named(metrics([sdkDumpToOtlp(dumpLikeGemini(resourceMetrics)).body]));
    // Both observed series start at the first collection (one shared array, "[Circular]" the second
    // time), but by then the second collection's time was written too: the dump cannot say which.
    const [a, b] = sent.observed.gauge.dataPoints;
    expect(ours.observed.gauge.dataPoints[0]).toEqual(a);
    const { startTimeUnixNano, ...rest } = b;
    expect(startTimeUnixNano).toBe(a.startTimeUnixNano);
    expect(startTimeUnixNano).not.toBe(a.timeUnixNano);
    expect(ours.observed.gauge.dataPoints[1]).toEqual(rest);
    expect(ours['sync.count']).toEqual(sent['sync.count']);
    await provider.shutdown();
  });
});

/**
 * Gemini CLI telemetry outfile (`GEMINI_TELEMETRY_OUTFILE` / `telemetry.outfile`) → OTLP/JSON.
 *
 * The outfile is not OTLP. Gemini CLI's file exporters (packages/core/src/telemetry/file-exporters.ts)
 * append `safeJsonStringify(obj, 2) + '\n'` for every SDK object they are handed:
 * - one value per `ReadableSpan` (sdk-trace-base `SpanImpl`: `_spanContext`, `startTime` hrTime, …),
 * - one value per `ReadableLogRecord` (sdk-logs `LogRecordImpl`: `hrTime` or, in newer sdk-logs,
 *   `_hrTime`, `_body`, …),
 * - one value per `ResourceMetrics` export (`{resource, scopeMetrics}`), always CUMULATIVE.
 * `JSON.stringify` only sees own enumerable fields, so getters (`droppedAttributesCount`,
 * `Resource.attributes`, …) are missing and we read the private fields behind them. Every value
 * carries its own resource and instrumentation scope, so each converts to a one-record request.
 *
 * safeJsonStringify replaces EVERY repeated object reference with the string "[Circular]", not only
 * cycles. In metric exports the SDK shares arrays between data points (see MetricRefs); a log record
 * may share one HrTime between its two timestamps, a span link its context with the parent. These
 * are resolved from what the SDK code guarantees; where the dump leaves it ambiguous we drop the
 * field (metric start time) or throw (bucket bounds, attributes), never guess.
 *
 * Enum mappings (SDK → OTLP), from the @opentelemetry sources in node_modules:
 * | SDK                                   | OTLP                                                    |
 * |---------------------------------------|---------------------------------------------------------|
 * | SpanKind INTERNAL=0 … CONSUMER=4      | kind + 1 (INTERNAL=1 … CONSUMER=5); absent → 0          |
 * | SpanStatusCode UNSET=0 OK=1 ERROR=2   | same numbers                                            |
 * | DataPointType HISTOGRAM=0             | `histogram`                                             |
 * | DataPointType EXPONENTIAL_HISTOGRAM=1 | `exponentialHistogram`                                  |
 * | DataPointType GAUGE=2                 | `gauge` (no temporality)                                |
 * | DataPointType SUM=3                   | `sum` (+ isMonotonic)                                   |
 * | AggregationTemporality DELTA=0        | AGGREGATION_TEMPORALITY_DELTA=1                         |
 * | AggregationTemporality CUMULATIVE=1   | AGGREGATION_TEMPORALITY_CUMULATIVE=2                    |
 * | ValueType INT=0 / DOUBLE=1            | sum/gauge point `asInt` / `asDouble`                    |
 * Span `flags` = traceFlags | HAS_IS_REMOTE (0x100) | IS_REMOTE (0x200 if the parent was remote),
 * as otlp-transformer computes it; log `flags` = traceFlags.
 *
 * What the dump cannot carry, compared with the OTLP exporter's output for the same objects:
 * - Attributes whose value is `undefined`: JSON.stringify drops the key, while OTLP sends it with an
 *   empty value (`{"key":"gen_ai.output.type","value":{}}`). `_attributesCount` still counts them,
 *   but their names are gone. Seen in Gemini's `gemini_cli.config` (mcp_tools, mcp_tools_count),
 *   `gen_ai.client.inference.operation.details` (gen_ai.output.type, gen_ai.request.seed, …),
 *   `gemini_cli.tool_call` (start_time, end_time, extension_*, mcp_server_name), ….
 * - NaN/±Infinity numbers become `null` (converted to an empty AnyValue / omitted field).
 * - Uint8Array values become `{"0":…}` objects (converted as kvlists, not bytes).
 * - TraceState is a Map internally and serialises as `{}`: span/link `traceState` is omitted.
 * - A "[Circular]" attribute value (an array/object shared within one record) is indistinguishable
 *   from the string "[Circular]" and is kept as that string.
 * - Dumps from sdk-trace-base 1.x (`parentSpanId`, no `parentSpanContext`) lack the parent's isRemote
 *   bit; such child spans get `flags` without HAS_IS_REMOTE.
 * Resource (`_rawAttributes`), scope (`instrumentationScope`, also on log records and spans), ids,
 * parent ids, timestamps and values are all present in the Gemini 0.61 dumps, and the converted gm10
 * records have the event names, attribute keys/types, resource and scopes of Gemini's OTLP exports.
 * A missing body is left out, where otlp-transformer would send an empty AnyValue (same meaning).
 *
 * Output is canonical OTLP/JSON (see types.ts): 64-bit integers (timestamps, intValue, asInt,
 * counts) as decimal strings, computed with BigInt so no nanosecond is lost.
 */
import type { Signal } from './types.js';

type Obj = Record<string, unknown>;
type HrTime = [number, number];

const CIRCULAR = '[Circular]';

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isHrTime(v: unknown): v is HrTime {
  return Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number' && Number.isFinite(n));
}

/** First defined field among the names (public in older SDKs, `_private` in newer ones). */
function pick(o: Obj, ...keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined) return o[k];
  return undefined;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (isObj(v)) {
    const keys = Object.keys(v);
    return `an object with keys ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}`;
  }
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

/** hrTime [seconds, nanoseconds] → decimal nanoseconds, exactly as otlp-transformer's hrTimeToNanos. */
function nanos(t: unknown, what: string): string {
  if (!isHrTime(t)) throw new Error(`${what}: expected an hrTime [seconds, nanoseconds], got ${describe(t)}`);
  return (BigInt(Math.trunc(t[0])) * 1_000_000_000n + BigInt(Math.trunc(t[1]))).toString();
}

function u64(v: unknown, what: string): string {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`${what}: expected a non-negative integer, got ${describe(v)}`);
  return BigInt(v).toString();
}

function hexId(v: unknown, hexLen: number, what: string): string {
  if (typeof v !== 'string' || v.length !== hexLen || !/^[0-9a-f]+$/i.test(v)) {
    throw new Error(`${what}: expected ${hexLen} hex digits, got ${describe(v)}`);
  }
  return v.toLowerCase();
}

const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63;

/** JS value → OTLP AnyValue, following otlp-transformer's toAnyValue (ints as decimal strings). */
function anyValue(v: unknown): Obj {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') {
    // JSON.parse gives back the exact double the SDK held, so integers are exact. Integers outside
    // int64 cannot be an intValue; the SDK would send a number protobuf rejects, we keep the double.
    if (Number.isInteger(v) && v >= INT64_MIN && v < INT64_MAX) return { intValue: BigInt(v).toString() };
    return { doubleValue: v };
  }
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (isObj(v)) return { kvlistValue: { values: keyValues(v) } };
  return {}; // null: undefined/NaN/Infinity in the SDK, an empty AnyValue as in OTLP
}

function keyValues(attrs: unknown, what = 'attributes'): Obj[] {
  if (attrs === undefined) return [];
  if (!isObj(attrs)) throw new Error(`${what}: expected an object, got ${describe(attrs)}`);
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** Resource → OTLP Resource, reproducing ResourceImpl's `attributes` getter. */
function resourceToOtlp(res: unknown): Obj {
  if (!isObj(res)) throw new Error(`resource: expected an object, got ${describe(res)}`);
  const attrs: Obj = {};
  const raw = res._rawAttributes;
  if (Array.isArray(raw)) {
    // resources 2.x: [key, value] pairs; the getter skips null/undefined (undefined is written as
    // null inside arrays) and lets the first pair for a key win. Unsettled async values are
    // Promises, written as {}; the getter skips them too.
    for (const pair of raw) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string') continue;
      const [k, v] = pair;
      if (v == null || (res._asyncAttributesPending === true && isObj(v) && Object.keys(v).length === 0)) continue;
      if (!(k in attrs)) attrs[k] = v;
    }
  } else {
    // resources 1.x kept a plain object.
    const plain = pick(res, '_attributes', 'attributes', '_syncAttributes');
    if (!isObj(plain)) throw new Error(`resource: no attributes in ${describe(res)}`);
    Object.assign(attrs, plain);
  }
  const out: Obj = { attributes: keyValues(attrs, 'resource attributes'), droppedAttributesCount: 0 };
  const schemaUrl = pick(res, '_schemaUrl', 'schemaUrl');
  if (typeof schemaUrl === 'string' && schemaUrl !== '') out.schemaUrl = schemaUrl;
  return out;
}

/** InstrumentationScope → `{scope, schemaUrl}` of a Scope* message, as createInstrumentationScope. */
function scopeFields(scope: unknown): Obj {
  // A dump without a scope (not seen from Gemini) gets none: inventing a name would be worse.
  if (!isObj(scope)) return {};
  const s: Obj = { name: typeof scope.name === 'string' ? scope.name : '' };
  if (typeof scope.version === 'string') s.version = scope.version;
  if (isObj(scope.attributes) && Object.keys(scope.attributes).length > 0) {
    s.attributes = keyValues(scope.attributes);
    s.droppedAttributesCount = typeof scope.droppedAttributesCount === 'number' ? scope.droppedAttributesCount : 0;
  }
  const out: Obj = { scope: s };
  if (typeof scope.schemaUrl === 'string' && scope.schemaUrl !== '') out.schemaUrl = scope.schemaUrl;
  return out;
}

function withResourceSchema(resource: Obj, rest: Obj): Obj {
  return resource.schemaUrl ? { resource, ...rest, schemaUrl: resource.schemaUrl } : { resource, ...rest };
}

function spanFlags(traceFlags: unknown, isRemote: unknown): number {
  return ((typeof traceFlags === 'number' ? traceFlags : 0) & 0xff) | 0x100 | (isRemote === true ? 0x200 : 0);
}

function count(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function spanToOtlp(v: Obj): Obj {
  const ctx = v._spanContext as Obj;
  const parent = v.parentSpanContext;
  const span: Obj = {
    traceId: hexId(ctx.traceId, 32, 'span traceId'),
    spanId: hexId(ctx.spanId, 16, 'span spanId'),
  };
  // sdk-trace-base 2.x: parentSpanContext; 1.x: parentSpanId.
  const parentId = isObj(parent) ? parent.spanId : v.parentSpanId;
  if (parentId) span.parentSpanId = hexId(parentId, 16, 'parentSpanId');
  span.name = v.name;
  span.kind = typeof v.kind === 'number' ? v.kind + 1 : 0; // SDK enum has no UNSPECIFIED
  span.startTimeUnixNano = nanos(v.startTime, 'span startTime');
  span.endTimeUnixNano = nanos(v.endTime, 'span endTime');
  span.attributes = keyValues(v.attributes, 'span attributes');
  span.droppedAttributesCount = count(pick(v, '_droppedAttributesCount', 'droppedAttributesCount'));
  span.events = (Array.isArray(v.events) ? v.events : []).map((e: unknown) => {
    if (!isObj(e)) throw new Error(`span event: expected an object, got ${describe(e)}`);
    return {
      attributes: keyValues(e.attributes, 'event attributes'),
      name: e.name,
      timeUnixNano: nanos(e.time, 'span event time'),
      droppedAttributesCount: count(e.droppedAttributesCount),
    };
  });
  span.droppedEventsCount = count(pick(v, '_droppedEventsCount', 'droppedEventsCount'));
  const status = isObj(v.status) ? v.status : {};
  span.status = typeof status.message === 'string' ? { code: count(status.code), message: status.message } : { code: count(status.code) };
  // A link context may be the same object as the parent's (then written as "[Circular]").
  const seenContexts: Obj[] = isObj(parent) ? [parent] : [];
  span.links = (Array.isArray(v.links) ? v.links : []).map((l: unknown) => {
    if (!isObj(l)) throw new Error(`span link: expected an object, got ${describe(l)}`);
    const c = l.context === CIRCULAR ? uniqueByValue(seenContexts, 'span link context') : l.context;
    if (!isObj(c)) throw new Error(`span link context: expected an object, got ${describe(c)}`);
    seenContexts.push(c);
    return {
      attributes: keyValues(l.attributes, 'link attributes'),
      spanId: hexId(c.spanId, 16, 'link spanId'),
      traceId: hexId(c.traceId, 32, 'link traceId'),
      droppedAttributesCount: count(l.droppedAttributesCount),
      flags: spanFlags(c.traceFlags, c.isRemote),
    };
  });
  span.droppedLinksCount = count(pick(v, '_droppedLinksCount', 'droppedLinksCount'));
  // Without parentSpanContext (1.x dump of a child span) the parent's isRemote is unknown.
  const legacyChild = !isObj(parent) && Boolean(v.parentSpanId);
  span.flags = legacyChild ? count(ctx.traceFlags) & 0xff : spanFlags(ctx.traceFlags, isObj(parent) ? parent.isRemote : false);
  const scope = pick(v, 'instrumentationScope', 'instrumentationLibrary');
  return {
    resourceSpans: [withResourceSchema(resourceToOtlp(v.resource), { scopeSpans: [{ ...scopeFields(scope), spans: [span] }] })],
  };
}

function logToOtlp(v: Obj): Obj {
  const hrTime = pick(v, 'hrTime', '_hrTime');
  let observed = pick(v, 'hrTimeObserved', '_hrTimeObserved');
  // timeInputToHrTime returns an HrTime input as is, so both can be one array.
  if (observed === CIRCULAR) observed = hrTime;
  const rec: Obj = {
    timeUnixNano: nanos(hrTime, 'log record hrTime'),
    observedTimeUnixNano: nanos(observed, 'log record hrTimeObserved'),
  };
  const severityNumber = pick(v, 'severityNumber', '_severityNumber');
  if (typeof severityNumber === 'number') rec.severityNumber = severityNumber;
  const severityText = pick(v, 'severityText', '_severityText');
  if (typeof severityText === 'string') rec.severityText = severityText;
  // Absent body stays absent (the exporter would send an empty AnyValue, which means the same).
  const body = pick(v, 'body', '_body');
  if (body !== undefined && body !== null) rec.body = anyValue(body);
  const eventName = pick(v, 'eventName', '_eventName');
  if (typeof eventName === 'string') rec.eventName = eventName;
  rec.attributes = keyValues(v.attributes, 'log attributes');
  rec.droppedAttributesCount = count(pick(v, '_droppedAttributesCount', 'droppedAttributesCount'));
  const ctx = pick(v, 'spanContext', '_spanContext');
  if (isObj(ctx)) {
    if (typeof ctx.traceFlags === 'number') rec.flags = ctx.traceFlags;
    rec.traceId = hexId(ctx.traceId, 32, 'log traceId');
    rec.spanId = hexId(ctx.spanId, 16, 'log spanId');
  }
  return {
    resourceLogs: [withResourceSchema(resourceToOtlp(v.resource), { scopeLogs: [{ ...scopeFields(v.instrumentationScope), logRecords: [rec] }] })],
  };
}

/** Of the candidates for a "[Circular]" reference, the one value they all share; else throw. */
function uniqueByValue<T>(candidates: T[], what: string): T {
  const distinct = new Map(candidates.map((c) => [JSON.stringify(c), c] as const));
  if (distinct.size !== 1) {
    throw new Error(`${what} is "[Circular]" (an object shared with an earlier part of the dump) and ${distinct.size === 0 ? 'nothing' : `${distinct.size} different earlier objects`} could be it`);
  }
  return [...distinct.values()][0];
}

// ---- metrics ----------------------------------------------------------------------------------

const METRIC_FIELD = ['histogram', 'exponentialHistogram', 'gauge', 'sum'] as const; // by SDK DataPointType
const OTLP_TEMPORALITY: Record<number, number> = { 0: 1, 1: 2 }; // SDK DELTA/CUMULATIVE → OTLP
const SYNC_INSTRUMENTS = new Set(['COUNTER', 'UP_DOWN_COUNTER', 'HISTOGRAM', 'GAUGE']);

/**
 * Resolves "[Circular]" in one ResourceMetrics dump. What the SDK (sdk-metrics 2.x) shares:
 * - endTime: MetricCollector.collect makes ONE collectionTime array for every point, so all but the
 *   first occurrence are "[Circular]". If it was first written as a start time (an observable
 *   series first observed in this collection starts at the collection time) it is the latest of the
 *   shareable start times, since no start time is later than the collection.
 * - startTime: a cumulative sync series owns its start array; observable series (and delta-calibrated
 *   ones) share collection-time arrays. A "[Circular]" start is resolved only when every shareable
 *   array seen so far has one value; otherwise it is left out (OTLP: start unknown).
 * - boundaries: all points of one instrument share the aggregator's array, and the default
 *   histogram aggregation is a singleton, so instruments without advice share one array too.
 */
class MetricRefs {
  private collectionTime: HrTime | undefined;
  private shareableStarts: HrTime[] = [];
  private seenBounds: number[][] = [];

  startTime(v: unknown, shareable: boolean): HrTime | undefined {
    if (isHrTime(v)) {
      if (shareable) this.shareableStarts.push(v);
      return v;
    }
    if (v !== CIRCULAR) throw new Error(`data point startTime: expected an hrTime, got ${describe(v)}`);
    const candidates = [...(this.collectionTime ? [this.collectionTime] : []), ...this.shareableStarts];
    const distinct = new Set(candidates.map((t) => `${t[0]}:${t[1]}`));
    if (distinct.size === 0) throw new Error('data point startTime is "[Circular]" but no earlier time could be it');
    return distinct.size === 1 ? candidates[0] : undefined;
  }

  endTime(v: unknown): HrTime {
    if (isHrTime(v)) return (this.collectionTime ??= v);
    if (v !== CIRCULAR) throw new Error(`data point endTime: expected an hrTime, got ${describe(v)}`);
    if (!this.collectionTime) {
      if (this.shareableStarts.length === 0) throw new Error('data point endTime is "[Circular]" but no earlier time could be it');
      this.collectionTime = this.shareableStarts.reduce((a, b) => (b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? b : a));
    }
    return this.collectionTime;
  }

  boundaries(v: unknown, sameInstrument: number[] | undefined, bucketCount: number): number[] {
    if (Array.isArray(v) && v.every((n) => typeof n === 'number')) {
      this.seenBounds.push(v);
      return v;
    }
    if (v !== CIRCULAR) throw new Error(`histogram boundaries: expected an array of numbers, got ${describe(v)}`);
    if (sameInstrument) return sameInstrument;
    return uniqueByValue(this.seenBounds.filter((b) => b.length === bucketCount - 1), 'histogram boundaries');
  }
}

function numberField(out: Obj, key: string, v: unknown): void {
  if (typeof v === 'number') out[key] = v; // null (NaN/±Infinity in the SDK) and undefined: omitted
}

/** Per-instrument state: whether its start times can be shared, and its bucket bounds once known. */
interface PointContext {
  shareableStart: boolean;
  bounds?: number[];
}

function dataPointToOtlp(p: unknown, field: (typeof METRIC_FIELD)[number], valueType: unknown, refs: MetricRefs, ctx: PointContext): Obj {
  if (!isObj(p)) throw new Error(`data point: expected an object, got ${describe(p)}`);
  if (p.attributes === CIRCULAR) throw new Error('data point attributes are "[Circular]" (one attributes object shared by two instruments); the dump does not say which');
  const out: Obj = { attributes: keyValues(p.attributes, 'data point attributes') };
  const start = refs.startTime(p.startTime, ctx.shareableStart);
  if (start) out.startTimeUnixNano = nanos(start, 'data point startTime');
  out.timeUnixNano = nanos(refs.endTime(p.endTime), 'data point endTime');
  const val = p.value;
  if (field === 'sum' || field === 'gauge') {
    // ValueType INT → asInt (the SDK truncates INT measurements, so the value is an integer).
    if (valueType === 0 && typeof val === 'number' && Number.isInteger(val)) out.asInt = BigInt(val).toString();
    else numberField(out, 'asDouble', val);
    return out;
  }
  if (!isObj(val)) throw new Error(`${field} data point value: expected an object, got ${describe(val)}`);
  out.count = u64(val.count, `${field} count`);
  numberField(out, 'sum', val.sum);
  numberField(out, 'min', val.min);
  numberField(out, 'max', val.max);
  if (field === 'histogram') {
    const buckets = isObj(val.buckets) ? val.buckets : {};
    const counts = Array.isArray(buckets.counts) ? buckets.counts : [];
    ctx.bounds = refs.boundaries(buckets.boundaries, ctx.bounds, counts.length);
    out.bucketCounts = counts.map((c) => u64(c, 'histogram bucket count'));
    out.explicitBounds = ctx.bounds;
  } else {
    out.scale = val.scale;
    out.zeroCount = u64(val.zeroCount, 'exponential histogram zeroCount');
    for (const side of ['positive', 'negative'] as const) {
      const b = isObj(val[side]) ? (val[side] as Obj) : {};
      const bucketCounts = Array.isArray(b.bucketCounts) ? b.bucketCounts : [];
      out[side] = { offset: count(b.offset), bucketCounts: bucketCounts.map((c) => u64(c, `${side} bucket count`)) };
    }
  }
  return out;
}

function metricToOtlp(m: unknown, refs: MetricRefs): Obj {
  if (!isObj(m) || !isObj(m.descriptor)) throw new Error(`metric: expected {descriptor, dataPoints, …}, got ${describe(m)}`);
  const d = m.descriptor;
  const field = typeof m.dataPointType === 'number' ? METRIC_FIELD[m.dataPointType] : undefined;
  if (!field) throw new Error(`metric ${String(d.name)}: unknown dataPointType ${describe(m.dataPointType)}`);
  const temporality = OTLP_TEMPORALITY[m.aggregationTemporality as number];
  if (field !== 'gauge' && temporality === undefined) {
    throw new Error(`metric ${String(d.name)}: unknown aggregationTemporality ${describe(m.aggregationTemporality)}`);
  }
  const ctx: PointContext = { shareableStart: !(m.aggregationTemporality === 1 && SYNC_INSTRUMENTS.has(d.type as string)) };
  const points = Array.isArray(m.dataPoints) ? m.dataPoints : [];
  const dataPoints = points.map((p) => dataPointToOtlp(p, field, d.valueType, refs, ctx));
  const body: Obj = field === 'gauge' ? { dataPoints } : { aggregationTemporality: temporality };
  if (field === 'sum') body.isMonotonic = m.isMonotonic === true;
  if (field !== 'gauge') body.dataPoints = dataPoints;
  return { name: d.name, description: d.description ?? '', unit: d.unit ?? '', [field]: body };
}

function metricsToOtlp(v: Obj): Obj {
  const refs = new MetricRefs();
  const scopeMetrics = (v.scopeMetrics as unknown[]).map((sm) => {
    if (!isObj(sm)) throw new Error(`scopeMetrics entry: expected an object, got ${describe(sm)}`);
    return { ...scopeFields(sm.scope), metrics: (Array.isArray(sm.metrics) ? sm.metrics : []).map((m) => metricToOtlp(m, refs)) };
  });
  return { resourceMetrics: [withResourceSchema(resourceToOtlp(v.resource), { scopeMetrics })] };
}

// ---- public API -------------------------------------------------------------------------------

function dumpSignal(value: unknown): Signal | undefined {
  if (!isObj(value)) return undefined;
  // OTLP/JSON export requests are never dumps.
  if ('resourceSpans' in value || 'resourceLogs' in value || 'resourceMetrics' in value) return undefined;
  if (isHrTime(pick(value, 'hrTime', '_hrTime')) && isObj(value.resource)) return 'logs';
  if (isObj(value._spanContext) && typeof value.name === 'string' && isHrTime(value.startTime)) return 'traces';
  if (Array.isArray(value.scopeMetrics) && isObj(value.resource)) return 'metrics';
  return undefined;
}

/** True for a parsed value that is an OTel JS SDK span, log record or ResourceMetrics dump. */
export function isSdkDumpValue(value: unknown): boolean {
  return dumpSignal(value) !== undefined;
}

/** Converts one parsed SDK dump into a one-resource OTLP/JSON export request in canonical form. */
export function sdkDumpToOtlp(value: unknown): { signal: Signal; body: Record<string, unknown> } {
  const signal = dumpSignal(value);
  const v = value as Obj;
  switch (signal) {
    case 'traces':
      return { signal, body: spanToOtlp(v) };
    case 'logs':
      return { signal, body: logToOtlp(v) };
    case 'metrics':
      return { signal, body: metricsToOtlp(v) };
    default:
      throw new Error(
        `not an OTel JS SDK dump (expected a span with _spanContext/startTime, a log record with hrTime, ` +
          `or a ResourceMetrics with resource/scopeMetrics): got ${describe(value)}`,
      );
  }
}

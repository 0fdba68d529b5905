/**
 * OTLP/JSON export request → raw-table rows. Every encoding (JSON, protobuf, Gemini outfile)
 * reaches this one function, so JSON and protobuf copies of the same request produce identical
 * rows and identical record keys: that is what makes loading both store each record once.
 * (For the CSV sink, OTLP/JSON spans arrive already written as rows, otlp-json.ts RawSpans: byte
 * for byte what span() below and CsvSink make of them, test/span-rows.test.ts.)
 *
 * A record with a value of the wrong type is skipped on its own (its siblings still load) and
 * reported with its JSON path.
 */
import { hash } from 'node:crypto';
import {
  RecordError,
  asArray,
  asObject,
  asString,
  attributesJson,
  attributesText,
  bool,
  double,
  enumValue,
  field,
  idHex,
  int32,
  int64Text,
  anyValueJson,
} from './anyvalue.js';
import { RawSpans, RenderedCounts } from './otlp-json.js';
import type { RowSink } from './rows.js';
import type { Signal } from './types.js';

type Obj = Record<string, unknown>;

export interface FlattenResult {
  spans: number;
  logs: number;
  metricPoints: number;
  /** Metric messages (each holds one or more points). */
  metrics: number;
  skipped: number;
  /** One entry per skipped record: JSON path and reason. */
  problems: string[];
  serviceNames: Set<string>;
  /** Earliest and latest record time, as canonical integer text (see cmpInt). */
  minTimeNs: string | null;
  maxTimeNs: string | null;
}

/**
 * Numeric order of canonical integer texts (int64Text: no leading zeros, '-' for negatives).
 * 64-bit values stay text from input to CSV: a BigInt per timestamp cost more than the compare.
 */
export function cmpInt(a: string, b: string): number {
  const an = a[0] === '-';
  if (an !== (b[0] === '-')) return an ? -1 : 1;
  const c = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return an ? -c : c;
}

const positive = (t: string) => t !== '0' && t[0] !== '-';

const SPAN_KIND: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODE: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
const TEMPORALITY: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};
const SEVERITY: Record<string, number> = Object.fromEntries(
  ['UNSPECIFIED', 'TRACE', 'TRACE2', 'TRACE3', 'TRACE4', 'DEBUG', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'INFO', 'INFO2', 'INFO3', 'INFO4', 'WARN', 'WARN2', 'WARN3', 'WARN4', 'ERROR', 'ERROR2', 'ERROR3', 'ERROR4', 'FATAL', 'FATAL2', 'FATAL3', 'FATAL4'].map(
    (n, i) => [`SEVERITY_NUMBER_${n}`, i],
  ),
);

/** The signal of an OTLP/JSON request object, from its top-level key. */
export function jsonSignal(body: Obj): Signal | undefined {
  if ('resourceSpans' in body || 'resource_spans' in body) return 'traces';
  if ('resourceLogs' in body || 'resource_logs' in body) return 'logs';
  if ('resourceMetrics' in body || 'resource_metrics' in body) return 'metrics';
  return undefined;
}

// One-shot SHA-1 (hardware-accelerated, faster than MD5 here); its first 64 bits, signed, are the
// key. A hex digest costs half of a Buffer one (no allocation per record).
function hash64(text: string): bigint {
  return BigInt.asIntN(64, BigInt('0x' + (hash('sha1', text, 'hex') as string).slice(0, 16)));
}

function hashHex(text: string): string {
  return (hash('sha1', text, 'hex') as string).slice(0, 16);
}

/**
 * Identical records inside one request are distinct records (two identical SSE events in the
 * same millisecond); identical records across requests are replays. So the key is the content
 * hash plus the occurrence number of that content within the request.
 */
export class KeyMaker {
  // Keyed by the hash, not the (long) content: a Map of content strings hashed each twice.
  private seen = new Map<bigint, number>();
  key(content: string): bigint {
    const first = hash64(content);
    const n = this.occurrence(first);
    return n === 1 ? first : hash64(`${content}\u0000#${n}`);
  }

  /** How many times this hash has been seen in the request, this time included. */
  protected occurrence(first: bigint): number {
    const n = (this.seen.get(first) ?? 0) + 1;
    this.seen.set(first, n);
    return n;
  }
}

/** `keys`: the record-key counter of the request (one shared by the parts of a split request). */
export function flattenRequest(signal: Signal, body: Obj, sink: RowSink, keys = new KeyMaker()): FlattenResult {
  const res: FlattenResult = {
    spans: 0,
    logs: 0,
    metricPoints: 0,
    metrics: 0,
    skipped: 0,
    problems: [],
    serviceNames: new Set(),
    minTimeNs: null,
    maxTimeNs: null,
  };
  const seenTime = (ns: string) => {
    if (!positive(ns)) return;
    if (res.minTimeNs === null || cmpInt(ns, res.minTimeNs) < 0) res.minTimeNs = ns;
    if (res.maxTimeNs === null || cmpInt(ns, res.maxTimeNs) > 0) res.maxTimeNs = ns;
  };
  const skip = (e: unknown) => {
    if (!(e instanceof RecordError)) throw e;
    res.skipped++;
    res.problems.push(e.message);
  };

  const top = signal === 'traces' ? ['resourceSpans', 'resource_spans'] : signal === 'logs' ? ['resourceLogs', 'resource_logs'] : ['resourceMetrics', 'resource_metrics'];
  const scopeKeys =
    signal === 'traces'
      ? ['scopeSpans', 'scope_spans', 'instrumentationLibrarySpans', 'instrumentation_library_spans', 'deprecatedScopeSpans']
      : signal === 'logs'
        ? ['scopeLogs', 'scope_logs', 'instrumentationLibraryLogs', 'instrumentation_library_logs']
        : ['scopeMetrics', 'scope_metrics', 'instrumentationLibraryMetrics', 'instrumentation_library_metrics'];
  const itemKey = signal === 'traces' ? 'spans' : signal === 'logs' ? ['logRecords', 'log_records'] : 'metrics';

  let resources: unknown[];
  try {
    resources = asArray(field(body, top[0], top[1]), top[0]);
  } catch (e) {
    skip(e);
    return res;
  }
  resources.forEach((rv, ri) => {
    const rpath = `${top[0]}[${ri}]`;
    let resourceId: string;
    let scopeLists: unknown[][];
    try {
      const r = asObject(rv, rpath);
      const resource = asObject(r.resource, `${rpath}.resource`);
      const attrs = attributesJson(resource.attributes, `${rpath}.resource.attributes`);
      const schemaUrl = asString(field(r, 'schemaUrl', 'schema_url'), `${rpath}.schemaUrl`);
      const dropped = int32(field(resource, 'droppedAttributesCount', 'dropped_attributes_count'), `${rpath}.resource.droppedAttributesCount`);
      resourceId = hashHex(`${attrs.json}\u0000${schemaUrl}\u0000${dropped}`);
      const serviceName = attrs.get('service.name') ?? '';
      if (serviceName) res.serviceNames.add(serviceName);
      sink.resource({ resource_id: resourceId, service_name: serviceName, attributes: attrs.json, schema_url: schemaUrl, dropped_attributes_count: dropped });
      scopeLists = scopeKeys.map((k) => asArray(r[k], `${rpath}.${k}`));
    } catch (e) {
      // A broken resource envelope makes all its records unattributable: skip them as one.
      skip(e);
      return;
    }
    for (const scopes of scopeLists) {
      scopes.forEach((sv, si) => {
        const spath = `${rpath}.${scopeKeys[0]}[${si}]`;
        let scopeId: string;
        let items: unknown[];
        let raw: RawSpans | null = null;
        try {
          const s = asObject(sv, spath);
          const scope = asObject(field(s, 'scope') ?? field(s, 'instrumentationLibrary', 'instrumentation_library'), `${spath}.scope`);
          const name = asString(scope.name, `${spath}.scope.name`);
          const version = asString(scope.version, `${spath}.scope.version`);
          const attrs = attributesJson(scope.attributes, `${spath}.scope.attributes`);
          const schemaUrl = asString(field(s, 'schemaUrl', 'schema_url'), `${spath}.schemaUrl`);
          scopeId = hashHex(`${name}\u0000${version}\u0000${attrs.json}\u0000${schemaUrl}`);
          sink.scope({ scope_id: scopeId, name, version, attributes: attrs.json, schema_url: schemaUrl });
          // spans the parser already wrote as rows (otlp-json.ts parseOtlpJson with a file id)
          if (signal === 'traces' && s.spans instanceof RawSpans) raw = s.spans;
          items = raw
            ? []
            : Array.isArray(itemKey)
            ? asArray(field(s, itemKey[0], itemKey[1]), `${spath}.${itemKey[0]}`)
            : asArray(s[itemKey], `${spath}.${itemKey}`);
        } catch (e) {
          skip(e);
          return;
        }
        if (raw) {
          if (!sink.rawSpans) throw new Error('span rows reached a sink that does not take them');
          sink.rawSpans(raw, resourceId, scopeId);
          res.spans += raw.count;
          if (raw.minStart !== null) seenTime(raw.minStart);
          if (raw.maxStart !== null) seenTime(raw.maxStart);
          return;
        }
        const ipath = `${spath}.${Array.isArray(itemKey) ? itemKey[0] : itemKey}`;
        items.forEach((iv, ii) => {
          // Paths name the failing field only when something fails: building them for every
          // field of every record cost more than the parsing.
          const where = () => `${ipath}[${ii}]`;
          try {
            if (signal === 'traces') {
              seenTime(span(asObject(iv, ''), resourceId, scopeId, sink));
              res.spans++;
            } else if (signal === 'logs') {
              seenTime(logRecord(asObject(iv, ''), resourceId, scopeId, keys, sink));
              res.logs++;
            } else {
              const m = metric(asObject(iv, ''), where, resourceId, scopeId, keys, sink, skip);
              res.metricPoints += m.points;
              res.metrics++;
              if (m.maxTime) seenTime(m.maxTime);
            }
          } catch (e) {
            skip(e instanceof RecordError ? e.under(where()) : e);
          }
        });
      });
    }
  });
  return res;
}

function span(o: Obj, resourceId: string, scopeId: string, sink: RowSink): string {
  const traceId = idHex(field(o, 'traceId', 'trace_id'), 16, `traceId`);
  const spanId = idHex(field(o, 'spanId', 'span_id'), 8, `spanId`);
  if (!traceId || !spanId) throw new RecordError('span has no traceId or spanId', '');
  const start = int64Text(field(o, 'startTimeUnixNano', 'start_time_unix_nano'), `startTimeUnixNano`);
  const end = int64Text(field(o, 'endTimeUnixNano', 'end_time_unix_nano'), `endTimeUnixNano`);
  const status = asObject(o.status, `status`);
  const attrs = attributesText(o.attributes, `attributes`);
  const events = asArray(o.events, `events`);
  const links = asArray(o.links, `links`);
  // A span is identified by its ids (and start, for producers that reuse ids across restarts).
  const key = hash64(`${traceId}${spanId}${start}`);
  // Validate children before emitting anything, so a bad event skips the span atomically.
  const eventRows = events.map((ev, i) => {
    const e = asObject(ev, `events[${i}]`);
    return {
      span_key: key,
      seq: i,
      trace_id: traceId,
      span_id: spanId,
      time_unix_nano: int64Text(field(e, 'timeUnixNano', 'time_unix_nano'), `events[${i}].timeUnixNano`),
      name: asString(e.name, `events[${i}].name`),
      attributes: attributesText(e.attributes, `events[${i}].attributes`),
    };
  });
  const linkRows = links.map((lv, i) => {
    const l = asObject(lv, `links[${i}]`);
    return {
      span_key: key,
      seq: i,
      trace_id: traceId,
      span_id: spanId,
      linked_trace_id: idHex(field(l, 'traceId', 'trace_id'), 16, `links[${i}].traceId`),
      linked_span_id: idHex(field(l, 'spanId', 'span_id'), 8, `links[${i}].spanId`),
      trace_state: asString(field(l, 'traceState', 'trace_state'), `links[${i}].traceState`),
      flags: int32(l.flags, `links[${i}].flags`),
      attributes: attributesText(l.attributes, `links[${i}].attributes`),
    };
  });
  sink.span({
    record_key: key,
    trace_id: traceId,
    span_id: spanId,
    parent_span_id: idHex(field(o, 'parentSpanId', 'parent_span_id'), 8, `parentSpanId`),
    trace_state: asString(field(o, 'traceState', 'trace_state'), `traceState`),
    name: asString(o.name, `name`),
    kind: enumValue(o.kind, SPAN_KIND, `kind`),
    start_time_unix_nano: start,
    end_time_unix_nano: end,
    status_code: enumValue(status.code, STATUS_CODE, `status.code`),
    status_message: asString(status.message, `status.message`),
    flags: int32(o.flags, `flags`),
    attributes: attrs,
    dropped_attributes_count: int32(field(o, 'droppedAttributesCount', 'dropped_attributes_count'), `droppedAttributesCount`),
    event_count: eventRows.length,
    link_count: linkRows.length,
    resource_id: resourceId,
    scope_id: scopeId,
  });
  for (const r of eventRows) sink.spanEvent(r);
  for (const r of linkRows) sink.spanLink(r);
  return start;
}

/** `event.timestamp` (ISO-8601, ms) → ns; Codex log records carry only this and observed time. */
function isoToNs(iso: string | undefined): string {
  if (!iso) return '0';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? (BigInt(ms) * 1_000_000n).toString() : '0';
}

function logRecord(o: Obj, resourceId: string, scopeId: string, keys: KeyMaker, sink: RowSink): string {
  const time = int64Text(field(o, 'timeUnixNano', 'time_unix_nano'), `timeUnixNano`);
  const observed = int64Text(field(o, 'observedTimeUnixNano', 'observed_time_unix_nano'), `observedTimeUnixNano`);
  const attrs = attributesJson(o.attributes, `attributes`);
  const body = anyValueJson(o.body, `body`);
  const severityNumber = enumValue(field(o, 'severityNumber', 'severity_number'), SEVERITY, `severityNumber`);
  const severityText = asString(field(o, 'severityText', 'severity_text'), `severityText`);
  const traceId = idHex(field(o, 'traceId', 'trace_id'), 16, `traceId`);
  const spanId = idHex(field(o, 'spanId', 'span_id'), 8, `spanId`);
  const eventName = asString(field(o, 'eventName', 'event_name'), `eventName`);
  const flags = int32(o.flags, `flags`);
  const dropped = int32(field(o, 'droppedAttributesCount', 'dropped_attributes_count'), `droppedAttributesCount`);
  const ts = positive(time) ? time : positive(observed) ? observed : isoToNs(attrs.get('event.timestamp'));
  const key = keys.key(
    `${resourceId}\u0000${scopeId}\u0000${time}\u0000${observed}\u0000${severityNumber}\u0000${severityText}\u0000${body}\u0000${attrs.json}\u0000${traceId}\u0000${spanId}\u0000${eventName}\u0000${flags}`,
  );
  sink.log({
    record_key: key,
    time_unix_nano: time,
    observed_time_unix_nano: observed,
    ts_unix_nano: ts,
    severity_number: severityNumber,
    severity_text: severityText,
    body,
    attributes: attrs.json,
    dropped_attributes_count: dropped,
    flags,
    trace_id: traceId,
    span_id: spanId,
    event_name: eventName,
    resource_id: resourceId,
    scope_id: scopeId,
  });
  return ts;
}

/** Comma-separated canonical non-negative decimals (no leading zeros), as every encoder writes counts. */
const UINT_LIST_RE = /^(?:(?:0|[1-9]\d*)(?:,(?:0|[1-9]\d*))*)?$/;

function commas(t: string): number {
  let n = 0;
  for (let i = t.indexOf(','); i >= 0; i = t.indexOf(',', i + 1)) n++;
  return n;
}

function numberList(v: unknown, path: string, kind: 'int' | 'double'): string {
  if (v instanceof RenderedCounts) return v.text;
  const arr = asArray(v, path);
  // Fast path for the usual canonical arrays (Codex histograms have 500+ buckets per point):
  // decimal strings or JS integers for counts, checked once on the joined text; finite numbers
  // for bounds.
  if (kind === 'int') {
    const joined = arr.join(',');
    // join() writes null/undefined as '' and numbers like 1e21 with an exponent, and flattens an
    // element holding commas or an array: the pattern or the element count then fails, and the
    // slow path below says which element is wrong.
    if (UINT_LIST_RE.test(joined) && commas(joined) === arr.length - 1 && joined !== '') return '[' + joined + ']';
    if (arr.length === 0) return '[]';
  } else {
    let ok = true;
    for (let i = 0; ok && i < arr.length; i++) {
      const x = arr[i];
      ok = typeof x === 'number' && Number.isFinite(x);
    }
    if (ok) return JSON.stringify(arr);
  }
  return '[' + arr.map((x, i) => (kind === 'int' ? int64Text(x, `${path}[${i}]`) : JSON.stringify(double(x, `${path}[${i}]`)))).join(',') + ']';
}

// The bounds of a histogram series repeat in every point (Codex: 513 doubles): the last array's
// text is reused when the next one holds the same numbers, since printing doubles is what costs.
let lastBounds: unknown[] = [];
let lastBoundsText = '[]';

function boundsText(v: unknown): string {
  // (the parser gives the same array again for the same bytes: otlp-json.ts boundsValue)
  if (v === lastBounds) return lastBoundsText;
  if (Array.isArray(v) && v.length === lastBounds.length && v.length > 0) {
    let same = true;
    for (let i = 0; same && i < v.length; i++) same = v[i] === lastBounds[i] && typeof v[i] === 'number';
    if (same) return lastBoundsText;
  }
  const text = numberList(v, 'explicitBounds', 'double');
  if (Array.isArray(v)) {
    lastBounds = v;
    lastBoundsText = text;
  }
  return text;
}

function metric(
  o: Obj,
  where: () => string,
  resourceId: string,
  scopeId: string,
  keys: KeyMaker,
  sink: RowSink,
  skip: (e: unknown) => void,
): { points: number; maxTime: string | null } {
  const name = asString(o.name, 'name');
  const description = asString(o.description, 'description');
  const unit = asString(o.unit, 'unit');
  let points = 0;
  let maxTime: string | null = null;
  const kinds: [string, string][] = [
    ['gauge', 'gauge'],
    ['sum', 'sum'],
    ['histogram', 'histogram'],
    ['exponentialHistogram', 'exponential_histogram'],
    ['summary', 'summary'],
  ];
  for (const [camel, snake] of kinds) {
    const dv = field(o, camel, snake);
    if (dv === undefined || dv === null) continue;
    const dpath = camel;
    const d = asObject(dv, dpath);
    const temporality = camel === 'gauge' || camel === 'summary' ? 0 : enumValue(field(d, 'aggregationTemporality', 'aggregation_temporality'), TEMPORALITY, `${dpath}.aggregationTemporality`);
    const monotonic = camel === 'sum' ? bool(field(d, 'isMonotonic', 'is_monotonic'), `${dpath}.isMonotonic`) : false;
    const dps = asArray(field(d, 'dataPoints', 'data_points'), `${dpath}.dataPoints`);
    dps.forEach((pv, pi) => {
      try {
        const p = asObject(pv, '');
        const attrs = attributesText(p.attributes, `attributes`);
        const start = int64Text(field(p, 'startTimeUnixNano', 'start_time_unix_nano'), `startTimeUnixNano`);
        const time = int64Text(field(p, 'timeUnixNano', 'time_unix_nano'), `timeUnixNano`);
        const flags = int32(p.flags, `flags`);
        const exemplars = asArray(p.exemplars, `exemplars`).length;
        const head = `${resourceId}\u0000${scopeId}\u0000${name}\u0000${unit}\u0000${camel}\u0000${temporality}\u0000${monotonic}\u0000${attrs}\u0000${start}\u0000${time}\u0000${flags}`;
        // Each kind's own fields are added to this object (Object.assign), not spread into a new
        // one: with spread copies a worker's decode CPU was 6 % higher (100 MB bench JSON lines).
        const base = { metric_name: name, description, unit, temporality, start_time_unix_nano: start, time_unix_nano: time, attributes: attrs, flags, exemplar_count: exemplars, resource_id: resourceId, scope_id: scopeId };
        if (camel === 'gauge' || camel === 'sum') {
          const asInt = field(p, 'asInt', 'as_int');
          const valueInt = asInt !== undefined && asInt !== null ? int64Text(asInt, `asInt`) : null;
          const valueDouble = valueInt === null ? double(field(p, 'asDouble', 'as_double'), `asDouble`) : null;
          sink.numberPoint(Object.assign(base, { record_key: keys.key(`${head}\u0000${valueInt}\u0000${valueDouble}`), metric_type: camel as 'gauge' | 'sum', is_monotonic: monotonic, value_int: valueInt, value_double: valueDouble }));
        } else if (camel === 'histogram') {
          const count = int64Text(p.count, `count`);
          const sum = double(p.sum, `sum`);
          const min = double(p.min, `min`);
          const max = double(p.max, `max`);
          const buckets = numberList(field(p, 'bucketCounts', 'bucket_counts'), `bucketCounts`, 'int');
          const bounds = boundsText(field(p, 'explicitBounds', 'explicit_bounds'));
          // A point is identified by its series and time window; the (large) bucket arrays add
          // nothing to that identity, so they stay out of the hash.
          sink.histogramPoint(Object.assign(base, { record_key: keys.key(`${head}\u0000${count}\u0000${sum}\u0000${min}\u0000${max}`), count, sum, min, max, bucket_counts: buckets, explicit_bounds: bounds }));
        } else if (camel === 'exponentialHistogram') {
          const count = int64Text(p.count, `count`);
          const sum = double(p.sum, `sum`);
          const min = double(p.min, `min`);
          const max = double(p.max, `max`);
          const scale = int32(p.scale, `scale`);
          const zeroCount = int64Text(field(p, 'zeroCount', 'zero_count'), `zeroCount`);
          const zeroThreshold = double(field(p, 'zeroThreshold', 'zero_threshold'), `zeroThreshold`) ?? 0;
          const pos = asObject(p.positive, `positive`);
          const neg = asObject(p.negative, `negative`);
          const posCounts = numberList(field(pos, 'bucketCounts', 'bucket_counts'), `positive.bucketCounts`, 'int');
          const negCounts = numberList(field(neg, 'bucketCounts', 'bucket_counts'), `negative.bucketCounts`, 'int');
          const posOffset = int32(pos.offset, `positive.offset`);
          const negOffset = int32(neg.offset, `negative.offset`);
          sink.expHistogramPoint(
            Object.assign(base, {
              record_key: keys.key(`${head}\u0000${count}\u0000${sum}\u0000${scale}\u0000${zeroCount}\u0000${posOffset}\u0000${negOffset}`),
              count,
              sum,
              min,
              max,
              scale,
              zero_count: zeroCount,
              zero_threshold: zeroThreshold,
              positive_offset: posOffset,
              positive_bucket_counts: posCounts,
              negative_offset: negOffset,
              negative_bucket_counts: negCounts,
            }),
          );
        } else {
          const count = int64Text(p.count, `count`);
          const sum = double(p.sum, `sum`) ?? 0;
          const qv = asArray(field(p, 'quantileValues', 'quantile_values'), `quantileValues`).map((q, qi) => {
            const qo = asObject(q, `quantileValues[${qi}]`);
            return `{"quantile":${JSON.stringify(double(qo.quantile, `quantileValues[${qi}].quantile`) ?? 0)},"value":${JSON.stringify(double(qo.value, `quantileValues[${qi}].value`) ?? 0)}}`;
          });
          const quantiles = '[' + qv.join(',') + ']';
          sink.summaryPoint(Object.assign(base, { record_key: keys.key(`${head}\u0000${count}\u0000${sum}\u0000${quantiles}`), count, sum, quantile_values: quantiles }));
        }
        points++;
        if (maxTime === null || cmpInt(time, maxTime) > 0) maxTime = time;
      } catch (e) {
        skip(e instanceof RecordError ? e.under(`${where()}.${camel}.dataPoints[${pi}]`) : e);
      }
    });
  }
  return { points, maxTime };
}

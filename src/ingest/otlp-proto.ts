/**
 * OTLP protobuf input: splitting a buffer into messages (raw request body, gRPC frames, Collector
 * `file` exporter `proto` records), telling which signal a message carries, and decoding an
 * Export{Trace,Logs,Metrics}ServiceRequest into the canonical OTLP/JSON form described in types.ts.
 *
 * Why a hand-written decoder over a small cursor, and not protobufjs (reflection or its Reader):
 * - 64-bit fields must become exact decimal strings. protobufjs reads them into `Long`/`LongBits`
 *   objects (or lossy numbers); here each one is read as two uint32 halves and printed directly.
 * - ids go straight from the buffer to hex and other bytes to base64, with no intermediate copies.
 * - every length is checked against its enclosing message and errors carry the byte offset.
 * - a known field with the wrong wire type is an error rather than silently skipped, which is what
 *   makes trial decoding (detectProtobufSignal) trustworthy. Unknown field numbers are skipped.
 * Field numbers follow opentelemetry-proto v1.11 (vendored in ./proto/, used by the tests), so the
 * newer LogRecord.event_name, Span.flags and Link.flags are decoded.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import type { Signal } from './types.js';

type Obj = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Framing

export type ProtobufFraming = 'single' | 'grpc' | 'length-prefixed';

export interface ProtobufFrame {
  /** Offset in the input of the record's start (its length prefix, or 0 for a raw body). */
  byteOffset: number;
  /** The message, decompressed if the record was compressed. */
  bytes: Uint8Array;
}

export interface ProtobufSplit {
  framing: ProtobufFraming;
  frames: ProtobufFrame[];
  problems: { byteOffset: number; message: string }[];
}

interface Candidate extends ProtobufSplit {
  /** The records tile the whole buffer with nothing cut off. */
  exact: boolean;
  /** How many messages start with 0x0a (field 1, LEN): the tie-breaker between framings. */
  looksOtlp: number;
}

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(b: Uint8Array, magic: number[]): boolean {
  return b.length >= magic.length && magic.every((m, i) => b[i] === m);
}

function be32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/**
 * Finds how `buf` is framed by trying each framing and keeping the one whose lengths add up to the
 * buffer size (ties: most messages starting with 0x0a, then single, gRPC, length-prefixed). When
 * none fits exactly (a cut-off last record), the framing with the most good records wins and the
 * cut is reported as a problem. Throws when no framing yields a single good record.
 */
export function splitProtobufFrames(buf: Uint8Array): ProtobufSplit {
  if (buf.length === 0) return { framing: 'single', frames: [], problems: [] };
  const candidates: Candidate[] = [];
  if (buf[0] === 0x0a) candidates.push(trySingle(buf));
  if (buf[0] <= 1) candidates.push(tryPrefixed(buf, 'grpc'));
  candidates.push(tryPrefixed(buf, 'length-prefixed'));

  const exact = candidates.filter((c) => c.exact);
  const pool = exact.length > 0 ? exact : candidates.filter((c) => c.frames.length > 0);
  if (pool.length === 0) throw new Error(describeUnframeable(buf, candidates));
  // Stable sort keeps the preference order single > grpc > length-prefixed on equal scores.
  const best = [...pool].sort((a, b) =>
    exact.length > 0 ? b.looksOtlp - a.looksOtlp : b.frames.length - a.frames.length,
  )[0];
  return { framing: best.framing, frames: best.frames, problems: best.problems };
}

/** A raw request body: its top-level fields must parse and end exactly at the buffer's end. */
function trySingle(buf: Uint8Array): Candidate {
  const c = new Cursor(buf);
  try {
    while (c.pos < buf.length) skipField(c, readTag(c), buf.length);
    return { framing: 'single', frames: [{ byteOffset: 0, bytes: buf }], problems: [], exact: true, looksOtlp: 1 };
  } catch (err) {
    const message = `raw request body is cut off or corrupt: ${(err as Error).message}`;
    return { framing: 'single', frames: [], problems: [{ byteOffset: c.pos, message }], exact: false, looksOtlp: 0 };
  }
}

/**
 * gRPC (flag byte + 4-byte big-endian length) or Collector `proto` records (4-byte big-endian
 * length). Reading stops at the first record that does not fit: without a sync marker nothing
 * after it can be trusted.
 */
function tryPrefixed(buf: Uint8Array, framing: 'grpc' | 'length-prefixed'): Candidate {
  const header = framing === 'grpc' ? 5 : 4;
  const out: Candidate = { framing, frames: [], problems: [], exact: false, looksOtlp: 0 };
  let pos = 0;
  while (pos < buf.length) {
    const flag = framing === 'grpc' ? buf[pos] : 0;
    if (flag > 1) {
      out.problems.push({ byteOffset: pos, message: `gRPC frame has compressed-flag ${flag}; only 0 and 1 exist` });
      return out;
    }
    if (buf.length - pos < header) {
      out.problems.push({ byteOffset: pos, message: `record header is cut off: ${buf.length - pos} of ${header} bytes present` });
      return out;
    }
    const len = be32(buf, pos + header - 4);
    const start = pos + header;
    if (len > buf.length - start) {
      out.problems.push({
        byteOffset: pos,
        message: `record is cut off: it declares ${len} bytes but only ${buf.length - start} remain`,
      });
      return out;
    }
    const payload = buf.subarray(start, start + len);
    try {
      const bytes = flag === 1 || startsWith(payload, ZSTD) ? decompress(payload, framing) : payload;
      out.frames.push({ byteOffset: pos, bytes });
      if (bytes[0] === 0x0a) out.looksOtlp++;
    } catch (err) {
      // The framing is intact, so the following records are still usable.
      out.problems.push({ byteOffset: pos, message: (err as Error).message });
    }
    pos = start + len;
  }
  out.exact = out.problems.length === 0;
  return out;
}

/** gRPC compressed messages (grpc-encoding gzip/deflate/zstd) and legacy per-record zstd. */
function decompress(payload: Uint8Array, framing: ProtobufFraming): Uint8Array {
  try {
    if (startsWith(payload, GZIP)) return gunzipSync(payload);
    if (startsWith(payload, ZSTD)) return zstdDecompress(payload);
    if (payload[0] === 0x78) return inflateSync(payload);
  } catch (err) {
    throw new Error(`compressed record does not decompress: ${(err as Error).message}`);
  }
  throw new Error(`${framing} record is flagged compressed but is neither gzip, zlib nor zstd`);
}

function describeUnframeable(buf: Uint8Array, candidates: Candidate[]): string {
  const head = Buffer.from(buf.subarray(0, 8)).toString('hex');
  if (startsWith(buf, GZIP) || startsWith(buf, ZSTD)) {
    return `not OTLP protobuf: the data is ${startsWith(buf, GZIP) ? 'gzip' : 'zstd'}-compressed (starts ${head}); decompress it first`;
  }
  const why = candidates.map((c) => `${c.framing}: ${c.problems[0]?.message ?? 'no records'} (byte ${c.problems[0]?.byteOffset ?? 0})`);
  return `not OTLP protobuf (starts ${head}): it is neither a raw request body, gRPC frames nor length-prefixed records. ${why.join('; ')}`;
}

// ---------------------------------------------------------------------------------------------
// Signal detection

type ItemDecoder = (c: Cursor, end: number) => Obj;

/**
 * Decides the signal from the first span, log record or metric: the three request types share
 * their envelope (field 1 → resource list, 2 → scope list, 2 → items), so only the items differ.
 * The item is trial-decoded with each item decoder (they reject known fields with the wrong wire
 * type); among those that succeed, a span with 16/8-byte ids or a named metric with data is
 * decisive, then a log record. The file-name hint is used only when there are no items at all.
 */
export function detectProtobufSignal(msg: Uint8Array, nameHint?: string): Signal | undefined {
  let item: Uint8Array | undefined;
  try {
    item = firstItem(msg);
  } catch {
    return undefined;
  }
  if (item === undefined) return signalFromName(nameHint);
  const tryDecode = (decode: ItemDecoder): Obj | undefined => {
    try {
      const c = new Cursor(item!);
      return decode(c, item!.length);
    } catch {
      return undefined;
    }
  };
  const span = tryDecode(decodeSpan);
  if (span && typeof span.traceId === 'string' && span.traceId.length === 32 && typeof span.spanId === 'string' && span.spanId.length === 16) {
    return 'traces';
  }
  const metric = tryDecode(decodeMetric);
  const metricData = metric && ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'].some((k) => k in metric);
  if (metric && metric.name && metricData) return 'metrics';
  const log = tryDecode(decodeLogRecord);
  if (log && Object.keys(log).length > 0) return 'logs';
  if (metric) return 'metrics';
  if (span) return 'traces';
  return undefined;
}

/** The bytes of the first item in the request, or undefined if it has none. */
function firstItem(msg: Uint8Array): Uint8Array | undefined {
  const c = new Cursor(msg);
  const inner = (end: number, field: number, then: (end: number) => Uint8Array | undefined) => {
    while (c.pos < end) {
      const tag = readTag(c);
      if (tag === ((field << 3) | 2) || (field === 2 && tag === LEGACY_SCOPE_TAG)) {
        const sub = lengthEnd(c, end);
        const found = then(sub);
        if (found) return found;
        c.pos = sub;
      } else skipField(c, tag, end);
    }
    return undefined;
  };
  return inner(msg.length, 1, (r) =>
    inner(r, 2, (s) => inner(s, 2, (i) => msg.subarray(c.pos, i))),
  );
}

function signalFromName(name: string | undefined): Signal | undefined {
  if (!name) return undefined;
  const base = name.toLowerCase().split(/[\\/]/).pop()!;
  const hits: Signal[] = [];
  if (/trace|span/.test(base)) hits.push('traces');
  if (/metric/.test(base)) hits.push('metrics');
  if (/log/.test(base)) hits.push('logs');
  return hits.length === 1 ? hits[0] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Decoding

const REQUEST_NAME: Record<Signal, string> = {
  traces: 'ExportTraceServiceRequest',
  logs: 'ExportLogsServiceRequest',
  metrics: 'ExportMetricsServiceRequest',
};

/** Decodes an Export*ServiceRequest (same bytes as TracesData/LogsData/MetricsData). */
export function decodeProtobufRequest(msg: Uint8Array, signal: Signal): Obj {
  const c = new Cursor(msg);
  try {
    const [resourceKey, scopeKey, itemKey, item] = ENVELOPE[signal];
    const resources: Obj[] = [];
    while (c.pos < msg.length) {
      const tag = readTag(c);
      if (tag === 0x0a) resources.push(decodeResourceX(c, lengthEnd(c, msg.length), scopeKey, itemKey, item));
      else unknownField(c, tag, msg.length, 0b10, 'request');
    }
    checkEnd(c, msg.length);
    return resources.length > 0 ? { [resourceKey]: resources } : {};
  } catch (err) {
    if (!(err instanceof ProtoError)) throw err;
    throw new Error(`cannot decode ${REQUEST_NAME[signal]}: ${err.message} at byte ${err.byteOffset} of the message`);
  }
}

const ENVELOPE: Record<Signal, [string, string, string, ItemDecoder]> = {
  traces: ['resourceSpans', 'scopeSpans', 'spans', (c, e) => decodeSpan(c, e)],
  logs: ['resourceLogs', 'scopeLogs', 'logRecords', (c, e) => decodeLogRecord(c, e)],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics', (c, e) => decodeMetric(c, e)],
};

/**
 * Field 1000 of Resource{Spans,Logs,Metrics} is the pre-1.0 `instrumentation_library_*` list
 * (now reserved). Its messages have the Scope* layout, so old exporters' data is folded into the
 * scope list, as pdata does.
 */
const LEGACY_SCOPE_TAG = (1000 << 3) | 2;

function decodeResourceX(c: Cursor, end: number, scopeKey: string, itemKey: string, item: ItemDecoder): Obj {
  const o: Obj = {};
  const scopes: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: o.resource = decodeResource(c, lengthEnd(c, end)); break;
      case 0x12: case LEGACY_SCOPE_TAG: scopes.push(decodeScopeX(c, lengthEnd(c, end), itemKey, item)); break;
      case 0x1a: setString(o, 'schemaUrl', c, end); break;
      default: unknownField(c, tag, end, 0b1110, 'Resource*');
    }
  }
  if (scopes.length > 0) o[scopeKey] = scopes;
  checkEnd(c, end);
  return o;
}

function decodeScopeX(c: Cursor, end: number, itemKey: string, item: ItemDecoder): Obj {
  const o: Obj = {};
  const items: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: o.scope = decodeScope(c, lengthEnd(c, end)); break;
      case 0x12: items.push(item(c, lengthEnd(c, end))); break;
      case 0x1a: setString(o, 'schemaUrl', c, end); break;
      default: unknownField(c, tag, end, 0b1110, 'Scope*');
    }
  }
  if (items.length > 0) o[itemKey] = items;
  checkEnd(c, end);
  return o;
}

function decodeResource(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const attributes: Obj[] = [];
  const refs: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: attributes.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      case 0x10: setUint(o, 'droppedAttributesCount', c); break;
      case 0x1a: refs.push(decodeEntityRef(c, lengthEnd(c, end))); break;
      default: unknownField(c, tag, end, 0b1110, 'Resource');
    }
  }
  if (attributes.length > 0) o.attributes = attributes;
  if (refs.length > 0) o.entityRefs = refs;
  checkEnd(c, end);
  return o;
}

function decodeEntityRef(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const idKeys: string[] = [];
  const descriptionKeys: string[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: setString(o, 'schemaUrl', c, end); break;
      case 0x12: setString(o, 'type', c, end); break;
      case 0x1a: idKeys.push(readString(c, end)); break;
      case 0x22: descriptionKeys.push(readString(c, end)); break;
      default: unknownField(c, tag, end, 0b11110, 'EntityRef');
    }
  }
  if (idKeys.length > 0) o.idKeys = idKeys;
  if (descriptionKeys.length > 0) o.descriptionKeys = descriptionKeys;
  checkEnd(c, end);
  return o;
}

function decodeScope(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const attributes: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: setString(o, 'name', c, end); break;
      case 0x12: setString(o, 'version', c, end); break;
      case 0x1a: attributes.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      case 0x20: setUint(o, 'droppedAttributesCount', c); break;
      default: unknownField(c, tag, end, 0b11110, 'InstrumentationScope');
    }
  }
  if (attributes.length > 0) o.attributes = attributes;
  checkEnd(c, end);
  return o;
}

function decodeKeyValue(c: Cursor, end: number): Obj {
  const o: Obj = {};
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: setString(o, 'key', c, end); break;
      case 0x12: o.value = decodeAnyValue(c, lengthEnd(c, end)); break;
      case 0x18: setInt32(o, 'keyStrindex', c); break;
      default: unknownField(c, tag, end, 0b1110, 'KeyValue');
    }
  }
  checkEnd(c, end);
  return o;
}

/** AnyValue is a oneof: the value is present even when it is "", 0 or false; the last one wins. */
function decodeAnyValue(c: Cursor, end: number): Obj {
  let o: Obj = {};
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: o = { stringValue: readString(c, end) }; break;
      case 0x10: o = { boolValue: readVarint(c) !== 0 }; break;
      case 0x18: readVarint64(c); o = { intValue: int64String(lo, hi) }; break;
      case 0x21: o = { doubleValue: jsonDouble(readDouble(c)) }; break;
      case 0x2a: o = { arrayValue: decodeValues(c, lengthEnd(c, end), decodeAnyValue) }; break;
      case 0x32: o = { kvlistValue: decodeValues(c, lengthEnd(c, end), decodeKeyValue) }; break;
      case 0x3a: o = { bytesValue: readBase64(c, end) }; break;
      case 0x40: o = { stringValueStrindex: readVarint(c) | 0 }; break;
      default: unknownField(c, tag, end, 0b111111110, 'AnyValue');
    }
  }
  checkEnd(c, end);
  return o;
}

/** ArrayValue and KeyValueList: `{values: [...]}`, or `{}` when empty. */
function decodeValues(c: Cursor, end: number, decode: (c: Cursor, end: number) => Obj): Obj {
  const values: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    if (tag === 0x0a) values.push(decode(c, lengthEnd(c, end)));
    else unknownField(c, tag, end, 0b10, 'ArrayValue/KeyValueList');
  }
  checkEnd(c, end);
  return values.length > 0 ? { values } : {};
}

// --- traces

function decodeSpan(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const attributes: Obj[] = [];
  const events: Obj[] = [];
  const links: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: setHex(o, 'traceId', c, end); break;
      case 0x12: setHex(o, 'spanId', c, end); break;
      case 0x1a: setString(o, 'traceState', c, end); break;
      case 0x22: setHex(o, 'parentSpanId', c, end); break;
      case 0x2a: setString(o, 'name', c, end); break;
      case 0x30: setInt32(o, 'kind', c); break;
      case 0x39: setFixed64(o, 'startTimeUnixNano', c); break;
      case 0x41: setFixed64(o, 'endTimeUnixNano', c); break;
      case 0x4a: attributes.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      case 0x50: setUint(o, 'droppedAttributesCount', c); break;
      case 0x5a: events.push(decodeEvent(c, lengthEnd(c, end))); break;
      case 0x60: setUint(o, 'droppedEventsCount', c); break;
      case 0x6a: links.push(decodeLink(c, lengthEnd(c, end))); break;
      case 0x70: setUint(o, 'droppedLinksCount', c); break;
      case 0x7a: o.status = decodeStatus(c, lengthEnd(c, end)); break;
      case 0x85: setFixed32(o, 'flags', c); break; // field 16: a two-byte tag (0x85 0x01)
      default: unknownField(c, tag, end, 0x1fffe, 'Span');
    }
  }
  if (attributes.length > 0) o.attributes = attributes;
  if (events.length > 0) o.events = events;
  if (links.length > 0) o.links = links;
  checkEnd(c, end);
  return o;
}

function decodeEvent(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const attributes: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x09: setFixed64(o, 'timeUnixNano', c); break;
      case 0x12: setString(o, 'name', c, end); break;
      case 0x1a: attributes.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      case 0x20: setUint(o, 'droppedAttributesCount', c); break;
      default: unknownField(c, tag, end, 0b11110, 'Span.Event');
    }
  }
  if (attributes.length > 0) o.attributes = attributes;
  checkEnd(c, end);
  return o;
}

function decodeLink(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const attributes: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: setHex(o, 'traceId', c, end); break;
      case 0x12: setHex(o, 'spanId', c, end); break;
      case 0x1a: setString(o, 'traceState', c, end); break;
      case 0x22: attributes.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      case 0x28: setUint(o, 'droppedAttributesCount', c); break;
      case 0x35: setFixed32(o, 'flags', c); break;
      default: unknownField(c, tag, end, 0b1111110, 'Span.Link');
    }
  }
  if (attributes.length > 0) o.attributes = attributes;
  checkEnd(c, end);
  return o;
}

function decodeStatus(c: Cursor, end: number): Obj {
  const o: Obj = {};
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x12: setString(o, 'message', c, end); break;
      case 0x18: setInt32(o, 'code', c); break;
      default: unknownField(c, tag, end, 0b1100, 'Status');
    }
  }
  checkEnd(c, end);
  return o;
}

// --- logs

function decodeLogRecord(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const attributes: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x09: setFixed64(o, 'timeUnixNano', c); break;
      case 0x10: setInt32(o, 'severityNumber', c); break;
      case 0x1a: setString(o, 'severityText', c, end); break;
      case 0x2a: o.body = decodeAnyValue(c, lengthEnd(c, end)); break;
      case 0x32: attributes.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      case 0x38: setUint(o, 'droppedAttributesCount', c); break;
      case 0x45: setFixed32(o, 'flags', c); break;
      case 0x4a: setHex(o, 'traceId', c, end); break;
      case 0x52: setHex(o, 'spanId', c, end); break;
      case 0x59: setFixed64(o, 'observedTimeUnixNano', c); break;
      case 0x62: setString(o, 'eventName', c, end); break;
      default: unknownField(c, tag, end, 0b1111111101110, 'LogRecord');
    }
  }
  if (attributes.length > 0) o.attributes = attributes;
  checkEnd(c, end);
  return o;
}

// --- metrics

function decodeMetric(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const metadata: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: setString(o, 'name', c, end); break;
      case 0x12: setString(o, 'description', c, end); break;
      case 0x1a: setString(o, 'unit', c, end); break;
      case 0x2a: setData(o, 'gauge', decodeMetricData(c, lengthEnd(c, end), decodeNumberPoint)); break;
      case 0x3a: setData(o, 'sum', decodeMetricData(c, lengthEnd(c, end), decodeNumberPoint)); break;
      case 0x4a: setData(o, 'histogram', decodeMetricData(c, lengthEnd(c, end), decodeHistogramPoint)); break;
      case 0x52: setData(o, 'exponentialHistogram', decodeMetricData(c, lengthEnd(c, end), decodeExpHistogramPoint)); break;
      case 0x5a: setData(o, 'summary', decodeMetricData(c, lengthEnd(c, end), decodeSummaryPoint)); break;
      case 0x62: metadata.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      default: unknownField(c, tag, end, 0b1111010101110, 'Metric');
    }
  }
  if (metadata.length > 0) o.metadata = metadata;
  checkEnd(c, end);
  return o;
}

const METRIC_DATA = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];

/** `data` is a oneof: a later member replaces an earlier one. */
function setData(o: Obj, key: string, value: Obj): void {
  for (const k of METRIC_DATA) delete o[k];
  o[key] = value;
}

/**
 * Gauge, Sum, Histogram, ExponentialHistogram and Summary share 1 = data points; Sum and the
 * histograms add 2 = aggregation temporality, Sum adds 3 = is_monotonic (absent elsewhere).
 */
function decodeMetricData(c: Cursor, end: number, point: (c: Cursor, end: number) => Obj): Obj {
  const o: Obj = {};
  const dataPoints: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: dataPoints.push(point(c, lengthEnd(c, end))); break;
      case 0x10: setInt32(o, 'aggregationTemporality', c); break;
      case 0x18: if (readVarint(c) !== 0) o.isMonotonic = true; break;
      default: unknownField(c, tag, end, 0b1110, 'metric data');
    }
  }
  if (dataPoints.length > 0) o.dataPoints = dataPoints;
  checkEnd(c, end);
  return o;
}

function decodeNumberPoint(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const attributes: Obj[] = [];
  const exemplars: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x11: setFixed64(o, 'startTimeUnixNano', c); break;
      case 0x19: setFixed64(o, 'timeUnixNano', c); break;
      case 0x21: delete o.asInt; o.asDouble = jsonDouble(readDouble(c)); break;
      case 0x2a: exemplars.push(decodeExemplar(c, lengthEnd(c, end))); break;
      case 0x31: delete o.asDouble; readFixed64(c); o.asInt = int64String(lo, hi); break;
      case 0x3a: attributes.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      case 0x40: setUint(o, 'flags', c); break;
      default: unknownField(c, tag, end, 0b111111100, 'NumberDataPoint');
    }
  }
  if (attributes.length > 0) o.attributes = attributes;
  if (exemplars.length > 0) o.exemplars = exemplars;
  checkEnd(c, end);
  return o;
}

function decodeHistogramPoint(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const attributes: Obj[] = [];
  const exemplars: Obj[] = [];
  const bucketCounts: string[] = [];
  const explicitBounds: (number | string)[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x11: setFixed64(o, 'startTimeUnixNano', c); break;
      case 0x19: setFixed64(o, 'timeUnixNano', c); break;
      case 0x21: setFixed64(o, 'count', c); break;
      case 0x29: o.sum = jsonDouble(readDouble(c)); break; // `optional`: kept even when 0
      case 0x31: readFixed64(c); bucketCounts.push(uint64String(lo, hi)); break;
      case 0x32: readPackedFixed64(c, lengthEnd(c, end), bucketCounts); break;
      case 0x39: explicitBounds.push(jsonDouble(readDouble(c))); break;
      case 0x3a: readPackedDouble(c, lengthEnd(c, end), explicitBounds); break;
      case 0x42: exemplars.push(decodeExemplar(c, lengthEnd(c, end))); break;
      case 0x4a: attributes.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      case 0x50: setUint(o, 'flags', c); break;
      case 0x59: o.min = jsonDouble(readDouble(c)); break;
      case 0x61: o.max = jsonDouble(readDouble(c)); break;
      default: unknownField(c, tag, end, 0b1111111111100, 'HistogramDataPoint');
    }
  }
  if (attributes.length > 0) o.attributes = attributes;
  if (bucketCounts.length > 0) o.bucketCounts = bucketCounts;
  if (explicitBounds.length > 0) o.explicitBounds = explicitBounds;
  if (exemplars.length > 0) o.exemplars = exemplars;
  checkEnd(c, end);
  return o;
}

function decodeExpHistogramPoint(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const attributes: Obj[] = [];
  const exemplars: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: attributes.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      case 0x11: setFixed64(o, 'startTimeUnixNano', c); break;
      case 0x19: setFixed64(o, 'timeUnixNano', c); break;
      case 0x21: setFixed64(o, 'count', c); break;
      case 0x29: o.sum = jsonDouble(readDouble(c)); break;
      case 0x30: { const v = zigzag32(readVarint(c)); if (v !== 0) o.scale = v; break; }
      case 0x39: setFixed64(o, 'zeroCount', c); break;
      case 0x42: o.positive = decodeBuckets(c, lengthEnd(c, end)); break;
      case 0x4a: o.negative = decodeBuckets(c, lengthEnd(c, end)); break;
      case 0x50: setUint(o, 'flags', c); break;
      case 0x5a: exemplars.push(decodeExemplar(c, lengthEnd(c, end))); break;
      case 0x61: o.min = jsonDouble(readDouble(c)); break;
      case 0x69: o.max = jsonDouble(readDouble(c)); break;
      case 0x71: { const v = readDouble(c); if (v !== 0) o.zeroThreshold = jsonDouble(v); break; }
      default: unknownField(c, tag, end, 0x7ffe, 'ExponentialHistogramDataPoint');
    }
  }
  if (attributes.length > 0) o.attributes = attributes;
  if (exemplars.length > 0) o.exemplars = exemplars;
  checkEnd(c, end);
  return o;
}

function decodeBuckets(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const bucketCounts: string[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x08: { const v = zigzag32(readVarint(c)); if (v !== 0) o.offset = v; break; }
      case 0x10: readVarint64(c); bucketCounts.push(uint64String(lo, hi)); break;
      case 0x12: {
        const sub = lengthEnd(c, end);
        while (c.pos < sub) { readVarint64(c); bucketCounts.push(uint64String(lo, hi)); }
        checkEnd(c, sub);
        break;
      }
      default: unknownField(c, tag, end, 0b110, 'ExponentialHistogramDataPoint.Buckets');
    }
  }
  if (bucketCounts.length > 0) o.bucketCounts = bucketCounts;
  checkEnd(c, end);
  return o;
}

function decodeSummaryPoint(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const attributes: Obj[] = [];
  const quantileValues: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x11: setFixed64(o, 'startTimeUnixNano', c); break;
      case 0x19: setFixed64(o, 'timeUnixNano', c); break;
      case 0x21: setFixed64(o, 'count', c); break;
      case 0x29: setDouble(o, 'sum', c); break; // not `optional` here: 0 is omitted
      case 0x32: quantileValues.push(decodeQuantile(c, lengthEnd(c, end))); break;
      case 0x3a: attributes.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      case 0x40: setUint(o, 'flags', c); break;
      default: unknownField(c, tag, end, 0b111111100, 'SummaryDataPoint');
    }
  }
  if (attributes.length > 0) o.attributes = attributes;
  if (quantileValues.length > 0) o.quantileValues = quantileValues;
  checkEnd(c, end);
  return o;
}

function decodeQuantile(c: Cursor, end: number): Obj {
  const o: Obj = {};
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x09: setDouble(o, 'quantile', c); break;
      case 0x11: setDouble(o, 'value', c); break;
      default: unknownField(c, tag, end, 0b110, 'SummaryDataPoint.ValueAtQuantile');
    }
  }
  checkEnd(c, end);
  return o;
}

function decodeExemplar(c: Cursor, end: number): Obj {
  const o: Obj = {};
  const filteredAttributes: Obj[] = [];
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x11: setFixed64(o, 'timeUnixNano', c); break;
      case 0x19: delete o.asInt; o.asDouble = jsonDouble(readDouble(c)); break;
      case 0x22: setHex(o, 'spanId', c, end); break;
      case 0x2a: setHex(o, 'traceId', c, end); break;
      case 0x31: delete o.asDouble; readFixed64(c); o.asInt = int64String(lo, hi); break;
      case 0x3a: filteredAttributes.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      default: unknownField(c, tag, end, 0b11111100, 'Exemplar');
    }
  }
  if (filteredAttributes.length > 0) o.filteredAttributes = filteredAttributes;
  checkEnd(c, end);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Field setters: proto3 scalars equal to their default are omitted, as the protobuf JSON mapping
// does; message fields, oneof members and `optional` fields are kept whenever present.

function setString(o: Obj, key: string, c: Cursor, end: number): void {
  const s = readString(c, end);
  if (s !== '') o[key] = s;
}

function setHex(o: Obj, key: string, c: Cursor, end: number): void {
  const e = lengthEnd(c, end);
  if (e > c.pos) o[key] = c.buf.hexSlice(c.pos, e);
  c.pos = e;
}

function setUint(o: Obj, key: string, c: Cursor): void {
  const v = readVarint(c);
  if (v !== 0) o[key] = v;
}

function setInt32(o: Obj, key: string, c: Cursor): void {
  const v = readVarint(c) | 0;
  if (v !== 0) o[key] = v;
}

function setFixed32(o: Obj, key: string, c: Cursor): void {
  const v = readFixed32(c);
  if (v !== 0) o[key] = v;
}

function setFixed64(o: Obj, key: string, c: Cursor): void {
  readFixed64(c);
  if (lo !== 0 || hi !== 0) o[key] = uint64String(lo, hi);
}

function setDouble(o: Obj, key: string, c: Cursor): void {
  const v = readDouble(c);
  if (v !== 0) o[key] = jsonDouble(v);
}

/** JSON has no NaN or infinities; the protobuf JSON mapping writes them as strings. */
function jsonDouble(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

function zigzag32(v: number): number {
  return (v >>> 1) ^ -(v & 1);
}

// ---------------------------------------------------------------------------------------------
// Wire format primitives

/** Node's Buffer has native slice-to-string methods that skip toString's argument handling. */
type FastBuffer = Buffer & {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
};

class ProtoError extends Error {
  constructor(message: string, readonly byteOffset: number) {
    super(message);
  }
}

class Cursor {
  readonly buf: FastBuffer;
  pos = 0;
  constructor(bytes: Uint8Array) {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buf = b as FastBuffer;
  }
}

// The halves of the last 64-bit value read; module-level so that no object is allocated per value.
let lo = 0;
let hi = 0;

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'group start', 'group end', 'fixed32', '6', '7'];

function readTag(c: Cursor): number {
  const at = c.pos;
  const tag = readVarint(c);
  if (tag >>> 3 === 0) throw new ProtoError(`invalid field number 0 (tag byte 0x${tag.toString(16)})`, at);
  return tag;
}

/** Skips an unknown field; a known field number arriving with an unexpected wire type is an error. */
function unknownField(c: Cursor, tag: number, end: number, knownFields: number, message: string): void {
  const field = tag >>> 3;
  if (field < 32 && (knownFields >>> field) & 1) {
    throw new ProtoError(`${message} field ${field} has wire type ${WIRE_NAMES[tag & 7]}, which does not match its type`, c.pos);
  }
  skipField(c, tag, end);
}

function skipField(c: Cursor, tag: number, end: number): void {
  const at = c.pos;
  switch (tag & 7) {
    case 0: readVarint64(c); break;
    case 1: c.pos += 8; break;
    case 2: c.pos = lengthEnd(c, end); break;
    case 5: c.pos += 4; break;
    default: throw new ProtoError(`wire type ${WIRE_NAMES[tag & 7]} (field ${tag >>> 3}) is not used by OTLP`, at);
  }
  if (c.pos > end) throw new ProtoError(`field ${tag >>> 3} runs past the end of its message (byte ${end})`, at);
}

/** Reads a length prefix and returns where the field ends, checked against the enclosing message. */
function lengthEnd(c: Cursor, end: number): number {
  const at = c.pos;
  const len = readVarint(c);
  const e = c.pos + len;
  if (e > end) {
    throw new ProtoError(`length ${len} runs past the end of its enclosing message (${end - c.pos} bytes remain)`, at);
  }
  return e;
}

/** Fixed-size reads are only checked against the buffer, so check the message boundary after each message. */
function checkEnd(c: Cursor, end: number): void {
  if (c.pos !== end) throw new ProtoError(`the last field runs past the end of its message`, end);
}

/** A varint's low 32 bits as an unsigned number (int32 callers apply `| 0`). */
function readVarint(c: Cursor): number {
  const buf = c.buf;
  let pos = c.pos;
  let b = buf[pos++];
  if (b < 0x80) {
    c.pos = pos;
    return b;
  }
  let v = b & 0x7f;
  for (let shift = 7; ; shift += 7) {
    if (pos >= buf.length) throw new ProtoError('varint is cut off by the end of the data', c.pos);
    if (shift > 63) throw new ProtoError('varint is longer than 10 bytes', c.pos);
    b = buf[pos++];
    if (shift < 32) v |= (b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  c.pos = pos;
  return v >>> 0;
}

/** Reads a varint into `lo`/`hi`. */
function readVarint64(c: Cursor): void {
  const buf = c.buf;
  let pos = c.pos;
  let l = 0;
  let h = 0;
  let b: number;
  let shift = 0;
  do {
    if (pos >= buf.length) throw new ProtoError('varint is cut off by the end of the data', c.pos);
    if (shift > 63) throw new ProtoError('varint is longer than 10 bytes', c.pos);
    b = buf[pos++];
    if (shift < 28) l |= (b & 0x7f) << shift;
    else if (shift === 28) {
      l |= (b & 0x0f) << 28;
      h = (b & 0x7f) >> 4;
    } else h |= (b & 0x7f) << (shift - 32);
    shift += 7;
  } while (b >= 0x80);
  lo = l >>> 0;
  hi = h >>> 0;
  c.pos = pos;
}

function need(c: Cursor, n: number): number {
  const at = c.pos;
  if (at + n > c.buf.length) throw new ProtoError(`${n}-byte value is cut off by the end of the data`, at);
  c.pos = at + n;
  return at;
}

function readFixed32(c: Cursor): number {
  const at = need(c, 4);
  const b = c.buf;
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** Reads a fixed64 into `lo`/`hi`. */
function readFixed64(c: Cursor): void {
  const at = need(c, 8);
  const b = c.buf;
  lo = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
  hi = (b[at + 4] | (b[at + 5] << 8) | (b[at + 6] << 16) | (b[at + 7] << 24)) >>> 0;
}

function readDouble(c: Cursor): number {
  return c.buf.readDoubleLE(need(c, 8));
}

function readString(c: Cursor, end: number): string {
  const e = lengthEnd(c, end);
  const s = c.buf.utf8Slice(c.pos, e);
  c.pos = e;
  return s;
}

function readBase64(c: Cursor, end: number): string {
  const e = lengthEnd(c, end);
  const s = c.buf.base64Slice(c.pos, e);
  c.pos = e;
  return s;
}

function readPackedFixed64(c: Cursor, end: number, out: string[]): void {
  if ((end - c.pos) % 8 !== 0) throw new ProtoError(`packed fixed64 field of ${end - c.pos} bytes is not a multiple of 8`, c.pos);
  while (c.pos < end) {
    readFixed64(c);
    out.push(uint64String(lo, hi));
  }
}

function readPackedDouble(c: Cursor, end: number, out: (number | string)[]): void {
  if ((end - c.pos) % 8 !== 0) throw new ProtoError(`packed double field of ${end - c.pos} bytes is not a multiple of 8`, c.pos);
  while (c.pos < end) out.push(jsonDouble(readDouble(c)));
}

/**
 * Unsigned 64-bit value from its 32-bit halves as a decimal string, without BigInt. Below 2^53 the
 * double is exact; above, the value is split into 24-bit limbs and carried in base 1e7 (the
 * Closure Library / protobuf-es algorithm). Timestamps (~1.8e18 ns) take the second path.
 */
export function uint64String(low: number, high: number): string {
  if (high <= 0x1fffff) return String(high * 4294967296 + low);
  const a0 = low & 0xffffff;
  const a1 = ((low >>> 24) | (high << 8)) & 0xffffff;
  const a2 = (high >>> 16) & 0xffff;
  // 2^24 = 1·1e7 + 6777216;  2^48 = 2·1e14 + 8147497·1e7 + 6710656
  let d0 = a0 + a1 * 6777216 + a2 * 6710656;
  let d1 = a1 + a2 * 8147497;
  let d2 = a2 * 2;
  if (d0 >= 1e7) {
    d1 += Math.floor(d0 / 1e7);
    d0 %= 1e7;
  }
  if (d1 >= 1e7) {
    d2 += Math.floor(d1 / 1e7);
    d1 %= 1e7;
  }
  return String(d2) + pad7(d1) + pad7(d0);
}

function pad7(n: number): string {
  const s = String(n);
  return '0000000'.slice(s.length) + s;
}

/** Two's-complement signed 64-bit value from its halves as a decimal string. */
export function int64String(low: number, high: number): string {
  if ((high & 0x80000000) === 0) return uint64String(low, high);
  const nl = (~low + 1) >>> 0;
  const nh = (~high + (nl === 0 ? 1 : 0)) >>> 0;
  return '-' + uint64String(nl, nh);
}

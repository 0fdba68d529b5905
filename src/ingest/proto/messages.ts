/**
 * Decoders for OTLP export requests (opentelemetry-proto v1.11, vendored next to this file),
 * producing the canonical OTLP/JSON form of types.ts: camelCase keys, ids as lowercase hex, other
 * bytes as base64, 64-bit integers as decimal strings, enums as numbers.
 *
 * One hand-written function per message: a loop over tags with a `switch` on the whole tag
 * (field << 3 | wire type), so a field costs a jump and no reflection. Shared messages and the
 * rules for default values are in common.ts, metrics in metrics.ts.
 */
import type { Signal } from '../types.js';
import { decodeAnyValue, decodeKeyValue, decodeResource, decodeScope, type Obj, setFixed32, setFixed64, setHex, setInt32, setString, setUint } from './common.js';
import { decodeMetric, METRIC_DATA_KEYS } from './metrics.js';
import { checkEnd, Cursor, lengthEnd, readTag, unknownField } from './wire.js';

export type { Obj };
export type ItemDecoder = (c: Cursor, end: number) => Obj;
export { decodeMetric, METRIC_DATA_KEYS };

const ENVELOPE: Record<Signal, [resources: string, scopes: string, items: string, decode: ItemDecoder]> = {
  traces: ['resourceSpans', 'scopeSpans', 'spans', decodeSpan],
  logs: ['resourceLogs', 'scopeLogs', 'logRecords', decodeLogRecord],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics', decodeMetric],
};

/**
 * Decodes an Export{Trace,Logs,Metrics}ServiceRequest (the same bytes as TracesData, LogsData,
 * MetricsData). Throws ProtoError, with the byte offset within `msg`, on malformed input.
 */
export function decodeRequest(msg: Uint8Array, signal: Signal): Obj {
  const c = new Cursor(msg);
  const [resourceKey, scopeKey, itemKey, item] = ENVELOPE[signal];
  const resources: Obj[] = [];
  while (c.pos < msg.length) {
    const tag = readTag(c);
    if (tag === 0x0a) resources.push(decodeResourceX(c, lengthEnd(c, msg.length), scopeKey, itemKey, item));
    else unknownField(c, tag, msg.length, 0b10, 'request');
  }
  checkEnd(c, msg.length);
  return resources.length > 0 ? { [resourceKey]: resources } : {};
}

/**
 * Field 1000 of Resource{Spans,Logs,Metrics} is the pre-1.0 `instrumentation_library_*` list
 * (now reserved). Its messages have the Scope* layout, so old exporters' data is folded into the
 * scope list, as pdata does.
 */
export const LEGACY_SCOPE_TAG = (1000 << 3) | 2;

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

// --- traces

export function decodeSpan(c: Cursor, end: number): Obj {
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

export function decodeLogRecord(c: Cursor, end: number): Obj {
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

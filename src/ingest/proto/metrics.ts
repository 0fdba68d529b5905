/**
 * OTLP metric messages: Metric, its five data kinds, their data points, and exemplars
 * (opentelemetry-proto v1.11 `metrics.proto`). Default-value rules are in common.ts.
 */
import { decodeKeyValue, jsonDouble, type Obj, setDouble, setFixed64, setHex, setInt32, setString, setUint, zigzag32 } from './common.js';
import {
  checkEnd,
  Cursor,
  int64String,
  lengthEnd,
  ProtoError,
  readDouble,
  readFixed64,
  readTag,
  readVarint,
  readVarint64,
  uint64String,
  unknownField,
} from './wire.js';

export function decodeMetric(c: Cursor, end: number): Obj {
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

export const METRIC_DATA_KEYS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];

/** `data` is a oneof: a later member replaces an earlier one. */
function setData(o: Obj, key: string, value: Obj): void {
  for (const k of METRIC_DATA_KEYS) delete o[k];
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
      case 0x31: delete o.asDouble; readFixed64(c); o.asInt = int64String(c.lo, c.hi); break;
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
      case 0x31: readFixed64(c); bucketCounts.push(uint64String(c.lo, c.hi)); break;
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
      case 0x10: readVarint64(c); bucketCounts.push(uint64String(c.lo, c.hi)); break;
      case 0x12: {
        const sub = lengthEnd(c, end);
        while (c.pos < sub) { readVarint64(c); bucketCounts.push(uint64String(c.lo, c.hi)); }
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
      case 0x31: delete o.asDouble; readFixed64(c); o.asInt = int64String(c.lo, c.hi); break;
      case 0x3a: filteredAttributes.push(decodeKeyValue(c, lengthEnd(c, end))); break;
      default: unknownField(c, tag, end, 0b11111100, 'Exemplar');
    }
  }
  if (filteredAttributes.length > 0) o.filteredAttributes = filteredAttributes;
  checkEnd(c, end);
  return o;
}

function readPackedFixed64(c: Cursor, end: number, out: string[]): void {
  if ((end - c.pos) % 8 !== 0) throw new ProtoError(`packed fixed64 field of ${end - c.pos} bytes is not a multiple of 8`, c.pos);
  while (c.pos < end) {
    readFixed64(c);
    out.push(uint64String(c.lo, c.hi));
  }
}

function readPackedDouble(c: Cursor, end: number, out: (number | string)[]): void {
  if ((end - c.pos) % 8 !== 0) throw new ProtoError(`packed double field of ${end - c.pos} bytes is not a multiple of 8`, c.pos);
  while (c.pos < end) out.push(jsonDouble(readDouble(c)));
}

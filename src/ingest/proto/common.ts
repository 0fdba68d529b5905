/**
 * OTLP messages shared by all signals (KeyValue, AnyValue, Resource, InstrumentationScope) and the
 * field setters. A proto3 scalar equal to its default is left out, as the protobuf JSON mapping
 * does; message fields, oneof members and `optional` fields are kept whenever they are present on
 * the wire (a span's empty `status` stays `{}`, an AnyValue `false` stays `{boolValue: false}`).
 *
 * Each decoder switches on the whole tag (field << 3 | wire type); the number passed to
 * `unknownField` is a bitmask of the message's field numbers, so that a known field arriving with
 * another wire type is reported instead of skipped.
 */
import {
  checkEnd,
  Cursor,
  int64String,
  lengthEnd,
  readBase64,
  readDouble,
  readFixed32,
  readFixed64,
  readHex,
  readString,
  readTag,
  readVarint,
  readVarint64,
  uint64String,
  unknownField,
} from './wire.js';

export type Obj = Record<string, unknown>;

export function decodeResource(c: Cursor, end: number): Obj {
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

export function decodeScope(c: Cursor, end: number): Obj {
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

export function decodeKeyValue(c: Cursor, end: number): Obj {
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
export function decodeAnyValue(c: Cursor, end: number): Obj {
  let o: Obj = {};
  while (c.pos < end) {
    const tag = readTag(c);
    switch (tag) {
      case 0x0a: o = { stringValue: readString(c, end) }; break;
      case 0x10: o = { boolValue: readVarint(c) !== 0 }; break;
      case 0x18: readVarint64(c); o = { intValue: int64String(c.lo, c.hi) }; break;
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

// --- field setters

export function setString(o: Obj, key: string, c: Cursor, end: number): void {
  const s = readString(c, end);
  if (s !== '') o[key] = s;
}

export function setHex(o: Obj, key: string, c: Cursor, end: number): void {
  const hex = readHex(c, end);
  if (hex !== '') o[key] = hex;
}

export function setUint(o: Obj, key: string, c: Cursor): void {
  const v = readVarint(c);
  if (v !== 0) o[key] = v;
}

export function setInt32(o: Obj, key: string, c: Cursor): void {
  const v = readVarint(c) | 0;
  if (v !== 0) o[key] = v;
}

export function setFixed32(o: Obj, key: string, c: Cursor): void {
  const v = readFixed32(c);
  if (v !== 0) o[key] = v;
}

export function setFixed64(o: Obj, key: string, c: Cursor): void {
  readFixed64(c);
  if (c.lo !== 0 || c.hi !== 0) o[key] = uint64String(c.lo, c.hi);
}

export function setDouble(o: Obj, key: string, c: Cursor): void {
  const v = readDouble(c);
  if (v !== 0) o[key] = jsonDouble(v);
}

/** JSON has no NaN or infinities; the protobuf JSON mapping writes them as strings. */
export function jsonDouble(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

export function zigzag32(v: number): number {
  return (v >>> 1) ^ -(v & 1);
}

/** Repeated scalars arrive packed (one LEN field) or, from older writers, one field per value. */

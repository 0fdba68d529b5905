/**
 * Protobuf wire-format primitives for the OTLP decoder (messages.ts).
 *
 * A small cursor instead of protobufjs's Reader: 64-bit values are read as two uint32 halves
 * (`c.lo`, `c.hi`) and printed as exact decimal strings without a `Long` object per value; bytes
 * go straight to hex or base64 through Buffer's native slice methods; every error carries the byte
 * offset at which it was found.
 */

/** Node's Buffer has native slice-to-string methods that skip toString's argument handling. */
type FastBuffer = Buffer & {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
};

/** A malformed message; `byteOffset` is relative to the start of the message being decoded. */
export class ProtoError extends Error {
  constructor(
    message: string,
    readonly byteOffset: number,
  ) {
    super(message);
  }
}

export class Cursor {
  readonly buf: FastBuffer;
  pos = 0;
  /** Halves of the last 64-bit value read, kept here so that no object is allocated per value. */
  lo = 0;
  hi = 0;
  constructor(bytes: Uint8Array) {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buf = b as FastBuffer;
  }
}

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'group start', 'group end', 'fixed32', '6', '7'];

export function readTag(c: Cursor): number {
  const at = c.pos;
  const tag = readVarint(c);
  if (tag >>> 3 === 0) throw new ProtoError(`invalid field number 0 (tag 0x${tag.toString(16)})`, at);
  return tag;
}

/**
 * Skips a field the decoder does not know. A known field number (a bit in `knownFields`) arriving
 * with another wire type is an error, not skipped: that strictness is what lets trial decoding
 * tell the signals apart.
 */
export function unknownField(c: Cursor, tag: number, end: number, knownFields: number, message: string): void {
  const field = tag >>> 3;
  if (field < 32 && (knownFields >>> field) & 1) {
    const tagStart = c.pos - (tag < 0x80 ? 1 : 2); // fields below 32 have tags of at most 2 bytes
    throw new ProtoError(`${message} field ${field} has wire type ${WIRE_NAMES[tag & 7]}, which does not match its type`, tagStart);
  }
  skipField(c, tag, end);
}

export function skipField(c: Cursor, tag: number, end: number): void {
  const at = c.pos;
  switch (tag & 7) {
    case 0: readVarint64(c); break;
    case 1: c.pos += 8; break;
    case 2: c.pos = lengthEnd(c, end); break;
    case 5: c.pos += 4; break;
    default: throw new ProtoError(`wire type ${WIRE_NAMES[tag & 7]} (field ${tag >>> 3}) is not used by OTLP`, at);
  }
  if (c.pos > end) throw new ProtoError(`field ${tag >>> 3} runs past the end of its message`, at);
}

/** Reads a length prefix and returns where the field ends, checked against the enclosing message. */
export function lengthEnd(c: Cursor, end: number): number {
  const at = c.pos;
  const len = readVarint(c);
  const e = c.pos + len;
  if (e > end) {
    throw new ProtoError(`length ${len} runs past the end of its enclosing message (${end - c.pos} bytes remain)`, at);
  }
  return e;
}

/** Fixed-size reads are checked only against the buffer, so each message checks its boundary. */
export function checkEnd(c: Cursor, end: number): void {
  if (c.pos !== end) throw new ProtoError('the last field runs past the end of its message', end);
}

/** A varint's low 32 bits as an unsigned number (int32 callers apply `| 0`). */
export function readVarint(c: Cursor): number {
  const buf = c.buf;
  let pos = c.pos;
  let b = buf[pos++];
  if (b < 0x80) {
    c.pos = pos;
    return b;
  }
  let v = b & 0x7f; // b is undefined past the end: the loop below reports it
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

/** Reads a varint into `c.lo`/`c.hi`. */
export function readVarint64(c: Cursor): void {
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
      l |= (b & 0x0f) << 28; // the 5th byte straddles the halves
      h = (b & 0x7f) >> 4;
    } else h |= (b & 0x7f) << (shift - 32);
    shift += 7;
  } while (b >= 0x80);
  c.lo = l >>> 0;
  c.hi = h >>> 0;
  c.pos = pos;
}

function need(c: Cursor, n: number): number {
  const at = c.pos;
  if (at + n > c.buf.length) throw new ProtoError(`${n}-byte value is cut off by the end of the data`, at);
  c.pos = at + n;
  return at;
}

export function readFixed32(c: Cursor): number {
  const at = need(c, 4);
  const b = c.buf;
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** Reads a fixed64 into `c.lo`/`c.hi`. */
export function readFixed64(c: Cursor): void {
  const at = need(c, 8);
  const b = c.buf;
  c.lo = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
  c.hi = (b[at + 4] | (b[at + 5] << 8) | (b[at + 6] << 16) | (b[at + 7] << 24)) >>> 0;
}

export function readDouble(c: Cursor): number {
  return c.buf.readDoubleLE(need(c, 8));
}

export function readString(c: Cursor, end: number): string {
  const e = lengthEnd(c, end);
  const s = c.buf.utf8Slice(c.pos, e);
  c.pos = e;
  return s;
}

export function readHex(c: Cursor, end: number): string {
  const e = lengthEnd(c, end);
  const s = c.buf.hexSlice(c.pos, e);
  c.pos = e;
  return s;
}

export function readBase64(c: Cursor, end: number): string {
  const e = lengthEnd(c, end);
  const s = c.buf.base64Slice(c.pos, e);
  c.pos = e;
  return s;
}

/**
 * Unsigned 64-bit value from its 32-bit halves as a decimal string, without BigInt. Below 2^53 the
 * double is exact; above, the value is split into 24-bit limbs and carried in base 1e7 (the
 * Closure Library / protobuf-es algorithm). Nanosecond timestamps (~1.8e18) take the second path.
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

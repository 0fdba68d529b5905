/**
 * OTLP protobuf input: splitting a buffer into messages (raw request body, gRPC frames, Collector
 * `file` exporter `proto` records), telling which signal a message carries, and decoding an
 * Export{Trace,Logs,Metrics}ServiceRequest into the canonical OTLP/JSON form described in types.ts.
 *
 * The decoder is hand-written (proto/messages.ts, common.ts and metrics.ts, over the cursor in
 * proto/wire.ts) instead of using protobufjs reflection or its Reader:
 * - 64-bit fields must become exact decimal strings; protobufjs reads each into a `Long` (or a
 *   lossy number), here they are read as two uint32 halves and printed directly;
 * - ids go straight from the buffer to hex and other bytes to base64;
 * - every length is checked against its enclosing message and errors carry the byte offset;
 * - a known field with the wrong wire type is an error, not skipped, which is what makes trial
 *   decoding (detectProtobufSignal) trustworthy. Unknown field numbers are skipped.
 * Field numbers follow opentelemetry-proto v1.11 (vendored in ./proto/ and used by the tests), so
 * the newer LogRecord.event_name, Span.flags and Link.flags are decoded.
 */
import * as zlib from 'node:zlib';
import { decompress as fzstdDecompress } from 'fzstd';
import {
  decodeLogRecord,
  decodeMetric,
  decodeRequest,
  decodeSpan,
  type ItemDecoder,
  LEGACY_SCOPE_TAG,
  METRIC_DATA_KEYS,
  type Obj,
} from './proto/messages.js';
import { Cursor, lengthEnd, ProtoError, readTag, readVarint, skipField } from './proto/wire.js';
import type { Signal } from './types.js';

/** Node ≥ 22.15 has native zstd; fzstd (pure JS) is the fallback on Node 20. */
const zstdDecompress: (b: Uint8Array) => Uint8Array =
  (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array) => Buffer }).zstdDecompressSync ?? fzstdDecompress;

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
 * cut is reported as a problem. Does not throw: input that no framing explains gives no frames and
 * one problem saying why, so callers can treat it as "not protobuf".
 */
export function splitProtobufFrames(buf: Uint8Array): ProtobufSplit {
  if (buf.length === 0) return { framing: 'single', frames: [], problems: [] };
  const candidates: Candidate[] = [];
  if (buf[0] === 0x0a) candidates.push(trySingle(buf));
  if (buf[0] <= 1) candidates.push(tryPrefixed(buf, 'grpc'));
  candidates.push(tryPrefixed(buf, 'length-prefixed'));

  const exact = candidates.filter((c) => c.exact);
  const pool = exact.length > 0 ? exact : candidates.filter((c) => c.frames.length > 0);
  if (pool.length === 0) {
    // A body that starts like a request (0x0a) is most likely a cut-off one: say where it breaks.
    if (buf[0] === 0x0a) return { framing: 'single', frames: [], problems: candidates[0].problems };
    return { framing: 'single', frames: [], problems: [{ byteOffset: 0, message: describeUnframeable(buf, candidates) }] };
  }
  // Stable sort keeps the preference order single > grpc > length-prefixed on equal scores.
  const best = [...pool].sort((a, b) =>
    exact.length > 0 ? b.looksOtlp - a.looksOtlp : b.frames.length - a.frames.length,
  )[0];
  return { framing: best.framing, frames: best.frames, problems: best.problems };
}

/**
 * A raw request body: its top-level fields must parse and end exactly at the buffer's end. When
 * they do not (a body cut off, by a full disk or a killed copy), the records that are whole before
 * the break still load (`salvageBody`), and the problem says what was lost.
 */
function trySingle(buf: Uint8Array): Candidate {
  const c = new Cursor(buf);
  try {
    while (c.pos < buf.length) skipField(c, readTag(c), buf.length);
    return { framing: 'single', frames: [{ byteOffset: 0, bytes: buf }], problems: [], exact: true, looksOtlp: 1 };
  } catch (err) {
    const byteOffset = err instanceof ProtoError ? err.byteOffset : c.pos;
    const why = `not a complete OTLP protobuf request body (cut off or corrupt): ${(err as Error).message}`;
    const kept = salvageBody(buf);
    if (!kept) return { framing: 'single', frames: [], problems: [{ byteOffset, message: why }], exact: false, looksOtlp: 0 };
    const message = `${why}; the records whole before byte ${kept.end} are kept, the one there and everything after it are lost`;
    return { framing: 'single', frames: [{ byteOffset: 0, bytes: kept.bytes }], problems: [{ byteOffset: kept.end, message }], exact: false, looksOtlp: 1 };
  }
}

/** Varint bytes of a tag or length. */
function varintBytes(n: number): number[] {
  const out: number[] = [];
  for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}

/** Tags (field, length-delimited) of the request's resource list, a resource's scope list, a scope's records. */
const ENVELOPE_TAGS = [(1 << 3) | 2, (2 << 3) | 2, (2 << 3) | 2];

/**
 * The whole records of a raw request body that breaks before its end, as a complete request: every
 * field that ends before the break is kept as it is, and the field the break falls in, when it is
 * on the path request → resource → scope → record (field 1, then 2 or the legacy 1000, then 2; the
 * same for traces, logs and metrics), is rebuilt from its own whole fields with a new length. The
 * record the break falls in is dropped. Null when no record is whole, or when what is left does not
 * look like OTLP (its first record must tell its signal, as a whole body's would).
 */
function salvageBody(buf: Uint8Array): { bytes: Buffer; end: number } | null {
  const c = new Cursor(buf);
  let brokeAt = 0;
  // Whole fields of [c.pos, end) at `depth`, and the rebuilt field the break falls in.
  const walk = (end: number, depth: number): { parts: Uint8Array[]; size: number; onPath: number } => {
    const parts: Uint8Array[] = [];
    let size = 0;
    let onPath = 0;
    const keep = (b: Uint8Array) => {
      parts.push(b);
      size += b.length;
    };
    while (c.pos < end) {
      const start = c.pos;
      // Where this level breaks, unless the break is inside the field descended into below.
      brokeAt = start;
      try {
        const tag = readTag(c);
        const path = tag === ENVELOPE_TAGS[depth] || (depth === 1 && tag === LEGACY_SCOPE_TAG);
        if ((tag & 7) !== 2) {
          skipField(c, tag, end);
          keep(buf.subarray(start, c.pos));
          continue;
        }
        const len = readVarint(c);
        const valueEnd = c.pos + len;
        if (valueEnd <= end) {
          keep(buf.subarray(start, valueEnd));
          if (path) onPath++;
          c.pos = valueEnd;
          continue;
        }
        if (path && depth < 2) {
          const inner = walk(end, depth + 1);
          if (inner.onPath > 0) {
            keep(Uint8Array.from([...varintBytes(tag), ...varintBytes(inner.size)]));
            for (const p of inner.parts) keep(p);
            onPath++;
          }
        }
      } catch {
        // a tag or length cut off: nothing from here on is whole
      }
      return { parts, size, onPath };
    }
    // Every field whole: the data ends exactly between two of them.
    brokeAt = c.pos;
    return { parts, size, onPath };
  };
  const top = walk(buf.length, 0);
  if (top.onPath === 0) return null;
  const bytes = Buffer.concat(top.parts, top.size);
  return detectProtobufSignal(bytes) ? { bytes, end: brokeAt } : null;
}

/**
 * gRPC (flag byte + 4-byte big-endian length) or Collector `proto` records (4-byte big-endian
 * length). Reading stops at the first record that does not fit: without a sync marker nothing
 * after it can be trusted.
 */
function tryPrefixed(buf: Uint8Array, framing: 'grpc' | 'length-prefixed'): Candidate {
  const out: Candidate = { framing, frames: [], problems: [], exact: false, looksOtlp: 0 };
  let pos = 0;
  while (pos < buf.length) {
    const step = prefixedFrameAt(buf, pos, framing);
    if (step.kind === 'frame') {
      out.frames.push(step.frame);
      if (step.frame.bytes[0] === 0x0a) out.looksOtlp++;
    } else if (step.kind === 'bad') {
      // The framing is intact, so the following records are still usable.
      out.problems.push({ byteOffset: step.byteOffset, message: step.message });
    } else {
      out.problems.push({ byteOffset: step.byteOffset, message: step.message });
      return out;
    }
    pos = step.next;
  }
  out.exact = out.problems.length === 0;
  return out;
}

/**
 * One record of a gRPC or length-prefixed stream at `pos` of `buf`: a frame, a record whose
 * payload does not decompress ('bad': the framing goes on), a broken framing ('stop'), or a record
 * cut off by the end of `buf` ('short': a stream reader waits until it has `need` bytes from
 * `pos`; the whole record when its header is there, else the header). Offsets are
 * reported as `base + pos` (where `buf` starts in the file).
 */
export type FrameStep =
  | { kind: 'frame'; frame: ProtobufFrame; next: number }
  | { kind: 'bad'; byteOffset: number; message: string; next: number }
  | { kind: 'stop'; byteOffset: number; message: string }
  | { kind: 'short'; byteOffset: number; message: string; need: number };

export function prefixedFrameAt(buf: Uint8Array, pos: number, framing: 'grpc' | 'length-prefixed', base = 0): FrameStep {
  const header = framing === 'grpc' ? 5 : 4;
  const byteOffset = base + pos;
  const flag = framing === 'grpc' ? buf[pos] : 0;
  if (flag > 1) return { kind: 'stop', byteOffset, message: `gRPC frame has compressed-flag ${flag}; only 0 and 1 exist` };
  if (buf.length - pos < header) return { kind: 'short', byteOffset, message: `record header is cut off: ${buf.length - pos} of ${header} bytes present`, need: header };
  const len = be32(buf, pos + header - 4);
  const start = pos + header;
  if (len > buf.length - start) {
    return { kind: 'short', byteOffset, message: `record is cut off: it declares ${len} bytes but only ${buf.length - start} remain`, need: header + len };
  }
  const payload = buf.subarray(start, start + len);
  try {
    const bytes = flag === 1 || startsWith(payload, ZSTD) ? decompress(payload, framing) : payload;
    return { kind: 'frame', frame: { byteOffset, bytes }, next: start + len };
  } catch (err) {
    return { kind: 'bad', byteOffset, message: (err as Error).message, next: start + len };
  }
}

/**
 * The framing of a stream from its first bytes `head` (more follow), or undefined when only the
 * whole input can tell (a raw request body, or nothing fits). A prefixed framing qualifies when its
 * records tile `head` up to a record the end of `head` cuts off and each looks like an OTLP
 * request; the one with more records wins.
 */
export function streamFraming(head: Uint8Array): 'grpc' | 'length-prefixed' | undefined {
  // A length-prefixed file starting 0x0a would open with a record of 160 MB or more: a raw body.
  if (head.length === 0 || head[0] === 0x0a) return undefined;
  let best: { framing: 'grpc' | 'length-prefixed'; frames: number } | undefined;
  for (const framing of ['grpc', 'length-prefixed'] as const) {
    if (framing === 'grpc' && head[0] > 1) continue;
    let pos = 0;
    let frames = 0;
    for (;;) {
      const step = prefixedFrameAt(head, pos, framing);
      if (step.kind === 'short') break;
      if (step.kind === 'stop') {
        frames = 0;
        break;
      }
      if (step.kind === 'frame') {
        // Every request starts with its field 1 (0x0a); a frame that does not is a wrong guess.
        if (step.frame.bytes[0] !== 0x0a) {
          frames = 0;
          break;
        }
        frames++;
      }
      pos = step.next;
      if (pos === head.length) break;
    }
    if (frames > 0 && (!best || frames > best.frames)) best = { framing, frames };
  }
  return best?.framing;
}

/** gRPC compressed messages (grpc-encoding gzip/deflate/zstd) and legacy per-record zstd. */
function decompress(payload: Uint8Array, framing: ProtobufFraming): Uint8Array {
  try {
    if (startsWith(payload, GZIP)) return zlib.gunzipSync(payload);
    if (startsWith(payload, ZSTD)) return zstdDecompress(payload);
    if (payload[0] === 0x78) return zlib.inflateSync(payload);
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

/**
 * Decides the signal from the first span, log record or metric: the three requests share their
 * envelope (1 → resource list, 2 → scope list, 2 → items, and the same for TracesData etc.), so
 * only the items tell them apart. The item is trial-decoded with each item decoder, which reject
 * known fields with the wrong wire type. What every real exporter writes decides first: a span's
 * 16-byte trace id with fixed64 start/end times, a metric's name with one of the data fields, a log
 * record with any field (its field 1 is fixed64, so it never looks like the other two). The file
 * name is used only when the request has no items.
 */
export function detectProtobufSignal(msg: Uint8Array, nameHint?: string): Signal | undefined {
  let item: Uint8Array | undefined;
  try {
    item = firstItem(msg);
  } catch {
    return undefined;
  }
  if (item === undefined) return signalFromName(nameHint);
  // Each trial runs only when the ones before did not decide (a failed trial throws, which costs).
  const span = trialDecode(decodeSpan, item);
  if (typeof span?.traceId === 'string' && span.traceId.length === 32 && (span.startTimeUnixNano || span.endTimeUnixNano)) {
    return 'traces';
  }
  const metric = trialDecode(decodeMetric, item);
  if (metric?.name && METRIC_DATA_KEYS.some((k) => k in metric)) return 'metrics';
  const log = trialDecode(decodeLogRecord, item);
  if (log && Object.keys(log).length > 0) return 'logs';
  // Unusual items: decide only if exactly one schema gives a non-empty result.
  const fits = ([[span, 'traces'], [metric, 'metrics']] as const).filter(([o]) => o && Object.keys(o).length > 0);
  return fits.length === 1 ? fits[0][1] : undefined;
}

function trialDecode(decode: ItemDecoder, item: Uint8Array): Obj | undefined {
  try {
    return decode(new Cursor(item), item.length);
  } catch {
    return undefined;
  }
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

/** A request that does not decode; `byteOffset` is where in the message decoding failed. */
export class RequestDecodeError extends Error {
  constructor(
    message: string,
    readonly byteOffset: number,
  ) {
    super(message);
  }
}

/**
 * Decodes an Export{Trace,Logs,Metrics}ServiceRequest (the same bytes as TracesData, LogsData,
 * MetricsData) into canonical OTLP/JSON. Throws a RequestDecodeError naming the byte offset within
 * `msg`.
 */
export function decodeProtobufRequest(msg: Uint8Array, signal: Signal): Record<string, unknown> {
  try {
    return decodeRequest(msg, signal);
  } catch (err) {
    if (!(err instanceof ProtoError)) throw err;
    throw new RequestDecodeError(`cannot decode ${REQUEST_NAME[signal]}: ${err.message} at byte ${err.byteOffset} of the message`, err.byteOffset);
  }
}

/**
 * A request that does not decode (decodeProtobufRequest threw `failed`): the records whole before
 * the byte where decoding failed, as salvageBody keeps them from a cut-off body, or null when there
 * are none. Nothing after that byte can be trusted: a damaged byte can shift every length after it.
 */
export function salvageProtobufRequest(msg: Uint8Array, signal: Signal, failed: RequestDecodeError): { body: Record<string, unknown>; from: number } | null {
  const kept = salvageBody(msg.subarray(0, failed.byteOffset));
  if (!kept) return null;
  try {
    return { body: decodeRequest(kept.bytes, signal), from: kept.end };
  } catch {
    return null;
  }
}

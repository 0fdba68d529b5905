/**
 * One input (file or stdin) → units (one JSON value's text, or one protobuf message), whatever
 * the container: compression by magic bytes, then JSON (lines, single body, pretty-printed,
 * arrays, Gemini outfile dumps) or protobuf (single body, gRPC frames, Collector length-prefixed
 * records). Runs on the main thread and only cuts bytes; decode.ts parses on worker threads.
 * Problems are yielded, not thrown: a bad line or frame costs only itself.
 */
import { compressionOf, decompress, DecompressError, peek, type Compression } from './bytes.js';
import { classify, type Unit } from './decode.js';
import { MAX_RECORD, PART, SPLIT_ABOVE, splitSpooled } from './json-split.js';
import { jsonValues, namesOtlpSignal, parseJsonText } from './json-values.js';
import { detectProtobufSignal, prefixedFrameAt, splitProtobufFrames, streamFraming, type ProtobufFrame, type ProtobufFraming } from './otlp-proto.js';
import type { SourceLocation } from './types.js';

export type Format =
  | 'otlp-json'
  | 'otlp-jsonl'
  | 'gemini-outfile'
  | 'otlp-protobuf'
  | 'otlp-protobuf-grpc'
  | 'otlp-protobuf-length-prefixed'
  | 'empty'
  | 'not-telemetry';

export type ReadEvent = { kind: 'unit'; unit: Unit } | { kind: 'problem'; location: SourceLocation; message: string; records?: number };

export interface ReadInfo {
  compression: Compression;
  format: Format;
  /** Why a file was judged not to be telemetry (shown as a note, not an error). */
  note?: string;
}

/** Largest protobuf body held whole in memory (a raw request, or a stream whose framing is unclear). */
const MAX_PROTOBUF_BODY = 1 << 30;

const PROTOBUF_FORMAT: Record<ProtobufFraming, Format> = { single: 'otlp-protobuf', grpc: 'otlp-protobuf-grpc', 'length-prefixed': 'otlp-protobuf-length-prefixed' };

/** Bytes of protobuf input read before deciding whether it is a stream of records. */
export const PROTOBUF_WINDOW = 4 << 20;

export interface ReadOptions {
  /** Protobuf inputs longer than this are read record by record (tests shrink it). */
  protobufWindow?: number;
  /** JSON values larger than this are spooled to `spoolDir` and cut into parts of `splitPart` bytes (json-split.ts; tests shrink them). */
  splitAbove?: number;
  splitPart?: number;
  /** A record (or an entry that cannot be cut) larger than this is skipped (MAX_RECORD). */
  splitMaxUnit?: number;
  spoolDir?: string;
}

export async function* readSource(chunks: AsyncIterable<Buffer>, nameHint: string, info: ReadInfo, opts: ReadOptions = {}): AsyncGenerator<ReadEvent> {
  const raw = await peek(chunks);
  info.compression = compressionOf(raw.head);
  const damage: Damage = { error: null };
  const plain = await peek(guard(decompress(raw.rest, info.compression), damage));
  const first = firstNonWs(plain.head);
  if (first === undefined) {
    for await (const _ of plain.rest); // surfaces a damaged compressed stream
    if (plain.head.length === 0) info.format = 'empty';
    else {
      info.format = 'not-telemetry';
      info.note = 'only white space';
    }
  } else if (first === 0x7b || first === 0x5b) yield* readJson(plain.rest, info, opts);
  else yield* readProtobuf(plain.rest, nameHint, info, opts.protobufWindow ?? PROTOBUF_WINDOW);
  if (damage.error) yield { kind: 'problem', location: { byteOffset: damage.error.compressedOffset }, message: damage.error.message };
}

interface Damage {
  error: DecompressError | null;
}

/** Turn a decompression failure into a problem reported after the records that did decode. */
async function* guard(src: AsyncIterable<Buffer>, damage: Damage): AsyncGenerator<Buffer> {
  try {
    yield* src;
  } catch (e) {
    if (e instanceof DecompressError) {
      damage.error = e;
      return;
    }
    throw e;
  }
}

function firstNonWs(b: Buffer): number | undefined {
  for (const x of b) if (x !== 0x20 && x !== 0x0a && x !== 0x0d && x !== 0x09 && x !== 0xef && x !== 0xbb && x !== 0xbf) return x;
  return undefined;
}

// Ids of split requests, unique in the process (pool.ts pins each to one worker).
let splitIds = 0;

async function* readJson(src: AsyncIterable<Buffer>, info: ReadInfo, opts: ReadOptions): AsyncGenerator<ReadEvent> {
  let values = 0;
  const splitAbove = opts.splitAbove ?? SPLIT_ABOVE;
  for await (const item of jsonValues(src, { splitAbove, spoolDir: opts.spoolDir })) {
    if (!item.ok) {
      yield { kind: 'problem', location: { line: item.line }, message: item.message, records: item.lost ? 1 : 0 };
      continue;
    }
    // A second value of an OTLP file: JSON lines (or several bodies).
    if (values === 1 && info.format === 'otlp-json') info.format = 'otlp-jsonl';
    if ('file' in item) {
      // Too large to hold: cut into requests of about splitPart bytes, read from the file.
      const split = splitSpooled(item.file, item.length, item.line, { part: opts.splitPart ?? PART, maxUnit: opts.splitMaxUnit ?? MAX_RECORD, nextId: () => ++splitIds });
      const location = (ev: { line: number; byteOffset: number }) => ({ line: ev.line, byteOffset: item.byteOffset + ev.byteOffset });
      for (const ev of split) {
        if (ev.kind === 'shape') {
          if (values > 0) continue;
          if (!ev.otlp) {
            info.format = 'not-telemetry';
            info.note = `not OpenTelemetry data: the first JSON value (${item.length} bytes) names none of resourceSpans, resourceLogs, resourceMetrics`;
            split.return(undefined); // removes the file
            return;
          }
          info.format = 'otlp-json';
        } else if (ev.kind === 'problem') yield { kind: 'problem', location: location(ev), message: ev.message, records: ev.records };
        else yield { kind: 'unit', unit: { kind: 'json', text: ev.text, location: location(ev), split: ev.split } };
      }
      values++;
      continue;
    }
    if (values === 0 && namesOtlpSignal(item.text)) info.format = 'otlp-json';
    else if (values === 0) {
      // Only the first value is parsed here, and only when its bytes do not name an OTLP signal, to
      // tell telemetry from other JSON (a manifest, an agent's stdout) and an OTLP file from a
      // Gemini outfile.
      const parsed = parseJsonText(item.text);
      if (parsed.ok) {
        const c = classify(Array.isArray(parsed.value) ? (parsed.value[0] ?? null) : parsed.value);
        if (c.kind === 'other') {
          info.format = 'not-telemetry';
          info.note = `not OpenTelemetry data: the first JSON value is ${c.description}`;
          return;
        }
        info.format = c.kind === 'sdk-dump' ? 'gemini-outfile' : 'otlp-json';
      } else info.format = 'otlp-json'; // the worker reports the parse error for this value
    }
    values++;
    yield { kind: 'unit', unit: { kind: 'json', text: item.text, location: { line: item.line } } };
  }
}

/**
 * Protobuf input. Short inputs are framed as a whole (splitProtobufFrames). Longer ones whose first
 * `window` bytes are gRPC or length-prefixed records are read record by record, so a rotated
 * Collector file is never held whole; a raw request body (one message) has to be.
 */
async function* readProtobuf(src: AsyncIterable<Buffer>, nameHint: string, info: ReadInfo, window: number): AsyncGenerator<ReadEvent> {
  const it = src[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let len = 0;
  let ended = false;
  while (len <= window) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    parts.push(r.value);
    len += r.value.length;
  }
  if (!ended) {
    const head = Buffer.concat(parts, len);
    const framing = streamFraming(head);
    if (framing) {
      info.format = PROTOBUF_FORMAT[framing];
      yield* streamRecords(head, it, framing, nameHint);
      return;
    }
    parts.length = 0;
    parts.push(head);
  }
  while (!ended) {
    const r = await it.next();
    if (r.done) break;
    len += r.value.length;
    if (len > MAX_PROTOBUF_BODY) {
      yield { kind: 'problem', location: { byteOffset: 0 }, message: `protobuf input larger than ${MAX_PROTOBUF_BODY} bytes is not supported as one body` };
      return;
    }
    parts.push(r.value);
  }
  const buf = Buffer.concat(parts, len);
  const split = splitProtobufFrames(buf);
  if (split.frames.length === 0) {
    if (buf[0] === 0x0a && split.problems.length) {
      // Starts like an OTLP request body but does not hold together: a damaged body, not junk.
      info.format = 'otlp-protobuf';
      for (const p of split.problems) yield { kind: 'problem', location: { byteOffset: p.byteOffset }, message: p.message, records: 1 };
      return;
    }
    info.format = 'not-telemetry';
    info.note = `not OpenTelemetry data: ${split.problems[0]?.message ?? 'neither JSON nor an OTLP protobuf body or framing'}`;
    return;
  }
  info.format = PROTOBUF_FORMAT[split.framing];
  for (const f of split.frames) yield frameEvent(f, nameHint);
  for (const p of split.problems) yield { kind: 'problem', location: { byteOffset: p.byteOffset }, message: p.message, records: 1 };
}

/** Records of a gRPC or length-prefixed stream, holding at most one record plus a chunk. */
async function* streamRecords(head: Buffer, rest: AsyncIterator<Buffer>, framing: 'grpc' | 'length-prefixed', nameHint: string): AsyncGenerator<ReadEvent> {
  let buf = head;
  let base = 0;
  let pos = 0;
  for (;;) {
    if (pos === buf.length) {
      const r = await rest.next();
      if (r.done) return;
      buf = r.value;
      base += pos;
      pos = 0;
      continue;
    }
    const step = prefixedFrameAt(buf, pos, framing, base);
    if (step.kind === 'frame') yield frameEvent(step.frame, nameHint);
    else if (step.kind === 'bad') yield { kind: 'problem', location: { byteOffset: step.byteOffset }, message: step.message, records: 1 };
    else if (step.kind === 'short') {
      // Chunks until the record (or its header) is whole, then one copy: a record of many chunks
      // is not copied again with each.
      const parts = [buf.subarray(pos)];
      let have = parts[0].length;
      while (have < step.need) {
        const r = await rest.next();
        if (r.done) {
          // Said of all the bytes there are, as the whole-file read says it.
          const last = prefixedFrameAt(Buffer.concat(parts, have), 0, framing, base + pos);
          if (last.kind !== 'frame') yield { kind: 'problem', location: { byteOffset: last.byteOffset }, message: last.message, records: 1 };
          return;
        }
        parts.push(r.value);
        have += r.value.length;
      }
      buf = Buffer.concat(parts, have);
      base += pos;
      pos = 0;
      continue;
    } else {
      // Without a sync marker nothing after a broken header can be trusted; the rest is read so a
      // damaged compressed stream still reports where it broke.
      yield { kind: 'problem', location: { byteOffset: step.byteOffset }, message: step.message, records: 1 };
      for (let r = await rest.next(); !r.done; r = await rest.next());
      return;
    }
    pos = step.next;
  }
}

function frameEvent(f: ProtobufFrame, nameHint: string): ReadEvent {
  const location = { byteOffset: f.byteOffset };
  const signal = detectProtobufSignal(f.bytes, nameHint);
  if (!signal) {
    return {
      kind: 'problem',
      location,
      message:
        'cannot tell whether this protobuf message holds traces, logs or metrics (no items to inspect, and the file name does not say); rename the file to contain "traces", "logs" or "metrics"',
    };
  }
  return { kind: 'unit', unit: { kind: 'protobuf', bytes: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength), signal, location } };
}

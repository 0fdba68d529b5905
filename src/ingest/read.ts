/**
 * One input (file or stdin) → units (one JSON value's text, or one protobuf message), whatever
 * the container: compression by magic bytes, then JSON (lines, single body, pretty-printed,
 * arrays, Gemini outfile dumps) or protobuf (single body, gRPC frames, Collector length-prefixed
 * records). Runs on the main thread and only cuts bytes; decode.ts parses on worker threads.
 * Problems are yielded, not thrown: a bad line or frame costs only itself.
 */
import { compressionOf, decompress, DecompressError, peek, type Compression } from './bytes.js';
import { classify, type Unit } from './decode.js';
import { jsonValues, parseJsonText } from './json-values.js';
import { detectProtobufSignal, splitProtobufFrames } from './otlp-proto.js';
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

/** Largest protobuf input held whole in memory (single bodies and gRPC/length-prefixed files). */
const MAX_PROTOBUF_BODY = 1 << 30;

export async function* readSource(chunks: AsyncIterable<Buffer>, nameHint: string, info: ReadInfo): AsyncGenerator<ReadEvent> {
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
  } else if (first === 0x7b || first === 0x5b) yield* readJson(plain.rest, info);
  else yield* readProtobuf(plain.rest, nameHint, info);
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

async function* readJson(src: AsyncIterable<Buffer>, info: ReadInfo): AsyncGenerator<ReadEvent> {
  let values = 0;
  for await (const item of jsonValues(src)) {
    if (!item.ok) {
      yield { kind: 'problem', location: { line: item.line }, message: item.message, records: item.lost ? 1 : 0 };
      continue;
    }
    if (values === 0) {
      // Only the first value is parsed here, to tell telemetry from other JSON (a manifest, an
      // agent's stdout) and an OTLP file from a Gemini outfile.
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
    } else if (values === 1 && info.format === 'otlp-json') info.format = 'otlp-jsonl';
    values++;
    yield { kind: 'unit', unit: { kind: 'json', text: item.text, location: { line: item.line } } };
  }
}

async function* readProtobuf(src: AsyncIterable<Buffer>, nameHint: string, info: ReadInfo): AsyncGenerator<ReadEvent> {
  const parts: Buffer[] = [];
  let len = 0;
  for await (const c of src) {
    len += c.length;
    if (len > MAX_PROTOBUF_BODY) {
      yield { kind: 'problem', location: { byteOffset: 0 }, message: `protobuf input larger than ${MAX_PROTOBUF_BODY} bytes is not supported as one body` };
      return;
    }
    parts.push(c);
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
  info.format = split.framing === 'single' ? 'otlp-protobuf' : split.framing === 'grpc' ? 'otlp-protobuf-grpc' : 'otlp-protobuf-length-prefixed';
  for (const f of split.frames) {
    const location = { byteOffset: f.byteOffset };
    const signal = detectProtobufSignal(f.bytes, nameHint);
    if (!signal) {
      yield {
        kind: 'problem',
        location,
        message:
          'cannot tell whether this protobuf message holds traces, logs or metrics (no items to inspect, and the file name does not say); rename the file to contain "traces", "logs" or "metrics"',
      };
      continue;
    }
    yield { kind: 'unit', unit: { kind: 'protobuf', bytes: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength), signal, location } };
  }
  for (const p of split.problems) yield { kind: 'problem', location: { byteOffset: p.byteOffset }, message: p.message, records: 1 };
}

/**
 * Shapes shared by the ingest stage. Every decoder (OTLP/JSON, OTLP protobuf, Gemini CLI outfile)
 * turns its input into `DecodedRequest`s whose `body` is an OTLP/JSON export request object
 * (`{resourceSpans:[…]}`, `{resourceLogs:[…]}` or `{resourceMetrics:[…]}`), so one flattener
 * (`flatten.ts`) owns every encoding rule downstream of decoding.
 *
 * Canonical form produced by decoders other than the JSON one: camelCase keys, trace/span ids as
 * lowercase hex, 64-bit integers as decimal strings, enums as numbers, other bytes as base64.
 * The flattener also accepts everything pdata accepts (snake_case, enum names, numbers for
 * 64-bit ints, base64 ids, legacy `instrumentationLibrary*`).
 */
export type Signal = 'traces' | 'logs' | 'metrics';

export interface DecodedRequest {
  signal: Signal;
  /** An OTLP/JSON export request object. */
  body: Record<string, unknown>;
  /** Where in the file this request started: 1-based line for text input, byte offset for binary. */
  location: SourceLocation;
}

export interface SourceLocation {
  line?: number;
  byteOffset?: number;
}

/** A problem with one part of one input file; the rest of the file still loads. */
export interface IngestProblem {
  path: string;
  location: SourceLocation;
  message: string;
}

export function formatLocation(loc: SourceLocation): string {
  // Both for a part of a value too large to read whole (json-split.ts): its lines can be long.
  if (loc.line !== undefined && loc.byteOffset !== undefined) return `line ${loc.line}, byte ${loc.byteOffset}`;
  if (loc.line !== undefined) return `line ${loc.line}`;
  if (loc.byteOffset !== undefined) return `byte ${loc.byteOffset}`;
  return 'start of file';
}

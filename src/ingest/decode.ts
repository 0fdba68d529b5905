/**
 * Units → OTLP export requests. A unit is one JSON value's text or one protobuf message, cut out
 * of a file by read.ts on the main thread; decoding (OTLP/JSON through otlp-json.ts, other JSON
 * and what it declines through JSON.parse; protobuf; Gemini outfile dumps) and flattening run on
 * worker threads, so this module must not touch the database.
 */
import { jsonSignal } from './flatten.js';
import { isSdkDumpValue, sdkDumpToOtlp } from './gemini-outfile.js';
import { parseJsonText } from './json-values.js';
import type { UnitSplit } from './json-split.js';
import { parseOtlpJson } from './otlp-json.js';
import { decodeProtobufRequest, RequestDecodeError, salvageProtobufRequest } from './otlp-proto.js';
import type { DecodedRequest, Signal, SourceLocation } from './types.js';

export type Unit =
  /** `split`: a part of a request too large to decode whole (json-split.ts). */
  | { kind: 'json'; text: Buffer; location: SourceLocation; split?: UnitSplit }
  | { kind: 'protobuf'; bytes: Buffer; signal: Signal; location: SourceLocation };

export interface UnitProblem {
  location: SourceLocation;
  message: string;
  /** Records (or requests) lost to it. */
  records: number;
}

export type Classified = { kind: 'otlp'; signal: Signal } | { kind: 'sdk-dump' } | { kind: 'array' } | { kind: 'other'; description: string };

export function describeValue(v: unknown): string {
  if (v && typeof v === 'object' && !Array.isArray(v)) return `an object with keys ${Object.keys(v).slice(0, 6).join(', ') || '(none)'}`;
  return Array.isArray(v) ? 'an array' : typeof v;
}

export function classify(value: unknown): Classified {
  if (Array.isArray(value)) return { kind: 'array' };
  if (value && typeof value === 'object') {
    const signal = jsonSignal(value as Record<string, unknown>);
    if (signal) return { kind: 'otlp', signal };
  }
  if (isSdkDumpValue(value)) return { kind: 'sdk-dump' };
  return { kind: 'other', description: describeValue(value) };
}

/**
 * Decode one unit into requests; what cannot be decoded becomes a problem. With `rawFileId` (for
 * a CsvSink), OTLP/JSON spans may come as CSV rows for that file (parseOtlpJson).
 */
export function decodeUnit(unit: Unit, requests: DecodedRequest[], problems: UnitProblem[], rawFileId?: number): void {
  const location = unit.location;
  if (unit.kind === 'protobuf') {
    try {
      requests.push({ signal: unit.signal, body: decodeProtobufRequest(unit.bytes, unit.signal), location });
    } catch (e) {
      // A damaged request still gives the records that are whole before the damage.
      const kept = e instanceof RequestDecodeError ? salvageProtobufRequest(unit.bytes, unit.signal, e) : null;
      if (kept) requests.push({ signal: unit.signal, body: kept.body, location });
      const lost = kept ? `; the records whole before byte ${kept.from} of the message are kept, the one there and everything after it are lost` : '';
      problems.push({ location, message: `protobuf ${unit.signal} request does not parse: ${(e as Error).message}${lost}`, records: 1 });
    }
    return;
  }
  // OTLP requests through the parser that renders attribute lists as it reads (otlp-json.ts);
  // anything else, or anything it declines, through JSON.parse.
  const fast = parseOtlpJson(unit.text, rawFileId);
  const signal = fast && jsonSignal(fast);
  if (signal) {
    requests.push({ signal, body: fast, location });
    return;
  }
  const parsed = parseJsonText(unit.text);
  if (!parsed.ok) {
    problems.push({ location, message: parsed.message, records: 1 });
    return;
  }
  const values = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  for (const value of values) {
    const c = classify(value);
    if (c.kind === 'otlp') requests.push({ signal: c.signal, body: value as Record<string, unknown>, location });
    else if (c.kind === 'sdk-dump') {
      try {
        const r = sdkDumpToOtlp(value);
        requests.push({ signal: r.signal, body: r.body, location });
      } catch (e) {
        problems.push({ location, message: (e as Error).message, records: 1 });
      }
    } else problems.push({ location, message: `not an OTLP export request: ${describeValue(value)}`, records: 1 });
  }
}

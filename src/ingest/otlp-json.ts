/**
 * A JSON parser for OTLP/JSON export requests that renders attribute lists as it reads them.
 *
 * `JSON.parse` builds two objects and three strings per attribute (`{"key":…,"value":{…}}`), and
 * the flattener then turns them into the JSON object text it stores (`{"key":value,…}`,
 * anyvalue.ts attributesText). Codex spans carry ~15 attributes each, so most of a worker's time
 * went there. This parser reads the bytes once: every array under an `attributes` key is written
 * straight to that text (a `RenderedAttributes`, which attributesJson/attributesText pass through);
 * everything else becomes the same values `JSON.parse` gives. The flattener is unchanged.
 *
 * Exactness comes first: the rendered text is byte for byte what attributesText makes of the list
 * `JSON.parse` returns, and a list this parser does not render exactly (an escape in a key, a
 * non-string key, a value other than one string / canonical int / bool member…) is handed to
 * `JSON.parse` whole, so attributesText sees it and reports a bad record as before. Any input
 * this parser does not accept (invalid JSON, a value that is not an OTLP request object,
 * `__proto__` keys, nesting deeper than DEPTH) returns null, and the caller uses `JSON.parse`.
 */
import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { anyValueJson, RenderedAttributes } from './anyvalue.js';

// Thrown (one instance, no stack to capture) where this parser gives the input to JSON.parse.
const DECLINE = new Error('declined');
const DEPTH = 64;

type Bytes = Buffer & { latin1Slice(s: number, e: number): string; utf8Slice(s: number, e: number): string; latin1Write(t: string, at: number): number };

const EMPTY = Buffer.alloc(0) as Bytes;
// The parser's state is module-level `var`, not `let`: V8 checks a module `let` for its
// temporal dead zone at every use from a function, and these are used at every byte. With `let`
// the span rows took 12 % more instructions (valgrind, the 1 GB bench's span lines).
var b: Bytes = EMPTY;
var i = 0;
var n = 0;
var depth = 0;
// Output of attribute rendering: bytes copied from the input, decoded once per list.
var out = Buffer.allocUnsafe(1 << 16) as Bytes;
var o = 0;
var outAscii = true;

/**
 * Parse one OTLP/JSON request; null when the caller should use JSON.parse instead.
 * With `fileId` (the CSV sink's file), each `spans` array that the span-row writer below takes
 * becomes a RawSpans: the spans' CSV rows, written as they are read.
 */
export function parseOtlpJson(text: Buffer, fileId?: number): Record<string, unknown> | null {
  b = text as Bytes;
  i = 0;
  n = text.length;
  depth = 0;
  rawRows = fileId !== undefined;
  if (rawRows) {
    fileIdText = String(fileId);
    arena.gen++;
    spo = 0;
    evo = 0;
  }
  try {
    ws();
    if (b[i] !== 0x7b) return null;
    // An OTLP request's one member is resourceSpans, resourceLogs or resourceMetrics (or snake
    // case): other JSON (a Gemini outfile dump, a file that is not telemetry) goes to JSON.parse
    // without being read twice.
    const open = i;
    i++;
    ws();
    if (!startsWith(RESOURCE, i)) return null;
    // span rows only for a traces request (flatten.ts looks for them there)
    rawRows = rawRows && startsWith(RESOURCE_SPANS, i);
    i = open;
    const v = value(false) as Record<string, unknown>;
    ws();
    return i === n ? v : null;
  } catch {
    // Invalid JSON, or anything unforeseen: JSON.parse and the flattener report it exactly.
    return null;
  } finally {
    b = EMPTY;
  }
}

/** After an element: true at ',' (moved past it and the whitespace after), false at `close`. */
function more(close: number): boolean {
  ws();
  const d = b[i++];
  if (d === 0x2c) {
    ws();
    return true;
  }
  if (d === close) return false;
  throw DECLINE;
}

/** After a member name: the ':' and the whitespace around it. */
function colon(): void {
  ws();
  if (b[i++] !== 0x3a) throw DECLINE;
  ws();
}

function ws(): void {
  while (i < n) {
    const c = b[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return;
  }
}

// Set by scanString: the token has escapes / all of them are the ones JSON.stringify writes (so
// the token is JSON.stringify of its value) / it holds only ASCII bytes.
var strEscaped = false;
var strCanonical = true;
var strAscii = true;

const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const isLowerHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);

// Bytes a string token holds as they are (0) and the ones scanString looks at: '"', '\\', controls,
// non-ASCII. (A byte past the end reads as undefined, whose class is undefined, not 0.)
const CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) CLASS[c] = c === 0x22 || c === 0x5c || c < 0x20 || c >= 0x80 ? 1 : 0;

/** Scan the string token at b[i] === '"' (its escapes checked); returns the closing quote's index. */
function scanString(): number {
  // (locals: even module-level vars cost a context load at every use in the loop)
  const buf = b;
  const end = n;
  let j = i + 1;
  let esc = false;
  let canonical = true;
  let ascii = true;
  for (;;) {
    while (CLASS[buf[j]] === 0) j++;
    if (j >= end) throw DECLINE;
    const c = buf[j];
    if (c === 0x22) break;
    if (c === 0x5c) {
      esc = true;
      const e = buf[j + 1];
      if (e === 0x75) {
        if (!(isHex(buf[j + 2]) && isHex(buf[j + 3]) && isHex(buf[j + 4]) && isHex(buf[j + 5]))) throw DECLINE;
        // JSON.stringify writes \u00xx (lowercase hex) for the controls without a short escape
        if (canonical) {
          const hi = buf[j + 4] - 0x30;
          const lo = buf[j + 5] <= 0x39 ? buf[j + 5] - 0x30 : buf[j + 5] - 0x61 + 10;
          const code = buf[j + 2] === 0x30 && buf[j + 3] === 0x30 && (hi === 0 || hi === 1) && isLowerHex(buf[j + 5]) ? hi * 16 + lo : -1;
          canonical = code >= 0 && code !== 8 && code !== 9 && code !== 10 && code !== 12 && code !== 13;
        }
        j += 6;
      } else if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) j += 2;
      else if (e === 0x2f) {
        canonical = false;
        j += 2;
      } else throw DECLINE;
      continue;
    }
    if (c < 0x20) throw DECLINE;
    if (c >= 0x80) ascii = false;
    j++;
  }
  strEscaped = esc;
  strCanonical = canonical;
  strAscii = ascii;
  return j;
}

function string(): string {
  const end = scanString();
  const s = i;
  i = end + 1;
  if (strEscaped) return JSON.parse(b.utf8Slice(s, end + 1)) as string;
  return strAscii ? b.latin1Slice(s + 1, end) : b.utf8Slice(s + 1, end);
}

// Member names repeat in every record: each is sliced once, then found by its bytes (and, as a
// string V8 has already internalized, makes a cheaper property key).
const NAMES = new Map<number, string>();

function memberName(): string {
  const end = scanString();
  if (strEscaped || !strAscii) return string();
  const s = i + 1;
  let h = end - s;
  for (let k = s; k < end; k++) h = (Math.imul(h, 31) + b[k]) | 0;
  let name = NAMES.get(h);
  if (name === undefined || name.length !== end - s || !sameAscii(name, s)) {
    name = b.latin1Slice(s, end);
    if (NAMES.size < 4096) NAMES.set(h, name);
  }
  i = end + 1;
  return name;
}

function sameAscii(t: string, at: number): boolean {
  for (let k = 0; k < t.length; k++) if (t.charCodeAt(k) !== b[at + k]) return false;
  return true;
}

function number(): number {
  const s = i;
  scanNumber();
  return Number(b.latin1Slice(s, i));
}

/** Move past the number at b[i], checking JSON's number grammar. */
function scanNumber(): void {
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (b[i] >= 0x31 && b[i] <= 0x39) while (b[i] >= 0x30 && b[i] <= 0x39) i++;
  else throw DECLINE;
  if (b[i] === 0x2e) {
    i++;
    if (!(b[i] >= 0x30 && b[i] <= 0x39)) throw DECLINE;
    while (b[i] >= 0x30 && b[i] <= 0x39) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (!(b[i] >= 0x30 && b[i] <= 0x39)) throw DECLINE;
    while (b[i] >= 0x30 && b[i] <= 0x39) i++;
  }
}

/** The literal `p` at b[i] (TRUE, FALSE, NULL), moved past; `v` is its value. */
function literal(p: Uint8Array, v: unknown): unknown {
  if (!startsWith(p, i)) throw DECLINE;
  i += p.length;
  return v;
}

/** Any value at b[i] (after whitespace). `attrs`: this value is under an `attributes` key. */
function value(attrs: boolean): unknown {
  const c = b[i];
  if (c === 0x22) return string();
  if (c === 0x7b) return object();
  if (c === 0x5b) return attrs ? attributes() : array();
  if (c === 0x74) return literal(TRUE, true);
  if (c === 0x66) return literal(FALSE, false);
  if (c === 0x6e) return literal(NULL, null);
  return number();
}

function object(): Record<string, unknown> {
  if (++depth > DEPTH) throw DECLINE;
  i++;
  const obj: Record<string, unknown> = {};
  ws();
  if (b[i] === 0x7d) {
    i++;
    depth--;
    return obj;
  }
  for (;;) {
    if (b[i] !== 0x22) throw DECLINE;
    const key = memberName();
    if (key === '__proto__') throw DECLINE;
    colon();
    if (b[i] !== 0x5b) obj[key] = value(false);
    else if (key === 'attributes') obj[key] = attributes();
    else if (key === 'spans' && rawRows) obj[key] = spansValue();
    else if (key === 'bucketCounts') obj[key] = countsValue();
    else if (key === 'explicitBounds') obj[key] = boundsValue();
    else obj[key] = array();
    if (!more(0x7d)) break;
  }
  depth--;
  return obj;
}

function array(): unknown[] {
  if (++depth > DEPTH) throw DECLINE;
  const start = i;
  i++;
  ws();
  const c = b[i];
  // Arrays of numbers (histogram buckets and bounds, hundreds per point): JSON.parse of the text
  // up to the first ']'. When that text parses, it is this whole array (a complete value cannot
  // end before its own closing bracket); when it does not, the array holds more, read below.
  if ((c >= 0x30 && c <= 0x39) || c === 0x2d) {
    const close = b.indexOf(0x5d, i);
    if (close > 0) {
      try {
        const v = JSON.parse(b.utf8Slice(start, close + 1)) as unknown[];
        i = close + 1;
        depth--;
        return v;
      } catch {
        // read element by element
      }
    }
  }
  const arr: unknown[] = [];
  if (c === 0x5d) {
    i++;
    depth--;
    return arr;
  }
  for (;;) {
    arr.push(value(false));
    if (!more(0x5d)) break;
  }
  depth--;
  return arr;
}

/** Move past the value at b[i], checking its syntax, building nothing. */
function skipValue(): void {
  const c = b[i];
  if (c === 0x22) i = scanString() + 1;
  else if (c === 0x7b || c === 0x5b) {
    if (++depth > DEPTH) throw DECLINE;
    const close = c + 2; // '}' or ']'
    i++;
    ws();
    if (b[i] === close) i++;
    else
      for (;;) {
        if (c === 0x7b) {
          if (b[i] !== 0x22) throw DECLINE;
          i = scanString() + 1;
          colon();
        }
        skipValue();
        if (!more(close)) break;
      }
    depth--;
  } else if (c === 0x74) literal(TRUE, true);
  else if (c === 0x66) literal(FALSE, false);
  else if (c === 0x6e) literal(NULL, null);
  else scanNumber();
}

function emit(c: number): void {
  if (o >= out.length) grow(1);
  out[o++] = c;
}

function grow(k: number): void {
  const next = Buffer.allocUnsafe(Math.max(out.length * 2, o + k)) as Bytes;
  out.copy(next, 0, 0, o);
  out = next;
}

/** Copy b[s, e) to the output. */
function copy(s: number, e: number): void {
  if (o + (e - s) > out.length) grow(e - s);
  if (e - s > 64) {
    b.copy(out, o, s, e);
    o += e - s;
    return;
  }
  for (let k = s; k < e; k++) out[o++] = b[k];
}

function emitText(t: string): void {
  if (o + t.length * 3 > out.length) grow(t.length * 3);
  o += out.write(t, o, 'utf8');
  for (let k = 0; k < t.length; k++)
    if (t.charCodeAt(k) >= 0x80) {
      outAscii = false;
      break;
    }
}

// Kept keys of the list being rendered: start and end of each key token (quotes included).
const keyStart: number[] = [];
const keyEnd: number[] = [];

function sameKey(s: number, e: number): boolean {
  const len = e - s;
  for (let k = 0; k < keyStart.length; k++) {
    const ks = keyStart[k];
    if (keyEnd[k] - ks !== len) continue;
    let eq = true;
    for (let x = 1; x < len - 1 && eq; x++) eq = b[ks + x] === b[s + x];
    if (eq) return true;
  }
  return false;
}

/**
 * An attribute list at b[i] === '[' rendered to its JSON object text, or, when a part of it is
 * not one this renderer handles exactly, the list JSON.parse gives (attributesText reads it).
 */
function attributes(): unknown {
  const start = i;
  const o0 = o;
  const ascii0 = outAscii;
  const depth0 = depth;
  try {
    return renderAttributes(start);
  } catch {
    // (a RecordError from anyValueJson, too: attributesText reports it with its path)
    o = o0;
    outAscii = ascii0;
    depth = depth0;
    i = start;
    skipValue();
    return JSON.parse(b.utf8Slice(start, i));
  }
}

function renderAttributes(start: number): RenderedAttributes {
  // Rendered into `out` from o0: nested lists (kvlist values) are not rendered here, so one
  // level at a time uses it.
  const o0 = o;
  outAscii = true;
  renderList();
  const json = o - o0 === 2 ? '{}' : outAscii ? out.latin1Slice(o0, o) : out.utf8Slice(o0, o);
  o = o0;
  return new RenderedAttributes(json, b, start, i);
}

/** The attribute list at b[i] === '[' appended to `out` as its JSON object text; throws where renderAttributes falls back. */
function renderList(): void {
  i++;
  ws();
  emit(0x7b);
  if (b[i] === 0x5d) {
    i++;
    emit(0x7d);
    return;
  }
  keyStart.length = 0;
  keyEnd.length = 0;
  for (;;) {
    if (b[i] !== 0x7b) throw DECLINE;
    keyValue();
    if (!more(0x5d)) break;
  }
  emit(0x7d);
}

/** One `{"key":…,"value":…}` at b[i]; appends `"key":value` unless the key was seen before. */
function keyValue(): void {
  // The form the Collector and the SDKs write, `{"key":"k","value":{"stringValue":"v"}}` (a
  // plain ASCII key, no whitespace), read straight through. Its append repeats the one at the end
  // on purpose: one helper for both, or one shared tail, cost 1-2 % more instructions for spans
  // and 1-7 % for metrics (valgrind, the 1 GB bench's lines).
  const at = i;
  if (startsWith(KV_KEY, at)) {
    const ks = at + KV_KEY.length - 1;
    let j = ks + 1;
    while (CLASS[b[j]] === 0) j++;
    if (b[j] === 0x22 && startsWith(KV_VALUE, j + 1)) {
      const ke = j + 1;
      const vs = ke + KV_VALUE.length;
      i = vs;
      const kind = compactValue();
      if (kind === OTHER) skipValue();
      if (b[i] === 0x7d) {
        const ve = i;
        i++;
        if (sameKey(ks, ke)) return;
        keyStart.push(ks);
        keyEnd.push(ke);
        if (keyStart.length > 1) emit(0x2c);
        copy(ks, ke);
        emit(0x3a);
        if (kind === OTHER) anyValue(vs, ve);
        else {
          copy(tokStart, tokEnd);
          if (kind === STRING && !strAscii) outAscii = false;
        }
        return;
      }
    }
    i = at;
  }
  i++;
  ws();
  let ks = -1;
  let ke = -1;
  let keyAscii = true;
  let vs = -1;
  let ve = -1;
  let kind = OTHER;
  let ts = 0;
  let te = 0;
  let tAscii = true;
  if (b[i] !== 0x7d)
    for (;;) {
      if (b[i] !== 0x22) throw DECLINE;
      const nameEnd = scanString();
      if (strEscaped) throw DECLINE;
      const ns = i + 1;
      i = nameEnd + 1;
      colon();
      const len = nameEnd - ns;
      if (len === KEY.length && startsWith(KEY, ns)) {
        if (b[i] !== 0x22) throw DECLINE;
        const e = scanString();
        if (strEscaped || (!strAscii && !isUtf8(b.subarray(i + 1, e)))) throw DECLINE;
        ks = i;
        ke = e + 1;
        keyAscii = strAscii;
        i = ke;
      } else if (len === VALUE.length && startsWith(VALUE, ns)) {
        vs = i;
        kind = compactValue();
        if (kind === OTHER) {
          i = vs;
          skipValue();
        } else {
          ts = tokStart;
          te = tokEnd;
          tAscii = kind === LITERAL || strAscii;
        }
        ve = i;
      } else skipValue();
      if (!more(0x7d)) break;
    }
  else i++;
  if (ks < 0) throw DECLINE; // no key: attributesText reports it
  if (sameKey(ks, ke)) return; // first occurrence wins, its value unread (as attributesText)
  keyStart.push(ks);
  keyEnd.push(ke);
  if (keyStart.length > 1) emit(0x2c);
  copy(ks, ke);
  if (!keyAscii) outAscii = false;
  emit(0x3a);
  if (kind === OTHER) anyValue(vs, ve);
  else {
    // STRING: the token with its quotes (JSON.stringify of it); LITERAL (an int or a bool): its text.
    copy(ts, te);
    if (!tAscii) outAscii = false;
  }
}

const OTHER = 0;
const STRING = 1;
const LITERAL = 2;
const bytes = (t: string) => Uint8Array.from(t, (ch) => ch.charCodeAt(0));
const TRUE = bytes('true');
const FALSE = bytes('false');
const NULL = bytes('null');
const KEY = bytes('key');
const KV_KEY = bytes('{"key":"');
const KV_VALUE = bytes(',"value":');
const VALUE = bytes('value');
const STRING_VALUE = bytes('{"stringValue":"');
const RESOURCE = bytes('"resource');
const RESOURCE_SPANS = bytes('"resourceSpans"');
const INT_VALUE = bytes('{"intValue":');
const BOOL_VALUE = bytes('{"boolValue":');
// The token compactValue found: b[tokStart, tokEnd).
var tokStart = 0;
var tokEnd = 0;

function startsWith(p: Uint8Array, at: number): boolean {
  for (let k = 0; k < p.length; k++) if (b[at + k] !== p[k]) return false;
  return true;
}

/**
 * The AnyValue shapes the Collector writes for nearly every attribute, without whitespace:
 * `{"stringValue":"…"}` (escaped as JSON.stringify escapes, valid UTF-8), `{"intValue":"123"}`
 * or `{"intValue":123}` (canonical digits), `{"boolValue":true|false}`. On a match, moves past the value and sets
 * tokStart/tokEnd to the text anyValueJson would give; otherwise OTHER, position unchanged.
 */
function compactValue(): number {
  const at = i;
  const c = b[at + 2];
  if (c === 0x73 && startsWith(STRING_VALUE, at)) {
    i = at + STRING_VALUE.length - 1;
    const e = scanString();
    if (strCanonical && b[e + 1] === 0x7d && (strAscii || isUtf8(b.subarray(i + 1, e)))) {
      tokStart = i;
      tokEnd = e + 1;
      i = e + 2;
      return STRING;
    }
  } else if (c === 0x69 && startsWith(INT_VALUE, at)) {
    let k = at + INT_VALUE.length;
    const quoted = b[k] === 0x22;
    if (quoted) k++;
    const s = k;
    if (b[k] === 0x2d) k++;
    while (b[k] >= 0x30 && b[k] <= 0x39) k++;
    // a JSON number is exact only up to 15 digits (int64Text reads it through a double)
    if (canonicalInt(s, k) && (quoted || k - s <= 15)) {
      if (quoted ? b[k] === 0x22 && b[k + 1] === 0x7d : b[k] === 0x7d) {
        tokStart = s;
        tokEnd = k;
        i = k + (quoted ? 2 : 1);
        return LITERAL;
      }
    }
  } else if (c === 0x62 && startsWith(BOOL_VALUE, at)) {
    const k = at + BOOL_VALUE.length;
    const len = startsWith(TRUE, k) ? TRUE.length : startsWith(FALSE, k) ? FALSE.length : 0;
    if (len && b[k + len] === 0x7d) {
      tokStart = k;
      tokEnd = k + len;
      i = k + len + 1;
      return LITERAL;
    }
  }
  i = at;
  return OTHER;
}

/** AnyValue text of b[vs, ve) (vs < 0: absent), as anyValueJson renders it. */
function anyValue(vs: number, ve: number): void {
  if (vs < 0) emitText('null');
  else if (b[vs] !== 0x7b && b[vs] !== 0x6e) throw DECLINE; // not an object: attributesText reports it
  else emitText(anyValueJson(JSON.parse(b.utf8Slice(vs, ve))));
}

/** b[s, e) is an integer int64Text gives back as it is (no leading zeros, not '-0'); longer ones than 18 digits take the regular path. */
function canonicalInt(s: number, e: number): boolean {
  let k = s;
  if (b[k] === 0x2d) k++;
  const digits = e - k;
  if (digits < 1 || digits > 18) return false;
  if (b[k] === 0x30 && (digits > 1 || k > s)) return false;
  for (; k < e; k++) if (b[k] < 0x30 || b[k] > 0x39) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Span rows, written as the spans are read.
//
// Spans are most of the bytes of an agent's telemetry (Codex: ~1 KB each, ~15 attributes). With
// `fileId`, parseOtlpJson writes each span straight to its CSV row of the spans table (and its
// events' rows of span_events), in the column order and quoting of sink.ts, without a JavaScript
// object or string per field: tokens are copied from the input, attribute lists rendered as
// above. The rows are byte for byte what flatten.ts + CsvSink write for the same spans (a test
// compares both on every capture line, edge cases and random mutations). The resource and scope
// ids are not known while the spans are read (their schemaUrl may follow), so each row holds
// 16-byte placeholders that the sink fills in (CsvSink.rawSpans).
//
// The writer takes the shapes producers write: camelCase members, lower-case hex ids, canonical
// integers, status with a numeric code, no links (strings with escapes or invalid UTF-8 are
// decoded as string() decodes them). On anything else (and on anything flatten.ts would report as
// a bad record) the whole array is read again as values, and flatten.ts handles it as before.
// ---------------------------------------------------------------------------------------------

const RS = 0x1e; // sink.ts quotes strings with RS
const COMMA = 0x2c;

var rawRows = false;
var fileIdText = '';

/** Row buffers of the request being parsed; `gen` tells a RawSpans of an earlier request apart. */
const arena = { gen: 0, spans: Buffer.allocUnsafe(1 << 20) as Bytes, events: Buffer.allocUnsafe(1 << 14) as Bytes };
var spo = 0;
var evo = 0;

/** The CSV rows of one `spans` array: spans[spanStart, spanEnd) and events[eventStart, eventEnd) of the arena. */
export class RawSpans {
  constructor(
    readonly gen: number,
    readonly spanStart: number,
    readonly spanEnd: number,
    readonly eventStart: number,
    readonly eventEnd: number,
    /** Per span row, where its resource id placeholder starts (the scope id's is 19 bytes on). */
    readonly idAt: number[],
    readonly count: number,
    /** Earliest and latest positive start time (canonical integer text), as flatten.ts tracks them. */
    readonly minStart: string | null,
    readonly maxStart: string | null,
  ) {}

  /** The rows' bytes with the ids filled in; valid until the next parseOtlpJson call. */
  rows(resourceId: string, scopeId: string): { spans: Buffer; events: Buffer } {
    if (this.gen !== arena.gen) throw new Error('RawSpans used after the next request was parsed');
    if (resourceId.length !== 16 || scopeId.length !== 16) throw new Error('resource and scope ids must be 16 characters');
    const sp = arena.spans;
    for (const at of this.idAt) {
      sp.latin1Write(resourceId, at);
      sp.latin1Write(scopeId, at + 19);
    }
    return { spans: sp.subarray(this.spanStart, this.spanEnd), events: arena.events.subarray(this.eventStart, this.eventEnd) };
  }
}

/** A `spans` array: its rows when the writer takes every span, else the values (see above). */
function spansValue(): unknown {
  const start = i;
  const o0 = o;
  const depth0 = depth;
  const spo0 = spo;
  const evo0 = evo;
  try {
    return rawSpans();
  } catch {
    // (a RecordError from anyValueJson, too: flatten.ts reports it with its path)
    i = start;
    o = o0;
    depth = depth0;
    spo = spo0;
    evo = evo0;
    return array();
  }
}

// Members of a span and of its status and events; F holds each one's [start, end) while a span is read.
const TRACE_ID = 0;
const SPAN_ID = 1;
const PARENT = 2;
const TRACE_STATE = 3;
const NAME = 4;
const KIND = 5;
const START = 6;
const END = 7;
const ATTRS = 8; // in `out`
const DROPPED = 9;
const EVENTS = 10;
const LINKS = 11;
const STATUS = 12;
const FLAGS = 13;
const CODE = 14;
const MESSAGE = 15;
const TIME = 16;
const EVENT_NAME = 17;
const IGNORED = 18; // read as flatten.ts does: not at all (droppedEventsCount, droppedLinksCount)
const UNKNOWN = 19;
const F = new Int32Array(2 * 18);
const F_SAVED = new Int32Array(F.length); // the span's while its events are read

const SPAN_MEMBERS = members([
  ['traceId', TRACE_ID],
  ['spanId', SPAN_ID],
  ['parentSpanId', PARENT],
  ['traceState', TRACE_STATE],
  ['name', NAME],
  ['kind', KIND],
  ['startTimeUnixNano', START],
  ['endTimeUnixNano', END],
  ['attributes', ATTRS],
  ['droppedAttributesCount', DROPPED],
  ['events', EVENTS],
  ['droppedEventsCount', IGNORED],
  ['links', LINKS],
  ['droppedLinksCount', IGNORED],
  ['status', STATUS],
  ['flags', FLAGS],
]);
const STATUS_MEMBERS = members([
  ['code', CODE],
  ['message', MESSAGE],
]);
const EVENT_MEMBERS = members([
  ['timeUnixNano', TIME],
  ['name', EVENT_NAME],
  ['attributes', ATTRS],
  ['droppedAttributesCount', IGNORED],
]);

/**
 * The member name at b[i] (moved past it and the colon), as its id in `members`. A name that is
 * not there is skipped with its value when it cannot be a snake_case variant flatten.ts would
 * read (it has no '_'); anything else declines.
 */
function member(members: Members): number {
  if (b[i] !== 0x22) throw DECLINE;
  const end = scanString();
  let id = -1;
  if (strEscaped) {
    // an escaped name is its decoded text, as for JSON.parse
    const name = string();
    id = members.byName.get(name) ?? (name.includes('_') ? -2 : -1);
  } else {
    // found by its bytes: no string per member
    const s = i + 1;
    const candidates = members.byLength[end - s];
    if (candidates)
      for (const [bytes, cid] of candidates) {
        let k = 0;
        while (k < bytes.length && b[s + k] === bytes[k]) k++;
        if (k === bytes.length) {
          id = cid;
          break;
        }
      }
    if (id < 0) for (let k = s; k < end; k++) if (b[k] === 0x5f) id = -2;
    i = end + 1;
  }
  colon();
  if (id >= 0) return id;
  if (id === -2) throw DECLINE;
  skipValue();
  return UNKNOWN;
}

interface Members {
  byName: Map<string, number>;
  /** Per name length, each name's bytes and id. */
  byLength: [Uint8Array, number][][];
}

function members(list: [string, number][]): Members {
  const byLength: [Uint8Array, number][][] = [];
  for (const [name, id] of list) (byLength[name.length] ??= []).push([bytes(name), id]);
  return { byName: new Map(list), byLength };
}

/** Record [s, e) of member `id`; a member seen twice declines (JSON.parse keeps the last). */
function setField(id: number, s: number, e: number): void {
  if (F[2 * id] !== -1) throw DECLINE;
  F[2 * id] = s;
  F[2 * id + 1] = e;
}

// A string member whose bytes are not its value (escapes, invalid UTF-8): F holds TEXT and the
// value's UTF-8 length, TEXTS the value.
const TEXT = -2;
const TEXTS: string[] = [];

/** A string: its content, or its value when that differs from the bytes (as string() reads it). */
function stringField(id: number): void {
  if (b[i] !== 0x22) throw DECLINE;
  const e = scanString();
  if (!strEscaped && (strAscii || isUtf8(b.subarray(i + 1, e)))) setField(id, i + 1, e);
  else {
    const t = strEscaped ? (JSON.parse(b.utf8Slice(i, e + 1)) as string) : b.utf8Slice(i + 1, e);
    // sink.ts doubles an RS inside a value; rows never hold one
    if (t.includes('\x1e')) throw DECLINE;
    setField(id, TEXT, Buffer.byteLength(t, 'utf8'));
    TEXTS[id] = t;
  }
  i = e + 1;
}

/** A lower-case hex id of `len` characters (or empty, when `empty`): its content. */
function hexId(id: number, len: number, empty: boolean): void {
  if (b[i] !== 0x22) throw DECLINE;
  let k = i + 1;
  while (isLowerHex(b[k])) k++;
  if (b[k] !== 0x22 || (k - i - 1 !== len && !(empty && k === i + 1))) throw DECLINE;
  setField(id, i + 1, k);
  i = k + 1;
}

/** A JSON integer of at most 9 digits, no sign, as int32/enumValue give it back (kind, flags, counts, codes). */
function smallInt(id: number): void {
  const s = i;
  while (b[i] >= 0x30 && b[i] <= 0x39) i++;
  const d = i - s;
  if (d < 1 || d > 9 || (b[s] === 0x30 && d > 1) || b[i] === 0x2e || b[i] === 0x65 || b[i] === 0x45) throw DECLINE;
  setField(id, s, i);
}

/**
 * An integer as a string of canonical digits (int64Text gives it back as is, whatever its length),
 * or as a number of at most 15 characters (exact through a double).
 */
function int64(id: number): void {
  const quoted = b[i] === 0x22;
  const s = quoted ? i + 1 : i;
  let k = s;
  if (b[k] === 0x2d) k++;
  const d0 = k;
  while (b[k] >= 0x30 && b[k] <= 0x39) k++;
  // no digits, a leading zero, '-0'
  if (k === d0 || (b[d0] === 0x30 && (k - d0 > 1 || d0 > s))) throw DECLINE;
  if (quoted ? b[k] !== 0x22 : k - s > 15 || b[k] === 0x2e || b[k] === 0x65 || b[k] === 0x45) throw DECLINE;
  setField(id, s, k);
  i = quoted ? k + 1 : k;
}

/** An attribute list rendered at the end of `out`. */
function attrsField(id: number): void {
  if (b[i] !== 0x5b) throw DECLINE;
  const s = o;
  renderList();
  setField(id, s, o);
}

function rawSpans(): RawSpans {
  if (++depth > DEPTH) throw DECLINE;
  i++;
  ws();
  const spanStart = spo;
  const eventStart = evo;
  const idAt: number[] = [];
  let count = 0;
  let minS = -1;
  let minE = -1;
  let maxS = -1;
  let maxE = -1;
  if (b[i] === 0x5d) i++;
  else
    for (;;) {
      if (b[i] !== 0x7b) throw DECLINE;
      idAt.push(spanRow());
      count++;
      // positive start times: the earliest and latest (flatten.ts seenTime)
      const s = F[2 * START];
      const e = F[2 * START + 1];
      if (s >= 0 && b[s] !== 0x2d && !(e - s === 1 && b[s] === 0x30)) {
        if (minS < 0 || cmpDigits(s, e, minS, minE) < 0) ((minS = s), (minE = e));
        if (maxS < 0 || cmpDigits(s, e, maxS, maxE) > 0) ((maxS = s), (maxE = e));
      }
      if (!more(0x5d)) break;
    }
  depth--;
  return new RawSpans(arena.gen, spanStart, spo, eventStart, evo, idAt, count, minS < 0 ? null : b.latin1Slice(minS, minE), maxS < 0 ? null : b.latin1Slice(maxS, maxE));
}

/** Order of two positive canonical integers b[as, ae) and b[bs, be). */
function cmpDigits(as: number, ae: number, bs: number, be: number): number {
  if (ae - as !== be - bs) return ae - as - (be - bs);
  for (let k = 0; k < ae - as; k++) if (b[as + k] !== b[bs + k]) return b[as + k] - b[bs + k];
  return 0;
}

// The span key's hashed text: trace id, span id, start (flatten.ts span()).
const keyText = Buffer.allocUnsafe(128) as Bytes;

/** The members of the object at b[i] === '{', each read by readField into F. */
function readObject(members: Members): void {
  if (b[i] !== 0x7b) throw DECLINE;
  if (++depth > DEPTH) throw DECLINE;
  i++;
  ws();
  if (b[i] !== 0x7d)
    for (;;) {
      readField(member(members));
      if (!more(0x7d)) break;
    }
  else i++;
  depth--;
}

/** The value of member `id` of a span, its status or one of its events. */
function readField(id: number): void {
  switch (id) {
    case TRACE_ID:
      hexId(id, 32, false);
      break;
    case SPAN_ID:
      hexId(id, 16, false);
      break;
    case PARENT:
      hexId(id, 16, true);
      break;
    case TRACE_STATE:
    case NAME:
    case MESSAGE:
    case EVENT_NAME:
      stringField(id);
      break;
    case KIND:
    case DROPPED:
    case FLAGS:
    case CODE:
      smallInt(id);
      break;
    case START:
    case END:
    case TIME:
      int64(id);
      break;
    case ATTRS:
      attrsField(id);
      break;
    case EVENTS: {
      if (b[i] !== 0x5b) throw DECLINE;
      const s = i;
      skipValue();
      setField(id, s, i);
      break;
    }
    case LINKS: {
      const s = i;
      if (b[i++] !== 0x5b) throw DECLINE;
      ws();
      if (b[i++] !== 0x5d) throw DECLINE;
      setField(id, s, i);
      break;
    }
    case STATUS:
      setField(STATUS, i, i);
      readObject(STATUS_MEMBERS);
      break;
    case IGNORED:
      skipValue();
      break;
  }
}

/** The span object at b[i] === '{' as a row (and its events' rows); returns where its id placeholders are. */
function spanRow(): number {
  const o0 = o;
  F.fill(-1);
  readObject(SPAN_MEMBERS);
  if (F[2 * TRACE_ID] < 0 || F[2 * SPAN_ID] < 0) throw DECLINE;

  // record key: the first 64 bits of SHA-1(trace id, span id, start), signed (flatten.ts hash64)
  let k = 0;
  k += b.copy(keyText, k, F[2 * TRACE_ID], F[2 * TRACE_ID + 1]);
  k += b.copy(keyText, k, F[2 * SPAN_ID], F[2 * SPAN_ID + 1]);
  if (F[2 * START] >= 0) {
    if (F[2 * START + 1] - F[2 * START] > 20) throw DECLINE;
    k += b.copy(keyText, k, F[2 * START], F[2 * START + 1]);
  } else keyText[k++] = 0x30;
  const key = BigInt.asIntN(64, BigInt('0x' + (hash('sha1', keyText.subarray(0, k), 'hex') as string).slice(0, 16))).toString();

  const events = F[2 * EVENTS] >= 0 && F[2 * EVENTS + 1] - F[2 * EVENTS] > 2 ? eventRows(key, F[2 * EVENTS]) : 0;

  // the row, in sink.ts COLUMNS.spans order
  const need = 256 + len(ATTRS) + len(NAME) + len(TRACE_STATE) + len(MESSAGE) + len(KIND) + len(FLAGS) + len(DROPPED) + len(CODE) + len(START) + len(END);
  if (spo + need > arena.spans.length) arena.spans = grown(arena.spans, spo, need);
  const d = arena.spans;
  let p = spo;
  p += d.latin1Write(key, p);
  d[p++] = COMMA;
  p = quoted(d, p, TRACE_ID);
  p = quoted(d, p, SPAN_ID);
  p = quoted(d, p, PARENT);
  p = quoted(d, p, TRACE_STATE);
  p = quoted(d, p, NAME);
  p = digits(d, p, KIND);
  p = digits(d, p, START);
  p = digits(d, p, END);
  p = digits(d, p, CODE);
  p = quoted(d, p, MESSAGE);
  p = digits(d, p, FLAGS);
  p = attributesCell(d, p);
  p = digits(d, p, DROPPED);
  p += d.latin1Write(String(events), p);
  d[p++] = COMMA;
  d[p++] = 0x30; // link_count: spans with links are read as values
  d[p++] = COMMA;
  const idPlace = p + 1;
  // RS + 16 + RS + ',' + RS + 16 + RS + ','
  for (let x = 0; x < 2; x++) {
    d[p++] = RS;
    d.fill(0x30, p, p + 16);
    p += 16;
    d[p++] = RS;
    d[p++] = COMMA;
  }
  p += d.latin1Write(fileIdText, p);
  d[p++] = 0x0a;
  spo = p;
  o = o0;
  return idPlace;
}

function len(id: number): number {
  const s = F[2 * id];
  return s >= 0 ? F[2 * id + 1] - s : s === TEXT ? F[2 * id + 1] : 1;
}

/** `d` grown to hold `need` more bytes after its first `used`. */
function grown(d: Bytes, used: number, need: number): Bytes {
  const next = Buffer.allocUnsafe(Math.max(d.length * 2, used + need)) as Bytes;
  d.copy(next, 0, 0, used);
  return next;
}

/** RS-quoted bytes of member `id` (empty when absent) and a comma. */
function quoted(d: Bytes, p: number, id: number): number {
  const s = F[2 * id];
  if (s !== TEXT) return quotedBytes(d, p, s, F[2 * id + 1]);
  d[p++] = RS;
  p += d.write(TEXTS[id], p, 'utf8');
  d[p++] = RS;
  d[p++] = COMMA;
  return p;
}

/** RS-quoted b[s, e) (empty when s < 0) and a comma. */
function quotedBytes(d: Bytes, p: number, s: number, e: number): number {
  d[p++] = RS;
  if (s >= 0) {
    if (e - s > 32) p += b.copy(d, p, s, e);
    else for (let k = s; k < e; k++) d[p++] = b[k];
  }
  d[p++] = RS;
  d[p++] = COMMA;
  return p;
}

/** The rendered attribute list (`{}` when absent), RS-quoted, and a comma. */
function attributesCell(d: Bytes, p: number): number {
  d[p++] = RS;
  const s = F[2 * ATTRS];
  if (s >= 0) p += out.copy(d, p, s, F[2 * ATTRS + 1]);
  else ((d[p++] = 0x7b), (d[p++] = 0x7d));
  d[p++] = RS;
  d[p++] = COMMA;
  return p;
}

/** The integer of member `id` (0 when absent) and a comma. */
function digits(d: Bytes, p: number, id: number): number {
  const s = F[2 * id];
  if (s >= 0) for (let k = s, e = F[2 * id + 1]; k < e; k++) d[p++] = b[k];
  else d[p++] = 0x30;
  d[p++] = COMMA;
  return p;
}

/**
 * The events array at b[at] as span_events rows (flatten.ts span(): span key, position, the
 * span's ids, time, name, attributes); returns how many. Read after the span, whose key they hold.
 */
function eventRows(key: string, at: number): number {
  const back = i;
  F_SAVED.set(F);
  i = at + 1;
  ws();
  let seq = 0;
  if (b[i] !== 0x5d)
    for (;;) {
      const o0 = o;
      F.fill(-1);
      readObject(EVENT_MEMBERS);
      const need = 128 + key.length + len(ATTRS) + len(EVENT_NAME) + len(TIME);
      if (evo + need > arena.events.length) arena.events = grown(arena.events, evo, need);
      const d = arena.events;
      let p = evo;
      p += d.latin1Write(key, p);
      d[p++] = COMMA;
      p += d.latin1Write(String(seq), p);
      d[p++] = COMMA;
      p = quotedBytes(d, p, F_SAVED[2 * TRACE_ID], F_SAVED[2 * TRACE_ID + 1]);
      p = quotedBytes(d, p, F_SAVED[2 * SPAN_ID], F_SAVED[2 * SPAN_ID + 1]);
      p = digits(d, p, TIME);
      p = quoted(d, p, EVENT_NAME);
      p = attributesCell(d, p);
      p += d.latin1Write(fileIdText, p);
      d[p++] = 0x0a;
      evo = p;
      o = o0;
      seq++;
      if (!more(0x5d)) break;
    }
  F.set(F_SAVED);
  i = back;
  return seq;
}

// ---------------------------------------------------------------------------------------------
// Histogram arrays. A Codex histogram point holds ~500 bucket counts (strings, as OTLP/JSON
// writes 64-bit integers) and the same ~500 bounds as every other point of its series.
// ---------------------------------------------------------------------------------------------

/** Bucket counts rendered as flatten.ts numberList renders canonical counts: `[1,0,2]`. */
export class RenderedCounts {
  constructor(readonly text: string) {}
}

/** A `bucketCounts` array at b[i] === '[': rendered when every element is a canonical count, else its values. */
function countsValue(): unknown {
  const start = i;
  const o0 = o;
  i++;
  ws();
  emit(0x5b);
  let ok = true;
  if (b[i] === 0x5d) i++;
  else
    for (;;) {
      // "12" (numberList's pattern: no sign, no leading zeros) or 12 (at most 15 digits: JS
      // prints the number back as the same digits). The rule of int64() without the sign, inline:
      // a helper for both, called for each of ~500 counts a point, cost metrics 8 % more
      // instructions.
      const quoted = b[i] === 0x22;
      const s = quoted ? i + 1 : i;
      let k = s;
      while (b[k] >= 0x30 && b[k] <= 0x39) k++;
      if (k === s || (b[s] === 0x30 && k - s > 1) || (quoted ? b[k] !== 0x22 : k - s > 15 || b[k] === 0x2e || b[k] === 0x65 || b[k] === 0x45)) {
        ok = false;
        break;
      }
      copy(s, k);
      i = quoted ? k + 1 : k;
      ws();
      const c = b[i++];
      if (c === 0x5d) break;
      if (c !== 0x2c) {
        ok = false;
        break;
      }
      emit(0x2c);
      ws();
    }
  if (!ok) {
    o = o0;
    i = start;
    return array();
  }
  emit(0x5d);
  const text = out.latin1Slice(o0, o);
  o = o0;
  return new RenderedCounts(text);
}

// The last `explicitBounds` array read: its bytes and its values. The same bytes are the same
// complete array (JSON arrays delimit themselves), so its values are given again, unparsed;
// flatten.ts boundsText knows them by identity.
let lastBoundsBytes = EMPTY;
let lastBoundsValue: unknown = null;

function boundsValue(): unknown {
  const len = lastBoundsBytes.length;
  if (len > 0 && i + len <= n && b.compare(lastBoundsBytes, 0, len, i, i + len) === 0) {
    i += len;
    return lastBoundsValue;
  }
  const s = i;
  const v = array();
  lastBoundsBytes = Buffer.from(b.subarray(s, i)) as Bytes;
  lastBoundsValue = v;
  return v;
}

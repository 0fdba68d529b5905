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
import { anyValueJson, RenderedAttributes } from './anyvalue.js';

// Thrown (one instance, no stack to capture) where this parser gives the input to JSON.parse.
const DECLINE = new Error('declined');
const DEPTH = 64;

type Bytes = Buffer & { latin1Slice(s: number, e: number): string; utf8Slice(s: number, e: number): string };

const EMPTY = Buffer.alloc(0) as Bytes;
let b: Bytes = EMPTY;
let i = 0;
let n = 0;
let depth = 0;
// Output of attribute rendering: bytes copied from the input, decoded once per list.
let out = Buffer.allocUnsafe(1 << 16) as Bytes;
let o = 0;
let outAscii = true;

/** Parse one OTLP/JSON request; null when the caller should use JSON.parse instead. */
export function parseOtlpJson(text: Buffer): Record<string, unknown> | null {
  b = text as Bytes;
  i = 0;
  n = text.length;
  depth = 0;
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
let strEscaped = false;
let strCanonical = true;
let strAscii = true;

const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const isLowerHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);

// Bytes a string token holds as they are (0) and the ones scanString looks at: '"', '\\', controls,
// non-ASCII. (A byte past the end reads as undefined, whose class is undefined, not 0.)
const CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) CLASS[c] = c === 0x22 || c === 0x5c || c < 0x20 || c >= 0x80 ? 1 : 0;

/** Scan the string token at b[i] === '"' (its escapes checked); returns the closing quote's index. */
function scanString(): number {
  // (locals: the module-level lets cost a load and a hole check at every use in the loop)
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
    obj[key] = value(key === 'attributes');
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
  i++;
  ws();
  if (b[i] === 0x5d) {
    i++;
    return new RenderedAttributes('{}', b, start, i);
  }
  // Rendered into `out` from o0: nested lists (kvlist values) are not rendered here, so one
  // level at a time uses it.
  const o0 = o;
  outAscii = true;
  keyStart.length = 0;
  keyEnd.length = 0;
  emit(0x7b);
  for (;;) {
    if (b[i] !== 0x7b) throw DECLINE;
    keyValue();
    if (!more(0x5d)) break;
  }
  emit(0x7d);
  const json = outAscii ? out.latin1Slice(o0, o) : out.utf8Slice(o0, o);
  o = o0;
  return new RenderedAttributes(json, b, start, i);
}

/** One `{"key":…,"value":…}` at b[i]; appends `"key":value` unless the key was seen before. */
function keyValue(): void {
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
const VALUE = bytes('value');
const STRING_VALUE = bytes('{"stringValue":"');
const RESOURCE = bytes('"resource');
const INT_VALUE = bytes('{"intValue":');
const BOOL_VALUE = bytes('{"boolValue":');
// The token compactValue found: b[tokStart, tokEnd).
let tokStart = 0;
let tokEnd = 0;

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

/**
 * Top-level JSON values from a byte stream, each with the line it starts on.
 *
 * Two framings: JSON Lines (the Collector file exporter: one request per line, lines can be
 * megabytes long, so lines are cut on Buffers with indexOf, not readline) and concatenated or
 * pretty-printed values (an OTLP/HTTP body saved as-is, the Gemini CLI outfile), cut by a
 * scanner that tracks strings and bracket depth. The framing is chosen from the first line.
 * A value larger than `splitAbove` is not held in memory but spooled to a file (json-split.ts).
 */
import { tmpdir } from 'node:os';
import { inString as stringState, Spool, SPLIT_ABOVE, stringEnd, TOP_KEYS } from './json-split.js';

export type JsonItem =
  /** One top-level value's text, not yet parsed (parsing happens on a worker thread). */
  | { ok: true; text: Buffer; line: number; byteOffset: number }
  /** A value larger than `splitAbove`, in a file (json-split.ts cuts it; the caller removes it). */
  | { ok: true; file: string; length: number; line: number; byteOffset: number }
  /** `lost` is false for text between values, which held no record. */
  | { ok: false; line: number; byteOffset: number; message: string; lost: boolean };

const NL = 0x0a;

function trimmedEnds(buf: Buffer, start: number, end: number): [number, number] {
  while (start < end && isWs(buf[start])) start++;
  while (end > start && isWs(buf[end - 1])) end--;
  return [start, end];
}

function isWs(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function parseError(e: unknown): string {
  return `invalid JSON: ${(e as Error).message}`;
}

/** Drop a UTF-8 byte order mark at the very start of the stream. */
async function* withoutBom(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let first = true;
  for await (const c of src) {
    if (first && c.length >= 3 && c[0] === 0xef && c[1] === 0xbb && c[2] === 0xbf) yield c.subarray(3);
    else yield c;
    first = false;
  }
}

export interface JsonValuesOptions {
  /** A value larger than this goes to a file in `spoolDir` instead of memory (json-split.ts). */
  splitAbove?: number;
  spoolDir?: string;
}

export async function* jsonValues(input: AsyncIterable<Buffer>, opts: JsonValuesOptions = {}): AsyncGenerator<JsonItem> {
  const src = withoutBom(input);
  const splitAbove = opts.splitAbove ?? SPLIT_ABOVE;
  const spoolDir = opts.spoolDir ?? tmpdir();
  // The line being cut, when it is longer than the chunk it started in.
  const pending = new Spool(splitAbove, spoolDir);
  let line = 1;
  let offset = 0; // byte offset of the start of the current line
  let mode: 'lines' | 'scan' | undefined;
  let scanner: ValueScanner | undefined;
  // The first line, when it closes at its end but is not yet known to be valid JSON: checked
  // only if a second line comes (isFirstOfLines).
  let unchecked: Buffer | undefined;
  // Whether the file is JSON lines, given a non-empty line while that is undecided. A file is JSON
  // lines when its first line is one complete value. That is decided from the brackets alone
  // (closesAtEnd), and the first line is parsed only when a second line follows: before, every
  // file that is one request body was parsed whole on this thread to decide it (then again on a
  // worker). Given the second line, a first line that is not valid JSON makes the scanner take
  // over from there, as it would have from the first line (whose value it would have cut the same).
  const isFirstOfLines = (text: Buffer): boolean => {
    if (mode === undefined) {
      if (!closesAtEnd(text)) return false;
      mode = 'lines';
      unchecked = text;
      return true;
    }
    const first = unchecked!;
    unchecked = undefined;
    return isValidJson(first);
  };

  for await (const chunk of src) {
    if (mode === 'scan') {
      yield* scanner!.push(chunk);
      continue;
    }
    let buf = chunk;
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf(NL, pos);
      if (nl < 0) {
        if (pos < buf.length) pending.push(pos === 0 ? buf : buf.subarray(pos));
        break;
      }
      let lineBuf: Buffer;
      if (pending.length) {
        pending.push(buf.subarray(pos, nl));
        const taken = pending.take();
        if ('file' in taken) {
          // A line too long to hold: cut by json-split.ts (the mode is JSON lines if it was not yet).
          mode ??= 'lines';
          yield valueItem(taken, line, offset);
          line++;
          offset += taken.length + 1;
          pos = nl + 1;
          continue;
        }
        lineBuf = taken.text;
      } else lineBuf = buf.subarray(pos, nl);
      const lineLen = lineBuf.length + 1;
      if (mode === undefined || unchecked) {
        const [s, e] = trimmedEnds(lineBuf, 0, lineBuf.length);
        if (s === e) {
          line++;
          offset += lineLen;
          pos = nl + 1;
          continue;
        }
        if (!isFirstOfLines(lineBuf.subarray(s, e))) {
          // Pretty-printed or concatenated: hand everything from this line on to the scanner.
          mode = 'scan';
          scanner = new ValueScanner(line, offset, splitAbove, spoolDir);
          yield* scanner.push(Buffer.concat([lineBuf, Buffer.from('\n'), buf.subarray(nl + 1)]));
          break;
        }
      }
      yield* lineItem(lineBuf, line, offset);
      line++;
      offset += lineLen;
      pos = nl + 1;
    }
  }
  if (mode === 'scan') {
    yield* scanner!.end();
    return;
  }
  if (pending.length) {
    const taken = pending.take();
    if ('file' in taken) {
      // The last line, too long to hold, or one value without a newline after it.
      yield valueItem(taken, line, offset);
      return;
    }
    const lineBuf = taken.text;
    const [s, e] = trimmedEnds(lineBuf, 0, lineBuf.length);
    if ((mode === undefined || unchecked) && s < e && !isFirstOfLines(lineBuf.subarray(s, e))) {
      scanner = new ValueScanner(line, offset, splitAbove, spoolDir);
      yield* scanner.push(lineBuf);
      yield* scanner.end();
      return;
    }
    yield* lineItem(lineBuf, line, offset);
  }
}

/** A value as Spool.take gives it: its text, or the file it was spooled to. */
function valueItem(taken: ReturnType<Spool['take']>, line: number, byteOffset: number): JsonItem {
  return 'file' in taken ? { ok: true, file: taken.file, length: taken.length, line, byteOffset } : { ok: true, text: taken.text, line, byteOffset };
}

function* lineItem(lineBuf: Buffer, line: number, offset: number): Generator<JsonItem> {
  const [s, e] = trimmedEnds(lineBuf, 0, lineBuf.length);
  if (s === e) return;
  yield { ok: true, text: lineBuf.subarray(s, e), line, byteOffset: offset };
}

/** Parse a value's text; the error names what is wrong, for a problem report. */
export function parseJsonText(text: Buffer): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text.toString('utf8')) };
  } catch (err) {
    return { ok: false, message: parseError(err) };
  }
}

/**
 * Whether `b` (trimmed) is an object or an array that closes at its last byte, from its strings
 * and brackets only: not a validation.
 */
export function closesAtEnd(b: Uint8Array): boolean {
  const n = b.length;
  const first = b[0];
  const last = b[n - 1];
  if (!((first === 0x7b && last === 0x7d) || (first === 0x5b && last === 0x5d))) return false;
  return closingBracket(b, 0) === n - 1;
}

/** The index of the bracket that closes the array or object opened at b[i], from strings and brackets only; -1 when b ends first. */
function closingBracket(b: Uint8Array, i: number): number {
  const n = b.length;
  let depth = 0;
  for (; i < n; i++) {
    const c = b[i];
    if (c === 0x22) {
      const j = stringEnd(b, i + 1, n, false);
      if (j < 0) return -1;
      i = j;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i;
  }
  return -1;
}

/**
 * Whether a value (an object, or an array whose first element is an object) has one of the keys
 * that name an OTLP request's signal (TOP_KEYS) among its own, read from the bytes: the first
 * value of a file that is one request body is then known to be telemetry without being parsed
 * here. False when it cannot tell (an escape in a key, bytes that are not JSON): the caller parses.
 */
export function namesOtlpSignal(b: Uint8Array): boolean {
  const n = b.length;
  let i = skipWs(b, 0);
  if (b[i] === 0x5b) i = skipWs(b, i + 1);
  if (b[i] !== 0x7b) return false;
  i = skipWs(b, i + 1);
  while (b[i] === 0x22) {
    const j = stringEnd(b, i + 1, n, false);
    if (j < 0 || b.subarray(i + 1, j).includes(0x5c)) return false;
    if (j - i - 1 <= 16 && TOP_KEYS.has(Buffer.from(b.buffer, b.byteOffset + i + 1, j - i - 1).toString('latin1'))) return true;
    i = skipWs(b, j + 1);
    if (b[i] !== 0x3a) return false;
    i = skipWs(b, afterValue(b, skipWs(b, i + 1)));
    if (b[i] !== 0x2c) return false;
    i = skipWs(b, i + 1);
  }
  return false;
}

function skipWs(b: Uint8Array, i: number): number {
  while (i < b.length && isWs(b[i])) i++;
  return i;
}

/** The index after the value that starts at b[i] (b.length when it does not end). */
function afterValue(b: Uint8Array, i: number): number {
  const n = b.length;
  const c = b[i];
  if (c === 0x22) {
    const j = stringEnd(b, i + 1, n, false);
    return j < 0 ? n : j + 1;
  }
  if (c !== 0x7b && c !== 0x5b) {
    while (i < n && b[i] !== 0x2c && b[i] !== 0x7d && b[i] !== 0x5d && !isWs(b[i])) i++;
    return i;
  }
  const end = closingBracket(b, i);
  return end < 0 ? n : end + 1;
}

function isValidJson(b: Buffer): boolean {
  try {
    JSON.parse(b.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Cuts concatenated JSON values. Tracks only string state and bracket depth, so a value that is
 * not valid JSON inside still ends at its closing bracket and the next value is found.
 */
class ValueScanner {
  private parts: Spool;
  private depth = 0;
  private inString = false;
  private escape = false;
  private startLine = 0;
  private startOffset = 0;
  private line: number;
  private offset: number;

  constructor(line: number, offset: number, splitAbove: number, spoolDir: string) {
    this.line = line;
    this.offset = offset;
    this.parts = new Spool(splitAbove, spoolDir);
  }

  *push(buf: Buffer): Generator<JsonItem> {
    let segStart = 0;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i];
      if (this.depth === 0) {
        if (b === NL) this.line++;
        if (isWs(b)) continue;
        if (b === 0x7b || b === 0x5b) {
          this.depth = 1;
          this.startLine = this.line;
          this.startOffset = this.offset + i;
          segStart = i;
          continue;
        }
        // Stray text between values: report it once per run of junk, at its line.
        const junkLine = this.line;
        let j = i;
        while (j < buf.length && buf[j] !== NL && buf[j] !== 0x7b && buf[j] !== 0x5b) j++;
        yield { ok: false, line: junkLine, byteOffset: this.offset + i, message: 'unexpected text outside a JSON value', lost: false };
        i = j - 1;
        continue;
      }
      const end = this.valueEnd(buf, i);
      if (end < 0) break;
      this.parts.push(buf.subarray(segStart, end + 1));
      yield valueItem(this.parts.take(), this.startLine, this.startOffset);
      i = end;
    }
    if (this.depth > 0) this.parts.push(buf.subarray(segStart));
    this.offset += buf.length;
  }

  /**
   * Inside a value, from buf[i]: the index of the bracket that closes it, or -1 when buf ends first.
   * A plain function with its state in locals: a generator's loop over `this` fields took ~7 ns a
   * byte (1.5 s for a 200 MB pretty-printed value).
   */
  private valueEnd(buf: Buffer, i: number): number {
    let depth = this.depth;
    let inString = this.inString;
    let escape = this.escape;
    let line = this.line;
    let end = -1;
    for (const n = buf.length; i < n; i++) {
      if (inString) {
        const j = stringEnd(buf, i, n, escape);
        line += stringState.newlines;
        escape = stringState.escaped;
        if (j < 0) break;
        inString = false;
        i = j;
        continue;
      }
      const b = buf[i];
      if (b === 0x22) inString = true;
      else if (b === 0x7b || b === 0x5b) depth++;
      else if (b === 0x7d || b === 0x5d) {
        if (--depth === 0) {
          end = i;
          break;
        }
      } else if (b === NL) line++;
    }
    this.depth = depth;
    this.inString = inString;
    this.escape = escape;
    this.line = line;
    return end;
  }

  *end(): Generator<JsonItem> {
    if (this.depth > 0) {
      const taken = this.parts.take();
      // A large value cut off: json-split.ts still reads the records that are whole.
      if ('file' in taken) yield valueItem(taken, this.startLine, this.startOffset);
      else yield { ok: false, line: this.startLine, byteOffset: this.startOffset, message: 'incomplete JSON value: the input ends before it closes (cut-off file?)', lost: true };
    }
  }
}

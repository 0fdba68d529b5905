/**
 * JSON values too large to decode whole, cut into small OTLP requests that hold the same records.
 *
 * A unit is decoded whole on a worker thread whose heap is capped, so one JSON value of hundreds
 * of megabytes (an OTLP request body saved as one file, requests merged into one array, a
 * pretty-printed dump) ran the worker out of memory and stopped the whole ingest. Such a value is
 * spooled to a temporary file (`Spool`, past `splitAbove` bytes), and its structure is read there
 * in one pass that builds nothing but byte ranges (`scanStructure`): the request's resource
 * entries, their scope entries and the records of each scope, in runs of about PART bytes. Then
 * `splitValue` writes requests of at most about PART bytes: runs of whole resource entries, runs of
 * scope entries under a copy of their resource's other members, or runs of records under copies of
 * their scope's and resource's other members (the envelope, whatever the order of its members,
 * as the resource and scope ids hash the schemaUrl that follows the records).
 *
 * The parts decode to the rows the whole value would give: the flattener sees the same records
 * with the same resource and scope, and the parts of one request share one record-key counter
 * (identical records within one request are distinct: flatten.ts KeyMaker), so they are decoded
 * in order on one thread (`UnitSplit.pinned`; spans have no counter, so theirs go to any thread).
 * Problems name the line and byte where the part starts, and record paths are given with the
 * indexes they have in the whole value (`UnitSplit.bases`). A value cut off before it closes still
 * gives the records that are whole.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Split a value above this size (bytes); smaller values go to a worker whole, as before. A 62 MB
 * logs request read whole took 4.3 s and 685 MB of peak memory (the first value is also parsed on
 * the main thread to tell what the file is), cut into parts 3.3 s and 313 MB.
 */
export const SPLIT_ABOVE = 16 << 20;
/** A single record (or an entry that cannot be cut) larger than this is skipped, not decoded. */
export const MAX_RECORD = 64 << 20;
/** Size of the requests a split value is cut into (the decode batches are about as large). */
export const PART = 4 << 20;

/** Parts of one split request. */
export interface UnitSplit {
  /** Same for every part of one request (unique within the ingest run). */
  id: number;
  /**
   * Logs and metrics: the parts go in order to one thread and share one record-key counter.
   * Spans are keyed by their ids alone, so the parts of a traces request go to any thread.
   */
  pinned: boolean;
  /** 0 for the first part: the request is counted once. */
  part: number;
  last: boolean;
  /** Index in the whole value of the part's first resource entry, scope entry and record. */
  bases: number[];
}

/** The bytes of one top-level JSON value, in memory until it grows past `limit`, then in a file. */
export class Spool {
  private parts: Buffer[] = [];
  private fd: number | null = null;
  private path: string | null = null;
  length = 0;

  constructor(
    private readonly limit: number,
    private readonly dir: string,
  ) {}

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.length += b.length;
    if (this.fd !== null) {
      writeFully(this.fd, b);
      return;
    }
    this.parts.push(b);
    if (this.length > this.limit) {
      this.path = join(this.dir, `otel-agent-report-value-${process.pid}-${++spools}.json`);
      this.fd = openSync(this.path, 'w', 0o600);
      for (const p of this.parts) writeFully(this.fd, p);
      this.parts = [];
    }
  }

  /** The value so far: its bytes, or the file holding them (the caller removes it). */
  take(): { text: Buffer } | { file: string; length: number } {
    const length = this.length;
    this.length = 0;
    if (this.fd === null) {
      const text = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, length);
      this.parts = [];
      return { text };
    }
    closeSync(this.fd);
    const file = this.path!;
    this.fd = null;
    this.path = null;
    return { file, length };
  }
}

let spools = 0;

function writeFully(fd: number, b: Buffer): void {
  for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
}

/** Bytes [a, b) of the spooled file. */
function readRange(fd: number, a: number, b: number): Buffer {
  const x = Buffer.allocUnsafe(b - a);
  for (let off = 0; off < x.length; ) {
    const n = readSync(fd, x, off, x.length - off, a + off);
    if (n <= 0) throw new Error(`spooled JSON value: short read at byte ${a + off}`);
    off += n;
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Pass 1: the structure, as byte ranges.

/** Set by stringEnd: raw newlines in the string (not valid JSON, counted all the same), and whether the next chunk starts escaped. */
export const inString = { newlines: 0, escaped: false };

/**
 * Inside a JSON string at buf[i] (buf[i] is escaped if `escaped`): the index of its closing quote,
 * or -1 when it runs to n. One tight loop: scanning strings byte by byte in the loops that track
 * brackets took twice as long (a 200 MB pretty-printed value: 1.47 → 0.78 s).
 */
export function stringEnd(buf: Uint8Array, i: number, n: number, escaped: boolean): number {
  let j = escaped ? i + 1 : i;
  let newlines = 0;
  while (j < n) {
    const d = buf[j];
    if (d === Q) break;
    if (d === NL) newlines++;
    j += d === BSL ? 2 : 1;
  }
  inString.newlines = newlines;
  inString.escaped = j > n;
  return j < n ? j : -1;
}

/** The request's own key that names its signal (OTLP/JSON, camelCase or the protobuf field names). */
export const TOP_KEYS = new Set(['resourceSpans', 'resource_spans', 'resourceLogs', 'resource_logs', 'resourceMetrics', 'resource_metrics']);
const SCOPE_KEYS = new Set([
  'scopeSpans',
  'scope_spans',
  'instrumentationLibrarySpans',
  'instrumentation_library_spans',
  'scopeLogs',
  'scope_logs',
  'instrumentationLibraryLogs',
  'instrumentation_library_logs',
  'scopeMetrics',
  'scope_metrics',
  'instrumentationLibraryMetrics',
  'instrumentation_library_metrics',
]);
const RECORD_KEYS = new Set(['spans', 'logRecords', 'log_records', 'metrics']);
/** Keys of the array each object level splits: request (0), resource entry (2), scope entry (4). */
const SPLIT_KEYS = [TOP_KEYS, null, SCOPE_KEYS, null, RECORD_KEYS];

/** An object of a tracked level: the request (0), a resource entry (2), a scope entry (4). */
export interface Node {
  start: number;
  /** One past its closing brace; -1 while open (a value cut off leaves it so). */
  end: number;
  line: number;
  /** Its members other than the split array: [start of the key, end of the value) each. */
  members: [number, number][];
  /** The split array's key, as written (null: the object has none). */
  key: string | null;
  /** Levels 0 and 2: the entries of the split array (dropped once the node is known to be small). */
  items: Node[];
  /** Level 4: the records of the split array in runs of about PART bytes. */
  chunks: Chunk[];
}

export interface Chunk {
  start: number;
  end: number;
  line: number;
  /** Index of the run's first record in its scope. */
  first: number;
}

export interface Structure {
  /** The request object, or for a top-level array its elements. */
  root: Node | null;
  elements: Node[] | null;
  /** Where the value stops being what this reader follows (cut off, not an OTLP shape), if it does. */
  damage: { at: number; line: number; message: string } | null;
}

interface Frame {
  level: number; // -1 top-level array; 0, 2, 4 objects; 1, 3, 5 arrays
  depth: number;
  node: Node | null;
  expectKey: boolean;
  keyStart: number;
  memberStart: number;
  split: boolean;
  elemStart: number;
  elemLine: number;
  /** Level 5: records seen so far (the index of the next). */
  count: number;
}

const newNode = (start: number, line: number): Node => ({ start, end: -1, line, members: [], key: null, items: [], chunks: [] });

const Q = 0x22;
const BSL = 0x5c;
const NL = 0x0a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACK = 0x5b;
const RBRACK = 0x5d;
const COMMA = 0x2c;

/** Read the structure of the value in `fd` ([0, length)), whose first line is `line`. */
export function scanStructure(fd: number, length: number, line: number, part = PART, window = 4 << 20): Structure {
  const out: Structure = { root: null, elements: null, damage: null };
  const frames: Frame[] = [];
  const buf = Buffer.allocUnsafe(Math.min(window, Math.max(1, length)));
  let depth = 0;
  let inStr = false;
  let esc = false;
  let keyFrame: Frame | null = null; // the frame whose key string is being read
  let started = false;
  let done = false;
  // (helpers take what they need as arguments: a variable they captured would live in a context
  // object instead of a register, and the loop below reads depth, line and the string state at
  // every byte)
  const fail = (at: number, line: number, message: string) => {
    out.damage ??= { at, line, message };
  };
  const keyText = (s: number, e: number, window: Buffer, base: number): string =>
    s >= base && e <= base + window.length ? window.toString('latin1', s - base, e - base) : readRange(fd, s, e).toString('latin1');
  const frame = (level: number, node: Node | null, depth: number): Frame => ({ level, depth, node, expectKey: true, keyStart: -1, memberStart: -1, split: false, elemStart: -1, elemLine: 0, count: 0 });
  /** A record of a scope's array ended at `end`: add it to the scope's current run. */
  const addRecord = (f: Frame, end: number) => {
    const scope = frames[frames.length - 2].node!;
    const last = scope.chunks[scope.chunks.length - 1];
    if (last && end - last.start <= part) last.end = end;
    else scope.chunks.push({ start: f.elemStart, end, line: f.elemLine, first: f.count });
    f.count++;
    f.elemStart = -1;
  };

  for (let base = 0; base < length && !done; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, length - base), base);
    if (n <= 0) break;
    for (let i = 0; i < n; i++) {
      if (inStr) {
        const j = stringEnd(buf, i, n, esc);
        line += inString.newlines;
        esc = inString.escaped;
        if (j < 0) break;
        inStr = false;
        i = j;
        if (keyFrame) {
          const f = keyFrame;
          keyFrame = null;
          const key = keyText(f.keyStart + 1, base + i, buf.subarray(0, n), base);
          f.split = SPLIT_KEYS[f.level]?.has(key) === true && f.node!.key === null;
          if (f.split) f.node!.key = key;
        }
        continue;
      }
      const c = buf[i];
      if (c <= 0x20) {
        if (c === NL) line++;
        continue;
      }
      const pos = base + i;
      if (!started) {
        started = true;
        if (c === LBRACE) {
          out.root = newNode(pos, line);
          frames.push(frame(0, out.root, 1));
        } else if (c === LBRACK) {
          out.elements = [];
          frames.push(frame(-1, null, 1));
        } else {
          fail(pos, line, 'not a JSON object or array');
          done = true;
          break;
        }
        depth = 1;
        continue;
      }
      if (depth === 0) {
        fail(pos, line, 'unexpected text after the JSON value');
        done = true;
        break;
      }
      const f = frames[frames.length - 1];
      const direct = f.depth === depth;
      const isArray = f.level === -1 || f.level % 2 === 1;
      if (direct && isArray && f.elemStart < 0 && c !== COMMA && c !== RBRACK) {
        f.elemStart = pos;
        f.elemLine = line;
        if (f.level !== 5 && c !== LBRACE) {
          fail(pos, line, `an entry of ${f.level === -1 ? 'the top-level array' : 'a resource or scope array'} is not an object`);
          done = true;
          break;
        }
      }
      if (c === Q) {
        inStr = true;
        if (direct && !isArray && f.expectKey) {
          f.expectKey = false;
          f.keyStart = pos;
          f.memberStart = pos;
          keyFrame = f;
        }
      } else if (c === LBRACE || c === LBRACK) {
        let next: Frame | null = null;
        if (direct && isArray && f.level !== 5) {
          // an entry of the request array (-1), the resource array (1) or the scope array (3)
          const node = newNode(pos, line);
          if (f.level === -1) out.elements!.push(node);
          else frames[frames.length - 2].node!.items.push(node);
          next = frame(f.level + 1, node, depth + 1);
        } else if (direct && !isArray && f.split) {
          if (c !== LBRACK) {
            fail(pos, line, `"${f.node!.key}" is not an array`);
            done = true;
            break;
          }
          next = frame(f.level + 1, null, depth + 1);
        }
        depth++;
        if (next) frames.push(next);
      } else if (c === RBRACE || c === RBRACK) {
        if (direct) {
          if (isArray !== (c === RBRACK)) {
            fail(pos, line, 'brackets do not match');
            done = true;
            break;
          }
          if (isArray) {
            if (f.level === 5 && f.elemStart >= 0) addRecord(f, pos);
          } else {
            const node = f.node!;
            if (f.memberStart >= 0 && !f.split) node.members.push([f.memberStart, pos]);
            node.end = pos + 1;
            // A small entry is copied whole: what is inside it is not needed.
            if (node.end - node.start <= part) {
              node.items = [];
              node.chunks = [];
            }
          }
          frames.pop();
          // a tracked object is an entry of the array below it: the next entry is yet to start
          if (!isArray && frames.length) frames[frames.length - 1].elemStart = -1;
        }
        depth--;
      } else if (c === COMMA && direct) {
        if (isArray) {
          if (f.level === 5 && f.elemStart >= 0) addRecord(f, pos);
          else f.elemStart = -1;
        } else {
          if (f.memberStart >= 0 && !f.split) f.node!.members.push([f.memberStart, pos]);
          f.expectKey = true;
          f.memberStart = -1;
          f.split = false;
        }
      }
    }
    base += n;
  }
  if (!done && depth > 0) fail(length, line, 'the value ends before it closes (cut-off file?)');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pass 2: the parts.

export interface SplitOptions {
  /** Size of a part (PART; tests shrink it). */
  part: number;
  /** A single record, or an entry that cannot be cut, larger than this is skipped (MAX_RECORD). */
  maxUnit: number;
  /** A new request id (UnitSplit.id). */
  nextId: () => number;
  /** Bytes read at a time in the structure pass (4 MB; tests shrink it to cut strings and keys). */
  window?: number;
}

export type SplitEvent =
  /** First: whether the value is OTLP (an object, or the first of an array's, naming resourceSpans…). */
  | { kind: 'shape'; otlp: boolean }
  | { kind: 'unit'; text: Buffer; line: number; byteOffset: number; split?: UnitSplit }
  | { kind: 'problem'; line: number; byteOffset: number; message: string; records: number };

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/**
 * The parts of the value in `fd` ([0, length), first line `line`), in file order, as they are made.
 * Byte offsets are relative to the value's start.
 */
export function* splitValue(fd: number, length: number, line: number, opts: SplitOptions): Generator<SplitEvent> {
  const s = scanStructure(fd, length, line, opts.part, opts.window);
  const first = s.root ?? s.elements?.[0];
  yield { kind: 'shape', otlp: first !== undefined && first.key !== null };
  const bytes = (a: number, b: number) => readRange(fd, a, b);
  const size = (n: Node) => (n.end < 0 ? Infinity : n.end - n.start);
  const whole = (n: Node): SplitEvent => ({ kind: 'unit', text: bytes(n.start, n.end), line: n.line, byteOffset: n.start });
  const tooLarge = (n: Node, what: string): SplitEvent => ({
    kind: 'problem',
    line: n.line,
    byteOffset: n.start,
    message: n.end < 0 ? `${what} cut off before it closes, with nothing in it to cut into smaller requests: skipped` : `${what} of ${mb(size(n))} cannot be cut into smaller requests: skipped`,
    records: 1,
  });
  const open = (n: Node) => {
    const parts: Buffer[] = [Buffer.from('{')];
    for (const [a, b] of n.members) parts.push(bytes(a, b), Buffer.from(','));
    parts.push(Buffer.from(`${JSON.stringify(n.key)}:[`));
    return Buffer.concat(parts);
  };
  const CLOSE = Buffer.from(']}');

  /** One request (the value, or an entry of a top-level array), cut where it must be. */
  function* request(req: Node): Generator<SplitEvent> {
    if (size(req) <= opts.part) {
      yield whole(req);
      return;
    }
    if (req.key === null) {
      if (size(req) <= opts.maxUnit) yield whole(req);
      else yield tooLarge(req, 'a JSON object with none of resourceSpans, resourceLogs, resourceMetrics');
      return;
    }
    const id = opts.nextId();
    const pinned = req.key !== 'resourceSpans' && req.key !== 'resource_spans';
    let held: Extract<SplitEvent, { kind: 'unit' }> | null = null;
    let part = 0;
    // Parts are yielded as they are made (the reader waits for room in the decode queue, so memory
    // holds a few parts, not the value); each is held until the next one is known, so that the
    // last can say it is the last.
    function* emit(envelope: Buffer[], body: Buffer, closing: number, at: { line: number; start: number }, bases: number[]): Generator<SplitEvent> {
      const text = Buffer.concat([...envelope, body, ...Array<Buffer>(closing).fill(CLOSE)]);
      if (held) yield held;
      held = { kind: 'unit', text, line: at.line, byteOffset: at.start, split: { id, pinned, part: part++, last: false, bases } };
    }
    /** Runs of consecutive small entries, copied whole; a large or cut-off entry goes to `inside`. */
    function* runs(items: Node[], envelope: Buffer[], closing: number, bases: (i: number) => number[], inside: (n: Node, i: number) => Generator<SplitEvent>): Generator<SplitEvent> {
      for (let i = 0; i < items.length; ) {
        if (size(items[i]) > opts.part) {
          yield* inside(items[i], i);
          i++;
          continue;
        }
        let j = i;
        while (j + 1 < items.length && size(items[j + 1]) <= opts.part && items[j + 1].end - items[i].start <= opts.part) j++;
        yield* emit(envelope, bytes(items[i].start, items[j].end), closing, items[i], bases(i));
        i = j + 1;
      }
    }
    function* emptyOr(n: Node, envelope: Buffer[], closing: number, bases: number[]): Generator<SplitEvent> {
      if (n.items.length === 0 && n.chunks.length === 0) yield* emit(envelope, Buffer.alloc(0), closing, n, bases);
    }
    const env0 = [open(req)];
    yield* runs(req.items, env0, 1, (r) => [r], function* (res, r) {
      if (res.key === null) {
        if (size(res) <= opts.maxUnit) yield* emit(env0, bytes(res.start, res.end), 1, res, [r]);
        else yield tooLarge(res, 'a resource entry');
        return;
      }
      const env2 = [...env0, open(res)];
      yield* runs(res.items, env2, 2, (sc) => [r, sc], function* (scope, sc) {
        if (scope.key === null) {
          if (size(scope) <= opts.maxUnit) yield* emit(env2, bytes(scope.start, scope.end), 2, scope, [r, sc]);
          else yield tooLarge(scope, 'a scope entry');
          return;
        }
        const env4 = [...env2, open(scope)];
        for (const c of scope.chunks) {
          if (c.end - c.start > opts.maxUnit) {
            yield { kind: 'problem', line: c.line, byteOffset: c.start, message: `a record of ${mb(c.end - c.start)} is larger than ${mb(opts.maxUnit)}: skipped`, records: 1 };
            continue;
          }
          yield* emit(env4, bytes(c.start, c.end), 3, c, [r, sc, c.first]);
        }
        yield* emptyOr(scope, env4, 3, [r, sc, 0]);
      });
      yield* emptyOr(res, env2, 2, [r, 0]);
    });
    yield* emptyOr(req, env0, 1, [0]);
    if (held) {
      (held as Extract<SplitEvent, { kind: 'unit' }>).split!.last = true;
      yield held;
    }
  }

  if (s.elements) {
    for (const e of s.elements) yield* request(e);
  } else if (s.root) yield* request(s.root);
  if (s.damage) {
    yield { kind: 'problem', line: s.damage.line, byteOffset: s.damage.at, message: `${s.damage.message}: what follows byte ${s.damage.at} of the value is not read`, records: 1 };
  }
}

/** splitValue over a spooled file, removed afterwards. */
export function* splitSpooled(file: string, length: number, line: number, opts: SplitOptions): Generator<SplitEvent> {
  const fd = openSync(file, 'r');
  try {
    yield* splitValue(fd, length, line, opts);
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}

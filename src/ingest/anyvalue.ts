/**
 * OTLP/JSON scalar and AnyValue decoding, lenient in the ways pdata is lenient
 * (../shared/reference/otlp-files.md §3): camelCase or snake_case keys, 64-bit integers as
 * strings or numbers, enums as numbers or names, ids as hex or base64.
 *
 * Attribute lists become one JSON object text per record (`{"key":value,…}`), keeping the
 * value's type (int64 digits are copied verbatim, never through a JS number). Measured: a JSON
 * column appends ~30× faster than a DuckDB MAP and `->>` lookups are ~50× faster (README).
 */

/** A value in the input that has the wrong type or form; the record holding it is skipped. */
export class RecordError extends Error {
  constructor(
    readonly detail: string,
    readonly path: string,
  ) {
    super(`${path}: ${detail}`);
  }

  /** The same error seen from an enclosing object: paths are built only when something fails. */
  under(prefix: string): RecordError {
    return new RecordError(this.detail, this.path ? `${prefix}.${this.path}` : prefix);
  }
}

/** Run `f`; a RecordError from it gets `prefix` in front of its path. */
export function within<T>(prefix: () => string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof RecordError ? e.under(prefix()) : e;
  }
}

type Obj = Record<string, unknown>;

/** Field lookup by camelCase name, falling back to snake_case (both are seen in the wild). */
export function field(o: Obj, camel: string, snake?: string): unknown {
  const v = o[camel];
  if (v !== undefined) return v;
  return snake === undefined ? undefined : o[snake];
}

export function asObject(v: unknown, path: string): Obj {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new RecordError(`expected an object, got ${describe(v)}`, path);
  return v as Obj;
}

export function asArray(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new RecordError(`expected an array, got ${describe(v)}`, path);
  return v;
}

export function asString(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new RecordError(`expected a string, got ${describe(v)}`, path);
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

const INT_RE = /^-?\d+$/;

/** A 64-bit integer given as a decimal string or a JSON number, returned as canonical digits. */
export function int64Text(v: unknown, path: string): string {
  if (v === undefined || v === null || v === '') return '0';
  if (typeof v === 'string') {
    if (!INT_RE.test(v)) throw new RecordError(`expected a 64-bit integer, got ${describe(v)}`, path);
    return v.length > 1 && (v[0] === '0' || v.startsWith('-0')) ? BigInt(v).toString() : v;
  }
  if (typeof v === 'number' && Number.isInteger(v)) return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
  throw new RecordError(`expected a 64-bit integer, got ${describe(v)}`, path);
}

/** A 32-bit integer (counts, flags) given as number or string. */
export function int32(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && INT_RE.test(v)) return Number(v);
  throw new RecordError(`expected an integer, got ${describe(v)}`, path);
}

/** A double; the JSON mapping writes NaN and ±Infinity as strings. */
export function double(v: unknown, path: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  }
  throw new RecordError(`expected a number, got ${describe(v)}`, path);
}

export function bool(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new RecordError(`expected a boolean, got ${describe(v)}`, path);
}

/** An enum as a number or as its proto name (pdata accepts both). */
export function enumValue(v: unknown, names: Record<string, number>, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    if (INT_RE.test(v)) return Number(v);
    const n = names[v];
    if (n !== undefined) return n;
  }
  throw new RecordError(`unknown enum value ${describe(v)}`, path);
}

const HEX_RE = /^[0-9a-fA-F]*$/;

/** A trace or span id: hex per the OTLP spec, base64 from older producers; '' for none. */
export function idHex(v: unknown, bytes: 8 | 16, path: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string') throw new RecordError(`expected an id string, got ${describe(v)}`, path);
  if (v.length === bytes * 2 && HEX_RE.test(v)) return v.toLowerCase();
  const buf = Buffer.from(v, 'base64');
  if (buf.length === bytes && buf.toString('base64').replace(/=+$/, '') === v.replace(/=+$/, '')) return buf.toString('hex');
  throw new RecordError(`expected a ${bytes}-byte id as hex or base64, got ${describe(v)}`, path);
}

/**
 * AnyValue → JSON text keeping the type. Returns 'null' for an empty AnyValue. Error paths are
 * relative to the value (callers add where it was, only when something fails).
 */
export function anyValueJson(v: unknown, path = ''): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v !== 'object' || Array.isArray(v)) throw new RecordError(`expected an AnyValue object, got ${describe(v)}`, path);
  const o = v as Obj;
  // Most values are strings: one lookup before the general loop.
  const sv = o.stringValue;
  if (typeof sv === 'string') return JSON.stringify(sv);
  // One key is the norm; iterate to accept snake_case without a lookup per variant.
  for (const k in o) {
    const x = o[k];
    switch (k) {
      case 'stringValue':
      case 'string_value':
        if (typeof x !== 'string') throw new RecordError(`stringValue must be a string, got ${describe(x)}`, path);
        return JSON.stringify(x);
      case 'intValue':
      case 'int_value':
        return int64Text(x, 'intValue');
      case 'doubleValue':
      case 'double_value': {
        const d = double(x, 'doubleValue')!;
        return Number.isFinite(d) ? JSON.stringify(d) : JSON.stringify(String(d));
      }
      case 'boolValue':
      case 'bool_value':
        return bool(x, 'boolValue') ? 'true' : 'false';
      case 'bytesValue':
      case 'bytes_value':
        if (typeof x !== 'string') throw new RecordError(`bytesValue must be base64 text, got ${describe(x)}`, path);
        return JSON.stringify(x);
      case 'arrayValue':
      case 'array_value': {
        const vals = asArray(asObject(x, 'arrayValue').values, 'arrayValue.values');
        return '[' + vals.map((e, i) => within(() => `arrayValue.values[${i}]`, () => anyValueJson(e))).join(',') + ']';
      }
      case 'kvlistValue':
      case 'kvlist_value':
        return attributesText(asObject(x, 'kvlistValue').values, 'kvlistValue.values', []);
      case 'stringValueStrindex':
        // Profiles-only dictionary reference; outside profiles it carries no value.
        return 'null';
      default:
      // Unknown keys are ignored, as receivers must.
    }
  }
  return 'null';
}

export interface Attributes {
  /** JSON object text, keys in input order, first occurrence of a duplicate key wins. */
  json: string;
  /** Lookup of string-valued attributes for the few keys the loader needs (service.name…). */
  get(key: string): string | undefined;
}

const EMPTY_ATTRS: Attributes = { json: '{}', get: () => undefined };

/**
 * An attribute list that otlp-json.ts rendered while parsing, as attributesText renders the list
 * JSON.parse gives; attributesJson and attributesText pass it through.
 */
export class RenderedAttributes implements Attributes {
  constructor(
    readonly json: string,
    private readonly src: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {}

  /** Rare (a resource's service.name, a log's event.timestamp): answered from the list itself. */
  get(key: string): string | undefined {
    return attributesJson(JSON.parse(this.src.toString('utf8', this.start, this.end)), '').get(key);
  }
}

export function attributesJson(list: unknown, path: string): Attributes {
  if (list instanceof RenderedAttributes) return list;
  const keys: string[] = [];
  const vals: string[] = [];
  const json = attributesText(list, path, keys, vals);
  if (keys.length === 0) return EMPTY_ATTRS;
  return {
    json,
    get(key: string) {
      const k = keys.indexOf(key);
      const v = k < 0 ? undefined : vals[k];
      if (v === undefined || v === 'null') return undefined;
      return v[0] === '"' ? (JSON.parse(v) as string) : v;
    },
  };
}

// Keys seen by attributesText when the caller does not keep them (reused: no array per record).
const scratchKeys: string[] = [];

/**
 * An attribute list as JSON object text (see Attributes.json). `keys` and `vals`, when given,
 * receive each kept key and its value's JSON.
 */
export function attributesText(list: unknown, path: string, keys: string[] = scratchKeys, vals?: string[]): string {
  if (list instanceof RenderedAttributes) return list.json;
  const items = asArray(list, path);
  if (items.length === 0) return '{}';
  keys.length = 0;
  let json = '{';
  for (let i = 0; i < items.length; i++) {
    const kv = items[i] as Obj;
    if (!kv || typeof kv !== 'object' || Array.isArray(kv)) throw new RecordError(`expected an object, got ${describe(kv)}`, `${path}[${i}]`);
    const key = kv.key;
    if (typeof key !== 'string') throw new RecordError(`attribute key must be a string, got ${describe(key)}`, `${path}[${i}].key`);
    // Attribute lists are short; a linear scan beats building a Map for every record.
    if (keys.includes(key)) continue;
    let val: string;
    try {
      val = anyValueJson(kv.value);
    } catch (e) {
      throw e instanceof RecordError ? e.under(`${path}[${i}].value`) : e;
    }
    json += (keys.length ? ',' : '') + JSON.stringify(key) + ':' + val;
    keys.push(key);
    vals?.push(val);
  }
  return json + '}';
}

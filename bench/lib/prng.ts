/**
 * Deterministic pseudo-random numbers for the bench generator: same seed → same stream on every
 * machine (pure 32-bit integer arithmetic, no Math.random, no clock).
 */

/** 32-bit FNV-1a of a string, then avalanche-mixed. */
export function hashString(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** murmur3 finaliser. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combine integers into one 32-bit hash (order matters). */
export function hashInts(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) h = mix32((h ^ (x >>> 0)) + Math.imul(h, 31));
  return h >>> 0;
}

/** sfc32: small, fast, good enough for synthetic data. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seed: number[]) {
    this.a = hashInts(0xa5a5a5a5, ...seed);
    this.b = hashInts(0x5a5a5a5a, ...seed);
    this.c = hashInts(0x3c3c3c3c, ...seed);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** [0, 1) */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** [lo, hi) */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Pick by weights. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let x = this.float() * total;
    for (const [v, w] of items) {
      x -= w;
      if (x < 0) return v;
    }
    return items[items.length - 1][0];
  }
}

const HEX = '0123456789abcdef';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `len` lowercase hex chars derived from (h1, h2). */
export function hexFrom(len: number, h1: number, h2: number): string {
  let out = '';
  let x = hashInts(h1, h2, len);
  let n = 0;
  while (out.length < len) {
    if (n === 8) {
      x = hashInts(x, h1, h2, out.length);
      n = 0;
    }
    out += HEX[x & 15];
    x >>>= 4;
    n++;
  }
  return out;
}

/** `len` base64url chars derived from (h1, h2). */
export function b64From(len: number, h1: number, h2: number): string {
  let out = '';
  let x = hashInts(h1, h2, len, 7);
  let n = 0;
  while (out.length < len) {
    if (n === 5) {
      x = hashInts(x, h1, h2, out.length);
      n = 0;
    }
    out += B64URL[x & 63];
    x >>>= 6;
    n++;
  }
  return out;
}

/**
 * Byte sources: files and stdin as async chunk streams, with compression detected by magic
 * bytes (never by file name) and removed on the fly. A cut-off compressed stream yields what
 * decompressed cleanly, then a problem naming the compressed byte offset where it broke.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createGunzip, gunzipSync } from 'node:zlib';
import { Decompress } from 'fzstd';

export type Compression = 'none' | 'gzip' | 'zstd';

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];

export function compressionOf(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === GZIP[0] && head[1] === GZIP[1]) return 'gzip';
  if (head.length >= 4 && ZSTD.every((b, i) => head[i] === b)) return 'zstd';
  return 'none';
}

export function fileChunks(path: string): AsyncIterable<Buffer> {
  return createReadStream(path, { highWaterMark: 1 << 20 });
}

/** Split off the first chunk so the caller can sniff it and still read everything. */
export async function peek(src: AsyncIterable<Buffer>): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  return { head, rest: rest() };
}

export class DecompressError extends Error {
  constructor(
    readonly compression: Compression,
    readonly compressedOffset: number,
    detail: string,
  ) {
    super(`${compression} stream is damaged or cut off near compressed byte ${compressedOffset} (${detail}); records before that point were read`);
  }
}

/** Decompressed chunks; throws DecompressError after the last good chunk when the stream breaks. */
export async function* decompress(src: AsyncIterable<Buffer>, compression: Compression): AsyncGenerator<Buffer> {
  if (compression === 'none') {
    yield* src;
    return;
  }
  if (compression === 'gzip') yield* gunzip(src);
  else yield* zstdStream(src);
}

/**
 * Inputs of one chunk up to this many bytes (a small file read whole, load.ts) are gunzipped in one
 * call: a stream costs ~0.45 ms a file in events and promises (689 request files: 1.34 → 0.97 s).
 * Damaged input goes the stream's way, which yields what came before the damage.
 */
const SMALL_GZIP = 1 << 20;

async function* gunzip(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const input = await smallOrStream(src, SMALL_GZIP);
  if ('small' in input) {
    let out: Buffer | undefined;
    try {
      out = gunzipSync(input.small);
    } catch {
      // the stream below reports it, after the data before the damage
    }
    if (out) {
      yield out;
      return;
    }
  }
  yield* gunzipStream('small' in input ? [input.small] : input.stream);
}

/**
 * The input as one Buffer when it is a single chunk of at most `limit` bytes (a small file read
 * whole, load.ts: a peek at the next chunk tells), else as the same stream.
 */
async function smallOrStream(src: AsyncIterable<Buffer>, limit: number): Promise<{ small: Buffer } | { stream: AsyncIterable<Buffer> | Buffer[] }> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return { stream: [] };
  const second = first.value.length <= limit ? await it.next() : undefined;
  if (second?.done) return { small: first.value };
  return { stream: chain(second ? [first.value, second.value] : [first.value], it) };
}

async function* gunzipStream(src: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  const gz = createGunzip({ chunkSize: 1 << 20 });
  let consumed = 0;
  let failure: Error | null = null;
  gz.on('error', (e) => {
    failure = e;
  });
  const out: Buffer[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  gz.on('data', (b: Buffer) => {
    out.push(b);
    wake?.();
  });
  gz.on('end', () => {
    ended = true;
    wake?.();
  });
  gz.on('close', () => {
    ended = true;
    wake?.();
  });
  const pump = (async () => {
    try {
      for await (const chunk of src) {
        consumed += chunk.length;
        if (!gz.write(chunk)) await new Promise<void>((r) => gz.once('drain', () => r()));
        if (failure) return;
      }
    } catch (e) {
      failure = e as Error;
    }
    gz.end();
  })();
  for (;;) {
    while (out.length) yield out.shift()!;
    if (failure) break;
    if (ended) break;
    await new Promise<void>((r) => (wake = r));
    wake = null;
  }
  await pump;
  while (out.length) yield out.shift()!;
  const f = failure as Error | null;
  if (f) throw new DecompressError('gzip', consumed, f.message);
}

let zstdCli: boolean | undefined;

/** Whether the `zstd` program is installed: it decodes ~50× faster than the JS fallback. */
function hasZstdCli(): boolean {
  if (zstdCli === undefined) {
    zstdCli = process.env.OTEL_AGENT_REPORT_NO_ZSTD_CLI ? false : spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status === 0;
  }
  return zstdCli;
}

/**
 * Inputs up to this many compressed bytes are decoded in process even when `zstd` is installed:
 * starting the program costs ~5 ms, and the JS decoder takes that long for about 1 MB of output
 * (~200 MB/s on request bodies of 7–32 kB; 689 such files: 5.7 s through the program).
 */
const SMALL_ZSTD = 256 << 10;

async function* zstdStream(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (!hasZstdCli()) return yield* zstdJsStream(src);
  const input = await smallOrStream(src, SMALL_ZSTD);
  yield* 'small' in input ? zstdJsStream([input.small]) : zstdCliStream(input.stream);
}

/** `head`, then the rest of `it`. */
async function* chain(head: Buffer[], it: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
}

/** Decode through `zstd -dc` in a child process (it also uses the second core). */
async function* zstdCliStream(src: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  const child = spawn('zstd', ['-dcq'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let consumed = 0;
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number>((res) => child.on('close', (code) => res(code ?? 1)));
  child.stdin.on('error', () => {}); // EPIPE when zstd stops early on bad input; reported via exit code
  const feed = (async () => {
    try {
      for await (const chunk of src) {
        consumed += chunk.length;
        if (!child.stdin.write(chunk)) await new Promise<void>((r) => child.stdin.once('drain', () => r()));
        if (child.exitCode !== null) break;
      }
    } finally {
      child.stdin.end();
    }
  })();
  for await (const out of child.stdout) yield out as Buffer;
  await feed;
  const code = await exited;
  if (code !== 0) {
    const why = (stderr.trim().split('\n').pop() ?? '').replace(/^.*?:\s*/, '').replace(/^\s*:\s*/, '');
    throw new DecompressError('zstd', consumed, why || `zstd exited with code ${code}`);
  }
}

async function* zstdJsStream(src: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  const out: Buffer[] = [];
  // fzstd decodes multi-frame input; its callback receives each decoded block.
  const d = new Decompress((chunk: Uint8Array) => {
    out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  let consumed = 0;
  let last: Buffer | null = null;
  try {
    for await (const chunk of src) {
      // Hold one chunk back so the final push can be flagged as final.
      if (last) {
        consumed += last.length;
        d.push(last, false);
        while (out.length) yield out.shift()!;
      }
      last = chunk;
    }
    consumed += last?.length ?? 0;
    d.push(last ?? new Uint8Array(0), true);
  } catch (e) {
    while (out.length) yield out.shift()!;
    throw new DecompressError('zstd', consumed, (e as Error).message);
  }
  while (out.length) yield out.shift()!;
}

/**
 * The parse-only limit: read the JSON-lines files, decompress them (gzip with zlib, zstd with the
 * `zstd` program like the ingest does, else fzstd), split them into lines on Buffers (indexOf,
 * not readline) and JSON.parse every line. Nothing else: no flattening, no storing.
 *
 *   node dist/bench/parse-only.js --threads 1|2 --list files.json
 *
 * files.json: [{ "path": "...", "bytes": <uncompressed size> }]. With --threads 1 the work runs on
 * the main thread; with N > 1 the files are dealt to N worker_threads (largest first, to the
 * least-loaded worker). Prints one JSON line: { bytes, lines, ms, threads }.
 */
import { spawn } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

interface ListEntry {
  path: string;
  bytes: number;
}

function hasZstd(): boolean {
  return !process.env.OTEL_AGENT_REPORT_NO_ZSTD_CLI;
}

async function* chunks(path: string): AsyncGenerator<Buffer> {
  if (path.endsWith('.gz')) {
    yield* createReadStream(path, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }));
  } else if (path.endsWith('.zst')) {
    if (hasZstd()) {
      const child = spawn('zstd', ['-dcq', path], { stdio: ['ignore', 'pipe', 'inherit'] });
      yield* child.stdout;
      return;
    }
    const out: Buffer[] = [];
    const d = new Decompress((c: Uint8Array) => out.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
    for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) {
      d.push(c as Buffer, false);
      while (out.length) yield out.shift()!;
    }
    d.push(new Uint8Array(0), true);
    while (out.length) yield out.shift()!;
  } else yield* createReadStream(path, { highWaterMark: 1 << 20 });
}

async function parseFiles(paths: string[]): Promise<{ bytes: number; lines: number }> {
  let bytes = 0;
  let lines = 0;
  for (const path of paths) {
    let pending: Buffer[] = [];
    let pendingLen = 0;
    for await (const chunk of chunks(path)) {
      bytes += chunk.length;
      let pos = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, pos);
        if (nl < 0) {
          if (pos < chunk.length) {
            pending.push(chunk.subarray(pos));
            pendingLen += chunk.length - pos;
          }
          break;
        }
        let line: Buffer;
        if (pendingLen) {
          pending.push(chunk.subarray(pos, nl));
          line = Buffer.concat(pending, pendingLen + nl - pos);
          pending = [];
          pendingLen = 0;
        } else line = chunk.subarray(pos, nl);
        if (line.length) {
          JSON.parse(line.toString('utf8'));
          lines++;
        }
        pos = nl + 1;
      }
    }
    if (pendingLen) {
      JSON.parse(Buffer.concat(pending, pendingLen).toString('utf8'));
      lines++;
    }
  }
  return { bytes, lines };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const threads = Number(args[args.indexOf('--threads') + 1] ?? 1);
  const list = JSON.parse(readFileSync(args[args.indexOf('--list') + 1], 'utf8')) as ListEntry[];
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  if (threads <= 1) ({ bytes, lines } = await parseFiles(list.map((f) => f.path)));
  else {
    const bins = Array.from({ length: threads }, () => ({ load: 0, paths: [] as string[] }));
    for (const f of [...list].sort((a, b) => b.bytes - a.bytes)) {
      const bin = bins.reduce((m, b) => (b.load < m.load ? b : m));
      bin.load += f.bytes;
      bin.paths.push(f.path);
    }
    const results = await Promise.all(
      bins.map(
        (b) =>
          new Promise<{ bytes: number; lines: number }>((resolve, reject) => {
            const w = new Worker(fileURLToPath(import.meta.url), { workerData: b.paths });
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    for (const r of results) {
      bytes += r.bytes;
      lines += r.lines;
    }
  }
  process.stdout.write(JSON.stringify({ bytes, lines, ms: performance.now() - started, threads }) + '\n');
}

if (isMainThread) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 1;
  });
} else {
  parseFiles(workerData as string[]).then((r) => parentPort!.postMessage(r));
}

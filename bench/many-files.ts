/**
 * bench/many-files — an archive of one request per file (OTLP/HTTP bodies saved as they came, as a
 * proxy or a custom receiver writes them), against the same requests as the Collector's JSON lines.
 *
 *   npm run build && node dist/bench/many-files.js --size 1GB [--seed 1] [--keep]
 *
 * Reads the JSON-lines files of the bench's data set (bench/data/<size>-s<seed>/, made by
 * `npm run bench` or bench/generate), and writes each of their lines to a file of its own under
 * bench/data/many-files-<size>-s<seed>/ (`r-000001.json`, …: the 1 GB set gives 13,218 files of
 * ~65 kB). Ingests the JSON lines and the files, each into a fresh --db in its own process (wall
 * time, CPU time, peak RSS), and checks that the files stored what the JSON lines did, every
 * line a request, nothing skipped. Exit code 1 when a check fails.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decompress as zstd } from 'fzstd';
import { fromRoot } from '../src/paths.js';
import { defaultOut, type ExpectedPart } from './generate.js';
import { runStep } from './lib/measure.js';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const sizeLabel = (arg('size', '1GB') ?? '1GB').toUpperCase();
  const seed = Number(arg('seed', '1'));
  const data = defaultOut(sizeLabel, seed);
  const expectedPath = join(data, 'expected.json');
  if (!existsSync(expectedPath)) throw new Error(`${data}: no data set; run \`npm run bench -- --size ${sizeLabel}\` (or bench/generate) first`);
  const archive = (JSON.parse(readFileSync(expectedPath, 'utf8')) as { archive: ExpectedPart }).archive;
  const jsonl = archive.files.filter((f) => f.format === 'jsonl');

  const dir = fromRoot('bench', 'data', `many-files-${sizeLabel}-s${seed}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let n = 0;
  let bytes = 0;
  for (const f of jsonl) {
    const raw = readFileSync(join(data, f.path));
    const text = f.path.endsWith('.gz') ? gunzipSync(raw) : f.path.endsWith('.zst') ? Buffer.from(zstd(raw)) : raw;
    for (let at = 0; at < text.length; ) {
      let nl = text.indexOf(0x0a, at);
      if (nl < 0) nl = text.length;
      if (nl > at) {
        writeFileSync(join(dir, `r-${String(++n).padStart(6, '0')}.json`), text.subarray(at, nl + 1));
        bytes += nl + 1 - at;
      }
      at = nl + 1;
    }
  }

  process.stdout.write(`bench/many-files: ${sizeLabel} seed ${seed}: ${jsonl.length} JSON-lines files → ${n} files of one request (${(bytes / 1e6).toFixed(0)} MB)\n\n`);
  process.stdout.write('| input | files | ingest s | MB/s | CPU s | peak RSS MB | check |\n|---|---:|---:|---:|---:|---:|---|\n');
  let ok = true;
  // What the JSON lines stored (the first run); the files must store the same, one request each.
  let want: Record<string, number> | null = null;
  for (const [label, paths, files] of [
    ['JSON lines (the Collector file exporter)', jsonl.map((f) => join(data, f.path)), jsonl.length],
    ['one request per file', [dir], n],
  ] as const) {
    const db = join(dir, '..', `many-files-${sizeLabel}.duckdb`);
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
    const r = await runStep(process.execPath, [fromRoot('bin', 'otel-agent-report.js'), 'ingest', ...paths, '--db', db, '--json']);
    const t = r.code === 0 ? (JSON.parse(r.stdout).totals as Record<string, number>) : null;
    want ??= t;
    const same = (k: string) => t !== null && want !== null && t[k] === want[k];
    const good = t !== null && ['newSpans', 'newLogs', 'newMetricPoints', 'requests'].every(same) && t.requests === n && t.skipped === 0 && t.filesLoaded === files;
    ok &&= good;
    const s = r.wallMs / 1000;
    process.stdout.write(
      `| ${label} | ${files} | ${s.toFixed(2)} | ${(bytes / 1e6 / s).toFixed(1)} | ${r.cpuMs === null ? 'n/a' : (r.cpuMs / 1000).toFixed(1)} | ${r.peakRss === null ? 'n/a' : (r.peakRss / 1e6).toFixed(0)} | ${good ? 'all stored' : `FAILED (exit ${r.code}) ${t ? JSON.stringify(t) : (r.stderr.trim().split('\n').pop() ?? '')}`} |\n`,
    );
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
  }
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  process.exitCode = ok ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});

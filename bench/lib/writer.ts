/**
 * Collector-style rotated output: what an OpenTelemetry Collector `file` exporter with a
 * `rotation:` block leaves on disk (timberjack naming: the live file keeps the configured path,
 * backups are `<base>-<2006-01-02T15-04-05.000>-size<ext>`, UTC).
 *
 *   json-gzip   format json, no compression; backups gzip-compressed afterwards (logrotate-style,
 *               `gzip -n`); the live file stays plain
 *   json-zstd   format json with native zstd (gate exporter.file.nativeCompression): every file is
 *               a sequence of complete zstd frames, one per flush (`zstd -3` per flush segment)
 *   proto       format proto: 4-byte big-endian length + ExportXServiceRequest bytes per record
 *
 * Everything is written synchronously or by child processes with fixed flags, so the bytes are a
 * pure function of the input (same seed → byte-identical files).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type CollectorKind = 'json-gzip' | 'json-zstd' | 'proto';

export interface FileInfo {
  /** Relative to the data set root. */
  path: string;
  kind: CollectorKind;
  format: 'jsonl' | 'protobuf-length-prefixed';
  compression: 'none' | 'gzip' | 'zstd';
  /** Bytes after decompression: what a reader parses. */
  uncompressedBytes: number;
  diskBytes: number;
  requests: number;
  firstMs: number;
  lastMs: number;
}

const ZSTD_FLUSH = 4 << 20;
const WRITE_BUF = 1 << 20;

export function rotationStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace(/:/g, '-');
}

interface Open {
  fd: number;
  tmp: string;
  info: FileInfo;
  buf: Buffer[];
  bufLen: number;
}

export class Collector {
  private cur: Open | null = null;
  private names = new Set<string>();
  readonly files: FileInfo[] = [];
  private gzipQueue: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(
    private readonly root: string,
    private readonly dir: string,
    readonly kind: CollectorKind,
    private readonly rotateBytes: number,
    /** Gzip every file on close, including the last (for the increment file). */
    private readonly gzipAll = false,
  ) {
    mkdirSync(join(root, dir), { recursive: true });
  }

  private ext(): string {
    return this.kind === 'proto' ? '.pb' : this.kind === 'json-zstd' ? '.jsonl.zst' : '.jsonl';
  }

  private open(ms: number): Open {
    const tmp = join(this.root, this.dir, `.writing-${this.seq++}${this.ext()}`);
    const fd = openSync(tmp, 'w');
    return {
      fd,
      tmp,
      buf: [],
      bufLen: 0,
      info: {
        path: '',
        kind: this.kind,
        format: this.kind === 'proto' ? 'protobuf-length-prefixed' : 'jsonl',
        compression: this.kind === 'json-zstd' ? 'zstd' : 'none',
        uncompressedBytes: 0,
        diskBytes: 0,
        requests: 0,
        firstMs: ms,
        lastMs: ms,
      },
    };
  }

  private flush(o: Open): void {
    if (!o.bufLen) return;
    const data = Buffer.concat(o.buf, o.bufLen);
    o.buf = [];
    o.bufLen = 0;
    if (this.kind === 'json-zstd') {
      const r = spawnSync('zstd', ['-3', '-q', '-c'], { input: data, maxBuffer: 1 << 30 });
      if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr?.toString()}`);
      writeSync(o.fd, r.stdout);
    } else writeSync(o.fd, data);
  }

  /** Append one record (a JSON line without its newline, or protobuf request bytes). */
  write(record: string | Uint8Array, ms: number): number {
    if (!this.cur) this.cur = this.open(ms);
    const o = this.cur;
    let b: Buffer;
    if (typeof record === 'string') b = Buffer.from(record + '\n', 'utf8');
    else {
      b = Buffer.allocUnsafe(4 + record.length);
      b.writeUInt32BE(record.length, 0);
      b.set(record, 4);
    }
    o.buf.push(b);
    o.bufLen += b.length;
    o.info.uncompressedBytes += b.length;
    o.info.requests++;
    if (ms > o.info.lastMs) o.info.lastMs = ms;
    if (ms < o.info.firstMs) o.info.firstMs = ms;
    if (o.bufLen >= (this.kind === 'json-zstd' ? ZSTD_FLUSH : WRITE_BUF)) this.flush(o);
    if (o.info.uncompressedBytes >= this.rotateBytes) this.close(false);
    return b.length;
  }

  /** Close the current file: a backup (rotated) or, with final, the live file. */
  close(final: boolean): void {
    const o = this.cur;
    if (!o) return;
    this.cur = null;
    this.flush(o);
    closeSync(o.fd);
    let name: string;
    if (final && !this.gzipAll) name = `otlp${this.ext()}`;
    else {
      const base = `otlp-${rotationStamp(o.info.lastMs)}-size`;
      name = `${base}${this.ext()}`;
      for (let i = 2; this.names.has(name); i++) name = `${base}${i}${this.ext()}`;
    }
    this.names.add(name);
    const dest = join(this.root, this.dir, name);
    renameSync(o.tmp, dest);
    o.info.path = join(this.dir, name);
    this.files.push(o.info);
    if (this.kind === 'json-gzip' && (!final || this.gzipAll)) {
      o.info.compression = 'gzip';
      o.info.path += '.gz';
      this.gzipQueue = this.gzipQueue.then(
        () =>
          new Promise<void>((resolve, reject) => {
            const p = spawn('gzip', ['-n', '-6', dest], { stdio: 'ignore' });
            p.on('error', reject);
            p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`gzip ${dest} exited ${code}`))));
          }),
      );
    }
  }

  /** Close the live file and wait for background compression; fills in disk sizes. */
  async finish(): Promise<FileInfo[]> {
    this.close(true);
    await this.gzipQueue;
    for (const f of this.files) f.diskBytes = statSync(join(this.root, f.path)).size;
    return this.files;
  }
}

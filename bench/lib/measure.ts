/**
 * Run one measured step in its own child process: wall time and peak RSS of that process.
 * Peak RSS comes from GNU time (`/usr/bin/time -f '%e %M'`, the kernel's ru_maxrss) when present,
 * otherwise from polling /proc/<pid>/status VmHWM every 20 ms.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StepResult {
  code: number | null;
  wallMs: number;
  /** Peak resident set of the child, bytes (null when it could not be read). */
  peakRss: number | null;
  stdout: string;
  stderr: string;
  rssSource: 'time -v' | 'VmHWM' | 'none';
}

const GNU_TIME = '/usr/bin/time';
let seq = 0;

function vmHwm(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export async function runStep(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<StepResult> {
  const useTime = existsSync(GNU_TIME) && !process.env.BENCH_NO_GNU_TIME;
  const timeFile = join(tmpdir(), `bench-time-${process.pid}-${seq++}.txt`);
  const argv = useTime ? [GNU_TIME, '-f', '%e %M', '-o', timeFile, cmd, ...args] : [cmd, ...args];
  const started = performance.now();
  const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  let polled: number | null = null;
  const poll = useTime
    ? null
    : setInterval(() => {
        const v = vmHwm(child.pid!);
        if (v !== null && (polled === null || v > polled)) polled = v;
      }, 20);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  const wallMs = performance.now() - started;
  if (poll) clearInterval(poll);
  let peakRss: number | null = polled;
  let rssSource: StepResult['rssSource'] = useTime ? 'time -v' : polled !== null ? 'VmHWM' : 'none';
  if (useTime) {
    try {
      const text = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
      const kb = Number(text.split(' ')[1]);
      peakRss = Number.isFinite(kb) ? kb * 1024 : null;
    } catch {
      peakRss = null;
      rssSource = 'none';
    }
    rmSync(timeFile, { force: true });
  }
  return { code, wallMs, peakRss, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), rssSource };
}

/**
 * Run one measured step in its own child process: wall time, peak RSS and CPU time of that process.
 * Peak RSS and CPU come from GNU time (`/usr/bin/time -f '%e %M %U %S'`: the kernel's ru_maxrss, and
 * user + system time of every thread of the process and of the children it waited for, such as
 * `zstd -dc`) when present; otherwise peak RSS from polling /proc/<pid>/status VmHWM every 20 ms,
 * and no CPU time.
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
  /** User + system CPU time, ms, all threads and waited-for children (null without GNU time). */
  cpuMs: number | null;
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
  const argv = useTime ? [GNU_TIME, '-f', '%e %M %U %S', '-o', timeFile, cmd, ...args] : [cmd, ...args];
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
  let cpuMs: number | null = null;
  let rssSource: StepResult['rssSource'] = useTime ? 'time -v' : polled !== null ? 'VmHWM' : 'none';
  if (useTime) {
    try {
      const text = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
      const [, kb, user, sys] = text.split(' ').map(Number);
      peakRss = Number.isFinite(kb) ? kb * 1024 : null;
      cpuMs = Number.isFinite(user) && Number.isFinite(sys) ? (user + sys) * 1000 : null;
    } catch {
      peakRss = null;
      rssSource = 'none';
    }
    rmSync(timeFile, { force: true });
  }
  return { code, wallMs, peakRss, cpuMs, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), rssSource };
}

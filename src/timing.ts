/**
 * Phase timings on stderr when OTEL_AGENT_REPORT_TIMING is set (for profiling, never output):
 * each phase's duration, when it ended since the process started, the CPU time all of the
 * process's threads spent in it (workers and DuckDB included; child processes such as `zstd -dc`
 * not), and the memory then.
 */
let lapAt = performance.now();
let cpuAt = process.cpuUsage();

export function lap(what: string): void {
  if (!process.env.OTEL_AGENT_REPORT_TIMING) return;
  const now = performance.now();
  const m = process.memoryUsage();
  const cpu = process.cpuUsage(cpuAt);
  const mb = (n: number) => (n / 1e6).toFixed(0);
  // Resident memory at the end of the phase, and what of it is V8's heap (the rest is mostly DuckDB).
  process.stderr.write(`[timing] ${what}: ${(now - lapAt).toFixed(0)} ms (at ${now.toFixed(0)} ms; cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms; rss ${mb(m.rss)} MB, heap ${mb(m.heapTotal)} MB)\n`);
  lapAt = now;
  cpuAt = process.cpuUsage();
}

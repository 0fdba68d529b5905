/**
 * Phase timings on stderr when OTEL_AGENT_REPORT_TIMING is set (for profiling, never output):
 * each phase's duration, when it ended since the process started, and the memory then.
 */
let lapAt = performance.now();

export function lap(what: string): void {
  if (!process.env.OTEL_AGENT_REPORT_TIMING) return;
  const now = performance.now();
  const m = process.memoryUsage();
  const mb = (n: number) => (n / 1e6).toFixed(0);
  // Resident memory at the end of the phase, and what of it is V8's heap (the rest is mostly DuckDB).
  process.stderr.write(`[timing] ${what}: ${(now - lapAt).toFixed(0)} ms (at ${now.toFixed(0)} ms; rss ${mb(m.rss)} MB, heap ${mb(m.heapTotal)} MB)\n`);
  lapAt = now;
}

/**
 * Phase timings on stderr when OTEL_AGENT_REPORT_TIMING is set (for profiling, never output):
 * each phase's duration, and when it ended since the process started.
 */
let lapAt = performance.now();

export function lap(what: string): void {
  if (!process.env.OTEL_AGENT_REPORT_TIMING) return;
  const now = performance.now();
  process.stderr.write(`[timing] ${what}: ${(now - lapAt).toFixed(0)} ms (at ${now.toFixed(0)} ms)\n`);
  lapAt = now;
}

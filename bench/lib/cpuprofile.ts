/**
 * Summarise V8 .cpuprofile files (node --cpu-prof writes one per thread: main + each worker):
 * busy time per thread, and self time per function and per source file over all threads, as a
 * share of busy (non-idle) time.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface ProfileSummary {
  threads: { file: string; sampledMs: number; busyMs: number }[];
  busyMs: number;
  functions: { name: string; where: string; ms: number; pct: number }[];
  files: { file: string; ms: number; pct: number }[];
}

const IDLE = new Set(['(idle)']);

export function summarizeProfiles(paths: string[], top = 25): ProfileSummary {
  const byFn = new Map<string, { name: string; where: string; us: number }>();
  const byFile = new Map<string, number>();
  const threads: ProfileSummary['threads'] = [];
  let busy = 0;
  for (const path of paths) {
    const p = JSON.parse(readFileSync(path, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    let sampled = 0;
    let threadBusy = 0;
    p.samples.forEach((s, i) => {
      const us = p.timeDeltas[i] ?? 0;
      sampled += us;
      const cf = nodes.get(s)!.callFrame;
      const name = cf.functionName || '(anonymous)';
      if (IDLE.has(name)) return;
      threadBusy += us;
      const file = cf.url ? cf.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/)/, '$1').replace(/^.*\/dist\//, 'dist/') : '(native / VM)';
      const where = cf.url ? `${file}:${cf.lineNumber + 1}` : '';
      const key = `${name}@${where}`;
      const e = byFn.get(key) ?? { name, where, us: 0 };
      e.us += us;
      byFn.set(key, e);
      byFile.set(file, (byFile.get(file) ?? 0) + us);
    });
    busy += threadBusy;
    threads.push({ file: basename(path), sampledMs: sampled / 1000, busyMs: threadBusy / 1000 });
  }
  const pct = (us: number) => (100 * us) / busy;
  return {
    threads,
    busyMs: busy / 1000,
    functions: [...byFn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, pct: pct(f.us) })),
    files: [...byFile.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([file, us]) => ({ file, ms: us / 1000, pct: pct(us) })),
  };
}

/**
 * Render one synthetic copy ("instance") of a compiled template group: new ids, shifted times,
 * new token counts per response, and every aggregate recomputed from those responses.
 */
import { hashInts, hashString, hexFrom, b64From, Rng } from './prng.js';
import { bucketIndex, newVals, type CompiledGroup, type CompiledLine, type Slot, type Vals } from './templates.js';

export interface InstanceParams {
  seed: number;
  /** Global instance number: unique per copy, so ids never repeat across copies. */
  inst: number;
  /** Synthetic user (user.id / installation.id are stable per user). */
  user: number;
  /** Time shift in whole milliseconds. */
  dms: number;
  env: string;
  originator: string;
}

interface FieldVals {
  sum: number;
  min: number;
  max: number;
  buckets?: number[];
}

export interface Instance {
  params: InstanceParams;
  ids: string[];
  unitVals: Vals[];
  siteVals: FieldVals[][];
}

function newId(fmt: 'hex' | 'uuid' | 'b64', text: string, h1: number, h2: number): string {
  if (fmt === 'b64') return b64From(text.length, h1, h2);
  if (fmt === 'hex') return hexFrom(text.length, h1, h2);
  // UUID: keep the version and variant nibbles of the original.
  const hex = hexFrom(32, h1, h2);
  const v = text[14];
  const variant = text[19];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${v}${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function makeInstance(g: CompiledGroup, p: InstanceParams): Instance {
  const instHash = hashInts(p.seed, p.inst, 0x1d);
  const userHash = hashInts(p.seed, p.user, 0x05e7);
  const ids = g.tokens.map((t, i) => (t.user ? newId(t.fmt, t.text, userHash, hashString(t.text)) : newId(t.fmt, t.text, instHash, i)));
  const rng = new Rng(p.seed, p.inst, 0x70c);
  const r = () => rng.float();
  const unitVals = g.units.map((u) => newVals(g.agent, u.v, r));
  const siteVals = g.sites.map((s) =>
    s.fields.map((f) => {
      const vals = s.members.map((m) => {
        if (s.level === 0) return f.expr(unitVals[m], g.units[m].model);
        let x = 0;
        for (const ui of g.turns[m].units) x += f.expr(unitVals[ui], g.units[ui].model);
        return x;
      });
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const v of vals) {
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const out: FieldVals = { sum, min, max };
      if (f.hist) {
        const b = new Array<number>(f.hist.bounds.length + 1).fill(0);
        for (const v of vals) b[bucketIndex(f.hist.bounds, v)]++;
        out.buckets = b;
      }
      return out;
    }),
  );
  return { params: p, ids, unitVals, siteVals };
}

function iso(ms: number, frac: number, extra: string): string {
  const d = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  if (frac === 0) return d.slice(0, 19) + 'Z';
  if (frac <= 3) return d.slice(0, 20 + frac) + 'Z';
  return d.slice(0, 23) + extra + 'Z';
}

function num(x: number | string, isStr: boolean): string {
  const s = typeof x === 'string' ? x : Number.isInteger(x) ? String(x) : JSON.stringify(x);
  return isStr ? `"${s}"` : s;
}

function slotText(s: Slot, inst: Instance): string {
  switch (s.k) {
    case 'id':
      return s.q ? `"${inst.ids[s.i]}"` : inst.ids[s.i];
    case 'ns':
      return String(s.ms + inst.params.dms) + s.sub;
    case 'ms':
      return String(s.ms + inst.params.dms);
    case 'iso':
      return iso(s.ms + inst.params.dms, s.frac, s.extra);
    case 'env':
      return JSON.stringify(inst.params.env);
    case 'orig':
      return JSON.stringify(inst.params.originator);
    case 'field': {
      const fv = inst.siteVals[s.site][s.field];
      if (s.what === 'buckets') return '[' + fv.buckets!.map((c) => (s.isStr ? `"${c}"` : String(c))).join(',') + ']';
      const x = s.what === 'sum' ? fv.sum : s.what === 'min' ? fv.min : fv.max;
      return num(s.post ? s.post(x) : x, s.isStr);
    }
  }
}

export function renderLine(line: CompiledLine, inst: Instance): string {
  let out = '';
  for (const p of line.parts) out += typeof p === 'string' ? p : slotText(p, inst);
  return out;
}

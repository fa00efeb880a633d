/**
 * An independent, deliberately simple model of the PS3.4 matching rules over the vectors' own
 * flat store, used as an oracle: given the implementation choices a profile makes (the "knobs"),
 * it says which entities the standard lets that profile return. It shares no code with the engine.
 */
import type { VectorDoc, VectorQuery } from './vector-store.ts';

export interface Knobs {
  pnCi: boolean;
  pnComp: boolean;
  mv: 'OR' | 'AND';
  hier: 'none' | 'relational';
  upper: 'ignore' | 'match';
  leadSp: boolean;
  isNum: boolean;
  emptySeq: boolean;
  otherCs: boolean;
}

const WILD = new Set(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);
const EMPTY_VR = new Set([...WILD, 'DA', 'DT', 'TM']);
const LEVELS: Record<string, string[]> = { PatientRoot: ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'], StudyRoot: ['STUDY', 'SERIES', 'IMAGE'] };
const PAIRS = [
  ['StudyDate', 'StudyTime'],
  ['ScheduledProcedureStepStartDate', 'ScheduledProcedureStepStartTime'],
];

type V = unknown;
type Ctx = { ext: Record<string, number>; mwl: boolean; foreign: boolean };

const empty = (v: V) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

function norm(vr: string, s: string, k: Knobs): string {
  if (vr === 'CS' || vr === 'AE' || vr === 'DS') return s.trim();
  if (vr === 'IS') {
    const t = s.trim();
    return k.isNum && /^[+-]?\d+$/.test(t) ? String(Number(t)) : t;
  }
  if (vr === 'UI') return s.replace(/[\0 ]+$/, '');
  if ((vr === 'SH' || vr === 'LO') && !k.leadSp) return s.trim();
  return s.replace(/ +$/, '');
}

const secs = (t: string) => {
  const x = t.trim();
  return Number(x.slice(0, 2)) * 3600 + (x.length >= 4 ? Number(x.slice(2, 4)) : 0) * 60 + (x.length > 4 ? Number(x.slice(4)) : 0);
};

function glob(p: string, v: string, ci: boolean): boolean {
  const src = [...p].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${src}$`, ci ? 'isu' : 'su').test(v);
}

function pn(kv: string, ev: string, k: Knobs, wild: boolean): boolean {
  const cmp = (a: string, b: string) => (wild ? glob(a, b, k.pnCi) : k.pnCi ? a.toLowerCase() === b.toLowerCase() : a === b);
  if (cmp(kv, ev)) return true;
  if (k.pnComp) {
    const q = kv.split('^');
    const e = ev.split('^');
    if (q.length < e.length && q.every((x, i) => cmp(x, e[i]!))) return true;
  }
  return false;
}

function scalar(vr: string, kv: string, ev: string, k: Knobs, ctx: Ctx): boolean {
  if (ctx.foreign && !k.otherCs && /[^\x00-\x7f]/.test(ev)) return false;
  const a = norm(vr, kv, k);
  const b = norm(vr, ev, k);
  const wild = WILD.has(vr) && /[*?]/.test(a);
  if (vr === 'PN') return pn(a, b, k, wild);
  if (wild) return glob(a, b, false);
  if (vr === 'TM') return secs(a) === secs(b);
  return a === b;
}

function range(vr: string, kv: string, ev: string): boolean {
  const [lo, hi] = kv.split('-') as [string, string];
  if (vr === 'DA') return (!lo || lo <= ev) && (!hi || ev <= hi);
  const s = secs(ev);
  return (!lo || secs(lo) <= s) && (!hi || s <= secs(hi));
}

function key(doc: VectorDoc, attr: string, kv: V, ev: V, k: Knobs, ctx: Ctx): boolean {
  const vr = doc.attributes[attr]!.vr;
  if (vr === 'SQ') {
    const item = (kv as Record<string, V>[])[0] ?? {};
    if (Object.keys(item).length === 0) return true;
    if (empty(ev)) return !ctx.mwl && k.emptySeq;
    return (ev as Record<string, V>[]).some((it) => all(doc, item, it, k, ctx));
  }
  const s = kv as string;
  if (s === '') return true;
  if (ctx.ext.empty_value && s === '""' && EMPTY_VR.has(vr)) return empty(ev);
  if (empty(ev)) return !ctx.mwl;
  const evs = Array.isArray(ev) ? (ev as string[]) : [ev as string];
  if (s.includes('\\')) {
    const parts = s.split('\\');
    if (vr === 'UI') return parts.some((p) => evs.some((e) => norm(vr, p, k) === norm(vr, e, k)));
    const hits = parts.map((p) => evs.some((e) => scalar(vr, p, e, k, ctx)));
    return (ctx.ext.multi_value ? 'AND' : k.mv) === 'AND' ? hits.every(Boolean) : hits.some(Boolean);
  }
  if ((vr === 'DA' || vr === 'TM') && s.includes('-')) return evs.some((e) => range(vr, s, e));
  return evs.some((e) => scalar(vr, s, e, k, ctx));
}

function all(doc: VectorDoc, keys: Record<string, V>, e: Record<string, V>, k: Knobs, ctx: Ctx): boolean {
  const rest = { ...keys };
  for (const [da, tm] of PAIRS) {
    if (!(da! in rest && tm! in rest) || !(ctx.ext.datetime || ctx.mwl)) continue;
    const kd = rest[da!] as string;
    const kt = rest[tm!] as string;
    if (!kd.includes('-') || !kt.includes('-')) continue;
    const [d1, d2] = kd.split('-') as [string, string];
    const [t1, t2] = kt.split('-') as [string, string];
    if (!!d1 !== !!t1 || !!d2 !== !!t2) continue;
    const ed = e[da!];
    const et = e[tm!];
    let r: boolean;
    if (empty(ed) || empty(et)) r = !ctx.mwl;
    else {
      const v: [string, number] = [ed as string, secs(et as string)];
      const ge = (a: [string, number], b: [string, number]) => a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);
      r = (!d1 || ge(v, [d1, secs(t1)])) && (!d2 || ge([d2, secs(t2)], v));
    }
    if (!r) return false;
    delete rest[da!];
    delete rest[tm!];
  }
  return Object.entries(rest).every(([a, v]) => key(doc, a, v, e[a], k, ctx));
}

/** The set of unique keys the rules give for a query under the knobs. */
export function referenceResult(doc: VectorDoc, q: VectorQuery, k: Knobs, ext: Record<string, number>): Set<string> {
  const ident = Object.fromEntries(Object.entries(q.identifier).filter(([a]) => a !== 'SpecificCharacterSet'));
  const cs = q.identifier.SpecificCharacterSet;
  const ctx: Ctx = { ext, mwl: q.model === 'MWL', foreign: cs !== undefined && cs !== 'ISO_IR 192' };
  const s = doc.store;
  if (ctx.mwl) {
    return new Set(
      s.worklist
        .filter((w) => all(doc, ident, w, k, ctx))
        .map((w) => ((w.ScheduledProcedureStepSequence as Record<string, string>[])[0]!.ScheduledProcedureStepID)!),
    );
  }
  const model = q.model as 'PatientRoot' | 'StudyRoot';
  const levels = LEVELS[model]!.slice(0, LEVELS[model]!.indexOf(q.level!) + 1);
  const byLevel: Record<string, Record<string, V>> = Object.fromEntries(levels.map((l) => [l, {}]));
  for (const [a, v] of Object.entries(ident)) byLevel[doc.attributes[a]![model]![0]]![a] = v;
  const unique = (l: string) => Object.entries(doc.attributes).find(([, d]) => d[model]?.[0] === l && d[model]?.[1] === 'U')![0];
  if (!ext.relational) {
    for (const l of levels.slice(0, -1)) {
      const uk = unique(l);
      const v = byLevel[l]![uk] as string | undefined;
      if (v === undefined || v === '' || v.includes('\\')) {
        if (k.hier === 'none') return new Set();
        break;
      }
      if (k.upper === 'ignore') for (const a of Object.keys(byLevel[l]!)) if (a !== uk) delete byLevel[l]![a];
    }
  }
  const out = new Set<string>();
  const pats = new Map(s.patients.map((p) => [p.label, p]));
  const chains: Record<string, Record<string, V>>[] = [];
  if (q.level === 'PATIENT') for (const p of s.patients) chains.push({ PATIENT: p });
  else
    for (const st of s.studies) {
      const pat = pats.get(st.patient)!;
      const study = model === 'StudyRoot' ? { ...st, ...Object.fromEntries(Object.entries(pat).filter(([a]) => a !== 'label')) } : st;
      const base = { PATIENT: pat, STUDY: study };
      if (q.level === 'STUDY') {
        chains.push(base);
        continue;
      }
      for (const se of s.series.filter((x) => x.study === st.label)) {
        if (q.level === 'SERIES') chains.push({ ...base, SERIES: se });
        else for (const i of s.instances.filter((x) => x.series === se.label)) chains.push({ ...base, SERIES: se, IMAGE: i });
      }
    }
  for (const ch of chains) if (levels.every((l) => all(doc, byLevel[l]!, ch[l]!, k, ctx))) out.add(ch[q.level!]![unique(q.level!)] as string);
  return out;
}

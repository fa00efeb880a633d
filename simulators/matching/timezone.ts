import type { AttrValue } from '../store/entities.ts';

/** Minutes east of UTC, for both sides of a query: the identifier's zone and the archive's. */
export interface Zone {
  query: number;
  store: number;
}

/** The DA attribute whose values a TM attribute's times belong to, and back (PS3.4 C.2.2.2.5.4 pairs). */
export const DATE_TIME_PAIRS: readonly [string, string][] = [
  ['StudyDate', 'StudyTime'],
  ['SeriesDate', 'SeriesTime'],
  ['AcquisitionDate', 'AcquisitionTime'],
  ['ContentDate', 'ContentTime'],
  ['PatientBirthDate', 'PatientBirthTime'],
  ['ScheduledProcedureStepStartDate', 'ScheduledProcedureStepStartTime'],
  ['PerformedProcedureStepStartDate', 'PerformedProcedureStepStartTime'],
];
const PARTNER = new Map<string, string>(DATE_TIME_PAIRS.flatMap(([d, t]) => [[d, t], [t, d]] as [string, string][]));

export function partnerOf(keyword: string): string | undefined {
  return PARTNER.get(keyword);
}

/** "+HHMM" / "-HHMM" (PS3.3 C.12.1.1.8, Timezone Offset From UTC) as minutes; undefined when malformed. */
export function parseOffset(text: string): number | undefined {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  if (hours > 14 || minutes > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

export function formatOffset(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A TM value's parts: HH, MM, SS and the fraction as written (precision kept). */
function timeParts(tm: string): { h: number; m: number; s: number; frac: string; digits: number } | undefined {
  const t = tm.trim().replace(/:/g, '');
  const m = /^(\d{2})(\d{2})?(\d{2})?(\.\d{1,6})?$/.exec(t);
  if (!m) return undefined;
  return { h: Number(m[1]), m: Number(m[2] ?? 0), s: Number(m[3] ?? 0), frac: m[4] ?? '', digits: m[3] !== undefined ? 6 : m[2] !== undefined ? 4 : 2 };
}

/** A stored date and time, moved by `minutes` (the date changes when midnight is crossed). */
export function shiftDateTime(da: string | undefined, tm: string, minutes: number): { da: string | undefined; tm: string } {
  const p = timeParts(tm);
  if (!p || minutes === 0) return { da, tm };
  const date = da && /^\d{8}$/.test(da.trim()) ? da.trim() : '20000101';
  const t = new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)), p.h, p.m + minutes, p.s));
  const tmOut = `${pad(t.getUTCHours())}${p.digits >= 4 ? pad(t.getUTCMinutes()) : ''}${p.digits >= 6 ? pad(t.getUTCSeconds()) : ''}${p.digits >= 6 ? p.frac : ''}`;
  const daOut = da === undefined || !/^\d{8}$/.test(da.trim()) ? da : `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}`;
  // Hours only ("10") cannot hold a shift of minutes: keep the minutes then.
  return { da: daOut, tm: p.digits === 2 && minutes % 60 !== 0 ? `${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}` : tmOut };
}

/** A DT without an offset, read in zone `from`, written in zone `to` (still without an offset). */
function shiftDt(dt: string, from: number, to: number): string {
  const m = /^(\d{8})(\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?$/.exec(dt.trim());
  if (!m || !m[2]) return dt;
  const { da, tm } = shiftDateTime(m[1], m[2], to - from);
  return `${da}${tm}`;
}

function hasOffset(dt: string): boolean {
  return /[+-]\d{4}$/.test(dt.trim()) && dt.trim().length > 5;
}

function each(v: AttrValue | undefined, f: (s: string) => string): AttrValue | undefined {
  if (typeof v === 'string') return v === '' ? v : f(v);
  if (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'string')) return (v as string[]).map((s) => (s === '' ? s : f(s)));
  return v;
}

/**
 * A stored DA, TM or DT value as seen from the query's zone (PS3.4 C.2.2.2.1.3): times (and the
 * dates they belong to) move by the difference between the zones; a DT that names its own offset
 * is left alone. `partner` is the stored value of the paired DA or TM attribute.
 */
export function inQueryZone(vr: string, value: AttrValue | undefined, partner: AttrValue | undefined, zone: Zone): AttrValue | undefined {
  const minutes = zone.query - zone.store;
  if (vr === 'DT') return each(value, (s) => (hasOffset(s) ? s : shiftDt(s, zone.store, zone.query)));
  if (minutes === 0) return value;
  const partnerText = typeof partner === 'string' ? partner : undefined;
  if (vr === 'TM') return each(value, (s) => shiftDateTime(partnerText, s, minutes).tm);
  if (vr === 'DA') return partnerText ? each(value, (s) => shiftDateTime(s, partnerText, minutes).da ?? s) : value;
  return value;
}

/** DT key bounds without an offset are in the query's zone: give them that offset, so they compare as instants. */
export function withQueryOffset(dt: string, zone: Zone): string {
  return dt === '' || hasOffset(dt) ? dt : `${dt}${formatOffset(zone.query)}`;
}

/** The stored value as matching compares it: in the query's zone, a DT also carrying that zone's offset. */
export function matchView(vr: string, value: AttrValue | undefined, partner: AttrValue | undefined, zone: Zone): AttrValue | undefined {
  const v = inQueryZone(vr, value, partner, zone);
  return vr === 'DT' ? each(v, (s) => withQueryOffset(s, zone)) : v;
}

export const ZONED_VRS: ReadonlySet<string> = new Set(['DA', 'TM', 'DT']);

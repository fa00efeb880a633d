import type { DataSet } from '../dataset/data-set.ts';
import { entryForKeyword } from '../dataset/dictionary.ts';
import { dateTimeMillis, timeSeconds } from '../matching/rules.ts';
import type { AttrValue, Item } from '../store/entities.ts';

/** A returned value next to the declared one, both as logical text (several values as a list). */
export function returnedValues(ds: DataSet, keyword: string): string[] | undefined {
  const e = ds.element(keyword);
  if (!e) return undefined;
  if (e.items) return undefined;
  return ds.values(keyword) ?? [];
}

function declaredValues(v: AttrValue | undefined): string[] {
  if (v === undefined || v === '') return [];
  if (typeof v === 'string') return [v];
  if (v.length > 0 && typeof v[0] === 'object') return [];
  return v as string[];
}

/** One value in the form comparison uses: padding and insignificant spaces gone, numbers and times by meaning (PS3.5 6.2; PS3.4 C.2.2.2.1.3). */
function normal(vr: string, v: string): string {
  const t = vr === 'UI' ? v.replace(/[\0 ]+$/, '') : v.replace(/ +$/, '');
  switch (vr) {
    case 'AE':
    case 'CS':
      return t.trim();
    case 'IS':
    case 'DS': {
      const n = Number(t.trim());
      return t.trim() === '' || Number.isNaN(n) ? t.trim() : String(n);
    }
    case 'TM': {
      if (t.trim() === '') return '';
      const n = timeSeconds(t);
      return Number.isNaN(n) ? `text:${t.trim()}` : String(n);
    }
    case 'DT': {
      if (t.trim() === '') return '';
      const n = dateTimeMillis(t);
      return Number.isNaN(n) ? `text:${t.trim()}` : String(n);
    }
    case 'PN':
      // Spaces around components are insignificant; trailing empty components and groups too.
      return t.split('=').map((g) => g.split('^').map((c) => c.trim()).join('^').replace(/\^+$/, '')).join('=').replace(/=+$/, '');
    default:
      return t;
  }
}

/**
 * Whether a returned value is the declared one, by meaning. Multi-valued attributes compare as
 * sets where order carries no meaning (Modalities / SOP Classes in Study), else in order.
 */
export function sameValue(keyword: string, declared: AttrValue | undefined, returned: string[]): boolean {
  const vr = entryForKeyword(keyword)?.vr ?? 'LO';
  const a = declaredValues(declared).map((v) => normal(vr, v));
  const b = returned.map((v) => normal(vr, v)).filter((v, i, all) => !(v === '' && all.length === 1));
  if (keyword === 'ModalitiesInStudy' || keyword === 'SOPClassesInStudy') return a.length === b.length && [...a].sort().join('\\') === [...b].sort().join('\\');
  return a.join('\\') === b.join('\\');
}

/** The declared value as text for evidence. */
export function showDeclared(v: AttrValue | undefined): string {
  if (v === undefined) return '(absent)';
  if (typeof v === 'string') return v === '' ? '(zero length)' : v;
  if (v.length > 0 && typeof v[0] === 'object') return `${v.length} item(s)`;
  return (v as string[]).join('\\');
}

export function isItems(v: AttrValue | undefined): v is Item[] {
  return Array.isArray(v) && v.length > 0 && typeof v[0] === 'object';
}

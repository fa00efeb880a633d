/**
 * The matching rules of PS3.4 C.2.2.2, one small function each. Values are logical strings:
 * decoded with their character set, padding removed.
 */

/** VRs for which '*' and '?' are wild cards (C.2.2.2.4). */
export const WILDCARD_VRS: ReadonlySet<string> = new Set(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);

/** VRs for which the key "" (two quotation marks) means Empty Value Matching (C.2.2.2.7). */
export const EMPTY_VALUE_VRS: ReadonlySet<string> = new Set([...WILDCARD_VRS, 'DA', 'DT', 'TM']);

/** VRs whose keys may hold several values under Multiple Value Matching (C.2.2.2.8). */
export const MULTI_VALUE_VRS: ReadonlySet<string> = new Set(['AE', 'AS', 'AT', 'CS', 'LO', 'PN', 'SH', 'UC']);

/** C.2.2.2.4: '*' any sequence of characters (also none), '?' exactly one character — characters, not bytes. */
export function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '^';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${source}$`, caseInsensitive ? 'isu' : 'su');
}

/** C.2.2.2.4 note: a lone '*' is universal matching. */
export function isLoneAsterisk(value: string): boolean {
  return value === '*';
}

export function hasWildcards(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

/** TM as seconds since midnight: "2230" equals "223000" (C.2.2.2.1.3, C.2.2.2.5.2). */
export function timeSeconds(tm: string): number {
  const t = tm.trim().replace(/:/g, '');
  const hh = Number(t.slice(0, 2));
  const mm = t.length >= 4 ? Number(t.slice(2, 4)) : 0;
  const ss = t.length > 4 ? Number(t.slice(4)) : 0;
  return hh * 3600 + mm * 60 + ss;
}

/** DT as milliseconds on one scale; an explicit UTC offset is taken into account (C.2.2.2.5.3). */
export function dateTimeMillis(dt: string, defaultOffsetMinutes = 0): number {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2}(?:\.\d{1,6})?)?([+-]\d{4})?$/.exec(dt.trim());
  if (!m) return NaN;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', tz] = m;
  const offset = tz ? (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5))) : defaultOffsetMinutes;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), 0) + Number(s) * 1000 - offset * 60_000;
}

/** C.2.2.2.5: "a-b", "-b" or "a-", bounds inclusive. DA compares as text (YYYYMMDD), TM by time of day, DT on one time scale. */
export function inRange(vr: string, range: string, value: string): boolean {
  const d = vr === 'DT' ? rangeDash(range) : range.indexOf('-');
  const dash = d < 0 ? range.length : d;
  const lo = range.slice(0, dash).trim();
  const hi = range.slice(dash + 1).trim();
  if (vr === 'TM') {
    const v = timeSeconds(value);
    return (lo === '' || timeSeconds(lo) <= v) && (hi === '' || v <= timeSeconds(hi));
  }
  if (vr === 'DT') {
    const v = dateTimeMillis(value);
    return (lo === '' || dateTimeMillis(lo) <= v) && (hi === '' || v <= dateTimeMillis(hi));
  }
  return (lo === '' || lo <= value) && (hi === '' || value <= hi);
}

/** The two bounds of a range key ("" for an open side); a DT's offset minus sign is not the range dash. */
export function rangeBounds(vr: string, range: string): [string, string] {
  const d = vr === 'DT' ? rangeDash(range) : range.indexOf('-');
  return d < 0 ? [range.trim(), range.trim()] : [range.slice(0, d).trim(), range.slice(d + 1).trim()];
}

/** The range dash of a DT key, not the minus sign of a UTC offset: the dash at position 0 or followed by a digit after a full prefix. */
function rangeDash(range: string): number {
  if (range.startsWith('-')) return 0;
  for (let i = 1; i < range.length; i++) {
    if (range[i] !== '-') continue;
    // "YYYYMMDD-0500-…" : a dash right after 4+ digits that starts a 4-digit offset at the end is the offset.
    const before = range.slice(0, i);
    const after = range.slice(i + 1);
    if (/^\d{4}$/.test(after.slice(0, 4)) && (after.length === 4 || after[4] === '-') && before.length >= 8) continue;
    return i;
  }
  return -1;
}

export function isRange(vr: string, value: string): boolean {
  return (vr === 'DA' || vr === 'TM' || vr === 'DT') && value.includes('-') && !(vr === 'DT' && rangeDash(value) < 0);
}

/** C.2.2.2.1.3: a TM single value is matched by meaning; DA and DT as text of the same form. */
export function sameTime(key: string, value: string): boolean {
  return timeSeconds(key) === timeSeconds(value);
}

/** C.2.2.2.1.4: IS numerically (when the profile says so). */
export function sameInteger(key: string, value: string): boolean {
  const a = Number(key.trim());
  const b = Number(value.trim());
  return Number.isInteger(a) && Number.isInteger(b) ? a === b : key.trim() === value.trim();
}

const compiled = new Map<string, RegExp>();

/** A wild card pattern compiled once (patterns are few; the memo is bounded). */
function cachedRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const id = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let re = compiled.get(id);
  if (!re) {
    if (compiled.size > 1000) compiled.clear();
    re = wildcardRegExp(pattern, caseInsensitive);
    compiled.set(id, re);
  }
  return re;
}

/** C.2.2.2.1.1: PN compared literally, optionally without regard to case; optionally a key with fewer components matches on those given. */
export function samePersonName(key: string, value: string, caseInsensitive: boolean, trailingWild: boolean, wild: boolean): boolean {
  const eq = wild ? (k: string, v: string) => cachedRegExp(k, caseInsensitive).test(v) : caseInsensitive ? (k: string, v: string) => k.toLowerCase() === v.toLowerCase() : (k: string, v: string) => k === v;
  if (eq(key, value)) return true;
  if (!trailingWild) return false;
  const kc = key.split('^');
  const vc = value.split('^');
  return kc.length < vc.length && kc.every((k, i) => eq(k, vc[i]!));
}

/** Folding for fuzzy PN matching: no case, no accents (combining marks), no spacing or punctuation variants. */
function foldName(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[\s.,]+/g, '');
}

/**
 * Fuzzy semantic matching of person names, only when negotiated (PS3.4 C.2.2.2.1.1): insensitive to
 * case, accents and spacing; a key with fewer components matches on those it gives; family and
 * given name may be swapped; any component group of the value may match. No phonetic matching.
 */
export function fuzzyPersonName(key: string, value: string, wild: boolean): boolean {
  const keyGroup = key.split('=').find((g) => g !== '') ?? '';
  const kc = keyGroup.split('^').map(foldName);
  while (kc.length > 1 && kc.at(-1) === '') kc.pop();
  const eq = wild ? (k: string, v: string) => cachedRegExp(k, false).test(v) : (k: string, v: string) => k === v;
  const fits = (keys: string[], vc: string[]) => keys.length <= vc.length && keys.every((k, i) => k === '' || eq(k, vc[i]!));
  const swapped = kc.length >= 2 ? [kc[1]!, kc[0]!, ...kc.slice(2)] : undefined;
  return value.split('=').some((group) => {
    const vc = group.split('^').map(foldName);
    return fits(kc, vc) || (swapped !== undefined && fits(swapped, vc));
  });
}

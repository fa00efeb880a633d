import type { DataElement, DataSet } from '../dataset/data-set.ts';
import { entryForTag, formatTag } from '../dataset/dictionary.ts';
import type { FindModel } from '../dimse/find.ts';
import { FIND_MODELS } from '../dimse/find.ts';
import type { Level } from '../store/entities.ts';
import { UNIQUE_KEY } from '../store/entities.ts';
import { NON_KEY_ATTRIBUTES, levelOfAttribute } from '../store/levels.ts';
import type { Store } from '../store/store.ts';
import type { MatchingProfile } from './profile.ts';
import { DATE_TIME_PAIRS, parseOffset, withQueryOffset } from './timezone.ts';
import { rangeBounds } from './rules.ts';
import { EMPTY_VALUE_VRS, MULTI_VALUE_VRS, WILDCARD_VRS, hasWildcards, isLoneAsterisk, isRange, wildcardRegExp } from './rules.ts';

/** Extended negotiation for C-FIND as accepted on the association (PS3.4 C.5.1.1, K.5.1). */
export interface Negotiated {
  relational: boolean;
  dateTime: boolean;
  fuzzy: boolean;
  timezone: boolean;
  emptyValue: boolean;
  multipleValue: boolean;
}

export const NONE_NEGOTIATED: Negotiated = { relational: false, dateTime: false, fuzzy: false, timezone: false, emptyValue: false, multipleValue: false };

export type MatchKind = 'universal' | 'single' | 'wild' | 'range' | 'uid-list' | 'multi' | 'empty-value' | 'sequence';

/** One key of the identifier, classified (PS3.4 C.2.2.2). */
export interface Key {
  keyword: string;
  tag: number;
  vr: string;
  level: Level;
  kind: MatchKind;
  /** The logical value(s): padding removed, decoded with the identifier's character set. */
  values: string[];
  regex?: RegExp;
  /** The item of a sequence key, itself classified. */
  item?: Key[];
  /** Several values: every one must be among the entity's (AND, C.2.2.2.8) rather than any (OR). */
  all?: boolean;
  /** Matched (false: only returned, e.g. an ignored higher-level key). */
  matched: boolean;
}

export interface Query {
  model: FindModel;
  level: Level;
  keys: Key[];
  /** Keys returned in responses (C.4.1.3.1.1 / C.4.1.3.2). */
  returned: Key[];
  relational: boolean;
  /** C.2.2.2.5.4: date and time ranges joined into one period. */
  combined: { date: Key; time: Key }[];
  negotiated: Negotiated;
  /** The answer is known without looking (e.g. zero matches for a non-baseline query under the `empty` profile). */
  empty: boolean;
  /** Timezone query adjustment: the identifier's Timezone Offset From UTC in minutes (PS3.4 C.2.2.2.1.3). */
  zoneOffset?: number;
}

export interface QueryFailure {
  status: number;
  offendingElement: number[];
  errorComment: string;
}

const QR_LEVEL = 0x00080052;

function fail(comment: string, ...tags: number[]): QueryFailure {
  // PS3.4 C.4.1.1.4: A900, Identifier does not match SOP Class, with the offending elements.
  return { status: 0xa900, offendingElement: tags, errorComment: comment.slice(0, 64) };
}

function refuse(profile: MatchingProfile, comment: string, ...tags: number[]): QueryFailure {
  return { ...fail(comment, ...tags), status: profile.refusalStatus };
}

/** A key's logical value: trailing padding gone; leading spaces gone where the VR says they are insignificant (PS3.5 Table 6.2-1). */
export function logical(vr: string, raw: string, profile: MatchingProfile): string {
  const last = raw.charCodeAt(raw.length - 1);
  const first = raw.charCodeAt(0);
  // Fast path: nothing to trim (the usual case for stored values).
  if (last !== 0x20 && last !== 0x00 && first !== 0x20) return raw;
  let v = raw.replace(vr === 'UI' ? /[\0 ]+$/ : / +$/, '');
  if (vr === 'AE' || vr === 'CS' || vr === 'DS' || vr === 'IS' || ((vr === 'SH' || vr === 'LO') && !profile.leadingSpacesSignificant)) v = v.replace(/^ +/, '');
  return v;
}

function classify(e: DataElement, ds: DataSet, level: Level, negotiated: Negotiated, profile: MatchingProfile): Key | QueryFailure {
  const entry = entryForTag(e.tag);
  const keyword = entry?.keyword ?? formatTag(e.tag);
  const vr = e.vr === 'UN' && entry ? entry.vr : e.vr;
  const base = { keyword, tag: e.tag, vr, level, matched: true };
  if (e.items || vr === 'SQ') {
    const items = e.items ?? [];
    if (items.length > 1) return fail(`${keyword}: a sequence key holds one item`, e.tag);
    const item = items[0];
    if (!item || item.size === 0) return { ...base, kind: 'universal', values: [] };
    const sub: Key[] = [];
    for (const el of item.elements()) {
      const k = classify(el, item, level, negotiated, profile);
      if ('status' in k) return k;
      sub.push(k);
    }
    return { ...base, kind: 'sequence', values: [], item: sub };
  }
  const value = logical(vr, ds.text(e.tag) ?? '', profile);
  if (value === '') return { ...base, kind: 'universal', values: [] };
  // C.2.2.2.7: with Empty Value Matching, "" (two quotation marks) matches only empty values.
  if (negotiated.emptyValue && value === '""' && EMPTY_VALUE_VRS.has(vr)) return { ...base, kind: 'empty-value', values: [] };
  if (value.includes('\\')) {
    const values = value.split('\\').map((v) => logical(vr, v, profile));
    if (vr === 'UI') return { ...base, kind: 'uid-list', values };
    if (negotiated.multipleValue && MULTI_VALUE_VRS.has(vr)) {
      if (values.some(hasWildcards)) return fail(`${keyword}: no wild cards in Multiple Value Matching`, e.tag);
      return { ...base, kind: 'multi', values, all: true };
    }
    if (profile.multiValueWithoutNegotiation === 'fail') return fail(`${keyword}: several values need Multiple Value Matching`, e.tag);
    return { ...base, kind: 'multi', values, all: profile.multiValueWithoutNegotiation === 'and' };
  }
  if (isRange(vr, value)) return { ...base, kind: 'range', values: [value] };
  if (WILDCARD_VRS.has(vr) && hasWildcards(value)) {
    if (isLoneAsterisk(value)) return { ...base, kind: 'universal', values: [] };
    return { ...base, kind: 'wild', values: [value], regex: wildcardRegExp(value, vr === 'PN' && profile.pnCaseInsensitive) };
  }
  return { ...base, kind: 'single', values: [value] };
}

function levelOf(keyword: string, model: FindModel, queryLevel: Level, store: Store): Level {
  let level = levelOfAttribute(keyword);
  if (!level) {
    for (const l of ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'] as const) if (store.keywordsAt[l].has(keyword)) level = l;
  }
  level ??= queryLevel;
  // PS3.4 C.3.2: in Study Root the patient attributes are study attributes.
  if (model === 'study' && level === 'PATIENT') return 'STUDY';
  return level;
}

/**
 * Reads and checks an identifier (PS3.4 C.4.1.1.3, C.4.1.2): its level, its keys and how each
 * matches, and whether the query is baseline hierarchical — or why it cannot be answered.
 */
export function parseQuery(ds: DataSet, model: FindModel, store: Store, negotiated: Negotiated, profile: MatchingProfile): Query | QueryFailure {
  // PS3.4 C.2.2.2.1.3: with timezone query adjustment, DA/TM/DT keys are in the identifier's zone.
  let zoneOffset: number | undefined;
  if (negotiated.timezone && ds.has(TIMEZONE_OFFSET)) {
    const text = ds.text(TIMEZONE_OFFSET) ?? '';
    zoneOffset = parseOffset(text);
    if (zoneOffset === undefined) return fail(`Timezone Offset From UTC "${text.trim()}" is not +HHMM or -HHMM`, TIMEZONE_OFFSET);
  }
  const query = parseKeys(ds, model, store, negotiated, profile);
  if ('status' in query || zoneOffset === undefined) return query;
  const zone = { query: zoneOffset, store: 0 };
  const adjust = (keys: Key[]) => {
    for (const k of keys) {
      if (k.item) adjust(k.item);
      if (k.vr !== 'DT' || (k.kind !== 'single' && k.kind !== 'range')) continue;
      k.values = k.values.map((v) => (k.kind === 'range' ? joinRange(rangeBounds('DT', v).map((b) => withQueryOffset(b, zone)) as [string, string]) : withQueryOffset(v, zone)));
    }
  };
  adjust(query.keys);
  return { ...query, zoneOffset };
}

const TIMEZONE_OFFSET = 0x00080201;

function joinRange([lo, hi]: [string, string]): string {
  return `${lo}-${hi}`;
}

function parseKeys(ds: DataSet, model: FindModel, store: Store, negotiated: Negotiated, profile: MatchingProfile): Query | QueryFailure {
  if (model === 'mwl') return parseWorklistQuery(ds, negotiated, profile);
  const levels = FIND_MODELS[model].levels as readonly Level[];
  const levelText = ds.text(QR_LEVEL);
  if (levelText === undefined) return fail('Query/Retrieve Level (0008,0052) is missing', QR_LEVEL);
  const level = levelText.trim() as Level;
  if (!levels.includes(level)) return fail(`Query/Retrieve Level "${levelText.trim()}" is not one of ${levels.join(', ')}`, QR_LEVEL);
  if (ds.has('QueryRetrieveView')) return fail('Query/Retrieve View needs extended negotiation byte 5', 0x00080053);
  const depth = levels.indexOf(level);
  const keys: Key[] = [];
  const below: number[] = [];
  for (const e of ds.elements()) {
    const entry = entryForTag(e.tag);
    if (entry && NON_KEY_ATTRIBUTES.has(entry.keyword)) continue;
    const keyLevel = levelOf(entry?.keyword ?? formatTag(e.tag), model, level, store);
    if (levels.indexOf(keyLevel) > depth || !levels.includes(keyLevel)) {
      below.push(e.tag);
      continue;
    }
    const k = classify(e, ds, keyLevel, negotiated, profile);
    if ('status' in k) return k;
    keys.push(k);
  }
  if (below.length) return fail(`keys below the ${level} level`, ...below);
  const uniqueKey = keys.find((k) => k.level === level && k.keyword === UNIQUE_KEY[level as keyof typeof UNIQUE_KEY]);
  if (!uniqueKey) return fail(`the ${level} level unique key ${UNIQUE_KEY[level as keyof typeof UNIQUE_KEY]} is missing`, tagOfKeyword(level));
  let relational = negotiated.relational;
  let empty = false;
  if (!relational) {
    // PS3.4 C.4.1.2.1: a single value of each higher level's unique key, and nothing else from those levels.
    for (const upper of levels.slice(0, depth)) {
      const uk = keys.find((k) => k.level === upper && k.keyword === UNIQUE_KEY[upper as keyof typeof UNIQUE_KEY]);
      if (!uk || uk.kind !== 'single') {
        const what = !uk ? 'is missing' : uk.kind === 'universal' ? 'is universal' : 'is not a single value';
        if (profile.nonBaselineHierarchical === 'fail') return refuse(profile, `hierarchical query: ${UNIQUE_KEY[upper as keyof typeof UNIQUE_KEY]} ${what}`, tagOfKeyword(upper));
        if (profile.nonBaselineHierarchical === 'empty') empty = true;
        else relational = true;
        break;
      }
      const others = keys.filter((k) => k.level === upper && k !== uk && k.kind !== 'universal');
      if (others.length && profile.upperLevelKeys === 'fail') return refuse(profile, `hierarchical query: keys of the ${upper} level`, ...others.map((k) => k.tag));
      if (profile.upperLevelKeys === 'ignore') for (const k of keys) if (k.level === upper && k !== uk) k.matched = false;
    }
  }
  const returned = keys.filter((k) => relational || k.level === level || (k.keyword === UNIQUE_KEY[k.level as keyof typeof UNIQUE_KEY]) || k.matched);
  const combined = negotiated.dateTime ? pairs(keys) : [];
  return { model, level, keys, returned, relational, combined, negotiated, empty };
}

function tagOfKeyword(level: Level): number {
  return { PATIENT: 0x00100020, STUDY: 0x0020000d, SERIES: 0x0020000e, IMAGE: 0x00080018, WORKLIST: 0 }[level];
}


/** C.2.2.2.5.4: a DA range and a TM range of the same form on a date/time pair form one period. */
export function pairs(keys: Key[]): { date: Key; time: Key }[] {
  const out: { date: Key; time: Key }[] = [];
  for (const [d, t] of DATE_TIME_PAIRS) {
    const date = keys.find((k) => k.keyword === d);
    const time = keys.find((k) => k.keyword === t);
    if (!date || !time || date.kind !== 'range' || time.kind !== 'range') continue;
    const [d1, d2] = splitRange(date.values[0]!);
    const [t1, t2] = splitRange(time.values[0]!);
    if ((d1 === '') !== (t1 === '') || (d2 === '') !== (t2 === '')) continue;
    out.push({ date, time });
  }
  return out;
}

export function splitRange(v: string): [string, string] {
  const i = v.indexOf('-');
  return [v.slice(0, i).trim(), v.slice(i + 1).trim()];
}

function parseWorklistQuery(ds: DataSet, negotiated: Negotiated, profile: MatchingProfile): Query | QueryFailure {
  const keys: Key[] = [];
  for (const e of ds.elements()) {
    const entry = entryForTag(e.tag);
    if (entry && (entry.keyword === 'SpecificCharacterSet' || entry.keyword === 'TimezoneOffsetFromUTC')) continue;
    const k = classify(e, ds, 'WORKLIST', negotiated, profile);
    if ('status' in k) return k;
    keys.push(k);
  }
  return { model: 'mwl', level: 'WORKLIST', keys, returned: keys, relational: false, combined: pairs(keys), negotiated, empty: false };
}

import dcmjs from 'dcmjs';
import type { DataElement, DataSet } from '../dataset/data-set.ts';
import { SPECIFIC_CHARACTER_SET } from '../dataset/data-set.ts';
import { entryForTag, formatTag } from '../dataset/dictionary.ts';
import { vrInfo } from '../dataset/vr.ts';
import type { MatchKind, Negotiated } from '../matching/query.ts';
import { EMPTY_VALUE_VRS, MULTI_VALUE_VRS, WILDCARD_VRS, dateTimeMillis, hasWildcards, isLoneAsterisk, isRange, rangeBounds, timeSeconds } from '../matching/rules.ts';
import type { Observation } from './verdict.ts';

/**
 * The values of a C-FIND request identifier as a query client sent them: each element's VR
 * against the data dictionary, its value against the VR (PS3.5 6.2) as PS3.4 C.2.2.2 widens it
 * for matching, the matching type it asks for, and whether its text bytes agree with the
 * Specific Character Set declared.
 */

/** Extended negotiation as agreed on the association (PS3.4 C.5.1.1); absent fields are 0. */
export type RequestNegotiation = Partial<Negotiated> & { enhanced?: boolean };

export interface Judged {
  fails: Observation[];
  findings: Observation[];
}

/** A key as sent: its VR (as judged), its matching type and its logical values. */
export interface SentKey {
  tag: number;
  keyword: string;
  /** The key in words, with its place in sequences. */
  name: string;
  vr: string;
  kind: MatchKind;
  values: string[];
  /** The item of a sequence key. */
  item?: Map<number, SentKey>;
}

export function observation(code: string, rule: string, checklist: number[], text: string): Observation {
  return { code, rule, checklist, text };
}

/** "PatientName (0010,0010)", inside sequences "ScheduledProcedureStepSequence[0].Modality (0008,0060)". */
export function keyName(tag: number, path = ''): string {
  return `${path}${entryForTag(tag)?.keyword ?? 'private or unknown'} ${formatTag(tag)}`;
}

export function quoted(values: readonly string[]): string {
  return values.length === 0 ? 'zero-length' : `"${values.join('\\')}"`;
}

/** A key and the value it was sent with, in words. */
export function shown(k: { name: string; values: readonly string[] }): string {
  return k.values.length === 0 ? `${k.name} (zero-length)` : `${k.name} ${quoted(k.values)}`;
}

/** Not matched, so not judged as keys: the character set, the level, the zone (C.2.2.2, C.4.1.1.3.1). */
const NOT_MATCHED = new Set([SPECIFIC_CHARACTER_SET, 0x00080052, 0x00080201]);

/** PS3.5 Table 6.2-1: maximum length of one value (PN: of one component group). */
const MAX_LENGTH: Record<string, number> = { AE: 16, AS: 4, CS: 16, DA: 8, DS: 16, DT: 26, IS: 12, LO: 64, LT: 10240, PN: 64, SH: 16, ST: 1024, TM: 14, UI: 64 };

/** Text VRs holding a single value whose backslash is text, not a delimiter (PS3.5 6.2). */
const UNSPLIT = new Set(['LT', 'ST', 'UT', 'UR']);

const DEFAULT_ONLY = /[^\x20-\x7e]/;
const CONTROL_SHORT = /[\x00-\x1a\x1c-\x1f\x7f]/;
const CONTROL_TEXT = /[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]/;

/** PS3.5 Table 6.2-1 repertoire and format of one value (wild cards already removed); the fault in words. */
function formatFault(vr: string, v: string): string | undefined {
  switch (vr) {
    case 'AE':
      return DEFAULT_ONLY.test(v) ? 'has characters outside the default repertoire' : undefined;
    case 'CS':
      return /^[A-Z0-9 _]*$/.test(v) ? undefined : 'has characters other than upper-case letters, digits, space and underscore';
    case 'AS':
      return /^\d{3}[DWMY]$/.test(v) ? undefined : 'is not nnnD, nnnW, nnnM or nnnY';
    case 'DA': {
      const m = /^\d{4}(\d{2})(\d{2})$/.exec(v);
      return m && +m[1]! >= 1 && +m[1]! <= 12 && +m[2]! >= 1 && +m[2]! <= 31 ? undefined : 'is not a date YYYYMMDD';
    }
    case 'TM': {
      const m = /^(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d{1,6})?)?)?$/.exec(v);
      return m && +m[1]! < 24 && +(m[2] ?? 0) < 60 && +(m[3] ?? 0) <= 60 ? undefined : 'is not a time HH[MM[SS[.FFFFFF]]]';
    }
    case 'DT':
      return /^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?$/.test(v) ? undefined : 'is not a date-time YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]';
    case 'DS':
      return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v) ? undefined : 'is not a decimal string';
    case 'IS':
      return /^[+-]?\d+$/.test(v) && Math.abs(Number(v)) <= 2 ** 31 ? undefined : 'is not an integer string';
    case 'UI':
      if (v.endsWith(' ')) return 'is padded with a space, not NUL';
      return /^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/.test(v) ? undefined : 'is not a UID (digits and dots, no leading zeros)';
    case 'UR':
      return DEFAULT_ONLY.test(v) || v.startsWith(' ') ? 'has characters a URI cannot hold' : undefined;
    case 'LO':
    case 'SH':
    case 'UC':
      return CONTROL_SHORT.test(v) ? 'has control characters' : undefined;
    case 'PN': {
      if (CONTROL_SHORT.test(v)) return 'has control characters';
      const groups = v.split('=');
      return groups.length > 3 || groups.some((g) => g.split('^').length > 5) ? 'has more than 3 component groups or 5 components' : undefined;
    }
    case 'LT':
    case 'ST':
    case 'UT':
      return CONTROL_TEXT.test(v) ? 'has control characters other than TAB, LF, FF, CR and ESC' : undefined;
  }
  return undefined;
}

/** dcmjs marks VRs that depend on context (US or SS, OB or OW): either is the dictionary's. */
const AMBIGUOUS: Record<string, string[]> = { xs: ['US', 'SS'], ox: ['OB', 'OW'], lt: ['US', 'SS', 'OW'], up: ['UL'] };

function dictionaryVrs(tag: number): string[] | undefined {
  const entry = entryForTag(tag);
  if (!entry) return undefined;
  const names = dcmjs.data.DicomMetaDictionary.nameMap as Record<string, { vr: string } | undefined>;
  const raw = (names[entry.keyword] ?? names[`RETIRED_${entry.keyword}`])?.vr;
  return (raw ? AMBIGUOUS[raw] : undefined) ?? [entry.vr];
}

/** The VR to judge the value with, and whether the VR sent may be judged further (PS3.5 7.1.2, 6.2.2). */
function judgedVr(e: DataElement, name: string, explicitVr: boolean, out: Judged): { vr: string; sound: boolean } {
  const allowed = dictionaryVrs(e.tag);
  if (!explicitVr || !allowed || allowed.includes(e.vr) || (e.items && allowed.includes('SQ'))) return { vr: e.vr === 'UN' && allowed ? allowed[0]! : e.vr, sound: true };
  if (e.vr === 'UN') {
    out.findings.push(observation('vr-unknown-sent', 'PS3.5 6.2.2', [51], `${name} is sent with VR UN; the data dictionary gives ${allowed.join(' or ')}`));
    return { vr: allowed[0]!, sound: true };
  }
  out.fails.push(observation('vr-mismatch', 'PS3.5 7.1.2', [51], `${name} is sent with VR ${e.vr}; the data dictionary gives ${allowed.join(' or ')}`));
  return { vr: allowed[0]!, sound: false };
}

/** The element's text as sent, trailing padding removed (PS3.5 6.2): NUL for UI, spaces otherwise. */
function textOf(ds: DataSet, e: DataElement, vr: string): string {
  const raw = vrInfo(vr)?.charset ? ds.characterSet.decode(e.bytes) : e.bytes.toString('latin1');
  return vr === 'UI' ? raw.replace(/\0+$/, '') : raw.replace(/ +$/, '');
}

/** The matching type one value asks for (PS3.4 C.2.2.2). */
function kindOf(vr: string, v: string, negotiated: RequestNegotiation): MatchKind {
  if (v === '') return 'universal';
  if (negotiated.emptyValue && v === '""' && EMPTY_VALUE_VRS.has(vr)) return 'empty-value';
  if (isRange(vr, v)) return 'range';
  if (WILDCARD_VRS.has(vr) && hasWildcards(v)) return isLoneAsterisk(v) ? 'universal' : 'wild';
  return 'single';
}

/** Compares the two bounds of a range by meaning; true when the first is after the second. */
function reversed(vr: string, lo: string, hi: string): boolean {
  if (vr === 'TM') return timeSeconds(lo) > timeSeconds(hi);
  if (vr === 'DT') return dateTimeMillis(lo) > dateTimeMillis(hi);
  return lo > hi;
}

function checkLength(vr: string, v: string, name: string, out: Judged): void {
  const max = MAX_LENGTH[vr];
  if (max === undefined) return;
  const parts = vr === 'PN' ? v.split('=') : [v];
  const longest = Math.max(...parts.map((p) => [...p].length));
  // C.2.2.2: a key may exceed the VR's length, so this is reported, not failed.
  if (longest > max) out.findings.push(observation('vr-length-exceeded', 'PS3.4 C.2.2.2', [94], `${name} "${v}" has ${longest} characters, more than the ${max} of VR ${vr} (PS3.5 Table 6.2-1), which C.2.2.2 permits for a key`));
}

/** One value of a text key: wild cards, ranges, repertoire and length. */
function checkValue(vr: string, v: string, name: string, out: Judged, negotiated: RequestNegotiation): void {
  if (v === '') return;
  if (v === '""' && EMPTY_VALUE_VRS.has(vr)) {
    // C.2.2.2.7: "" asks for Empty Value Matching, which only means that when negotiated.
    if (!negotiated.emptyValue) out.findings.push(observation('empty-value-not-negotiated', 'PS3.4 C.2.2.2.7', [91], `${name} is "" (Empty Value Matching) but Empty Value Matching was not negotiated: the archive reads it literally`));
    return;
  }
  if (!WILDCARD_VRS.has(vr) && hasWildcards(v) && vrInfo(vr)?.text) {
    // C.2.2.2.4: wild cards exist for AE, CS, LO, LT, PN, SH, ST, UC, UR and UT only.
    out.fails.push(observation('wildcard-not-allowed', 'PS3.4 C.2.2.2.4', [85], `${name} "${v}" has a wild card, which VR ${vr} does not allow${vr === 'DA' || vr === 'TM' || vr === 'DT' ? ' (range matching instead)' : ''}`));
    return;
  }
  if (isRange(vr, v)) {
    const [lo, hi] = rangeBounds(vr, v);
    if (lo === '' && hi === '') {
      out.fails.push(observation('vr-invalid-value', 'PS3.4 C.2.2.2.5', [86], `${name} "${v}" is a range without either bound`));
      return;
    }
    for (const b of [lo, hi]) if (b !== '') checkValue(vr, b, name, out, negotiated);
    // C.2.2.2.5: the first bound is less than or equal to the second; otherwise matching is undefined.
    if (lo !== '' && hi !== '' && !formatFault(vr, lo) && !formatFault(vr, hi) && reversed(vr, lo, hi)) {
      out.findings.push(observation('range-reversed', 'PS3.4 C.2.2.2.5', [86], `${name} "${v}": its first bound is after its second, which C.2.2.2.5 leaves undefined`));
    }
    return;
  }
  if (['UI', 'IS', 'DS', 'AS'].includes(vr) && /[\d.]\s*-/.test(v)) {
    // C.2.2.2.5.4: range matching is defined for dates and times only.
    out.fails.push(observation('range-not-allowed', 'PS3.4 C.2.2.2.5.4', [86], `${name} "${v}" looks like a range, which VR ${vr} does not allow`));
    return;
  }
  const bare = WILDCARD_VRS.has(vr) ? v.replace(/[*?]/g, '') : v;
  const trimmed = vr === 'AE' || vr === 'CS' || vr === 'DS' || vr === 'IS' ? bare.trim() : bare;
  const fault = formatFault(vr, trimmed);
  // PS3.5 Table 6.2-1; '*', '?', '-' and '"' need not be in the VR's repertoire when they ask for a matching type (C.2.2.2).
  if (fault) out.fails.push(observation('vr-invalid-value', 'PS3.5 6.2', [94], `${name} "${v}" ${fault} (VR ${vr})`));
  checkLength(vr, v, name, out);
}

/** Several values in one key: a UID list, or Multiple Value Matching only when negotiated (C.2.2.2.2, C.2.2.2.8). */
function checkMultiple(tag: number, vr: string, values: string[], name: string, out: Judged, negotiated: RequestNegotiation): void {
  if (vr === 'UI' || tag === SPECIFIC_CHARACTER_SET) return;
  const sent = quoted(values);
  if (!negotiated.multipleValue) {
    out.findings.push(observation('multiple-values-not-negotiated', 'PS3.4 C.2.2.2.8', [92], `${name} ${sent} has several values without Multiple Value Matching negotiated: their meaning is undefined`));
    return;
  }
  if (!MULTI_VALUE_VRS.has(vr) || entryForTag(tag)?.vm === '1') {
    out.findings.push(observation('multiple-values-not-applicable', 'PS3.4 C.2.2.2.8', [92], `${name} ${sent} has several values, but Multiple Value Matching covers only AE, AS, AT, CS, LO, PN, SH and UC attributes of VM above 1`));
    return;
  }
  if (values.some(hasWildcards)) out.fails.push(observation('multiple-values-wildcard', 'PS3.4 C.2.2.2.8', [92], `${name} ${sent}: Multiple Value Matching keys hold no wild cards`));
}

/**
 * Judges every element of an identifier (and of its sequence items): VR, even length, value and
 * matching type. Returns the keys found, by tag, with their matching type.
 */
export function judgeKeys(ds: DataSet, explicitVr: boolean, negotiated: RequestNegotiation, out: Judged, path = ''): Map<number, SentKey> {
  const keys = new Map<number, SentKey>();
  for (const e of ds.elements()) {
    const name = keyName(e.tag, path);
    const keyword = entryForTag(e.tag)?.keyword ?? formatTag(e.tag);
    const { vr, sound } = judgedVr(e, name, explicitVr, out);
    if (e.items) {
      // C.2.2.2.6: a sequence key holds one item (none, or an empty one, asks for the whole sequence).
      if (e.items.length > 1) out.fails.push(observation('sequence-items', 'PS3.4 C.2.2.2.6', [90], `${name} holds ${e.items.length} items; a sequence key holds one`));
      const item = e.items[0] && e.items[0].size > 0 ? judgeKeys(e.items[0], explicitVr, negotiated, out, `${path}${keyword}[0].`) : undefined;
      keys.set(e.tag, { tag: e.tag, keyword, name, vr: 'SQ', kind: item ? 'sequence' : 'universal', values: [], ...(item && { item }) });
      continue;
    }
    // PS3.5 7.1.1: every value field has an even length.
    if (e.bytes.length % 2 === 1) out.fails.push(observation('odd-length', 'PS3.5 7.1.1', [95], `${name} has an odd value length (${e.bytes.length} bytes)`));
    const info = vrInfo(vr);
    if (!info?.text) {
      if (sound && info?.size && e.bytes.length % info.size !== 0) out.fails.push(observation('vr-invalid-value', 'PS3.5 6.2', [94], `${name} is ${e.bytes.length} bytes, not a whole number of ${vr} values`));
      keys.set(e.tag, { tag: e.tag, keyword, name, vr, kind: e.bytes.length ? 'single' : 'universal', values: [] });
      continue;
    }
    const text = textOf(ds, e, vr);
    const values = text === '' ? [] : UNSPLIT.has(vr) ? [text] : text.split('\\');
    if (sound && values.length > 1 && !NOT_MATCHED.has(e.tag)) checkMultiple(e.tag, vr, values, name, out, negotiated);
    if (sound) for (const v of values) checkValue(vr, v, name, out, NOT_MATCHED.has(e.tag) ? {} : negotiated);
    const kind: MatchKind = values.length > 1 ? (vr === 'UI' ? 'uid-list' : 'multi') : kindOf(vr, values[0] ?? '', negotiated);
    keys.set(e.tag, { tag: e.tag, keyword, name, vr, kind, values });
  }
  return keys;
}

const ISO_2022 = /^ISO 2022 /;
/** U+FFFD sent on purpose in UTF-8 is a character, not a decoding failure. */
const REPLACEMENT_UTF8 = Buffer.from([0xef, 0xbf, 0xbd]);

/** PS3.4 C.2.2.2, C.4.1.1.3.1 and PS3.5 6.1: the text bytes of the identifier against its Specific Character Set. */
export function judgeCharacterSet(ds: DataSet, out: Judged): void {
  const declared = ds.element(SPECIFIC_CHARACTER_SET);
  if (declared && declared.bytes.length === 0) out.fails.push(observation('charset-empty', 'PS3.4 C.2.2.2', [96], 'Specific Character Set (0008,0005) is zero-length'));
  const cs = ds.characterSet;
  const terms = cs.terms.filter((t) => t !== '');
  if (cs.problems.length) out.findings.push(observation('charset-unknown-term', 'PS3.3 C.12.1.1.2', [96], `Specific Character Set "${cs.terms.join('\\')}" is not a Defined Term this harness knows; its text was not judged`));
  const multiByteAlone = terms.some((t) => t === 'ISO_IR 192' || t === 'GB18030' || t === 'GBK');
  if (multiByteAlone && cs.terms.length > 1) out.fails.push(observation('charset-invalid', 'PS3.3 C.12.1.1.2', [96], `Specific Character Set "${cs.terms.join('\\')}": ISO_IR 192, GB18030 and GBK take no code extensions, so no second value`));
  if (cs.problems.length) return;
  const uses2022 = cs.terms.length > 1 || terms.some((t) => ISO_2022.test(t));
  const singleByte = !uses2022 && terms.length === 1 && /^ISO_IR \d+$/.test(terms[0]!) && terms[0] !== 'ISO_IR 192' && !cs.isDefault;
  const undeclared: string[] = [];
  const escapes: string[] = [];
  const invalid: string[] = [];
  const visit = (d: DataSet, path: string) => {
    for (const e of d.elements()) {
      const keyword = entryForTag(e.tag)?.keyword ?? formatTag(e.tag);
      if (e.items) {
        e.items.forEach((it, i) => visit(it, `${path}${keyword}[${i}].`));
        continue;
      }
      const vr = e.vr === 'UN' ? (entryForTag(e.tag)?.vr ?? 'UN') : e.vr;
      if (!vrInfo(vr)?.charset) continue;
      const bytes = `${keyName(e.tag, path)} (bytes ${e.bytes.toString('hex')})`;
      const high = e.bytes.some((b) => b > 0x7f);
      const esc = e.bytes.includes(0x1b);
      if ((high || esc) && d.characterSet.isDefault) undeclared.push(bytes);
      else if (esc && !uses2022) escapes.push(bytes);
      else if ((singleByte && e.bytes.some((b) => b >= 0x80 && b <= 0x9f)) || (d.characterSet.decode(e.bytes).includes('\ufffd') && !e.bytes.includes(REPLACEMENT_UTF8))) invalid.push(bytes);
    }
  };
  visit(ds, '');
  const named = declared ? `Specific Character Set "${cs.terms.join('\\')}"` : 'no Specific Character Set (0008,0005)';
  // C.4.1.1.3.1, PS3.5 6.1.2.3: bytes outside the default repertoire need a Specific Character Set that declares them.
  if (undeclared.length) out.fails.push(observation('charset-inconsistent', 'PS3.4 C.4.1.1.3.1', [96, 99], `text outside the default repertoire with ${named}: ${undeclared.join(', ')}`));
  // PS3.5 6.1.2.5: escape sequences belong to ISO 2022 code extensions only.
  if (escapes.length) out.fails.push(observation('charset-inconsistent', 'PS3.5 6.1.2.5', [96], `escape sequences with ${named}, which uses no code extensions: ${escapes.join(', ')}`));
  if (invalid.length) out.fails.push(observation('charset-invalid-bytes', 'PS3.5 6.1', [96], `bytes that are not characters of ${named}: ${invalid.join(', ')}`));
}

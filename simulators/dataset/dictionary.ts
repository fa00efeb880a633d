import dcmjs from 'dcmjs';

/** One attribute of the data dictionary (PS3.6), as this product looks it up. */
export interface DictionaryEntry {
  tag: number;
  keyword: string;
  vr: string;
  vm: string;
  retired: boolean;
}

/**
 * Keyword ↔ tag ↔ VR, read once from dcmjs's copy of PS3.6 into our own maps. Ambiguous VRs
 * are resolved the usual way for implicit syntax: US or SS → US, OB or OW → OW, pointers → UL.
 */
function build(): { byTag: Map<number, DictionaryEntry>; byKeyword: Map<string, DictionaryEntry> } {
  const byTag = new Map<number, DictionaryEntry>();
  const byKeyword = new Map<string, DictionaryEntry>();
  for (const [name, e] of Object.entries(dcmjs.data.DicomMetaDictionary.nameMap)) {
    const m = /^\(([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\)$/.exec(e.tag);
    if (!m) continue;
    const tag = parseInt(m[1]! + m[2]!, 16) >>> 0;
    const retired = name.startsWith('RETIRED_');
    const keyword = retired ? name.slice('RETIRED_'.length) : name;
    const vr = e.vr === 'xs' || e.vr === 'lt' ? 'US' : e.vr === 'ox' ? 'OW' : e.vr === 'up' ? 'UL' : e.vr === 'na' ? 'NA' : e.vr;
    const entry: DictionaryEntry = { tag, keyword, vr, vm: e.vm, retired };
    if (!byTag.has(tag) || !retired) byTag.set(tag, entry);
    if (!byKeyword.has(keyword) || !retired) byKeyword.set(keyword, entry);
  }
  return { byTag, byKeyword };
}

const { byTag, byKeyword } = build();

export function entryForTag(tag: number): DictionaryEntry | undefined {
  return byTag.get(tag);
}

export function entryForKeyword(keyword: string): DictionaryEntry | undefined {
  return byKeyword.get(keyword);
}

export const ITEM = 0xfffee000;
export const ITEM_DELIMITATION = 0xfffee00d;
export const SEQUENCE_DELIMITATION = 0xfffee0dd;

/** The VR a tag has in implicit syntax: dictionary, then group lengths (UL) and private creators (LO), else UN. */
export function implicitVr(tag: number): string {
  const e = byTag.get(tag);
  if (e) return e.vr;
  const group = tag >>> 16;
  const element = tag & 0xffff;
  if (element === 0) return 'UL';
  if (group % 2 === 1 && element >= 0x0010 && element <= 0x00ff) return 'LO';
  return 'UN';
}

/** Keyword of a tag, or its (gggg,eeee) form. */
export function tagName(tag: number): string {
  return byTag.get(tag)?.keyword ?? formatTag(tag);
}

export function formatTag(tag: number): string {
  const g = (tag >>> 16).toString(16).padStart(4, '0').toUpperCase();
  const e = (tag & 0xffff).toString(16).padStart(4, '0').toUpperCase();
  return `(${g},${e})`;
}

/** A tag from a keyword, "(gggg,eeee)", "ggggeeee" or a number. */
export function parseTag(key: string | number): number | undefined {
  if (typeof key === 'number') return key >>> 0;
  const e = byKeyword.get(key);
  if (e) return e.tag;
  const m = /^\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\)?$/.exec(key.trim());
  return m ? parseInt(m[1]! + m[2]!, 16) >>> 0 : undefined;
}

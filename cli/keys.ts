import { DataSet } from '../simulators/dataset/data-set.ts';
import { entryForTag, implicitVr, parseTag, tagName } from '../simulators/dataset/dictionary.ts';
import { vrInfo } from '../simulators/dataset/vr.ts';
import { UsageError } from './args.ts';

/** Integer VRs and their ranges (PS3.5 Table 6.2-1). */
const INTEGER_RANGES: Record<string, [number, number]> = {
  US: [0, 0xffff],
  SS: [-0x8000, 0x7fff],
  UL: [0, 0xffffffff],
  SL: [-0x80000000, 0x7fffffff],
  UV: [0, Number.MAX_SAFE_INTEGER],
  SV: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/**
 * Builds an identifier from findscu-style keys: `Key=Value`, `Key` (zero length: universal),
 * `Key=A\B` (several values), and paths into sequences `Seq[0].Key=Value` or `Seq.Key`
 * (item 0). Keys are keywords, (gggg,eeee) or gggg,eeee. Everything after the first `=` is the
 * value. A malformed key is a UsageError whose message is one line naming the key.
 */
export function identifierFromKeys(keys: readonly string[], characterSet?: string): DataSet {
  const ds = new DataSet();
  if (characterSet) ds.set('SpecificCharacterSet', characterSet.split('\\'));
  for (const k of keys) addKey(ds, k);
  return ds;
}

function addKey(ds: DataSet, k: string): void {
  const bad = (why: string) => new UsageError(`-k "${k}": ${why}`);
  const eq = k.indexOf('=');
  const path = (eq < 0 ? k : k.slice(0, eq)).trim();
  const value = eq < 0 ? null : k.slice(eq + 1);
  if (path === '') throw bad(eq < 0 ? 'empty key; give Keyword=Value, Keyword or (gggg,eeee)=Value' : 'no keyword or tag before "="');
  const segments = path.split('.');
  let target = ds;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!.trim();
    if (segment === '') throw bad('a "." with no keyword beside it');
    const m = /^(.+?)(?:\[(\d+)\])?$/.exec(segment)!;
    const name = m[1]!;
    const tag = balanced(name) ? parseTag(name) : undefined;
    if (tag === undefined) throw bad(`"${name}" is not a keyword of the data dictionary or a (gggg,eeee) tag`);
    const last = i === segments.length - 1;
    const isSequence = entryForTag(tag)?.vr === 'SQ';
    if (!isSequence && m[2] !== undefined) throw bad(`${tagName(tag)} is not a sequence; [${m[2]}] selects an item of a sequence`);
    if (last && !(isSequence && value === null)) {
      if (isSequence) throw bad(`${tagName(tag)} is a sequence; give a key inside it, e.g. ${tagName(tag)}[0].Keyword=value`);
      setValue(target, tag, value, bad);
      return;
    }
    if (!isSequence) throw bad(`${tagName(tag)} is not a sequence`);
    const index = Number(m[2] ?? 0);
    const items = target.items(tag) ?? [];
    while (items.length <= index) items.push(new DataSet(true, target));
    if (!target.has(tag)) target.put({ tag, vr: 'SQ', bytes: Buffer.alloc(0), items });
    else target.element(tag)!.items = items;
    if (last) return;
    target = items[index]!;
  }
}

/** `(0010,0010)` and `0010,0010` are tags; `(0010,0010` is a typo. */
function balanced(name: string): boolean {
  return name.startsWith('(') === name.endsWith(')');
}

function setValue(target: DataSet, tag: number, value: string | null, bad: (why: string) => UsageError): void {
  const vr = implicitVr(tag);
  const info = vrInfo(vr);
  const label = `${tagName(tag)} (${vr})`;
  const values = value === null || value === '' ? [] : value.split('\\');
  if (values.length > 0 && info && !info.text && info.size === undefined) {
    throw bad(`${label} holds bytes, which -k cannot give; use "${tagName(tag)}" alone for universal matching`);
  }
  const range = INTEGER_RANGES[vr];
  for (const v of values) {
    if (range && !(/^[+-]?\d+$/.test(v.trim()) && Number(v) >= range[0] && Number(v) <= range[1])) throw bad(`${label} takes whole numbers from ${range[0]} to ${range[1]}, got "${v}"`);
    if ((vr === 'FL' || vr === 'FD') && (v.trim() === '' || !Number.isFinite(Number(v)))) throw bad(`${label} takes numbers, got "${v}"`);
  }
  try {
    target.set(tag, value === null ? null : values.length > 1 ? values : value);
  } catch (e) {
    throw bad((e as Error).message.replace(/^\([0-9A-Fa-f]{4},[0-9A-Fa-f]{4}\): /, ''));
  }
}

import { DataSet } from '../simulators/dataset/data-set.ts';
import { entryForTag, parseTag, tagName } from '../simulators/dataset/dictionary.ts';
import { UsageError } from './args.ts';

/**
 * Builds an identifier from findscu-style keys: `Key=Value`, `Key` (zero length: universal),
 * `Key=A\B` (several values), and paths into sequences `Seq[0].Key=Value` or `Seq.Key`
 * (item 0). Keys are keywords or (gggg,eeee).
 */
export function identifierFromKeys(keys: readonly string[], characterSet?: string): DataSet {
  const ds = new DataSet();
  if (characterSet) ds.set('SpecificCharacterSet', characterSet.split('\\'));
  for (const k of keys) {
    const eq = k.indexOf('=');
    const path = (eq < 0 ? k : k.slice(0, eq)).trim();
    const value = eq < 0 ? null : k.slice(eq + 1);
    const segments = path.split('.');
    let target = ds;
    for (let i = 0; i < segments.length; i++) {
      const m = /^(.+?)(?:\[(\d+)\])?$/.exec(segments[i]!)!;
      const tag = parseTag(m[1]!);
      if (tag === undefined) throw new UsageError(`-k ${k}: "${m[1]}" is not a keyword or (gggg,eeee) tag`);
      const last = i === segments.length - 1;
      const isSequence = entryForTag(tag)?.vr === 'SQ';
      if (last && !(isSequence && value === null)) {
        if (isSequence) throw new UsageError(`-k ${k}: ${tagName(tag)} is a sequence; give a key inside it, e.g. ${tagName(tag)}[0].Keyword=value`);
        target.set(tag, value === null ? null : value.includes('\\') ? value.split('\\') : value);
        break;
      }
      if (!isSequence) throw new UsageError(`-k ${k}: ${tagName(tag)} is not a sequence`);
      const index = Number(m[2] ?? 0);
      const items = target.items(tag) ?? [];
      while (items.length <= index) items.push(new DataSet(true, target));
      if (!target.has(tag)) target.put({ tag, vr: 'SQ', bytes: Buffer.alloc(0), items });
      else target.element(tag)!.items = items;
      if (last) break;
      target = items[index]!;
    }
  }
  return ds;
}

import type { DataSet } from '../dataset/data-set.ts';
import { entryForTag } from '../dataset/dictionary.ts';
import type { Entity, Item, Level } from '../store/entities.ts';
import { UNIQUE_KEY } from '../store/entities.ts';
import type { Store } from '../store/store.ts';
import { identityOf } from './oracle.ts';
import { sameValue } from './values.ts';

/**
 * Which declared entity a Pending describes. Q/R entities by their unique key at the query
 * level (PS3.4 C.2.2.1.1). Worklist items have no unique key (PS3.4 K.6.1): by their Scheduled
 * Procedure Step ID when the response carries it, else by the one item whose declared values
 * agree with every non-empty value returned.
 */
export function identityOfResponse(ds: DataSet | undefined, level: Level, store?: Store): string | undefined {
  if (!ds) return undefined;
  if (level !== 'WORKLIST') return ds.text(UNIQUE_KEY[level as keyof typeof UNIQUE_KEY]) || undefined;
  const id = ds.items('ScheduledProcedureStepSequence')?.[0]?.text('ScheduledProcedureStepID');
  if (id) return id;
  if (!store) return undefined;
  const fits = store.worklist.filter((w) => agrees(ds, w.values));
  return fits.length === 1 ? identityOf(fits[0]!, 'WORKLIST') : undefined;
}

/** Every non-empty text value of `ds` (and of its items, against the declared items) equals the declared one. */
function agrees(ds: DataSet, declared: Item): boolean {
  for (const e of ds.elements()) {
    const kw = entryForTag(e.tag)?.keyword;
    if (!kw || kw === 'SpecificCharacterSet') continue;
    const d = declared[kw];
    if (e.items) {
      const items = Array.isArray(d) && typeof d[0] === 'object' ? (d as Item[]) : [];
      if (!e.items.every((it) => it.size === 0 || items.some((di) => agrees(it, di)))) return false;
      continue;
    }
    const got = ds.values(e.tag);
    if (!got || got.every((v) => v === '')) continue;
    if (!sameValue(kw, d, got)) return false;
  }
  return true;
}


export function entityFor(store: Store, level: Level, id: string): Entity | undefined {
  if (level === 'WORKLIST') return store.worklist.find((w) => identityOf(w, 'WORKLIST') === id);
  if (level === 'PATIENT') return store.patientsWithId(id)[0];
  return store.byUniqueKey(level as 'STUDY' | 'SERIES' | 'IMAGE', id);
}

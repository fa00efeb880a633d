import type { DataSet } from '../dataset/data-set.ts';
import { entryForTag, formatTag } from '../dataset/dictionary.ts';
import { vrInfo } from '../dataset/vr.ts';
import type { FindModel } from '../dimse/find.ts';
import { valueFor } from '../matching/engine.ts';
import { mustBeReturned } from '../matching/key-types.ts';
import type { Query } from '../matching/query.ts';
import type { Entity, Item, Level } from '../store/entities.ts';
import { LEVEL_ORDER, UNIQUE_KEY } from '../store/entities.ts';
import { NON_KEY_ATTRIBUTES } from '../store/levels.ts';
import type { Store } from '../store/store.ts';
import { isItems, returnedValues, sameValue, showDeclared } from './values.ts';
import type { Observation } from './verdict.ts';

/** Attributes a Q/R Pending may carry beyond the requested keys (PS3.4 C.4.1.1.3.2). */
const QR_EXTRAS = new Set(['QueryRetrieveLevel', 'SpecificCharacterSet', 'TimezoneOffsetFromUTC', 'RetrieveAETitle', 'StorageMediaFileSetID', 'StorageMediaFileSetUID', 'InstanceAvailability']);
/** … and a worklist Pending (PS3.4 K.4.1.1.3.2). */
const MWL_EXTRAS = new Set(['SpecificCharacterSet', 'TimezoneOffsetFromUTC', 'HL7StructuredDocumentReferenceSequence']);
const AVAILABILITY = new Set(['ONLINE', 'NEARLINE', 'OFFLINE', 'UNAVAILABLE']);

export interface PendingContext {
  store: Store;
  model: FindModel;
  level: Level;
  request: DataSet;
  /** The query as the closest permitted reading parsed it: which keys are returned. */
  query: Query;
  /** Pending status of this response (FF00 / FF01). */
  status: number;
}

/** One Pending's breaches, each once (the caller folds the same breach over many Pendings). */
export function checkPending(ds: DataSet, entity: Entity | undefined, who: string, c: PendingContext): Observation[] {
  const out: Observation[] = [];
  const qr = c.model !== 'mwl';
  const requested = new Set(c.request.elements().map((e) => entryForTag(e.tag)?.keyword ?? formatTag(e.tag)));
  if (qr) {
    const level = ds.text('QueryRetrieveLevel');
    const asked = c.request.text('QueryRetrieveLevel')?.trim();
    if (level === undefined) out.push({ code: 'level-missing', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: 'a Pending without Query/Retrieve Level (0008,0052)' });
    else if (level.trim() !== asked) out.push({ code: 'level-changed', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: `a Pending with Query/Retrieve Level "${level.trim()}" for a request at "${asked}"` });
    // C.4.1.3.1.1 a: every unique key of the levels above the query level.
    const depth = LEVEL_ORDER.indexOf(c.level);
    for (const l of LEVEL_ORDER.slice(c.model === 'study' ? 1 : 0, Math.max(depth, 0))) {
      const kw = UNIQUE_KEY[l as keyof typeof UNIQUE_KEY];
      if (!ds.text(kw)) out.push({ code: 'upper-unique-key-missing', rule: 'PS3.4 C.4.1.3.1.1', checklist: [76, 100], text: `${who}: no ${kw}, the unique key of the ${l} level above` });
      else if (entity && ds.text(kw) !== entity.at(l)?.values[kw]) out.push({ code: 'value-changed', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: `${who}: ${kw} "${ds.text(kw)}" is not its ${l.toLowerCase()}'s "${entity.at(l)?.values[kw]}"` });
    }
    const aet = ds.element('RetrieveAETitle');
    if (!aet && !(ds.has('StorageMediaFileSetID') && ds.has('StorageMediaFileSetUID'))) {
      out.push({ code: 'retrieve-location-missing', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: 'a Pending with neither Retrieve AE Title (0008,0054) nor the Storage Media File-Set ID and UID' });
    } else if (aet && aet.bytes.length === 0 && c.level === 'IMAGE' && !ds.has('StorageMediaFileSetID')) {
      out.push({ code: 'retrieve-ae-empty', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: 'a zero-length Retrieve AE Title at the lowest level (IMAGE)' });
    }
    const avail = ds.text('InstanceAvailability');
    if (avail !== undefined && !AVAILABILITY.has(avail.trim())) out.push({ code: 'instance-availability-invalid', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: `Instance Availability "${avail}" is not ONLINE, NEARLINE, OFFLINE or UNAVAILABLE` });
  }
  // Nothing that was not asked for or allowed (C.4.1.1.3.2, K.4.1.1.3.2).
  const upper = new Set(qr ? LEVEL_ORDER.slice(0, LEVEL_ORDER.indexOf(c.level)).filter((l) => !(c.model === 'study' && l === 'PATIENT')).map((l) => UNIQUE_KEY[l as keyof typeof UNIQUE_KEY]) : []);
  for (const e of ds.elements()) {
    if ((e.tag & 0xffff) === 0) continue; // group lengths are encoding, not attributes
    const kw = entryForTag(e.tag)?.keyword ?? formatTag(e.tag);
    if (requested.has(kw) || upper.has(kw) || (qr ? QR_EXTRAS : MWL_EXTRAS).has(kw)) continue;
    out.push({ code: 'attribute-not-requested', rule: qr ? 'PS3.4 C.4.1.1.3.2' : 'PS3.4 K.4.1.1.3.2', checklist: [qr ? 100 : 110], text: `${kw} ${formatTag(e.tag)} was not requested` });
  }
  // Requested keys: present (required always; optional unless FF01), with the entity's values.
  const returned = new Set(c.query.returned.map((k) => k.keyword));
  for (const kw of requested) {
    // Higher unique keys were checked above (C.4.1.3.1.1 a).
    if (NON_KEY_ATTRIBUTES.has(kw) || upper.has(kw)) continue;
    const key = c.query.keys.find((k) => k.keyword === kw);
    if (!key || !returned.has(kw)) continue;
    const required = mustBeReturned(c.model, key.level, kw);
    if (!ds.has(kw)) {
      if (required) out.push({ code: 'required-key-missing', rule: qr ? 'PS3.4 C.2.2.1.2' : 'PS3.4 K.2.2.1.2', checklist: [qr ? 73 : 106], text: `${who}: the Required Key ${kw} is missing (it is returned even when empty)` });
      else if (c.status === 0xff00) out.push({ code: 'ff00-optional-key-absent', rule: 'PS3.4 C.2.2.1.3, Table C.4-1', checklist: [74], text: `${who}: the Optional Key ${kw} is missing from a Pending with status FF00, which says every Optional Key was supported (FF01 is due)` });
      continue;
    }
    if (!entity) continue;
    const declared = valueFor(c.store, entity, key, c.query);
    if (key.vr === 'SQ' || isItems(declared)) {
      const wrong = sequenceDiffers(ds, kw, declared);
      if (wrong) out.push({ code: 'value-changed', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: `${who}: ${kw} ${wrong}` });
      continue;
    }
    const got = returnedValues(ds, kw);
    if (got && !sameValue(kw, declared, got)) out.push({ code: 'value-changed', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: `${who}: ${kw} is "${got.join('\\')}", the data set holds "${showDeclared(declared)}"` });
  }
  out.push(...charsetProblems(ds, who));
  return out;
}

/** Items returned for a sequence key hold values of the declared items (only requested attributes are compared). */
function sequenceDiffers(ds: DataSet, kw: string, declared: unknown): string | undefined {
  const items = ds.items(kw) ?? [];
  const decl = isItems(declared as never) ? (declared as Item[]) : [];
  for (const it of items) {
    const fits = decl.some((d) =>
      it.elements().every((e) => {
        const sub = entryForTag(e.tag)?.keyword;
        if (!sub || e.items) return true;
        return sameValue(sub, d[sub], it.values(sub) ?? []);
      }),
    );
    if (!fits) return `holds an item (${JSON.stringify(it.toObject())}) that is not one of the data set's`;
  }
  return undefined;
}

/** C.4.1.1.3.2: non-default text needs (0008,0005); its bytes must be valid in the set declared (PS3.5 6.1). */
export function charsetProblems(ds: DataSet, who: string): Observation[] {
  let high = false;
  let replaced = false;
  const visit = (d: DataSet) => {
    for (const e of d.elements()) {
      if (e.items) {
        e.items.forEach(visit);
        continue;
      }
      if (!vrInfo(e.vr)?.charset) continue;
      if (e.bytes.some((b) => b > 0x7f || b === 0x1b)) high = true;
      if (d.text(e.tag)?.includes('\ufffd')) replaced = true;
    }
  };
  visit(ds);
  const out: Observation[] = [];
  if (high && !ds.has('SpecificCharacterSet')) out.push({ code: 'charset-missing', rule: 'PS3.4 C.4.1.1.3.2', checklist: [97], text: `${who}: text outside the default repertoire without Specific Character Set (0008,0005)` });
  else if (replaced) out.push({ code: 'charset-wrong', rule: 'PS3.5 6.1', checklist: [97], text: `${who}: text bytes that are not valid in the declared Specific Character Set "${ds.text('SpecificCharacterSet')}"` });
  return out;
}

import type { DataSet } from '../dataset/data-set.ts';
import { entryForTag, formatTag } from '../dataset/dictionary.ts';
import { vrInfo } from '../dataset/vr.ts';
import { FIND_MODELS } from '../dimse/find.ts';
import type { FindModel } from '../dimse/find.ts';
import { valueFor } from '../matching/engine.ts';
import { isRequiredOrUnique, mustBeReturned } from '../matching/key-types.ts';
import type { Key, Query } from '../matching/query.ts';
import type { AttrValue, Entity, Item, Level } from '../store/entities.ts';
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
  /** The Pending status the identifier is read under (FF00 / FF01, read per query). */
  status: number;
  /** Relational queries were negotiated: the higher levels' attributes come from C.4.1.3.2.2. */
  relational: boolean;
}

export interface PendingJudgement {
  fails: Observation[];
  /** What the standard permits but the vendor should know (a value the SCP does not send). */
  findings: Observation[];
}

const keywordOf = (tag: number) => entryForTag(tag)?.keyword ?? formatTag(tag);
const isEmptyDeclared = (v: AttrValue | undefined) => v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** One Pending's breaches, each once (the caller folds the same breach over many Pendings). */
export function checkPending(ds: DataSet, entity: Entity | undefined, who: string, c: PendingContext): PendingJudgement {
  const fails: Observation[] = [];
  const findings: Observation[] = [];
  const qr = c.model !== 'mwl';
  const requested = new Set(c.request.elements().map((e) => keywordOf(e.tag)));
  const upper = new Set(qr ? LEVEL_ORDER.slice(0, LEVEL_ORDER.indexOf(c.level)).filter((l) => !(c.model === 'study' && l === 'PATIENT')).map((l) => UNIQUE_KEY[l as keyof typeof UNIQUE_KEY]) : []);
  if (qr) {
    const level = ds.text('QueryRetrieveLevel');
    const asked = c.request.text('QueryRetrieveLevel')?.trim();
    if (level === undefined) fails.push({ code: 'level-missing', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: 'a Pending without Query/Retrieve Level (0008,0052)' });
    else if (level.trim() !== asked) fails.push({ code: 'level-changed', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: `a Pending with Query/Retrieve Level "${level.trim()}" for a request at "${asked}"` });
    // Every unique key of the levels above: C.4.1.3.1.1 a (hierarchical), C.4.1.3.2.2 c (relational).
    const rule = c.relational ? 'PS3.4 C.4.1.3.2.2' : 'PS3.4 C.4.1.3.1.1';
    for (const kw of upper) {
      const l = LEVEL_ORDER.find((x) => UNIQUE_KEY[x as keyof typeof UNIQUE_KEY] === kw)!;
      if (!ds.text(kw)) fails.push({ code: 'upper-unique-key-missing', rule, checklist: [76, 100], text: `${who}: no ${kw}, the unique key of the ${l} level above` });
      else if (entity && ds.text(kw) !== entity.at(l)?.values[kw]) fails.push({ code: 'value-changed', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: `${who}: ${kw} "${ds.text(kw)}" is not its ${l.toLowerCase()}'s "${entity.at(l)?.values[kw]}"` });
    }
    const lowest = FIND_MODELS[c.model].levels.at(-1);
    const aet = ds.element('RetrieveAETitle');
    if (!aet && !(ds.has('StorageMediaFileSetID') && ds.has('StorageMediaFileSetUID'))) {
      fails.push({ code: 'retrieve-location-missing', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: 'a Pending with neither Retrieve AE Title (0008,0054) nor the Storage Media File-Set ID and UID' });
    } else if (c.level === lowest && (aet ? aet.bytes.length === 0 && !ds.element('StorageMediaFileSetID')?.bytes.length : !ds.element('StorageMediaFileSetID')?.bytes.length)) {
      fails.push({ code: 'retrieve-location-empty', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: `a zero-length retrieve location at the lowest level (${lowest}); it may be empty only above it` });
    }
    const avail = ds.text('InstanceAvailability');
    if (avail !== undefined && !AVAILABILITY.has(avail.trim())) fails.push({ code: 'instance-availability-invalid', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: `Instance Availability "${avail}" is not ONLINE, NEARLINE, OFFLINE or UNAVAILABLE` });
  }
  // Nothing that was not asked for or allowed (C.4.1.1.3.2, K.4.1.1.3.2).
  for (const e of ds.elements()) {
    if ((e.tag & 0xffff) === 0) continue; // group lengths are encoding, not attributes
    const kw = keywordOf(e.tag);
    if (requested.has(kw) || upper.has(kw) || (qr ? QR_EXTRAS : MWL_EXTRAS).has(kw)) continue;
    fails.push({ code: 'attribute-not-requested', rule: qr ? 'PS3.4 C.4.1.1.3.2' : 'PS3.4 K.4.1.1.3.2', checklist: [qr ? 100 : 110], text: `${kw} ${formatTag(e.tag)} was not requested` });
  }
  // Requested keys: present (required always; optional unless FF01), with the entity's values.
  const returned = new Set(c.query.returned.map((k) => k.keyword));
  for (const kw of requested) {
    // Higher unique keys were checked above.
    if (NON_KEY_ATTRIBUTES.has(kw) || upper.has(kw)) continue;
    const key = c.query.keys.find((k) => k.keyword === kw);
    if (!key || !returned.has(kw)) continue;
    if (!ds.has(kw)) {
      if (mustBeReturned(c.model, key.level, kw)) fails.push({ code: 'required-key-missing', rule: qr ? 'PS3.4 C.2.2.1.2' : 'PS3.4 K.2.2.1.2', checklist: [qr ? 73 : 106], text: `${who}: the ${qr ? 'Required Key' : 'type 1 or 2 return key'} ${kw} is missing (it is returned even when empty)` });
      // Table K.4-1's FF01 speaks of existence, but a worklist's type 3 return keys may be left out under any status (K.2.2.1.2).
      else if (qr && c.status === 0xff00) fails.push({ code: 'ff00-optional-key-absent', rule: 'PS3.4 C.2.2.1.3, Table C.4-1', checklist: [74], text: `${who}: the Optional Key ${kw} is missing from a Pending with status FF00, which says every Optional Key was supported (FF01 is due)` });
      continue;
    }
    if (!entity) continue;
    const declared = valueFor(c.store, entity, key, c.query);
    if (key.vr === 'SQ' || isItems(declared)) {
      const wrong = sequenceProblem(ds, key, declared);
      if (wrong) fails.push({ ...wrong, text: `${who}: ${kw} ${wrong.text}` });
      continue;
    }
    const got = returnedValues(ds, kw);
    if (!got) continue;
    if (got.every((v) => v === '') && !isEmptyDeclared(declared)) {
      // A value the SCP does not send is not a value it changed (C.4.1.1.3.2 note 2) — but a unique key always has one.
      if (isRequiredOrUnique(c.model, key.level, kw) && kw === UNIQUE_KEY[key.level as keyof typeof UNIQUE_KEY]) fails.push({ code: 'unique-key-empty', rule: 'PS3.4 C.2.2.1.1', checklist: [72], text: `${who}: the unique key ${kw} is returned zero length` });
      else findings.push({ code: 'value-not-sent', rule: 'PS3.4 C.4.1.1.3.2', checklist: [84, 100], text: `${who}: ${kw} returned zero length; the data set holds "${showDeclared(declared)}"` });
      continue;
    }
    if (!sameValue(kw, declared, got)) fails.push({ code: 'value-changed', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: `${who}: ${kw} is "${got.join('\\')}", the data set holds "${showDeclared(declared)}"` });
  }
  fails.push(...charsetProblems(ds, who));
  return { fails, findings };
}

/** An item all of whose values are zero length says nothing (an empty sequence returned as one empty item). */
function isEmptyItem(it: DataSet): boolean {
  return it.elements().every((e) => (e.items ? e.items.every(isEmptyItem) : e.bytes.length === 0));
}

/**
 * The items returned for a sequence key: each holds the values of one of the declared items
 * (every attribute returned is compared), and — when the key's item named attributes — only
 * those (C.2.2.2.6: "only the requested item attributes are returned").
 */
function sequenceProblem(ds: DataSet, key: Key, declared: AttrValue | undefined): Observation | undefined {
  const e = ds.element(key.keyword);
  if (e && !e.items) return { code: 'sequence-not-a-sequence', rule: 'PS3.5 7.5', checklist: [90], text: `is returned as ${e.vr}, not as a sequence` };
  const items = (ds.items(key.keyword) ?? []).filter((it) => !isEmptyItem(it));
  const decl = isItems(declared) ? (declared as Item[]) : [];
  const asked = key.kind === 'sequence' ? new Set((key.item ?? []).map((k) => k.keyword)) : undefined;
  for (const it of items) {
    const names = it.elements().map((x) => keywordOf(x.tag));
    const extra = asked ? names.filter((n) => !asked.has(n)) : [];
    if (extra.length) return { code: 'attribute-not-requested', rule: 'PS3.4 C.2.2.2.6', checklist: [90, 100], text: `holds ${extra.join(', ')} in an item, which the key's item did not request` };
    const fits = decl.some((d) =>
      it.elements().every((x) => {
        const sub = entryForTag(x.tag)?.keyword;
        if (!sub || x.items) return true;
        const got = it.values(sub) ?? [];
        return (got.every((v) => v === '') && !isEmptyDeclared(d[sub])) || sameValue(sub, d[sub], got);
      }),
    );
    if (!fits) return { code: 'value-changed', rule: 'PS3.4 C.4.1.1.3.2', checklist: [100], text: `holds an item (${JSON.stringify(it.toObject())}) that is none of the data set's` };
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
  const declared = (ds.text('SpecificCharacterSet') ?? '').trim();
  const out: Observation[] = [];
  // ISO_IR 6 names the default repertoire: bytes beyond it need another set.
  if (high && (declared === '' || declared === 'ISO_IR 6')) out.push({ code: 'charset-missing', rule: 'PS3.4 C.4.1.1.3.2', checklist: [97], text: `${who}: text outside the default repertoire without a Specific Character Set (0008,0005) that allows it` });
  else if (replaced) out.push({ code: 'charset-wrong', rule: 'PS3.5 6.1', checklist: [97], text: `${who}: text bytes that are not valid in the declared Specific Character Set "${declared}"` });
  return out;
}

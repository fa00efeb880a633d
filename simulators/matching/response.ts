import { characterSet } from '../dataset/charset.ts';
import type { CharacterSet } from '../dataset/charset.ts';
import { DataSet } from '../dataset/data-set.ts';
import type { DataElement } from '../dataset/data-set.ts';
import { entryForKeyword } from '../dataset/dictionary.ts';
import { IdentifierWriter } from '../dataset/identifier-writer.ts';
import type { PlannedElement } from '../dataset/identifier-writer.ts';
import type { TransferSyntaxInfo } from '../dataset/transfer-syntax.ts';
import { vrInfo } from '../dataset/vr.ts';
import type { AttrValue, Entity, Item, Level } from '../store/entities.ts';
import { LEVEL_ORDER, UNIQUE_KEY } from '../store/entities.ts';
import type { Store } from '../store/store.ts';
import { valueFor } from './engine.ts';
import { matchItem } from './match-entity.ts';
import type { MatchContext } from './match-entity.ts';
import type { Key, Query } from './query.ts';
import { formatOffset, inQueryZone, partnerOf, ZONED_VRS } from './timezone.ts';

const QR_LEVEL = 0x00080052;
const CHARSET = 0x00080005;
const RETRIEVE_AE = 0x00080054;
const TIMEZONE_OFFSET = 0x00080201;
const EMPTY = Buffer.alloc(0);
const UTF8 = characterSet('ISO_IR 192');

function isAscii(t: string): boolean {
  for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) > 0x7f) return false;
  return true;
}

function hasNonAscii(v: AttrValue | undefined): boolean {
  if (v === undefined) return false;
  if (typeof v === 'string') return !isAscii(v);
  return (v as unknown[]).some((x) => (typeof x === 'string' ? !isAscii(x) : Object.values(x as Item).some(hasNonAscii)));
}

/** Text to wire bytes, padded to an even length (PS3.5 6.2). */
function textBytes(vr: string, value: string | string[], cs: CharacterSet): Buffer {
  const text = typeof value === 'string' ? value : value.join('\\');
  const info = vrInfo(vr);
  const bytes = info?.charset ? cs.encode(text) : Buffer.from(text, 'latin1');
  return bytes.length % 2 === 1 ? Buffer.concat([bytes, Buffer.of(info?.pad ?? 0x20)]) : bytes;
}

/**
 * Builds the Identifier of each Pending (PS3.4 C.4.1.1.3.2, C.4.1.3.1.1, K.4.1.1.3.2): the
 * requested keys with the entity's values (zero length when it has none), the Query/Retrieve
 * Level, the unique keys of higher levels, Retrieve AE Title, and Specific Character Set when a
 * value needs it — nothing else. Sequence keys return the matching items with the requested
 * attributes only, or the whole sequence for an empty item (C.2.2.2.6).
 */
export class ResponseBuilder {
  private readonly returned: Key[];
  private readonly plain: IdentifierWriter;
  private readonly withCharset: IdentifierWriter;

  constructor(
    private readonly store: Store,
    private readonly query: Query,
    private readonly ctx: MatchContext,
    ts: TransferSyntaxInfo,
    levelBytes: Buffer | undefined,
    retrieveAeTitle: string | undefined,
  ) {
    this.returned = [...query.returned];
    const plan: PlannedElement[] = this.returned.map((k, i) => ({ tag: k.tag, vr: k.vr, source: i }));
    if (query.model !== 'mwl') {
      plan.push({ tag: QR_LEVEL, vr: 'CS', fixed: levelBytes ?? Buffer.from(query.level.padEnd(query.level.length + (query.level.length % 2))) });
      // C.4.1.3.1.1: every unique key of the levels above.
      for (const l of LEVEL_ORDER.slice(0, LEVEL_ORDER.indexOf(query.level))) {
        if (query.model === 'study' && l === 'PATIENT') continue;
        const kw = UNIQUE_KEY[l as keyof typeof UNIQUE_KEY];
        if (this.returned.some((k) => k.keyword === kw)) continue;
        const e = entryForKeyword(kw)!;
        const key: Key = { keyword: kw, tag: e.tag, vr: e.vr, level: l, kind: 'universal', values: [], matched: false };
        this.returned.push(key);
        plan.push({ tag: e.tag, vr: e.vr, source: this.returned.length - 1 });
      }
      if (retrieveAeTitle !== undefined && !this.returned.some((k) => k.tag === RETRIEVE_AE)) {
        plan.push({ tag: RETRIEVE_AE, vr: 'AE', fixed: textBytes('AE', retrieveAeTitle, UTF8) });
      }
    }
    if (ctx.zone) {
      // C.2.2.2.1.3: the response's times are in the identifier's zone, and it says which.
      plan.push({ tag: TIMEZONE_OFFSET, vr: 'SH', fixed: textBytes('SH', formatOffset(ctx.zone.query), UTF8) });
    }
    this.plain = new IdentifierWriter(plan, ts);
    this.withCharset = new IdentifierWriter([...plan, { tag: CHARSET, vr: 'CS' }], ts);
    this.byTag = new Map(this.returned.map((k) => [k.tag, k]));
    this.texts = new Array<string | undefined>(this.returned.length);
  }

  private readonly byTag: Map<number, Key>;
  /** Reused by every call of the text path (identifiers are built one at a time). */
  private readonly texts: (string | undefined)[];

  /** The encoded Identifier for one matching entity. */
  identifier(entity: Entity): Buffer {
    return (this.plain.textOnly && this.asText(entity)) || this.general(entity);
  }

  /** The common case, written without intermediate buffers: every value is text in the default repertoire. False otherwise. */
  private asText(entity: Entity): Buffer | false {
    const zone = this.ctx.zone;
    const texts = this.texts;
    for (let i = 0; i < this.returned.length; i++) {
      const k = this.returned[i]!;
      let v = valueFor(this.store, entity, k, this.query);
      if (zone && ZONED_VRS.has(k.vr)) {
        const partner = partnerOf(k.keyword);
        v = inQueryZone(k.vr, v, partner ? valueFor(this.store, entity, { level: k.level, keyword: partner }, this.query) : undefined, zone);
      }
      let t: string | undefined;
      if (v === undefined || typeof v === 'string') t = v;
      else if (v.length === 0) t = '';
      else if (typeof v[0] === 'string') t = (v as string[]).join('\\');
      else return false;
      if (t !== undefined && !isAscii(t)) return false;
      texts[i] = t;
    }
    return this.plain.writeText(texts);
  }

  private general(entity: Entity): Buffer {
    const values = new Map<number, AttrValue | undefined>();
    let foreign = false;
    const zone = this.ctx.zone;
    for (const k of this.returned) {
      let v = valueFor(this.store, entity, k, this.query);
      if (zone && ZONED_VRS.has(k.vr)) {
        const partner = partnerOf(k.keyword);
        v = inQueryZone(k.vr, v, partner ? valueFor(this.store, entity, { level: k.level, keyword: partner }, this.query) : undefined, zone);
      }
      values.set(k.tag, v);
      if (!foreign && hasNonAscii(v)) foreign = true;
    }
    let cs = UTF8;
    let csBytes: Buffer | undefined;
    if (foreign) {
      // C.4.1.1.3.2: a response with non-default text carries its Specific Character Set — the stored one when it can hold the text.
      const stored = entity.charset ?? entity.at('PATIENT')?.charset;
      cs = stored ? characterSet(stored) : UTF8;
      csBytes = textBytes('CS', stored ? stored.split('\\') : ['ISO_IR 192'], UTF8);
    }
    const byTag = this.byTag;
    const get = (tag: number): DataElement | undefined => {
      if (tag === CHARSET) return { tag, vr: 'CS', bytes: csBytes! };
      const k = byTag.get(tag);
      if (!k) return undefined;
      return this.element(k, values.get(tag), cs);
    };
    try {
      return (foreign ? this.withCharset : this.plain).write(get);
    } catch {
      // The stored set cannot hold a value: answer in UTF-8 (the SCP may reply in another set, C.4.1.1.3.2).
      csBytes = textBytes('CS', 'ISO_IR 192', UTF8);
      cs = UTF8;
      return this.withCharset.write(get);
    }
  }

  private element(k: Key, v: AttrValue | undefined, cs: CharacterSet): DataElement {
    if (k.vr === 'SQ') return { tag: k.tag, vr: 'SQ', bytes: EMPTY, items: this.items(k, v, cs) };
    if (v === undefined || Array.isArray(v) && v.length > 0 && typeof v[0] === 'object') return { tag: k.tag, vr: k.vr, bytes: EMPTY };
    return { tag: k.tag, vr: k.vr, bytes: textBytes(k.vr, v as string | string[], cs) };
  }

  private items(k: Key, v: AttrValue | undefined, cs: CharacterSet): DataSet[] {
    if (!Array.isArray(v) || v.length === 0 || typeof v[0] !== 'object') return [];
    const items = v as Item[];
    const chosen = k.kind === 'sequence' ? items.filter((it) => matchItem(k.item!, it, this.ctx)) : items;
    return chosen.map((it) => {
      const ds = new DataSet();
      const wanted = k.kind === 'sequence' ? k.item!.map((s) => s.keyword) : Object.keys(it);
      for (const kw of wanted) {
        const sub = k.item?.find((s) => s.keyword === kw);
        const entry = entryForKeyword(kw);
        if (!entry) continue;
        const value = it[kw];
        if (entry.vr === 'SQ') {
          const subKey: Key = sub ?? { keyword: kw, tag: entry.tag, vr: 'SQ', level: k.level as Level, kind: 'universal', values: [], matched: false };
          ds.put({ tag: entry.tag, vr: 'SQ', bytes: EMPTY, items: this.items(subKey, value, cs) });
        } else {
          ds.put({ tag: entry.tag, vr: entry.vr, bytes: value === undefined ? EMPTY : textBytes(entry.vr, value as string | string[], cs) });
        }
      }
      return ds;
    });
  }
}

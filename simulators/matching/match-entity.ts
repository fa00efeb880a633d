import type { AttrValue, Item } from '../store/entities.ts';
import type { MatchingProfile } from './profile.ts';
import type { Key } from './query.ts';
import { logical, pairs, splitRange } from './query.ts';
import { fuzzyPersonName, inRange, sameInteger, samePersonName, sameTime, timeSeconds } from './rules.ts';
import { matchView, partnerOf, ZONED_VRS } from './timezone.ts';
import type { Zone } from './timezone.ts';

export interface MatchContext {
  profile: MatchingProfile;
  /** Modality Worklist: an unknown value matches nothing but universal matching (PS3.4 K.2.2.1.1.1). */
  worklist: boolean;
  /** Date and time ranges join into one period inside sequence items too (negotiated, or always for the worklist SPS). */
  combineDateTime: boolean;
  /** The query's text is in a character set the stored text is not (and the profile does not convert). */
  foreignCharset: boolean;
  /** Fuzzy semantic matching of person names was negotiated (PS3.4 C.2.2.2.1.1). */
  fuzzy?: boolean;
  /** Timezone query adjustment: the identifier's zone and the archive's (C.2.2.2.1.3). */
  zone?: Zone;
}

function isEmpty(v: AttrValue | undefined): boolean {
  return v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

function strings(v: AttrValue): string[] {
  return typeof v === 'string' ? [v] : (v as string[]);
}

/** C.2.2.2.1: single value matching, per VR (PN per the profile, TM by meaning, IS per the profile). */
function single(key: Key, raw: string, ctx: MatchContext, keyValue = key.values[0]!): boolean {
  if (ctx.foreignCharset && /[^\x00-\x7f]/.test(raw)) return false;
  const value = logical(key.vr, raw, ctx.profile);
  switch (key.vr) {
    case 'PN':
      if (ctx.fuzzy) return fuzzyPersonName(keyValue, value, false);
      return samePersonName(keyValue, value, ctx.profile.pnCaseInsensitive, ctx.profile.pnTrailingComponentsWild, false);
    case 'TM':
      return sameTime(keyValue, value);
    case 'IS':
      return ctx.profile.isNumeric ? sameInteger(keyValue, value) : keyValue === value;
    default:
      return keyValue === value;
  }
}

function wild(key: Key, raw: string, ctx: MatchContext): boolean {
  if (ctx.foreignCharset && /[^\x00-\x7f]/.test(raw)) return false;
  const value = logical(key.vr, raw, ctx.profile);
  if (key.vr === 'PN' && ctx.fuzzy) return fuzzyPersonName(key.values[0]!, value, true);
  if (key.vr === 'PN') return samePersonName(key.values[0]!, value, ctx.profile.pnCaseInsensitive, ctx.profile.pnTrailingComponentsWild, true);
  return key.regex!.test(value);
}

/** Whether an entity's value matches one key (C.2.2.2, C.2.2.3: any of several entity values). */
export function matchKey(key: Key, value: AttrValue | undefined, ctx: MatchContext): boolean {
  switch (key.kind) {
    case 'universal':
      return true;
    case 'empty-value':
      // C.2.2.2.7: only zero-length or absent values.
      return isEmpty(value);
    default:
      break;
  }
  if (isEmpty(value)) {
    // C.2.2.1.2: in Q/R an unknown value matches any key; K.2.2.1.1.1: in a worklist it matches none.
    if (ctx.worklist) return false;
    return key.kind === 'sequence' ? ctx.profile.emptySequenceMatches : true;
  }
  if (key.kind === 'sequence') {
    // C.2.2.2.6: at least one item matches every key of the key's item.
    if (!Array.isArray(value) || typeof value[0] !== 'object') return false;
    return (value as Item[]).some((item) => matchItem(key.item!, item, ctx));
  }
  const values = strings(value as string | string[]);
  switch (key.kind) {
    case 'uid-list':
      // C.2.2.2.2: the entity's UID equals any of the list.
      return values.some((v) => key.values.includes(logical('UI', v, ctx.profile)));
    case 'range':
      return values.some((v) => inRange(key.vr, key.values[0]!, logical(key.vr, v, ctx.profile)));
    case 'wild':
      return values.some((v) => wild(key, v, ctx));
    case 'single':
      return values.some((v) => single(key, v, ctx));
    case 'multi': {
      // C.2.2.2.8: with negotiation every key value is among the entity's values (AND); without, the profile decides.
      const hit = (kv: string) => values.some((v) => single(key, v, ctx, kv));
      return key.all ? key.values.every(hit) : key.values.some(hit);
    }
    default:
      return false;
  }
}

/** C.2.2.2.5.4 (and Table K.6-1 for the SPS): one period from a date range and a time range. */
export function matchCombined(date: Key, time: Key, dateValue: AttrValue | undefined, timeValue: AttrValue | undefined, ctx: MatchContext): boolean {
  if (isEmpty(dateValue) || isEmpty(timeValue)) return !ctx.worklist;
  const [d1, d2] = splitRange(date.values[0]!);
  const [t1, t2] = splitRange(time.values[0]!);
  const d = logical('DA', String(dateValue), ctx.profile);
  const t = timeSeconds(String(timeValue));
  const after = d1 === '' || d > d1 || (d === d1 && t >= timeSeconds(t1));
  const before = d2 === '' || d < d2 || (d === d2 && t <= timeSeconds(t2));
  return after && before;
}

/** An item's value as matching sees it (moved into the query's zone when that was negotiated). */
function itemValue(item: Item, k: Key, ctx: MatchContext): AttrValue | undefined {
  const v = item[k.keyword];
  if (!ctx.zone || !ZONED_VRS.has(k.vr)) return v;
  const partner = partnerOf(k.keyword);
  return matchView(k.vr, v, partner ? item[partner] : undefined, ctx.zone);
}

export function matchItem(keys: readonly Key[], item: Item, ctx: MatchContext): boolean {
  const combined = ctx.combineDateTime ? pairs(keys as Key[]) : [];
  for (const { date, time } of combined) if (!matchCombined(date, time, itemValue(item, date, ctx), itemValue(item, time, ctx), ctx)) return false;
  for (const k of keys) {
    if (combined.some((c) => c.date === k || c.time === k)) continue;
    if (!matchKey(k, itemValue(item, k, ctx), ctx)) return false;
  }
  return true;
}

/** The range check of a DA key against a DA value, exposed for index pre-filters. */
export function inDateRange(range: string, value: string): boolean {
  return inRange('DA', range, value);
}

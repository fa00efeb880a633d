import type { AttrValue, Entity, Level } from '../store/entities.ts';
import { LEVEL_ORDER, UNIQUE_KEY } from '../store/entities.ts';
import type { Store } from '../store/store.ts';
import { matchCombined, matchKey } from './match-entity.ts';
import type { MatchContext } from './match-entity.ts';
import type { MatchingProfile } from './profile.ts';
import type { Key, Query } from './query.ts';
import { matchView, partnerOf, ZONED_VRS } from './timezone.ts';

type QrLevel = Exclude<Level, 'WORKLIST'>;

/** An attribute as the query sees it: stored or derived at its level; in Study Root a study also shows its patient's attributes (C.3.2). */
export function valueFor(store: Store, entity: Entity, key: { level: Level; keyword: string }, query: Query): AttrValue | undefined {
  const at = entity.at(key.level) ?? entity;
  const v = store.value(at, key.keyword);
  if (v === undefined && query.model === 'study' && at.level === 'STUDY' && at.parent) return store.value(at.parent, key.keyword);
  return v;
}

/** What matching needs beyond the query: the archive's timezone (minutes east of UTC). */
export interface ExecuteOptions {
  /**
   * The identifier's Specific Character Set when the profile does not convert text between sets:
   * non-default text stored in another set then matches nothing (PS3.4 C.2.2.2).
   */
  unconvertedQueryCharset?: string;
  storeOffset?: number;
}

export function matchContext(query: Query, profile: MatchingProfile, o: ExecuteOptions = {}): MatchContext {
  return {
    profile,
    worklist: query.model === 'mwl',
    combineDateTime: query.model === 'mwl' || query.negotiated.dateTime,
    foreignCharset: false,
    fuzzy: query.negotiated.fuzzy,
    ...(query.zoneOffset !== undefined && { zone: { query: query.zoneOffset, store: o.storeOffset ?? 0 } }),
  };
}

/** The value matching compares: stored, and moved into the query's zone when timezone adjustment applies (C.2.2.2.1.3). */
export function matchValue(store: Store, entity: Entity, key: { level: Level; keyword: string; vr: string }, query: Query, ctx: MatchContext): AttrValue | undefined {
  const v = valueFor(store, entity, key, query);
  if (!ctx.zone || !ZONED_VRS.has(key.vr)) return v;
  const partner = partnerOf(key.keyword);
  return matchView(key.vr, v, partner ? valueFor(store, entity, { level: key.level, keyword: partner }, query) : undefined, ctx.zone);
}

/** Whether an entity at the query level matches every key that is matched (at its own level, or any level when relational). */
function matchesAll(store: Store, entity: Entity, query: Query, ctx: MatchContext, skip: ReadonlySet<Key>): boolean {
  for (const { date, time } of query.combined) {
    if (!date.matched || !time.matched) continue;
    if (!matchCombined(date, time, matchValue(store, entity, date, query, ctx), matchValue(store, entity, time, query, ctx), ctx)) return false;
  }
  for (const k of query.keys) {
    if (!k.matched || k.kind === 'universal' || skip.has(k)) continue;
    if (!matchKey(k, matchValue(store, entity, k, query, ctx), ctx)) return false;
  }
  return true;
}

/**
 * Candidates at the query level. Uses the indexes where the standard's search methods allow:
 * the query level's unique key, or (hierarchically, C.4.1.3.1.1) the single unique key of each
 * higher level; otherwise the whole level (relational, C.4.1.3.2.2).
 */
function* candidates(store: Store, query: Query): Iterable<Entity> {
  const level = query.level as QrLevel;
  const key = (l: QrLevel) => query.keys.find((k) => k.level === l && k.keyword === UNIQUE_KEY[l] && k.matched);
  const own = key(level);
  if (own && (own.kind === 'single' || own.kind === 'uid-list')) {
    for (const v of own.values) {
      if (level === 'PATIENT') yield* store.patientsWithId(v);
      else {
        const e = store.byUniqueKey(level, v);
        if (e) yield e;
      }
    }
    return;
  }
  const levels = LEVEL_ORDER.slice(0, LEVEL_ORDER.indexOf(level) + 1) as QrLevel[];
  const first = query.model === 'study' && levels[0] === 'PATIENT' ? 1 : 0;
  let frontier: Iterable<Entity> | undefined;
  if (!query.relational) {
    // Descend from the single value of each higher unique key.
    for (const l of levels.slice(first, -1)) {
      const k = key(l);
      if (!k || k.kind !== 'single') break;
      const found = l === 'PATIENT' ? store.patientsWithId(k.values[0]!) : [store.byUniqueKey(l, k.values[0]!)].filter((e): e is Entity => e !== undefined);
      frontier = found;
    }
  } else {
    const pid = query.keys.find((k) => k.keyword === 'PatientID' && k.kind === 'single' && k.matched);
    if (pid && level !== 'PATIENT') frontier = store.patientsWithId(pid.values[0]!);
  }
  if (!frontier) frontier = store.patients;
  const depth = (e: Entity) => LEVEL_ORDER.indexOf(e.level as QrLevel);
  const target = LEVEL_ORDER.indexOf(level);
  for (const root of frontier) yield* descend(root, target - depth(root));
}

function* descend(e: Entity, steps: number): Iterable<Entity> {
  if (steps <= 0) {
    yield e;
    return;
  }
  for (const c of e.children) yield* descend(c, steps - 1);
}

/** The hierarchical path check: a candidate found by index must sit under the higher unique keys given (C.4.1.3.1.1 b). */
function underUpperKeys(entity: Entity, query: Query): boolean {
  if (query.relational) return true;
  for (const k of query.keys) {
    if (k.level === query.level || k.keyword !== UNIQUE_KEY[k.level as QrLevel] || k.kind !== 'single') continue;
    const at = entity.at(k.level);
    if (!at || at.values[k.keyword] !== k.values[0]) return false;
  }
  return true;
}

/**
 * Runs a query against the store: every matching entity at the query level (or every matching
 * worklist item), in store order, lazily — a million matches are never held at once.
 */
export function* execute(store: Store, query: Query, profile: MatchingProfile, o: ExecuteOptions = {}): Iterable<Entity> {
  if (query.empty) return;
  const ctx = matchContext(query, profile, o);
  const foreign: MatchContext = { ...ctx, foreignCharset: true };
  const cs = o.unconvertedQueryCharset;
  const ctxFor = cs === undefined ? () => ctx : (e: Entity) => ((e.charset ?? '') === cs ? ctx : foreign);
  const combinedKeys = new Set<Key>(query.combined.flatMap((c) => [c.date, c.time]));
  if (query.model === 'mwl') {
    for (const item of store.worklist) if (matchesAll(store, item, query, ctxFor(item), combinedKeys)) yield item;
    return;
  }
  for (const e of candidates(store, query)) {
    if (underUpperKeys(e, query) && matchesAll(store, e, query, ctxFor(e), combinedKeys)) yield e;
  }
}

import { HarnessError } from '../wire/errors.ts';
import { Entity, UNIQUE_KEY } from './entities.ts';
import type { AttrValue, Level, Values } from './entities.ts';

const ENTITY_NAME: Record<Exclude<Level, 'WORKLIST'>, string> = { PATIENT: 'a patient', STUDY: 'a study', SERIES: 'a series', IMAGE: 'an instance' };

export type StoreErrorCode = 'STORE_DUPLICATE_KEY' | 'STORE_MISSING_KEY' | 'STORE_INVALID' | 'STORE_UNREADABLE';

export interface StoreProblem {
  /** file:line:column, or a file path. */
  where: string;
  message: string;
}

/** A store that cannot be loaded: every problem found, each naming where it is. */
export class StoreError extends HarnessError {
  constructor(
    readonly code: StoreErrorCode,
    readonly problems: StoreProblem[],
  ) {
    super(problems.map((p) => `${p.where}: ${p.message}`).join('\n'));
  }
}

/**
 * The fake archive: the entity tree with indexes on the unique keys (and Patient ID), the
 * worklist, and the attributes an archive derives (PS3.4 C.6.1.1: counts, Modalities and SOP
 * Classes in Study).
 */
export class Store {
  readonly patients: Entity[] = [];
  readonly worklist: Entity[] = [];
  private readonly byUid: Record<'STUDY' | 'SERIES' | 'IMAGE', Map<string, Entity>> = { STUDY: new Map(), SERIES: new Map(), IMAGE: new Map() };
  private readonly patientsById = new Map<string, Entity[]>();
  /** Keywords seen at each level (to place attributes no table names). */
  readonly keywordsAt: Record<Level, Set<string>> = { PATIENT: new Set(), STUDY: new Set(), SERIES: new Set(), IMAGE: new Set(), WORKLIST: new Set() };
  private studyCount = 0;
  private seriesCount = 0;

  get counts(): { patients: number; studies: number; series: number; instances: number; worklist: number } {
    return { patients: this.patients.length, studies: this.studyCount, series: this.seriesCount, instances: this.byUid.IMAGE.size, worklist: this.worklist.length };
  }

  add(level: Exclude<Level, 'WORKLIST'>, values: Values, parent: Entity | undefined, charset?: string, origin?: string): Entity {
    const key = UNIQUE_KEY[level];
    const uid = values[key];
    if (typeof uid !== 'string' || uid === '') {
      throw new StoreError('STORE_MISSING_KEY', [{ where: origin ?? level, message: `${ENTITY_NAME[level]} needs a non-empty ${key} (its unique key, PS3.4 C.2.2.1.1)` }]);
    }
    if (level !== 'PATIENT') {
      const index = this.byUid[level];
      const existing = index.get(uid);
      if (existing) {
        throw new StoreError('STORE_DUPLICATE_KEY', [{ where: origin ?? level, message: `${key} ${uid} is already used${existing.origin ? ` at ${existing.origin}` : ''}` }]);
      }
    } else if (this.patientsById.has(uid)) {
      const other = this.patientsById.get(uid)![0]!;
      throw new StoreError('STORE_DUPLICATE_KEY', [{ where: origin ?? level, message: `PatientID ${uid} is already used${other.origin ? ` at ${other.origin}` : ''}` }]);
    }
    const e = new Entity(level, values, parent, charset, origin);
    for (const k of Object.keys(values)) this.keywordsAt[level].add(k);
    if (level === 'PATIENT') {
      this.patients.push(e);
      this.patientsById.set(uid, [e]);
    } else {
      parent!.children.push(e);
      this.byUid[level].set(uid, e);
      if (level === 'STUDY') this.studyCount++;
      if (level === 'SERIES') this.seriesCount++;
    }
    return e;
  }

  addWorklistItem(values: Values, charset?: string, origin?: string): Entity {
    const e = new Entity('WORKLIST', values, undefined, charset, origin);
    for (const k of Object.keys(values)) this.keywordsAt.WORKLIST.add(k);
    this.worklist.push(e);
    return e;
  }

  patientsWithId(id: string): readonly Entity[] {
    return this.patientsById.get(id) ?? [];
  }

  byUniqueKey(level: 'STUDY' | 'SERIES' | 'IMAGE', uid: string): Entity | undefined {
    return this.byUid[level].get(uid);
  }

  *studies(): Iterable<Entity> {
    for (const p of this.patients) yield* p.children;
  }

  *series(): Iterable<Entity> {
    for (const s of this.studies()) yield* s.children;
  }

  *instances(): Iterable<Entity> {
    for (const s of this.series()) yield* s.children;
  }

  /** An attribute as stored, or derived from the entity's descendants when it is not (PS3.4 C.6.1.1). */
  value(e: Entity, keyword: string): AttrValue | undefined {
    const own = e.values[keyword];
    if (own !== undefined) return own;
    return derive(e, keyword);
  }
}

function count(e: Entity, depth: number): number {
  if (depth === 0) return e.children.length;
  let n = 0;
  for (const c of e.children) n += count(c, depth - 1);
  return n;
}

function distinct(e: Entity, depth: number, keyword: string, out = new Set<string>()): Set<string> {
  if (depth === 0) {
    for (const c of e.children) {
      const v = c.values[keyword];
      if (typeof v === 'string' && v !== '') out.add(v);
    }
    return out;
  }
  for (const c of e.children) distinct(c, depth - 1, keyword, out);
  return out;
}

function derive(e: Entity, keyword: string): AttrValue | undefined {
  switch (e.level) {
    case 'PATIENT':
      if (keyword === 'NumberOfPatientRelatedStudies') return String(count(e, 0));
      if (keyword === 'NumberOfPatientRelatedSeries') return String(count(e, 1));
      if (keyword === 'NumberOfPatientRelatedInstances') return String(count(e, 2));
      return undefined;
    case 'STUDY':
      if (keyword === 'NumberOfStudyRelatedSeries') return String(count(e, 0));
      if (keyword === 'NumberOfStudyRelatedInstances') return String(count(e, 1));
      if (keyword === 'ModalitiesInStudy') return [...distinct(e, 0, 'Modality')];
      if (keyword === 'SOPClassesInStudy') return [...distinct(e, 1, 'SOPClassUID')];
      return undefined;
    case 'SERIES':
      if (keyword === 'NumberOfSeriesRelatedInstances') return String(count(e, 0));
      return undefined;
    default:
      return undefined;
  }
}

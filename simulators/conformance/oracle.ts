import { characterSet } from '../dataset/charset.ts';
import type { DataSet } from '../dataset/data-set.ts';
import type { FindModel } from '../dimse/find.ts';
import { execute } from '../matching/engine.ts';
import { isRequiredOrUnique } from '../matching/key-types.ts';
import { STRICT } from '../matching/profile.ts';
import type { MatchingProfile } from '../matching/profile.ts';
import { parseQuery } from '../matching/query.ts';
import type { Key, Negotiated, Query } from '../matching/query.ts';
import type { Entity } from '../store/entities.ts';
import { UNIQUE_KEY } from '../store/entities.ts';
import type { Store } from '../store/store.ts';

/**
 * The oracle: what an archive holding the declared store may answer to one identifier. The
 * standard fixes most answers; where it leaves a choice to the implementation (the checklist's
 * [ID] items) each permitted choice gives a reading, and an answer is judged against all of them.
 */

/** A choice the standard leaves open, with the rule that leaves it open. */
export interface Choice {
  id: string;
  /** What the archive did, in words, when its answer is this reading. */
  label: string;
  rule: string;
  checklist: number;
}

interface Dimension {
  /** The reading of our strict profile, in words. */
  strict: Choice;
  alternatives: { choice: Choice; apply: (p: MatchingProfile) => MatchingProfile }[];
}

const c = (id: string, label: string, rule: string, checklist: number): Choice => ({ id, label, rule, checklist });

/** The [ID] dimensions of PS3.4 Annex C that our matching profiles model. */
const DIMENSIONS: readonly Dimension[] = [
  {
    strict: c('pn-case-sensitive', "Patient's Name matched with regard to case", 'PS3.4 C.2.2.2.1.1', 80),
    alternatives: [{ choice: c('pn-case-insensitive', "Patient's Name matched without regard to case", 'PS3.4 C.2.2.2.1.1', 80), apply: (p) => ({ ...p, pnCaseInsensitive: true }) }],
  },
  {
    strict: c('pn-components-literal', 'person-name components matched as given', 'PS3.4 C.2.2.2.1.1', 80),
    alternatives: [{ choice: c('pn-components-wild', 'missing person-name components treated as wild cards', 'PS3.4 C.2.2.2.1.1', 80), apply: (p) => ({ ...p, pnTrailingComponentsWild: true }) }],
  },
  {
    strict: c('multi-value-refused', 'several values in a key without Multiple Value Matching refused', 'PS3.4 C.2.2.2.8', 92),
    alternatives: [
      { choice: c('multi-value-or', 'several values in a key read as OR', 'PS3.4 C.2.2.2.8', 92), apply: (p) => ({ ...p, multiValueWithoutNegotiation: 'or' }) },
      { choice: c('multi-value-and', 'several values in a key read as AND', 'PS3.4 C.2.2.2.8', 92), apply: (p) => ({ ...p, multiValueWithoutNegotiation: 'and' }) },
    ],
  },
  {
    strict: c('non-baseline-refused', 'a non-baseline hierarchical query refused', 'PS3.4 C.4.1.2.1', 77),
    alternatives: [
      { choice: c('non-baseline-empty', 'a non-baseline hierarchical query answered with no match', 'PS3.4 C.4.1.3.1.1', 77), apply: (p) => ({ ...p, nonBaselineHierarchical: 'empty' }) },
      { choice: c('non-baseline-relational', 'a non-baseline hierarchical query answered relationally', 'PS3.4 C.4.1.2.1', 77), apply: (p) => ({ ...p, nonBaselineHierarchical: 'relational' }) },
    ],
  },
  {
    strict: c('upper-keys-ignored', 'keys of higher levels in a hierarchical query ignored', 'PS3.4 C.4.1.2.1', 77),
    alternatives: [
      { choice: c('upper-keys-matched', 'keys of higher levels in a hierarchical query matched', 'PS3.4 C.4.1.2.1', 77), apply: (p) => ({ ...p, upperLevelKeys: 'match' }) },
      { choice: c('upper-keys-refused', 'keys of higher levels in a hierarchical query refused', 'PS3.4 C.4.1.2.1', 77), apply: (p) => ({ ...p, upperLevelKeys: 'fail' }) },
    ],
  },
  {
    strict: c('leading-spaces-significant', 'leading spaces of SH/LO keys significant', 'PS3.5 Table 6.2-1', 95),
    alternatives: [{ choice: c('leading-spaces-ignored', 'leading spaces of SH/LO keys ignored', 'PS3.5 Table 6.2-1', 95), apply: (p) => ({ ...p, leadingSpacesSignificant: false }) }],
  },
  {
    strict: c('is-literal', 'IS values matched as text', 'PS3.4 C.2.2.2.1.4', 82),
    alternatives: [{ choice: c('is-numeric', 'IS values matched as numbers', 'PS3.4 C.2.2.2.1.4', 82), apply: (p) => ({ ...p, isNumeric: true }) }],
  },
  {
    strict: c('empty-sequence-unknown', 'an empty stored sequence treated as an unknown value (it matches)', 'PS3.4 C.2.2.2.6', 90),
    alternatives: [{ choice: c('empty-sequence-no-match', 'an empty stored sequence does not match a sequence key', 'PS3.4 C.2.2.2.6', 90), apply: (p) => ({ ...p, emptySequenceMatches: false }) }],
  },
  {
    strict: c('charset-converted', 'a query in another character set converted before matching', 'PS3.4 C.2.2.2', 97),
    alternatives: [{ choice: c('charset-not-converted', 'text in another character set than the stored one does not match', 'PS3.4 C.2.2.2', 97), apply: (p) => ({ ...p, transcodeQueryCharacterSet: false }) }],
  },
];

/** One permitted answer. */
export interface Reading {
  /** The open choices this answer makes, where they matter to this identifier. */
  choices: Choice[];
  /** Whether the choices are those of the strict profile (the closest reading of the text). */
  strict: boolean;
  outcome: 'matches' | 'refused';
  /** Identities (query-level unique key, or the worklist item's Scheduled Procedure Step ID) of the matches, sorted. */
  keys: string[];
  /** Optional keys this reading takes as not supported for matching (then FF01 is due). */
  unsupported: string[];
  /** The query as parsed under this reading (absent when refused). */
  query?: Query;
  profile: MatchingProfile;
}

/** The identity of a matching entity: its query-level unique key, or a worklist item's Scheduled Procedure Step ID. */
export function identityOf(entity: Entity, level: string): string {
  if (level === 'WORKLIST') {
    const sps = entity.values.ScheduledProcedureStepSequence;
    const id = Array.isArray(sps) && typeof sps[0] === 'object' ? (sps[0] as Record<string, unknown>).ScheduledProcedureStepID : undefined;
    return typeof id === 'string' ? id : '';
  }
  return (entity.values[UNIQUE_KEY[level as keyof typeof UNIQUE_KEY]] as string | undefined) ?? '';
}

interface Outcome {
  outcome: 'matches' | 'refused';
  keys: string[];
  query?: Query;
  entities: Entity[];
}

function run(store: Store, model: FindModel, identifier: DataSet, negotiated: Negotiated, profile: MatchingProfile, unsupported: readonly string[]): Outcome {
  const q = parseQuery(identifier, model, store, negotiated, profile);
  if ('status' in q) return { outcome: 'refused', keys: [], entities: [] };
  for (const k of q.keys) if (unsupported.includes(k.keyword)) k.matched = false;
  const cs = characterSet(identifier.text('SpecificCharacterSet'));
  const unconverted = !profile.transcodeQueryCharacterSet && !cs.isDefault ? cs.terms.join('\\') : undefined;
  const entities = [...execute(store, q, profile, unconverted === undefined ? {} : { unconvertedQueryCharset: unconverted })];
  return { outcome: 'matches', keys: entities.map((e) => identityOf(e, q.level)).sort(), query: q, entities };
}

const same = (a: Outcome, b: Outcome) => a.outcome === b.outcome && a.keys.join('\u0000') === b.keys.join('\u0000');

/** Optional keys of the identifier that filter (non-universal), whose support for matching the standard leaves open (C.2.2.1.3). */
export function matchedOptionalKeys(query: Query): Key[] {
  return query.keys.filter((k) => k.kind !== 'universal' && k.matched && !isRequiredOrUnique(query.model, k.level, k.keyword));
}

function subsets<T>(items: readonly T[]): T[][] {
  let out: T[][] = [[]];
  for (const it of items) out = [...out, ...out.map((s) => [...s, it])];
  return out;
}

/**
 * Every answer the standard permits to `identifier` from an archive holding `store`, given what
 * the association negotiated: the strict reading first, then each combination of the open
 * choices that changes the answer, each with and without support of the optional keys.
 */
export function readings(store: Store, model: FindModel, identifier: DataSet, negotiated: Negotiated): Reading[] {
  const strictRun = run(store, model, identifier, negotiated, STRICT, []);
  // A dimension matters when one of its alternatives alone changes the answer.
  const relevant = DIMENSIONS.filter((d) => d.alternatives.some((a) => !same(strictRun, run(store, model, identifier, negotiated, a.apply(STRICT), []))));
  let combos: { choices: Choice[]; profile: MatchingProfile; strict: boolean }[] = [{ choices: [], profile: STRICT, strict: true }];
  for (const d of relevant) {
    combos = combos.flatMap((co) => [
      { choices: [...co.choices, d.strict], profile: co.profile, strict: co.strict },
      ...d.alternatives.map((a) => ({ choices: [...co.choices, a.choice], profile: a.apply(co.profile), strict: false })),
    ]);
  }
  const optional = strictRun.query ? matchedOptionalKeys(strictRun.query).map((k) => k.keyword) : [];
  const out: Reading[] = [];
  for (const co of combos) {
    for (const unsupported of subsets([...new Set(optional)])) {
      const r = run(store, model, identifier, negotiated, co.profile, unsupported);
      out.push({ choices: co.choices, strict: co.strict && unsupported.length === 0, outcome: r.outcome, keys: r.keys, unsupported, ...(r.query && { query: r.query }), profile: co.profile });
    }
  }
  return out;
}

/** The entities the strict reading matches, with the parsed query (for explanations and content checks). */
export function strictMatches(store: Store, model: FindModel, identifier: DataSet, negotiated: Negotiated): { query?: Query; entities: Entity[] } {
  const r = run(store, model, identifier, negotiated, STRICT, []);
  return { ...(r.query && { query: r.query }), entities: r.entities };
}

import { matchContext, valueFor } from '../matching/engine.ts';
import { isRequiredOrUnique } from '../matching/key-types.ts';
import { matchKey } from '../matching/match-entity.ts';
import type { Key, Query } from '../matching/query.ts';
import { rangeBounds } from '../matching/rules.ts';
import type { AttrValue, Entity } from '../store/entities.ts';
import type { Store } from '../store/store.ts';
import type { Reading } from './oracle.ts';
import { showDeclared } from './values.ts';
import type { Observation } from './verdict.ts';

/**
 * Why an archive's answer differs from the permitted reading closest to it: for each entity it
 * left out or added, the key and the rule that decide it. The explanation names a likely cause
 * (a zero-length required key, '?' on a multi-byte character, a range compared as text …) when
 * the data make it evident, else the matching rule of the key.
 */

const isEmpty = (v: AttrValue | undefined) => v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
const nonAscii = (v: AttrValue | undefined) => typeof v === 'string' && /[^\x00-\x7f]/.test(v);
const text = (v: AttrValue | undefined) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] !== 'object' ? (v as string[]).join('\\') : '');

const KIND_RULE: Record<string, [string, string]> = {
  single: ['PS3.4 C.2.2.2.1', 'single value matching'],
  wild: ['PS3.4 C.2.2.2.4', 'wild card matching'],
  range: ['PS3.4 C.2.2.2.5', 'range matching'],
  'uid-list': ['PS3.4 C.2.2.2.2', 'list of UID matching'],
  sequence: ['PS3.4 C.2.2.2.6', 'sequence matching'],
  multi: ['PS3.4 C.2.2.2.8', 'several key values'],
  'empty-value': ['PS3.4 C.2.2.2.7', 'empty value matching'],
};

function keyText(k: Key): string {
  return k.kind === 'sequence' ? `${k.keyword} item (${(k.item ?? []).map((s) => `${s.keyword}=${s.values.join('\\')}`).join(', ')})` : `${k.keyword}="${k.values.join('\\')}"`;
}

/** Why `entity` matches key `k` although the archive left it out. */
function whyItMatches(store: Store, q: Query, k: Key, entity: Entity, who: string): Observation {
  const v = valueFor(store, entity, k, q);
  const required = isRequiredOrUnique(q.model, k.level, k.keyword);
  if (isEmpty(v) && q.model !== 'mwl') {
    return required
      ? { code: 'zero-length-required-key', rule: 'PS3.4 C.2.2.1.2', checklist: [73], text: `${who} has a zero-length ${k.keyword}, a Required Key: an unknown value matches any key value, so it matches ${keyText(k)}` }
      : { code: 'zero-length-optional-key', rule: 'PS3.4 C.2.2.1.3', checklist: [74], text: `${who} has a zero-length ${k.keyword}; an Optional Key the archive matches on is processed like a Required Key, whose unknown value matches ${keyText(k)}` };
  }
  if (k.kind === 'wild' && k.values[0]!.includes('?') && nonAscii(v)) {
    return { code: 'wildcard-one-character', rule: 'PS3.4 C.2.2.2.4', checklist: [85, 98], text: `${who}'s ${k.keyword} "${text(v)}" matches ${keyText(k)}: "?" matches one character, not one byte` };
  }
  if (k.kind === 'range' && (k.vr === 'TM' || k.vr === 'DT' || k.vr === 'DA')) {
    const [lo, hi] = rangeBounds(k.vr, k.values[0]!);
    const s = text(v);
    const asText = (lo === '' || lo <= s) && (hi === '' || s <= hi);
    if (!asText) return { code: 'range-by-meaning', rule: 'PS3.4 C.2.2.2.5', checklist: [86], text: `${who}'s ${k.keyword} "${s}" lies in ${keyText(k)} by meaning (compared as text it does not): ranges are matched by meaning` };
  }
  if (k.kind === 'single' && k.vr === 'TM' && text(v) !== k.values[0]) return { code: 'time-by-meaning', rule: 'PS3.4 C.2.2.2.1.3', checklist: [81], text: `${who}'s ${k.keyword} "${text(v)}" equals ${keyText(k)} by meaning` };
  const [rule, what] = KIND_RULE[k.kind] ?? ['PS3.4 C.2.2.2', 'matching'];
  return { code: `missing-by-${k.kind}`, rule, text: `${who} (${k.keyword} ${showDeclared(v)}) matches ${keyText(k)} by ${what}` };
}

/** Why `entity` does not match key `k` although the archive returned it. */
function whyItDoesNot(q: Query, k: Key, v: AttrValue | undefined, who: string, pendingFF00: boolean): Observation {
  const required = isRequiredOrUnique(q.model, k.level, k.keyword);
  if (q.model === 'mwl' && isEmpty(v)) {
    return { code: 'worklist-unknown-value-matched', rule: 'PS3.4 K.2.2.1.1.1', checklist: [107], text: `${who} has no ${k.keyword}, yet was returned for ${keyText(k)}: in a worklist an unknown value matches nothing but universal matching` };
  }
  // A case difference is named as such even on an Optional Key: matching it case-insensitively is not ignoring it.
  const caseOnly = (k.kind === 'single' || k.kind === 'wild') && k.vr !== 'PN' && typeof v === 'string' && (k.kind === 'single' ? v.toLowerCase() === k.values[0]!.toLowerCase() : (k.regex ? new RegExp(k.regex.source, 'isu').test(v) : false));
  if (!required && pendingFF00 && !caseOnly) {
    return { code: 'ff00-optional-key-ignored', rule: 'PS3.4 C.2.2.1.3, Table C.4-1', checklist: [74], text: `${who} (${k.keyword} ${showDeclared(v)}) does not match ${keyText(k)}: the archive ignored the Optional Key yet answered FF00, which says every Optional Key was supported like a Required Key (FF01 is due)` };
  }
  if (caseOnly && k.kind === 'single') {
    return { code: 'single-value-case', rule: 'PS3.4 C.2.2.2.1', checklist: [79], text: `${who}'s ${k.keyword} "${v}" does not match ${keyText(k)}: single value matching of ${k.vr} is case-sensitive` };
  }
  if (caseOnly && k.kind === 'wild') return { code: 'wildcard-case', rule: 'PS3.4 C.2.2.2.4', checklist: [85], text: `${who}'s ${k.keyword} "${text(v)}" does not match ${keyText(k)} (wild card matching is case-sensitive except for PN)` };
  const [rule, what] = KIND_RULE[k.kind] ?? ['PS3.4 C.2.2.2', 'matching'];
  return { code: `extra-by-${k.kind}`, rule, text: `${who} (${k.keyword} ${showDeclared(v)}) does not match ${keyText(k)} by ${what}` };
}

export interface Difference {
  missing: Entity[];
  extra: Entity[];
  /** Returned identities the data set does not hold at all. */
  unknown: string[];
}

/** Observations for each entity left out or added, against `reading`. */
export function explain(store: Store, reading: Reading, diff: Difference, describe: (e: Entity) => string, pendingFF00: boolean): Observation[] {
  const out: Observation[] = [];
  const q = reading.query;
  for (const id of diff.unknown) out.push({ code: 'entity-not-in-data-set', rule: 'PS3.4 C.2.2', text: `returned ${id}, which the data set does not hold` });
  if (!q) {
    for (const e of [...diff.missing, ...diff.extra]) out.push({ code: 'unexpected-match', rule: 'PS3.4 C.4.1.3.1', text: `${describe(e)} returned for a query the reading refuses` });
    return out;
  }
  const ctx = matchContext(q, reading.profile);
  const keys = q.keys.filter((k) => k.matched && k.kind !== 'universal');
  for (const e of diff.missing) {
    const reasons = keys.map((k) => whyItMatches(store, q, k, e, describe(e)));
    const specific = reasons.filter((r) => !r.code.startsWith('missing-by-'));
    out.push(...(specific.length ? specific : reasons.length ? reasons : [{ code: 'missing-match', rule: 'PS3.4 C.4.1.3.1', text: `${describe(e)} matches every key but was not returned` }]));
  }
  for (const e of diff.extra) {
    const failing = keys.filter((k) => !matchKey(k, valueFor(store, e, k, q), ctx));
    if (failing.length === 0) {
      out.push({ code: 'outside-hierarchy', rule: 'PS3.4 C.4.1.3.1.1', checklist: [76], text: `${describe(e)} is not under the unique keys of the higher levels given` });
      continue;
    }
    for (const k of failing) out.push(whyItDoesNot(q, k, valueFor(store, e, k, q), describe(e), pendingFF00));
  }
  return out;
}

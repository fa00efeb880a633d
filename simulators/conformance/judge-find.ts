import type { DataSet } from '../dataset/data-set.ts';
import type { FindModel } from '../dimse/find.ts';
import { describeStatus, statusClass } from '../dimse/status.ts';
import { isRequiredOrUnique } from '../matching/key-types.ts';
import type { Negotiated, Query } from '../matching/query.ts';
import type { FindResponse } from '../scu/find-operation.ts';
import type { Entity, Level } from '../store/entities.ts';
import { UNIQUE_KEY } from '../store/entities.ts';
import type { Store } from '../store/store.ts';
import { explain } from './explain.ts';
import { entityFor, identityOfResponse } from './identity.ts';
import { identityOf, readings } from './oracle.ts';
import type { Reading } from './oracle.ts';
import { checkPending } from './pending-content.ts';
import { conclude, unjudged } from './verdict.ts';
import type { Observation, Verdict, VerdictInput } from './verdict.ts';
import { collectWireProblems } from './wire-problems.ts';

/** A conformance query: what is sent, and what the check is about. */
export interface FindCheck extends VerdictInput {
  model: FindModel;
  identifier: DataSet;
}

/** What one C-FIND exchange produced. */
export interface FindObserved {
  negotiated: Negotiated;
  /** The association's answer that the check depends on (evidence). */
  negotiation: Record<string, unknown>;
  responses: FindResponse[];
  /** Why no final response came (timeout, abort, closed connection). */
  error?: { code: string; message: string };
  /** Rules broken outside the responses of this C-FIND (e.g. a response after the final one). */
  violations?: string[];
  cancelled?: boolean;
}

const hex = (s: number) => s.toString(16).toUpperCase().padStart(4, '0');

export function describeEntity(e: Entity): string {
  switch (e.level) {
    case 'PATIENT':
      return `patient ${e.values.PatientID}`;
    case 'STUDY':
      return `study ${e.values.StudyInstanceUID} (${e.parent?.values.PatientID})`;
    case 'SERIES':
      return `series ${e.values.SeriesInstanceUID} (${e.values.Modality || 'no modality'})`;
    case 'IMAGE':
      return `instance ${e.values.SOPInstanceUID}`;
    default:
      return `worklist item ${identityOf(e, 'WORKLIST')}`;
  }
}

/** How far an answer is from a reading: entities left out, and entities added (added ones weigh a little more, so a tie goes to the reading that explains what was returned). */
function distance(r: Reading, got: readonly string[]): number {
  const a = new Set(r.keys);
  const b = new Set(got);
  let d = 0;
  for (const k of a) if (!b.has(k)) d += 1;
  for (const k of b) if (!a.has(k)) d += 1.01;
  return d;
}

/** Folds the same breach over many Pendings into one observation naming them. */
function fold(list: { o: Observation; who: string }[]): Observation[] {
  const byKey = new Map<string, { o: Observation; count: number }>();
  for (const { o } of list) {
    const key = `${o.code}|${o.text.replace(/^[^:]*: /, '')}`;
    const seen = byKey.get(key);
    if (seen) seen.count++;
    else byKey.set(key, { o, count: 1 });
  }
  return [...byKey.values()].map(({ o, count }) => (count > 1 ? { ...o, text: `${o.text} (and ${count - 1} more Pending${count > 2 ? 's' : ''} alike)` } : o));
}

/**
 * Judges one C-FIND against the data set: the answer must be one the standard permits for what
 * the archive holds and what the association negotiated (entity by entity), and every response
 * must be well formed — Pendings with the requested keys and the entity's values, the level, the
 * higher unique keys, a retrieve location, a character set for non-default text, nothing else;
 * one final response, without an Identifier.
 */
export function judgeFind(check: FindCheck, store: Store, seen: FindObserved): Verdict {
  const level = (check.model === 'mwl' ? 'WORKLIST' : (check.identifier.text('QueryRetrieveLevel') ?? '').trim()) as Level;
  const pendings = seen.responses.filter((r) => !r.final);
  const final = seen.responses.find((r) => r.final);
  const evidence: NonNullable<VerdictInput['evidence']> = {
    negotiation: seen.negotiation,
    sent: { model: check.model, identifier: check.identifier.toObject() },
    received: {
      pendings: pendings.length,
      statuses: [...new Set(pendings.map((r) => hex(r.status)))],
      identities: pendings.map((r) => identityOfResponse(r.identifier, level, store) ?? '(none)'),
      first: pendings.slice(0, 3).map((r) => r.identifier?.toObject()),
      final: final ? { status: hex(final.status), meaning: describeStatus(final.status), errorComment: final.command.ErrorComment, offendingElement: final.command.OffendingElement } : undefined,
      ...(seen.error && { error: `${seen.error.code}: ${seen.error.message}` }),
    },
  };
  const input = { ...check, evidence };
  const fails: Observation[] = collectWireProblems(seen.responses);
  for (const v of seen.violations ?? []) fails.push({ code: 'response-after-final', rule: 'PS3.7 9.3.2.4', text: v });
  if (!final) {
    fails.push({ code: 'no-final-response', rule: 'PS3.7 9.1.2.2', checklist: [101], text: `no final response after ${pendings.length} Pending(s): ${seen.error?.message ?? 'the exchange ended'}` });
    return conclude(input, fails);
  }
  const cls = statusClass(final.status);
  if (final.status === 0xfe00 && !seen.cancelled) fails.push({ code: 'cancel-without-request', rule: 'PS3.4 C.4.1.3.1', text: 'a final FE00 (Cancel) for a C-FIND that was not cancelled' });
  const all = readings(store, check.model, check.identifier, seen.negotiated);
  const distinct = new Set(all.map((r) => `${r.outcome}:${r.keys.join(',')}`)).size > 1;
  // A non-baseline hierarchical query, or several values in a key, without the negotiation that
  // defines them, has no defined answer (PS3.4 C.4.1.2.1, C.2.2.2.8): how it matched is reported,
  // while the rules of the response itself (C.4.1.1.3.2, PS3.7) still bind.
  const undefinedQuery = all.some((r) => r.choices.some((c) => c.id.startsWith('non-baseline-') || c.id.startsWith('multi-value-')));
  // FF01 is read per query: one Pending that says an Optional Key was not supported covers them all.
  const ff01 = pendings.some((r) => r.status === 0xff01);
  const worklist = check.model === 'mwl';
  const noted: Observation[] = [];
  /** The content of each Pending: its breaches (returned), and what is only worth knowing (kept in `noted`). */
  const contentOf = (list: typeof pendings, q: Query | undefined, relational: boolean): Observation[] => {
    if (!q) return [];
    const content: { o: Observation; who: string }[] = [];
    const findings: { o: Observation; who: string }[] = [];
    for (const r of list) {
      if (!r.identifier) continue;
      const id = identityOfResponse(r.identifier, level, store);
      const entity = id ? entityFor(store, level, id) : undefined;
      const who = entity ? describeEntity(entity) : `Pending ${r.index}`;
      const j = checkPending(r.identifier, entity, who, { store, model: check.model, level, request: check.identifier, query: q, status: ff01 ? 0xff01 : 0xff00, relational });
      for (const o of j.fails) content.push({ o, who });
      for (const o of j.findings) findings.push({ o, who });
    }
    noted.push(...fold(findings));
    return fold(content);
  };
  if (cls === 'Failure') {
    if (final.status >= 0xa700 && final.status <= 0xa7ff) {
      return unjudged(input, 'error', { code: 'refused-out-of-resources', rule: 'PS3.4 C.4.1.1.4', text: `the archive refused with ${describeStatus(final.status)}: nothing to judge` });
    }
    const refusal = all.find((r) => r.outcome === 'refused');
    const charset = check.identifier.text('SpecificCharacterSet');
    if (refusal || undefinedQuery) {
      fails.push(...contentOf(pendings, refusal?.query ?? all.find((r) => r.query)?.query, false));
      if (!refusal) return conclude(input, fails, [{ code: 'undefined-query-refused', rule: 'PS3.4 C.4.1.2.1', checklist: [77], text: `a query whose answer the standard leaves undefined refused with ${describeStatus(final.status)}` }]);
      const choices = refusal.choices.filter((c) => !c.id.startsWith('pn-'));
      return conclude(input, fails, choices.map((c) => ({ code: c.id, rule: c.rule, checklist: [c.checklist], text: `${c.label} (${describeStatus(final.status)})` })));
    }
    if (charset) return conclude(input, fails, [{ code: 'charset-not-supported', rule: 'PS3.4 C.2.2.2', checklist: [97], text: `a query in Specific Character Set "${charset}" refused with ${describeStatus(final.status)}: matching in an unsupported set is the implementation's` }]);
    fails.push(...contentOf(pendings, all[0]?.query, false));
    const optional = (all[0]?.query?.keys ?? []).filter((k) => k.kind !== 'universal' && !isRequiredOrUnique(check.model, k.level, k.keyword));
    fails.push({
      code: 'refused-valid-query',
      rule: optional.length ? 'PS3.4 C.2.2.1.3' : 'PS3.4 C.2.2.1.2',
      checklist: [optional.length ? 74 : 73],
      text: `a valid query refused with ${describeStatus(final.status)}${final.command.ErrorComment ? ` ("${final.command.ErrorComment}")` : ''}: ${optional.length ? `an Optional Key the archive does not support is ignored (${optional.map((k) => k.keyword).join(', ')}), not refused` : 'an archive supports matching on every Required and Unique Key'}`,
    });
    return conclude(input, fails);
  }
  // The answer, entity by entity.
  const unidentified: number[] = [];
  const got: string[] = [];
  const seenIds = new Set<string>();
  for (const r of pendings) {
    const id = identityOfResponse(r.identifier, level, store);
    if (!id) {
      if (r.identifier && !worklist) fails.push({ code: 'unique-key-missing', rule: 'PS3.4 C.2.2.1.1', checklist: [72], text: `Pending ${r.index} has no ${UNIQUE_KEY[level as keyof typeof UNIQUE_KEY]}` });
      if (r.identifier && worklist) unidentified.push(r.index);
      continue;
    }
    // One Pending per match: PS3.4 C.4.1.3.1, and K.4.1.3.1 for a worklist.
    if (seenIds.has(id)) fails.push({ code: 'duplicate-entity', rule: worklist ? 'PS3.4 K.4.1.3.1' : 'PS3.4 C.4.1.3.1', checklist: [worklist ? 113 : 101], text: `${id} returned twice` });
    seenIds.add(id);
    got.push(id);
  }
  got.sort();
  if (unidentified.length) {
    return unjudged(input, 'error', { code: 'worklist-item-unidentified', rule: 'PS3.4 K.6.1', text: `Pending(s) ${unidentified.join(', ')} match no single declared worklist item (no Scheduled Procedure Step ID, and the values returned fit none or several)` });
  }
  // A worklist's FF01 speaks of existence only (Table K.4-1): an ignored optional matching key is permitted under FF00 (K.2.2.1.1.2).
  const candidates = all.filter((r) => r.outcome === 'matches' && (ff01 || worklist || r.unsupported.length === 0));
  const exact = candidates.filter((r) => distance(r, got) === 0).sort((a, b) => Number(b.strict) - Number(a.strict) || a.choices.length - b.choices.length);
  const closest = exact[0] ?? [...candidates].sort((a, b) => distance(a, got) - distance(b, got) || Number(b.strict) - Number(a.strict))[0] ?? all[0]!;
  const choices: Observation[] = [];
  if (exact.length === 0) {
    const want = new Set(closest.keys);
    const have = new Set(got);
    const missing = closest.keys.filter((k) => !have.has(k)).map((k) => entityFor(store, level, k)!);
    const extraIds = got.filter((k) => !want.has(k));
    const extra = extraIds.map((k) => entityFor(store, level, k)).filter((e): e is Entity => e !== undefined);
    const unknown = extraIds.filter((k) => !entityFor(store, level, k));
    fails.push(...explain(store, closest, { missing, extra, unknown }, describeEntity, !ff01 && !worklist));
    evidence.due = { keys: closest.keys, readings: all.length, choices: closest.choices.map((c) => c.label), unsupportedOptionalKeys: closest.unsupported };
    // The open choices the closest reading makes are reported beside the fail, not lost in it.
    if (distinct) evidence.notes = closest.choices.map((c) => `closest permitted reading: ${c.label} (${c.rule})`);
    evidence.difference = [...missing.map((e) => `missing ${describeEntity(e)}`), ...extraIds.map((k) => `extra ${k}`)];
  } else {
    evidence.due = { keys: closest.keys, readings: all.length, choices: closest.choices.map((c) => c.label) };
    if (distinct) for (const c of closest.choices) choices.push({ code: c.id, rule: c.rule, checklist: [c.checklist], text: c.label });
    for (const k of closest.unsupported) choices.push({ code: `optional-key-not-matched:${k}`, rule: worklist ? 'PS3.4 K.2.2.1.1.2' : 'PS3.4 C.2.2.1.3', checklist: [worklist ? 108 : 74], text: `the Optional Key ${k} not supported for matching (ignored${worklist ? '' : ', FF01'})` });
  }
  if (ff01 && closest.unsupported.length === 0 && exact.length > 0) {
    choices.push({ code: 'ff01-optional-key-existence', rule: worklist ? 'PS3.4 Table K.4-1' : 'PS3.4 C.2.2.1.3', checklist: [worklist ? 108 : 74], text: 'FF01: an Optional Key not supported for existence' });
  }
  if (ff01 && pendings.some((r) => r.status === 0xff00)) choices.push({ code: 'pending-status-mixed', rule: 'PS3.4 Table C.4-1', checklist: [74], text: 'some Pendings FF00, some FF01 for one identifier (read as FF01 for all)' });
  // Each Pending's content.
  const query = closest.query ?? all.find((r) => r.query)?.query;
  fails.push(...contentOf(pendings, query, seen.negotiated.relational));
  choices.push(...noted);
  if (undefinedQuery) {
    const [keep, report] = [fails.filter((o) => !MATCHING_CODES.test(o.code)), fails.filter((o) => MATCHING_CODES.test(o.code))];
    return conclude(input, keep, [...choices, ...report.map((o) => ({ ...o, code: `undefined-query:${o.code}`, text: `${o.text} — in the answer to a query the standard leaves undefined` }))], `${got.length} match(es) as the data set requires, each Pending well formed`);
  }
  return conclude(input, fails, choices, `${got.length} match(es) as the data set requires, each Pending well formed`);
}

/** Observations about how the archive matched (and the hierarchy of its answer), which an undefined query does not bind. */
const MATCHING_CODES = /^(missing-|extra-|zero-length-|wildcard-|range-by-meaning|time-by-meaning|single-value-case|ff00-optional-key-ignored|outside-hierarchy|unexpected-match|upper-unique-key-missing)/;

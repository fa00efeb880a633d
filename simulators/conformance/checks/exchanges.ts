import { DataSet } from '../../dataset/data-set.ts';
import { parseTag } from '../../dataset/dictionary.ts';
import type { DataSetInput } from '../../dataset/data-set.ts';
import type { FindModel } from '../../dimse/find.ts';
import { describeStatus, statusClass } from '../../dimse/status.ts';
import type { Entity } from '../../store/entities.ts';
import type { Store } from '../../store/store.ts';
import { judgeFind } from '../judge-find.ts';
import type { FindObserved } from '../judge-find.ts';
import { closeSession, findOn, openFindSession, runFind } from '../target.ts';
import type { FindRun, FindSession, Target } from '../target.ts';
import { conclude, unjudged } from '../verdict.ts';
import type { Observation, Verdict, VerdictInput } from '../verdict.ts';
import { collectWireProblems } from '../wire-problems.ts';

/**
 * Checks of whole exchanges with the archive under test: C-CANCEL at three moments, a second
 * query on the same association, a small Maximum Length, and identifiers that are invalid on
 * purpose (PS3.4 C.4.1.2, C.4.1.3; PS3.7 9.1.2; PS3.8 D.1).
 */

function sessionBlocked(input: VerdictInput, s: { unreachable?: Error & { code?: string }; contextRejected?: { result: number } }): Verdict | undefined {
  if (s.unreachable) return unjudged(input, 'error', { code: `unreachable:${s.unreachable.code}`, rule: 'PS3.8 7.1', text: `no association: ${s.unreachable.message}` });
  if (s.contextRejected) return unjudged(input, 'n/a', { code: 'model-not-accepted', rule: 'PS3.8 7.1.1.13', text: `the archive did not accept the presentation context (result ${s.contextRejected.result})` });
  return undefined;
}

/** The series with the most instances: the long stream a cancel interrupts. */
export function longestSeries(store: Store): Entity | undefined {
  let best: Entity | undefined;
  for (const se of store.series()) if (!best || se.children.length > best.children.length) best = se;
  return best;
}

function streamIdentifier(series: Entity): DataSet {
  return DataSet.from({ QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: series.parent!.values.StudyInstanceUID as string, SeriesInstanceUID: series.values.SeriesInstanceUID as string, SOPInstanceUID: '' });
}

/** What a check of the exchange keeps from the judge of its query: the protocol and whether the answer was whole — not how it matched. */
const EXCHANGE_CODES = /^(no-final-response|response-after-final|duplicate-entity|cancel-without-request|identifier-on-final|pending-without-identifier|wrong-|unknown-status|status-missing|command-|pdv-rule|identifier-undecodable|wire-rule)/;

function fundamentals(run: FindRun): { fails: Observation[]; final: FindRun['responses'][number] | undefined; pendings: number } {
  const fails = collectWireProblems(run.responses);
  for (const v of run.violations ?? []) fails.push({ code: 'response-after-final', rule: 'PS3.7 9.3.2.4', checklist: [57], text: v });
  const final = run.responses.find((r) => r.final);
  if (!final) fails.push({ code: 'no-final-response', rule: 'PS3.7 9.1.2.2', checklist: [101], text: `no final response: ${run.error?.message ?? 'the exchange ended'}` });
  return { fails, final, pendings: run.responses.filter((r) => !r.final).length };
}

/** Item 57: C-CANCEL after the first Pending (or before it) of a long stream → FE00 without an Identifier, nothing after it. */
export async function checkCancel(target: Target, store: Store, after: 0 | 1): Promise<Verdict> {
  const input: VerdictInput = {
    id: after === 0 ? 'cancel.before-first-pending' : 'cancel.during-stream',
    title: after === 0 ? 'C-CANCEL right after the C-FIND-RQ: FE00, or every match if the archive had finished' : 'C-CANCEL after the first Pending of a long stream: FE00 without an Identifier, nothing after it',
    rules: ['PS3.4 C.4.1.3.1', 'PS3.7 9.1.2.2', 'PS3.7 9.1.2.1.5'],
    checklist: [57, 58],
  };
  const series = longestSeries(store);
  if (!series || series.children.length < 2) return unjudged(input, 'n/a', { code: 'no-long-series', rule: 'PS3.4 C.4.1.3.1', text: 'the data set has no series of several instances to cancel' });
  const total = series.children.length;
  const identifier = streamIdentifier(series);
  // An archive may finish before it reads the cancel; one that did is given two more tries.
  const attempts: { pendings: number; final: string }[] = [];
  let run: FindRun;
  for (;;) {
    run = await runFind(target, { model: 'study', identifier, cancelAfter: after, graceMs: 300 });
    const f = run.responses.find((r) => r.final);
    attempts.push({ pendings: run.responses.length - (f ? 1 : 0), final: f ? describeStatus(f.status) : 'none' });
    if (run.unreachable || run.contextRejected || f?.status !== 0x0000 || attempts.length === 3) break;
    if (run.responses.length - 1 < total) break;
  }
  const blocked = sessionBlocked(input, run);
  if (blocked) return blocked;
  const { fails, final, pendings } = fundamentals(run);
  const evidence = { negotiation: run.negotiation, sent: { identifier: identifier.toObject(), cancelSentAfterPendings: after }, received: { attempts, pendings, pendingsAfterCancel: Math.max(0, pendings - after), matches: total, final: final && describeStatus(final.status), finalCarriesIdentifier: final?.identifierBytes !== undefined }, due: { final: 'FE00 (Cancel), no Identifier; or, if every match was already sent, 0000' } };
  const choices: Observation[] = [];
  if (final) {
    if (final.status === 0xfe00) {
      // FE00 is due; how far the stream ran on is reported.
    } else if (final.status === 0x0000) {
      if (pendings >= total) choices.push({ code: 'all-matches-after-cancel', rule: 'PS3.4 C.4.1.3.1', checklist: [57], text: `all ${total} matches and Success after a C-CANCEL sent at Pending ${after}, in ${attempts.length} tries: the archive had finished before it read the cancel, or ignores C-CANCEL` });
      else fails.push({ code: 'success-incomplete-after-cancel', rule: 'PS3.4 C.4.1.3.1', checklist: [57, 101], text: `Success after ${pendings} of ${total} matches: Success says a response was sent for every match; a cancelled C-FIND ends with FE00` });
    } else if (statusClass(final.status) === 'Failure') {
      fails.push({ code: 'cancel-answered-failure', rule: 'PS3.4 C.4.1.3.1', checklist: [57], text: `a cancelled C-FIND ended with ${describeStatus(final.status)}, not FE00 (Cancel)` });
    }
  }
  const summary = final?.status === 0xfe00 ? `FE00 after ${pendings} Pending(s) (${Math.max(0, pendings - after)} after the cancel) of ${total} matches` : undefined;
  return conclude({ ...input, evidence }, fails, choices, summary);
}

/** Item 57: a C-CANCEL after the final response has no effect: nothing comes back, and the association goes on (a second query is answered). */
export async function checkCancelAfterFinal(target: Target, store: Store): Promise<Verdict> {
  const input: VerdictInput = { id: 'cancel.after-final', title: 'C-CANCEL after the final response: no effect, no response, the association goes on', rules: ['PS3.7 9.1.2.2', 'PS3.7 9.3.2.4'], checklist: [57] };
  const s = await openFindSession(target, 'study');
  const blocked = sessionBlocked(input, s);
  if (blocked) return (await closeSession(s), blocked);
  const first = await findOn(s, { model: 'study', identifier: DataSet.from({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' }), cancelAfterFinal: true, graceMs: 300 });
  const a = fundamentals(first);
  const fails = [...a.fails];
  if (!s.client!.association.isEstablished) fails.push({ code: 'late-cancel-ended-association', rule: 'PS3.7 9.1.2.2', checklist: [57], text: 'the association ended after a C-CANCEL that came after the final response (it has no effect)' });
  else {
    const second = await findOn(s, { model: 'study', identifier: DataSet.from({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' }) });
    const b = fundamentals(second);
    fails.push(...b.fails.map((o) => ({ ...o, text: `second query: ${o.text}` })));
    if (b.final && b.final.status !== 0) fails.push({ code: 'query-after-late-cancel-failed', rule: 'PS3.7 9.1.2.2', checklist: [57], text: `the query after the late C-CANCEL ended ${describeStatus(b.final.status)}` });
  }
  await closeSession(s);
  return conclude({ ...input, evidence: { received: { firstFinal: a.final && describeStatus(a.final.status), strayResponses: first.violations ?? [] } } }, fails, [], 'no response to the late C-CANCEL; the next query answered');
}

/** Item 101 and PS3.7 9.1.2: two queries one after the other on one association, each judged in full. */
export async function checkTwoQueries(target: Target, store: Store): Promise<Verdict> {
  const input: VerdictInput = { id: 'pending.two-queries-one-association', title: 'Two C-FINDs one after the other on one association, each answered in full', rules: ['PS3.7 9.1.2', 'PS3.4 C.4.1.3.1'], checklist: [101, 56] };
  const s = await openFindSession(target, 'study');
  const blocked = sessionBlocked(input, s);
  if (blocked) return (await closeSession(s), blocked);
  const fails: Observation[] = [];
  const queries: [string, DataSetInput][] = [
    ['every study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', PatientID: '' }],
    ['the series of one study', { QueryRetrieveLevel: 'SERIES', StudyInstanceUID: [...store.studies()][0]?.values.StudyInstanceUID as string, SeriesInstanceUID: '' }],
  ];
  for (const [what, keys] of queries) {
    const identifier = DataSet.from(keys);
    const run = await findOn(s, { model: 'study', identifier, graceMs: 100 });
    const v = judgeFind({ ...input, model: 'study', identifier }, store, run as FindObserved);
    if (v.verdict === 'fail') fails.push(...v.observations.filter((o) => EXCHANGE_CODES.test(o.code)).map((o) => ({ ...o, text: `${what}: ${o.text}` })));
    if (!s.client!.association.isEstablished) {
      fails.push({ code: 'association-ended', rule: 'PS3.7 9.1.2', checklist: [101], text: `the association ended after ${what}` });
      break;
    }
  }
  await closeSession(s);
  return conclude(input, fails, [], 'both answered in full on one association');
}

/** Items 21, 48: with our Maximum Length at 128, no P-DATA-TF from the archive exceeds it, and the answer still arrives whole. */
export async function checkMaxPdu(target: Target, store: Store, max = 128): Promise<Verdict> {
  const input: VerdictInput = { id: 'association.maximum-length', title: `The archive never sends a P-DATA-TF longer than the Maximum Length we announce (${max})`, rules: ['PS3.8 D.1', 'PS3.8 9.3.5'], checklist: [21, 48] };
  const s = await openFindSession(target, 'study', { maxPduLength: max });
  if (s.unreachable?.code === 'UL_ASSOCIATION_REJECTED') {
    return conclude(input, [], [{ code: 'small-maximum-refused', rule: 'PS3.8 D.1', checklist: [48], text: `an association announcing a Maximum Length of ${max} rejected: ${s.unreachable.message}` }]);
  }
  const blocked = sessionBlocked(input, s);
  if (blocked) return (await closeSession(s), blocked);
  const identifier = DataSet.from({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', PatientName: '', PatientID: '', PatientBirthDate: '', PatientSex: '', StudyDate: '', StudyTime: '', AccessionNumber: '', StudyID: '', StudyDescription: '', ReferringPhysicianName: '' });
  const run = await findOn(s, { model: 'study', identifier });
  await closeSession(s);
  const v = judgeFind({ ...input, model: 'study', identifier }, store, run as FindObserved);
  const fails = v.verdict === 'fail' ? v.observations.filter((o) => EXCHANGE_CODES.test(o.code)) : [];
  const over = s.pDataLengths.filter((n) => n > max);
  // A P-DATA-TF over our limit is refused by our framer before it is read: the fault says how long it was.
  const tooLong = s.faults.find((f) => f.code === 'UL_PDU_TOO_LONG');
  if (tooLong) fails.push({ code: 'maximum-length-exceeded', rule: 'PS3.8 D.1', checklist: [21, 48], text: `${tooLong.message} (we announced ${max}); the association was aborted` });
  else if (over.length) fails.push({ code: 'maximum-length-exceeded', rule: 'PS3.8 D.1', checklist: [21, 48], text: `${over.length} of ${s.pDataLengths.length} P-DATA-TF PDUs longer than the ${max} bytes announced (longest ${Math.max(...over)})` });
  return conclude({ ...input, evidence: { received: { pDataTf: s.pDataLengths.length, longest: Math.max(0, ...s.pDataLengths), pendings: run.responses.length - 1 } } }, fails, [], `${s.pDataLengths.length} P-DATA-TF, none over ${max} bytes; the answer complete`);
}

/** What an identifier that is invalid on purpose looks like, and what the check expects. */
export interface InvalidCase {
  id: string;
  title: string;
  model: FindModel;
  identifier: DataSetInput;
  rules: string[];
  checklist: number[];
  /** The level the Pendings must carry if they come (the request's); undefined: none can be right. */
  level?: string;
  offending?: string;
}

export const INVALID_CASES: readonly InvalidCase[] = [
  { id: 'invalid.no-level', title: 'An identifier without Query/Retrieve Level is refused (A900/Cxxx)', model: 'study', identifier: { StudyInstanceUID: '', PatientID: 'PAT001' }, rules: ['PS3.4 C.4.1.1.3.1', 'PS3.4 C.4.1.1.3.2'], checklist: [59, 64], offending: 'QueryRetrieveLevel' },
  { id: 'invalid.unknown-level', title: 'Query/Retrieve Level "STUDYX" (not a level of the model)', model: 'study', identifier: { QueryRetrieveLevel: 'STUDYX', StudyInstanceUID: '' }, rules: ['PS3.4 C.6.2.1', 'PS3.4 C.4.1.1.3.2'], checklist: [64], level: 'STUDYX', offending: 'QueryRetrieveLevel' },
  { id: 'invalid.level-not-in-model', title: 'Study Root queried at PATIENT level, which it does not have', model: 'study', identifier: { QueryRetrieveLevel: 'PATIENT', PatientID: '' }, rules: ['PS3.4 C.6.2.1'], checklist: [64], level: 'PATIENT' },
  { id: 'invalid.key-below-level', title: 'A STUDY query with a key of the SERIES level', model: 'study', identifier: { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', Modality: 'CT' }, rules: ['PS3.4 C.4.1.1.3.1', 'PS3.4 C.6.2.1'], checklist: [64, 75], level: 'STUDY' },
];

/** Items 59, 64, 102: an invalid identifier answered with a failure (no Identifier, a valid Error Comment), or — where the standard leaves it open — a reported choice. */
export async function checkInvalid(target: Target, c: InvalidCase): Promise<Verdict> {
  const input: VerdictInput = { id: c.id, title: c.title, rules: c.rules, checklist: c.checklist };
  const identifier = DataSet.from(c.identifier);
  const run = await runFind(target, { model: c.model, identifier, graceMs: 100 });
  const blocked = sessionBlocked(input, run);
  if (blocked) return blocked;
  const { fails, final, pendings } = fundamentals(run);
  const choices: Observation[] = [];
  const evidence = { negotiation: run.negotiation, sent: { identifier: identifier.toObject() }, received: { pendings, final: final && describeStatus(final.status), errorComment: final?.command.ErrorComment, offendingElement: final?.command.OffendingElement } };
  if (final && statusClass(final.status) === 'Failure') {
    const offending = final.command.OffendingElement;
    const want = c.offending === undefined ? undefined : parseTag(c.offending);
    if (want !== undefined && offending && !offending.includes(want)) choices.push({ code: 'offending-element-elsewhere', rule: 'PS3.7 C.4.2', checklist: [59], text: `Offending Element lists ${offending.map((t) => t.toString(16).padStart(8, '0')).join(', ')}, not ${c.offending}` });
    return conclude({ ...input, evidence }, fails, choices, `refused with ${describeStatus(final.status)}${final.command.ErrorComment ? ` ("${final.command.ErrorComment}")` : ''}`);
  }
  if (final && pendings > 0) {
    const levels = [...new Set(run.responses.filter((r) => !r.final).map((r) => r.identifier?.text('QueryRetrieveLevel')?.trim() ?? '(none)'))];
    if (c.level === undefined) {
      // A Pending's level is the request's (C.4.1.1.3.2): with none requested, no Pending can be right.
      fails.push({ code: 'level-invented', rule: 'PS3.4 C.4.1.1.3.2', checklist: [64, 100], text: `${pendings} Pending(s) at level ${levels.join(', ')} for a request without a level` });
    } else if (levels.some((l) => l !== c.level)) {
      fails.push({ code: 'level-changed', rule: 'PS3.4 C.4.1.1.3.2', checklist: [64, 100], text: `Pendings at level ${levels.filter((l) => l !== c.level).join(', ')} for a request at "${c.level}": a response's level is the request's` });
    } else choices.push({ code: `${c.id.replace('invalid.', '')}-answered`, rule: c.rules[0]!, checklist: c.checklist, text: `answered with ${pendings} Pending(s) at level ${levels.join(', ')} instead of a failure` });
  } else if (final && final.status === 0) {
    choices.push({ code: `${c.id.replace('invalid.', '')}-empty-success`, rule: c.rules[0]!, checklist: c.checklist, text: 'answered Success without a match instead of a failure' });
  }
  return conclude({ ...input, evidence }, fails, choices);
}

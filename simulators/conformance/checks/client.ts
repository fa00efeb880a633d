import { CommandField, commandFieldName } from '../../dimse/command-fields.ts';
import { FIND_SOP_CLASSES } from '../../dimse/find.ts';
import { uidName } from '../../dimse/sop-classes.ts';
import type { TraceEvent } from '../../trace/format.ts';
import type { ClientRun } from '../client-target.ts';
import { conclude, unjudged } from '../verdict.ts';
import type { Observation, Verdict } from '../verdict.ts';

/**
 * Checks of a query client under test, from what our SCP saw of it (the acceptor's events) and
 * how its command ended. Rules the standard sets for a requestor fail; what it leaves to the
 * client (what it proposes beyond the minimum, how it reacts to a failure) is a finding.
 */

type Assoc = Extract<TraceEvent, { kind: 'association' }>;
type Ended = Extract<Assoc, { phase: 'released' | 'aborted' }>;
type Dimse = Extract<TraceEvent, { kind: 'dimse:received' | 'dimse:sent' }>;

const FIND_UIDS = new Set<string>(FIND_SOP_CLASSES);
const IMPLICIT_LE = '1.2.840.10008.1.2';

/** The associations the client requested, in order, each with its events. */
export function clientAssociations(events: readonly TraceEvent[]): { id: string; events: TraceEvent[] }[] {
  const by = new Map<string, TraceEvent[]>();
  for (const e of events) by.set(e.associationId, [...(by.get(e.associationId) ?? []), e]);
  return [...by].filter(([, list]) => list.some((e) => e.kind === 'association' && e.phase === 'requested')).map(([id, list]) => ({ id, events: list }));
}

function describeRun(run: ClientRun | undefined): string {
  if (!run) return 'the client was not run by the harness';
  if (run.notFound) return `the command was not found: ${run.stderr.trim().split('\n').at(-1) ?? ''}`;
  if (run.timedOut) return `the command did not end within the run's timeout and was stopped after ${Math.round(run.durationMs)} ms`;
  return `the command exited with ${run.exitCode ?? `signal ${run.signal}`} after ${Math.round(run.durationMs)} ms`;
}

/** No association reached the SCP: nothing can be judged (an error, naming why). */
export function noClientVerdict(id: string, title: string, run: ClientRun | undefined): Verdict {
  return unjudged({ id, title, rules: [], checklist: [], evidence: { received: { client: describeRun(run), ...(run && { stdout: run.stdout.slice(-2000), stderr: run.stderr.slice(-2000) }) } } }, 'error', { code: 'client-did-not-associate', rule: 'qr-harness', text: `the client never requested an association: ${describeRun(run)}` });
}

/** The A-ASSOCIATE-RQ: AE titles, the contexts it proposes, Maximum Length and implementation identity (PS3.8 9.3.2, D.1; PS3.7 D.3.3.2). */
export function judgeClientAssociation(events: readonly TraceEvent[], calling: string): Verdict {
  const input = { id: 'client.association', title: 'The A-ASSOCIATE-RQ: AE titles, proposed contexts, Maximum Length, implementation identity', rules: ['PS3.8 9.3.2', 'PS3.8 D.1', 'PS3.7 D.3.3.2'], checklist: [13, 18, 19, 21, 22] };
  const requested = events.find((e): e is Assoc & { phase: 'requested' } => e.kind === 'association' && e.phase === 'requested');
  if (!requested) return unjudged(input, 'error', { code: 'client-did-not-associate', rule: 'qr-harness', text: 'no A-ASSOCIATE-RQ reached the SCP' });
  const rq = requested.request;
  const fails: Observation[] = [];
  const findings: Observation[] = [];
  for (const v of events) if (v.kind === 'violation' && v.message.startsWith('A-ASSOCIATE-RQ')) fails.push({ code: `rq:${v.reference}`, rule: v.reference, text: v.message });
  if (rq.maxPduLength === undefined) fails.push({ code: 'max-length-missing', rule: 'PS3.8 D.1', checklist: [21], text: 'the A-ASSOCIATE-RQ has no Maximum Length sub-item (51H), which it shall carry' });
  if (!rq.implementationClassUid) fails.push({ code: 'implementation-class-missing', rule: 'PS3.7 D.3.3.2', checklist: [22], text: 'the A-ASSOCIATE-RQ has no Implementation Class UID sub-item (52H)' });
  if (rq.callingAeTitle !== calling) findings.push({ code: 'calling-ae-other', rule: 'PS3.8 9.3.2', text: `the client called itself "${rq.callingAeTitle}", not "${calling}" as it was asked` });
  const find = rq.presentationContexts.filter((c) => FIND_UIDS.has(c.abstractSyntax));
  if (!find.length) fails.push({ code: 'no-find-context', rule: 'PS3.4 C.5', text: `no Query/Retrieve or Worklist FIND context proposed (only ${rq.presentationContexts.map((c) => uidName(c.abstractSyntax)).join(', ') || 'none'})` });
  for (const c of find) if (!c.transferSyntaxes.includes(IMPLICIT_LE)) findings.push({ code: 'no-implicit-le', rule: 'PS3.5 10.1', text: `context ${c.id} (${uidName(c.abstractSyntax)}) does not offer Implicit VR Little Endian, the default every DICOM AE supports` });
  const offered = [
    ...rq.extendedNegotiations.map((x) => `extended negotiation for ${uidName(x.sopClassUid)} (${[...x.applicationInformation].join(' ')})`),
    ...rq.roleSelections.map((r) => `role selection for ${uidName(r.sopClassUid)}`),
    ...(rq.asyncOperationsWindow ? [`an operations window ${rq.asyncOperationsWindow.maxOperationsInvoked}/${rq.asyncOperationsWindow.maxOperationsPerformed}`] : []),
    ...(rq.userIdentity ? [`user identity type ${rq.userIdentity.type}`] : []),
  ];
  if (offered.length) findings.push({ code: 'negotiation-proposed', rule: 'PS3.7 D.3.3', text: `proposed ${offered.join('; ')}` });
  const evidence = {
    received: {
      calling: rq.callingAeTitle,
      called: rq.calledAeTitle,
      contexts: rq.presentationContexts.map((c) => `${c.id}: ${uidName(c.abstractSyntax)} — ${c.transferSyntaxes.map(uidName).join(', ')}`),
      maxPduLength: rq.maxPduLength ?? 'absent',
      implementation: `${rq.implementationClassUid ?? '(none)'} ${rq.implementationVersionName ?? ''}`.trim(),
    },
  };
  return conclude({ ...input, evidence }, fails, findings, `"${rq.callingAeTitle}" proposed ${rq.presentationContexts.length} context(s), ${find.length} for FIND, Maximum Length ${rq.maxPduLength}`);
}

/** Message IDs, C-CANCEL and the DIMSE encoding of what the client sent (PS3.7 9.1.1, 9.3.2.3, Annex E). */
export function judgeClientMessages(events: readonly TraceEvent[]): Verdict {
  const input = { id: 'client.messages', title: 'Message IDs, C-CANCEL and the command sets the client sends', rules: ['PS3.7 9.1.1', 'PS3.7 9.3.2.3', 'PS3.7 7.3'], checklist: [54, 61] };
  const received = events.filter((e): e is Dimse => e.kind === 'dimse:received');
  if (!received.length) return unjudged(input, 'n/a', { code: 'no-messages', rule: 'qr-harness', text: 'the client sent no DIMSE message' });
  const fails: Observation[] = [];
  const outstanding = new Set<number>();
  const answered = new Set<number>();
  // Whether each association agreed an operations window above one (PS3.7 D.3.3.3).
  const windows = new Map<string, boolean>();
  for (const e of events) if (e.kind === 'association' && e.phase === 'established') windows.set(e.associationId, (e.accept.asyncOperationsWindow?.maxOperationsInvoked ?? 1) !== 1);
  for (const e of events) {
    if (e.kind === 'dimse:sent' && e.command.MessageIDBeingRespondedTo !== undefined && e.command.Status !== undefined && (e.command.Status & 0xff00) !== 0xff00) {
      outstanding.delete(e.command.MessageIDBeingRespondedTo);
      answered.add(e.command.MessageIDBeingRespondedTo);
    }
    if (e.kind !== 'dimse:received') continue;
    const c = e.command;
    for (const p of e.problems) fails.push({ code: 'command-encoding', rule: 'PS3.7 Annex E', checklist: [49, 50], text: `${commandFieldName(c.CommandField)}: ${p}` });
    if (c.CommandField === CommandField.C_CANCEL_RQ) {
      const id = c.MessageIDBeingRespondedTo;
      // PS3.7 9.3.2.3: the C-CANCEL names the request it cancels.
      if (id === undefined || (!outstanding.has(id) && !answered.has(id))) fails.push({ code: 'cancel-unknown-request', rule: 'PS3.7 9.3.2.3', checklist: [54], text: `C-CANCEL for Message ID ${id ?? '(none)'}, which is no C-FIND the client sent` });
      continue;
    }
    if (c.MessageID === undefined) continue;
    // PS3.7 9.1.1: a Message ID is unique among the requests outstanding on the association.
    if (outstanding.has(c.MessageID)) fails.push({ code: 'message-id-reused', rule: 'PS3.7 9.1.1', text: `Message ID ${c.MessageID} reused while its request was still outstanding` });
    // PS3.7 7.3: without an asynchronous operations window the requestor waits for the final response.
    else if (outstanding.size > 0 && !windows.get(e.associationId)) fails.push({ code: 'not-synchronous', rule: 'PS3.7 7.3', checklist: [61], text: `${commandFieldName(c.CommandField)} (Message ID ${c.MessageID}) sent while Message ID ${[...outstanding].join(', ')} still awaited its final response, without an asynchronous operations window` });
    outstanding.add(c.MessageID);
  }
  const kinds = [...new Set(received.map((e) => commandFieldName(e.command.CommandField)))];
  return conclude({ ...input, evidence: { received: { messages: received.map((e) => `${commandFieldName(e.command.CommandField)} ${e.command.MessageID ?? `re ${e.command.MessageIDBeingRespondedTo}`}`) } } }, fails, [], `${received.length} message(s): ${kinds.join(', ')}, Message IDs consistent`);
}

/** How the client ended: release after its last exchange, an abort, or neither (PS3.8 7.2, 7.3). */
export function judgeClientEnding(events: readonly TraceEvent[], run: ClientRun | undefined): Verdict {
  const input = { id: 'client.ending', title: 'The client releases the association when it is done', rules: ['PS3.8 7.2'], checklist: [33] };
  const ends = events.filter((e): e is Ended => e.kind === 'association' && (e.phase === 'released' || e.phase === 'aborted'));
  const evidence = { received: { client: describeRun(run), ends: ends.map((e) => (e.phase === 'released' ? `released by ${e.by === 'peer' ? 'the client' : 'the SCP'}` : `aborted by ${e.by === 'peer' ? 'the client' : e.by}: ${e.description}`)) } };
  if (!ends.length) return unjudged({ ...input, evidence }, 'error', { code: 'association-not-ended', rule: 'qr-harness', text: `the association had not ended when the client was done (${describeRun(run)})` });
  const findings: Observation[] = [];
  for (const e of ends) {
    if (e.phase === 'aborted' && e.by === 'peer') findings.push({ code: 'client-aborted', rule: 'PS3.8 7.3', text: `the client ended the association with A-ABORT (${e.description}) rather than a release` });
  }
  if (run?.timedOut) findings.push({ code: 'client-hung', rule: 'qr-harness', text: describeRun(run) });
  return conclude({ ...input, evidence }, [], findings, 'released by the client');
}

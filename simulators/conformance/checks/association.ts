import { EventStream } from '../../events/event-stream.ts';
import { FIND_MODELS } from '../../dimse/find.ts';
import { SopClass, TransferSyntax } from '../../dimse/sop-classes.ts';
import type { ClientEvent, DimseClient } from '../../scu/dimse-client.ts';
import { isUnknownItem } from '../../ul/pdu/items.ts';
import type { PresentationContextAcItem, UserInformationItem } from '../../ul/pdu/items.ts';
import { DICOM_APPLICATION_CONTEXT } from '../../ul/pdu/constants.ts';
import type { ContextProposal, RequestorOptions } from '../../ul/association/requestor.ts';
import { describeReject } from '../../ul/reasons.ts';
import type { HarnessError } from '../../wire/errors.ts';
import { associate, FIND_TRANSFER_SYNTAXES } from '../target.ts';
import type { Target } from '../target.ts';
import { conclude, unjudged } from '../verdict.ts';
import type { Observation, Verdict, VerdictInput } from '../verdict.ts';

/**
 * Checks of the association the archive accepts (PS3.8 7.1, 9.3.3; PS3.7 Annex D): each makes
 * its own association with the proposal it needs and judges the A-ASSOCIATE-AC, byte by byte
 * where the standard speaks of bytes.
 */

interface Recorded {
  client?: DimseClient;
  error?: HarnessError;
  events: ClientEvent[];
}

async function recorded(target: Target, contexts: ContextProposal[], extra: Partial<RequestorOptions> = {}): Promise<Recorded> {
  const events = new EventStream<ClientEvent>();
  if (target.events) events.subscribe((e) => target.events!.emit(e));
  const { events: list } = events.record();
  const r = await associate(target, contexts, { ...extra, events });
  return { ...(r.client && { client: r.client }), ...(r.error && { error: r.error }), events: list };
}

async function finish(r: Recorded): Promise<void> {
  if (r.client?.association.isEstablished) await r.client.release().catch(() => r.client!.abort());
}

function rawPdu(events: ClientEvent[], type: number, dir: 'pdu:sent' | 'pdu:received'): Buffer | undefined {
  const e = events.find((x) => x.kind === dir && x.raw[0] === type);
  return e && 'raw' in e ? e.raw : undefined;
}

/** The AC problems our requestor reported as violations (PS3.8/3.7 rules it checks on every AC). */
function acViolations(events: ClientEvent[]): Observation[] {
  return events
    .filter((e): e is Extract<ClientEvent, { kind: 'violation' }> => e.kind === 'violation' && e.message.startsWith('A-ASSOCIATE-AC'))
    .map((e) => ({ code: `ac:${e.reference}`, rule: e.reference, checklist: [17, 20, 22, 23, 24, 25], text: e.message }));
}

/** No association at all: an error verdict, the rejection decoded. */
function unreachable(input: VerdictInput, r: Recorded): Verdict {
  const e = r.error as (HarnessError & { result?: number; source?: number; reason?: number }) | undefined;
  if (e?.code === 'UL_INVALID_PDU_PARAMETER') return conclude(input, [{ code: 'ac-invalid', rule: 'PS3.8 9.3.3', checklist: [17], text: e.message }]);
  const why = e?.code === 'UL_ASSOCIATION_REJECTED' && e.result !== undefined ? `rejected: ${describeReject(e.result, e.source!, e.reason!)}` : `${e?.code}: ${e?.message}`;
  return unjudged(input, 'error', { code: `unreachable:${e?.code}`, rule: 'PS3.8 7.1', text: `no association: ${why}` });
}

const UNKNOWN_ABSTRACT = '1.2.826.0.1.3680043.9.7433.99.1';
const UNKNOWN_TS = '1.2.826.0.1.3680043.9.7433.99.2';

/** Items 13, 17, 18, 19, 20, 22: the fixed part echoed, one result per context, known syntaxes only, the mandatory sub-items, unpadded UIDs. */
export async function checkAssociateAc(target: Target): Promise<Verdict> {
  const input: VerdictInput = { id: 'association.accept', title: 'The A-ASSOCIATE-AC: fixed fields echoed, one result per context, nothing unknown accepted, mandatory sub-items', rules: ['PS3.8 9.3.3', 'PS3.8 7.1.1.13', 'PS3.8 Table 9-17'], checklist: [13, 17, 18, 19, 20, 22] };
  const study = FIND_MODELS.study.sopClassUid;
  const r = await recorded(target, [
    { abstractSyntax: study, transferSyntaxes: [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian] },
    { abstractSyntax: UNKNOWN_ABSTRACT, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] },
    { abstractSyntax: study, transferSyntaxes: [UNKNOWN_TS] },
    { abstractSyntax: SopClass.Verification, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] },
  ]);
  if (!r.client) return unreachable(input, r);
  const fails: Observation[] = acViolations(r.events);
  const choices: Observation[] = [];
  const rq = rawPdu(r.events, 0x01, 'pdu:sent');
  const ac = rawPdu(r.events, 0x02, 'pdu:received');
  const pdu = r.client.association.acPdu;
  if (rq && ac && !rq.subarray(10, 74).equals(ac.subarray(10, 74))) {
    fails.push({ code: 'ac-fixed-fields', rule: 'PS3.8 Table 9-17', checklist: [13], text: `bytes 11-74 of the AC (${JSON.stringify(ac.subarray(10, 42).toString('latin1'))}) are not those of the RQ (${JSON.stringify(rq.subarray(10, 42).toString('latin1'))}); they are sent identical` });
  }
  if ((pdu.protocolVersion & 1) !== 1) fails.push({ code: 'ac-protocol-version', rule: 'PS3.8 Table 9-17', checklist: [11], text: `protocol version ${pdu.protocolVersion} without bit 0` });
  const results = pdu.items.filter((i): i is PresentationContextAcItem => !isUnknownItem(i) && i.type === 0x21);
  const resultOf = (id: number) => results.find((x) => x.contextId === id);
  const tsOf = (item: PresentationContextAcItem | undefined) => (item?.subItems.find((s) => !isUnknownItem(s) && s.type === 0x40) as { name: string } | undefined)?.name;
  const [good, unknown, badTs] = [resultOf(1), resultOf(3), resultOf(5)];
  // Accepting what nobody defined breaks no "shall" by itself (a permissive archive may accept any storage class): reported.
  if (unknown?.result === 0) choices.push({ code: 'unknown-abstract-syntax-accepted', rule: 'PS3.8 7.1.1.13', checklist: [17], text: `accepted the abstract syntax ${UNKNOWN_ABSTRACT}, which no SOP class defines` });
  else if (unknown && unknown.result !== 3) choices.push({ code: `unknown-abstract-syntax-result-${unknown.result}`, rule: 'PS3.8 Table 9-18', checklist: [17], text: `an unknown abstract syntax rejected with result ${unknown.result} (3, abstract-syntax-not-supported, says why)` });
  if (badTs?.result === 0) choices.push({ code: 'unknown-transfer-syntax-accepted', rule: 'PS3.8 7.1.1.13', checklist: [17], text: `accepted a context whose only transfer syntax is ${UNKNOWN_TS}, which no one defines: messages on it cannot be decoded` });
  else if (badTs && good?.result === 0 && badTs.result !== 4) choices.push({ code: `unknown-transfer-syntax-result-${badTs.result}`, rule: 'PS3.8 Table 9-18', checklist: [17], text: `a context with only an unknown transfer syntax rejected with result ${badTs.result} (4, transfer-syntaxes-not-supported, says why)` });
  if (good && good.result === 4) fails.push({ code: 'default-transfer-syntax-refused', rule: 'PS3.5 10.1', checklist: [18], text: 'Study Root FIND offered with Implicit VR Little Endian rejected for its transfer syntaxes; the default transfer syntax is always supported' });
  if (good?.result !== 0) choices.push({ code: 'study-root-not-accepted', rule: 'PS3.4 C.6.2', checklist: [63], text: `Study Root FIND not accepted (result ${good?.result})` });
  const padded = [pdu.items.find((i) => !isUnknownItem(i) && i.type === 0x10) as { name: string } | undefined, ...results.filter((x) => x.result === 0).map((x) => ({ name: tsOf(x) ?? '' }))].filter((x) => x && /[\0 ]$/.test(x.name));
  if (padded.length) fails.push({ code: 'uid-padded', rule: 'PS3.8 F.1', checklist: [19], text: `UIDs padded in the AC: ${padded.map((p) => JSON.stringify(p!.name)).join(', ')}` });
  const app = r.client.association.accept.applicationContextName;
  if (app !== DICOM_APPLICATION_CONTEXT) choices.push({ code: 'other-application-context', rule: 'PS3.8 7.1.1.2', checklist: [15], text: `application context ${app}` });
  const evidence = { negotiation: { results: results.map((x) => ({ id: x.contextId, result: x.result, transferSyntax: tsOf(x) })), implementationClassUid: r.client.association.accept.implementationClassUid, implementationVersionName: r.client.association.accept.implementationVersionName, maxPduLength: r.client.association.accept.maxPduLength } };
  await finish(r);
  return conclude({ ...input, evidence }, fails, choices, 'fixed fields echoed, 4 results, unknown syntaxes refused, 51H and 52H present');
}

const QR_ALL = Uint8Array.of(1, 1, 1, 1, 0, 1, 1);
const FEATURES = ['relational queries', 'combined date-time matching', 'fuzzy semantic person-name matching', 'timezone query adjustment', 'enhanced multi-frame image conversion', 'empty value matching', 'multiple value matching'];

/** Items 25, 88, 112: every C-FIND feature offered; what comes back respects the offer, and what was accepted is reported. */
export async function checkExtendedNegotiation(target: Target): Promise<Verdict> {
  const input: VerdictInput = { id: 'association.extended-negotiation', title: 'C-FIND extended negotiation: the answer respects the offer', rules: ['PS3.4 C.5.1.1', 'PS3.4 K.5.1', 'PS3.7 D.3.3.5'], checklist: [25, 88, 112] };
  const offered = [
    { sopClassUid: FIND_MODELS.patient.sopClassUid, applicationInformation: QR_ALL },
    { sopClassUid: FIND_MODELS.study.sopClassUid, applicationInformation: QR_ALL },
    { sopClassUid: FIND_MODELS.mwl.sopClassUid, applicationInformation: Uint8Array.of(1, 1, 1, 1) },
  ];
  const r = await recorded(target, [
    ...offered.map((o) => ({ abstractSyntax: o.sopClassUid, transferSyntaxes: FIND_TRANSFER_SYNTAXES })),
    { abstractSyntax: SopClass.Verification, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] },
  ], { extendedNegotiations: offered });
  if (!r.client) return unreachable(input, r);
  const fails = acViolations(r.events);
  const choices: Observation[] = [];
  const accepted = r.client.association.accept.extendedNegotiations;
  const seen = new Set<string>();
  for (const e of accepted) {
    if (seen.has(e.sopClassUid)) fails.push({ code: 'ext-neg-twice', rule: 'PS3.7 D.3.3.5', checklist: [25], text: `two extended negotiation sub-items for ${e.sopClassUid}` });
    seen.add(e.sopClassUid);
    const mwl = e.sopClassUid === FIND_MODELS.mwl.sopClassUid;
    const offer = mwl ? Uint8Array.of(1, 1, 1, 1) : QR_ALL;
    const info = [...e.applicationInformation];
    if (info.length === 0 || info.length > offer.length) fails.push({ code: 'ext-neg-length', rule: mwl ? 'PS3.4 K.5.1' : 'PS3.4 C.5.1.1', checklist: [88], text: `${info.length} bytes answered for an offer of ${offer.length}` });
    info.forEach((b, i) => {
      if (b > 1) fails.push({ code: 'ext-neg-value', rule: 'PS3.4 C.5.1.1', checklist: [88], text: `byte ${i + 1} is ${b}; each is 0 or 1` });
      else if (b === 1 && offer[i] !== 1) fails.push({ code: 'ext-neg-not-offered', rule: 'PS3.4 C.5.1.1', checklist: [88], text: `byte ${i + 1} (${FEATURES[i]}) accepted although it was not offered` });
    });
    if (!mwl) {
      const on = info.map((b, i) => (b === 1 ? FEATURES[i] : undefined)).filter(Boolean);
      choices.push({ code: `ext-neg:${e.sopClassUid}:${info.join('')}`, rule: 'PS3.4 C.5.1.1', checklist: [88, 104], text: `${FIND_MODELS[e.sopClassUid === FIND_MODELS.patient.sopClassUid ? 'patient' : 'study'].name}: ${on.length ? on.join(', ') : 'no feature'} accepted` });
    } else {
      if (info[0] !== 1 || info[1] !== 1) fails.push({ code: 'ext-neg-mwl-reserved', rule: 'PS3.4 K.5.1', checklist: [112], text: `worklist bytes 1 and 2 are ${info[0]} and ${info[1]}; they are always 1` });
      choices.push({ code: `ext-neg:mwl:${info.join('')}`, rule: 'PS3.4 K.5.1', checklist: [112], text: `Modality Worklist: fuzzy ${info[2] === 1 ? 'accepted' : 'not accepted'}, timezone ${info[3] === 1 ? 'accepted' : 'not accepted'}` });
    }
  }
  if (accepted.length === 0) choices.push({ code: 'ext-neg:none', rule: 'PS3.4 C.5.1.1', checklist: [88, 104], text: 'no C-FIND extended negotiation accepted (baseline behaviour only)' });
  const evidence = { negotiation: { offered: offered.map((o) => ({ sopClass: o.sopClassUid, bytes: [...o.applicationInformation] })), accepted: accepted.map((e) => ({ sopClass: e.sopClassUid, bytes: [...e.applicationInformation] })) } };
  await finish(r);
  return conclude({ ...input, evidence }, fails, choices);
}

/** Items 23, 24, 88: what was not asked for is not answered (no 56H, no 53H), a granted window and role never exceed the request. */
export async function checkUnaskedItems(target: Target, models: readonly string[] = ['study']): Promise<Verdict> {
  const input: VerdictInput = { id: 'association.user-information', title: 'No extended negotiation or operations window in the AC unless asked; a window or role never beyond the request', rules: ['PS3.7 D.3.3.3', 'PS3.7 D.3.3.4', 'PS3.7 D.3.3.5'], checklist: [23, 24, 88] };
  // A model the archive accepts: an association it would reject says nothing of its user information.
  const model = (['study', 'patient', 'mwl', 'psonly'] as const).find((m) => models.includes(m)) ?? 'study';
  const study = FIND_MODELS[model].sopClassUid;
  const plain = await recorded(target, [{ abstractSyntax: study, transferSyntaxes: FIND_TRANSFER_SYNTAXES }]);
  if (!plain.client) return unreachable(input, plain);
  const fails = acViolations(plain.events);
  const a = plain.client.association.accept;
  if (a.extendedNegotiations.length) fails.push({ code: 'ext-neg-unasked', rule: 'PS3.7 D.3.3.5', checklist: [88], text: 'extended negotiation in the AC for an RQ without any' });
  await finish(plain);
  const asked = await recorded(target, [{ abstractSyntax: study, transferSyntaxes: FIND_TRANSFER_SYNTAXES }], { asyncOperationsWindow: { maxOperationsInvoked: 5, maxOperationsPerformed: 5 }, roleSelections: [{ sopClassUid: study, scuRole: true, scpRole: false }] });
  if (!asked.client) return unreachable(input, asked);
  fails.push(...acViolations(asked.events));
  const w = asked.client.association.accept.asyncOperationsWindow;
  const choices: Observation[] = [];
  if (w && (w.maxOperationsInvoked > 5 || w.maxOperationsPerformed > 5 || w.maxOperationsInvoked === 0 || w.maxOperationsPerformed === 0)) {
    fails.push({ code: 'async-window-exceeds', rule: 'PS3.7 D.3.3.3', checklist: [23], text: `operations window ${w.maxOperationsInvoked}/${w.maxOperationsPerformed} for a request of 5/5 (0 means unlimited)` });
  }
  choices.push({ code: w ? `async-window:${w.maxOperationsInvoked}/${w.maxOperationsPerformed}` : 'async-window:none', rule: 'PS3.7 D.3.3.3', checklist: [23], text: w ? `asynchronous operations window ${w.maxOperationsInvoked}/${w.maxOperationsPerformed}` : 'no asynchronous operations (synchronous only)' });
  const ui = asked.client.association.acPdu.items.find((i) => !isUnknownItem(i) && i.type === 0x50) as UserInformationItem | undefined;
  const role = ui?.subItems.find((s) => !isUnknownItem(s) && s.type === 0x54) as { scuRole: number; scpRole: number } | undefined;
  if (role && role.scpRole === 1) fails.push({ code: 'role-scp-granted', rule: 'PS3.7 D.3.3.4', checklist: [24], text: 'the SCP role granted to the requestor, which proposed SCU only' });
  await finish(asked);
  return conclude({ ...input, evidence: { negotiation: { window: w ?? null, role: role ?? null } } }, fails, choices);
}

/** Items 32, 55: C-ECHO answered 0000 on Verification; A-RELEASE-RQ answered with A-RELEASE-RP and nothing after it. */
export async function checkEchoAndRelease(target: Target): Promise<Verdict> {
  const input: VerdictInput = { id: 'association.echo-release', title: 'C-ECHO answered Success; release answered with A-RELEASE-RP, nothing after it', rules: ['PS3.7 9.3.5', 'PS3.8 7.2'], checklist: [32, 55] };
  // Verification is proposed beside a Find model, so an archive that is no Verification SCP still associates.
  const r = await recorded(target, [
    { abstractSyntax: SopClass.Verification, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] },
    ...(['study', 'patient', 'mwl'] as const).map((m) => ({ abstractSyntax: FIND_MODELS[m].sopClassUid, transferSyntaxes: FIND_TRANSFER_SYNTAXES })),
  ]);
  if (!r.client) return unreachable(input, r);
  const fails: Observation[] = [];
  const choices: Observation[] = [];
  const verification = r.client.association.contextFor(SopClass.Verification) !== undefined;
  if (!verification) choices.push({ code: 'verification-not-accepted', rule: 'PS3.4 A.4', checklist: [55], text: 'the Verification SOP class not accepted: C-ECHO not judged' });
  const echo = !verification
    ? undefined
    : await r.client.echo().then(
        (e) => e,
        (e: Error) => (fails.push({ code: 'echo-unanswered', rule: 'PS3.7 9.3.5', checklist: [55], text: `C-ECHO unanswered: ${e.message}` }), undefined),
      );
  if (echo) {
    const c = echo.command;
    if (echo.status !== 0) fails.push({ code: 'echo-status', rule: 'PS3.7 9.3.5.2', checklist: [55], text: `C-ECHO answered ${echo.status.toString(16).padStart(4, '0')}` });
    if (c.CommandDataSetType !== 0x0101) fails.push({ code: 'echo-data-set', rule: 'PS3.7 Table 9.3-13', checklist: [55], text: 'C-ECHO-RSP announces a data set' });
    if (c.AffectedSOPClassUID !== undefined && c.AffectedSOPClassUID !== SopClass.Verification) fails.push({ code: 'echo-sop-class', rule: 'PS3.7 Table 9.3-13', checklist: [55], text: `C-ECHO-RSP names SOP class ${c.AffectedSOPClassUID}` });
  }
  let released = false;
  await r.client.release().then(
    () => (released = true),
    (e: Error) => fails.push({ code: 'release-unanswered', rule: 'PS3.8 7.2.2', checklist: [32], text: `A-RELEASE-RQ not answered with A-RELEASE-RP: ${e.message}` }),
  );
  const rp = r.events.findIndex((e) => e.kind === 'pdu:received' && e.raw[0] === 0x06);
  const after = rp < 0 ? [] : r.events.slice(rp + 1).filter((e) => e.kind === 'pdu:received');
  if (after.length) fails.push({ code: 'pdu-after-release', rule: 'PS3.8 7.2.2', checklist: [32], text: `${after.length} PDU(s) after the A-RELEASE-RP` });
  return conclude({ ...input, evidence: { received: { echo: echo?.status, released } } }, fails, choices, 'C-ECHO 0000, A-RELEASE-RP, then nothing');
}

/** Item 12: a Called AE title the archive does not know — rejected 1/1/7 or accepted, as configured. */
export async function checkUnknownCalledAe(target: Target): Promise<Verdict> {
  const input: VerdictInput = { id: 'association.unknown-called-ae', title: 'An unknown Called AE title: rejected (1/1/7) or accepted', rules: ['PS3.8 7.1.1.4'], checklist: [12] };
  const r = await recorded({ ...target, calledAeTitle: 'NOT-THIS-AE' }, [{ abstractSyntax: SopClass.Verification, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] }]);
  if (r.client) {
    await finish(r);
    return conclude(input, [], [{ code: 'unknown-called-ae-accepted', rule: 'PS3.8 7.1.1.4', checklist: [12], text: 'an association for Called AE title NOT-THIS-AE accepted' }]);
  }
  const e = r.error as (HarnessError & { result?: number; source?: number; reason?: number }) | undefined;
  if (e?.code !== 'UL_ASSOCIATION_REJECTED') return unreachable(input, r);
  const text = `rejected: ${describeReject(e.result!, e.source!, e.reason!)}`;
  return conclude(input, [], e.result === 1 && e.source === 1 && e.reason === 7 ? [] : [{ code: `unknown-called-ae-rejected-${e.result}-${e.source}-${e.reason}`, rule: 'PS3.8 Table 9-21', checklist: [12, 14], text }], text);
}

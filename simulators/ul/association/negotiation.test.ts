/** Association negotiation between our requestor and our acceptor over real sockets (PS3.8 7.1, PS3.7 D.3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStream } from '../../events/event-stream.ts';
import { isUnknownItem } from '../pdu/items.ts';
import type { UserInformationSubItem } from '../pdu/items.ts';
import type { UlEvent } from '../events.ts';
import { AssociationAcceptor } from './acceptor.ts';
import type { Association } from './association.ts';
import type { AcceptorPolicy } from './negotiation.ts';
import { buildRequest, requestAssociation } from './requestor.ts';
import { requestToPdu } from './pdu-mapping.ts';
import type { RequestorOptions } from './requestor.ts';

const STUDY_ROOT = '1.2.840.10008.5.1.4.1.2.2.1';
const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';

async function pair(policy: Partial<AcceptorPolicy>, rq: Partial<RequestorOptions>): Promise<{ requestor: Association; acceptor: Association; events: UlEvent[] }> {
  const stream = new EventStream<UlEvent>();
  const events: UlEvent[] = [];
  stream.subscribe((e) => events.push(e));
  let resolveAcceptor!: (a: Association) => void;
  const acceptorSide = new Promise<Association>((r) => (resolveAcceptor = r));
  const acceptor = new AssociationAcceptor({
    policy: {
      aeTitle: 'QRSCP',
      maxPduLength: 16384,
      contexts: [
        { abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] },
        { abstractSyntax: STUDY_ROOT, transferSyntaxes: [EXPLICIT, IMPLICIT] },
      ],
      ...policy,
    },
    onAssociation: resolveAcceptor,
    events: stream,
  });
  const port = await acceptor.listen(0);
  try {
    const requestor = await requestAssociation({
      host: '127.0.0.1',
      port,
      calledAeTitle: 'QRSCP',
      callingAeTitle: 'FINDSCU',
      presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }],
      events: stream,
      ...rq,
    });
    const acceptorAssociation = await acceptorSide;
    await requestor.release();
    return { requestor, acceptor: acceptorAssociation, events };
  } finally {
    await acceptor.close();
  }
}

async function rejection(policy: Partial<AcceptorPolicy>, rq: Partial<RequestorOptions> = {}): Promise<{ result: number; source: number; reason: number; message: string }> {
  try {
    await pair(policy, rq);
  } catch (e) {
    const r = e as { code: string; result: number; source: number; reason: number; message: string };
    assert.equal(r.code, 'UL_ASSOCIATION_REJECTED');
    return r;
  }
  throw new Error('the association was not rejected');
}

function subItems(a: Association, side: 'rq' | 'ac'): UserInformationSubItem[] {
  const pdu = side === 'rq' ? a.rqPdu : a.acPdu;
  const ui = pdu.items.find((i) => !isUnknownItem(i) && i.type === 0x50) as { subItems: UserInformationSubItem[] };
  return ui.subItems;
}

test('presentation context results 0, 3 and 4 in one A-ASSOCIATE-AC (checklist 17, 18)', async () => {
  const { requestor } = await pair(
    {},
    {
      presentationContexts: [
        { abstractSyntax: STUDY_ROOT, transferSyntaxes: [IMPLICIT, EXPLICIT] },
        { abstractSyntax: '1.2.3.4.5.6.7', transferSyntaxes: [IMPLICIT] },
        { abstractSyntax: STUDY_ROOT, transferSyntaxes: ['1.2.3.999'] },
      ],
    },
  );
  assert.deepEqual(
    requestor.accept.presentationContexts.map((c) => [c.id, c.result]),
    [
      [1, 0],
      [3, 3],
      [5, 4],
    ],
  );
  // Our preference order picks Explicit VR LE among the two offered.
  assert.equal(requestor.contexts.get(1)?.transferSyntax, EXPLICIT);
  assert.deepEqual([...requestor.contexts.keys()], [1]);
});

test('the requestor order of transfer syntaxes is honoured when the policy says so', async () => {
  const { requestor } = await pair({ preferRequestorTransferSyntaxOrder: true }, { presentationContexts: [{ abstractSyntax: STUDY_ROOT, transferSyntaxes: [IMPLICIT, EXPLICIT] }] });
  assert.equal(requestor.contexts.get(1)?.transferSyntax, IMPLICIT);
});

test('a policy can answer any per-context result, including 1 and 2', async () => {
  const { requestor } = await pair(
    {
      decide: (_rq, computed) => {
        if (computed.kind !== 'accept') return computed;
        computed.accept.presentationContexts = computed.accept.presentationContexts.map((c, i) => ({ ...c, result: i === 0 ? 1 : 2 }));
        return computed;
      },
    },
    {
      presentationContexts: [
        { abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] },
        { abstractSyntax: STUDY_ROOT, transferSyntaxes: [IMPLICIT] },
      ],
    },
  );
  assert.deepEqual(requestor.accept.presentationContexts.map((c) => c.result), [1, 2]);
  assert.equal(requestor.contexts.size, 0);
});

test('role selection: SCP role never granted unless the policy allows it; AC only for proposed classes (checklist 24)', async () => {
  const { requestor } = await pair({}, { roleSelections: [{ sopClassUid: STUDY_ROOT, scuRole: true, scpRole: true }], presentationContexts: [{ abstractSyntax: STUDY_ROOT, transferSyntaxes: [IMPLICIT] }] });
  assert.deepEqual(requestor.accept.roleSelections, [{ sopClassUid: STUDY_ROOT, scuRole: true, scpRole: false }]);
});

test('asynchronous operations window: absent when not proposed, never above the proposal (checklist 23)', async () => {
  const none = await pair({}, {});
  assert.equal(none.requestor.accept.asyncOperationsWindow, undefined);
  assert.equal(subItems(none.requestor, 'ac').some((s) => s.type === 0x53), false);
  const five = await pair({ asyncOperationsWindow: { maxOperationsInvoked: 10, maxOperationsPerformed: 0 } }, { asyncOperationsWindow: { maxOperationsInvoked: 5, maxOperationsPerformed: 5 } });
  assert.deepEqual(five.requestor.accept.asyncOperationsWindow, { maxOperationsInvoked: 5, maxOperationsPerformed: 5 });
  assert.deepEqual(five.acceptor.request.asyncOperationsWindow, { maxOperationsInvoked: 5, maxOperationsPerformed: 5 });
});

test('SOP class extended negotiation is answered only when offered; common extended negotiation reaches the acceptor and never the AC (checklist 25, 26)', async () => {
  const { requestor, acceptor } = await pair(
    { extendedNegotiation: (uid, bytes) => (uid === STUDY_ROOT ? Uint8Array.from([bytes[0] ?? 0, 0]) : undefined) },
    {
      presentationContexts: [{ abstractSyntax: STUDY_ROOT, transferSyntaxes: [IMPLICIT] }],
      extendedNegotiations: [{ sopClassUid: STUDY_ROOT, applicationInformation: Uint8Array.from([1, 1]) }],
      commonExtendedNegotiations: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClassUids: [] }],
    },
  );
  assert.deepEqual([...requestor.accept.extendedNegotiations[0]!.applicationInformation], [1, 0]);
  assert.deepEqual(acceptor.request.commonExtendedNegotiations, [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClassUids: [] }]);
  assert.equal(subItems(requestor, 'ac').some((s) => s.type === 0x57), false);
});

test('user identity: carried to the acceptor, 59H only when a positive response was requested (checklist 27)', async () => {
  const identity = { type: 2, positiveResponseRequested: true, primaryField: Buffer.from('alice'), secondaryField: Buffer.from('secret') };
  const seen: string[] = [];
  const { requestor, acceptor } = await pair({ userIdentity: (id) => (seen.push(Buffer.from(id.primaryField).toString()), { accept: true }) }, { userIdentity: identity });
  assert.deepEqual(seen, ['alice']);
  assert.equal(Buffer.from(acceptor.request.userIdentity!.secondaryField).toString(), 'secret');
  assert.equal(requestor.accept.userIdentityResponse?.length, 0);
  const quiet = await pair({ userIdentity: () => ({ accept: true }) }, { userIdentity: { ...identity, positiveResponseRequested: false } });
  assert.equal(quiet.requestor.accept.userIdentityResponse, undefined);
  const refused = await rejection({ userIdentity: () => ({ accept: false }) }, { userIdentity: identity });
  assert.deepEqual([refused.result, refused.source, refused.reason], [1, 2, 1]);
});

test('implementation class UID and version name travel both ways; the maximum lengths are known to each side', async () => {
  const { requestor, acceptor } = await pair({ maxPduLength: 32768, implementationVersionName: 'ACC_1' }, { maxPduLength: 4096, implementationClassUid: '1.2.3.4', implementationVersionName: 'REQ_1' });
  assert.equal(acceptor.request.implementationClassUid, '1.2.3.4');
  assert.equal(acceptor.request.implementationVersionName, 'REQ_1');
  assert.equal(requestor.accept.implementationVersionName, 'ACC_1');
  assert.ok(requestor.accept.implementationClassUid?.startsWith('2.25.'));
  assert.equal(requestor.peerMaxPduLength, 32768);
  assert.equal(acceptor.peerMaxPduLength, 4096);
});

test('AE titles: leading and trailing spaces are not significant (checklist 12)', async () => {
  const { acceptor } = await pair({}, { calledAeTitle: '  QRSCP' });
  assert.equal(acceptor.calledAeTitle, 'QRSCP');
  assert.equal(acceptor.rqPdu.calledAeTitle, '  QRSCP         ');
});

test('rejections carry the result, source and reason the policy chose, decoded into words (checklist 12, 15)', async () => {
  const called = await rejection({}, { calledAeTitle: 'NOTME' });
  assert.deepEqual([called.result, called.source, called.reason], [1, 1, 7]);
  assert.match(called.message, /called-AE-title-not-recognized/);
  const calling = await rejection({ callingAeTitles: ['GOOD'] });
  assert.deepEqual([calling.result, calling.source, calling.reason], [1, 1, 3]);
  const context = await rejection({}, { applicationContextName: '1.2.840.10008.3.1.1.99' });
  assert.deepEqual([context.result, context.source, context.reason], [1, 1, 2]);
  const busy = await rejection({ decide: () => ({ kind: 'reject', reject: { result: 2, source: 3, reason: 1 } }) });
  assert.deepEqual([busy.result, busy.source, busy.reason], [2, 3, 1]);
  assert.match(busy.message, /rejected-transient.*temporary-congestion/);
});

test('the AC echoes bytes 11-74 of the RQ (checklist 13)', async () => {
  const { requestor } = await pair({}, { callingAeTitle: 'ECHOME' });
  assert.equal(requestor.acPdu.calledAeTitle, requestor.rqPdu.calledAeTitle);
  assert.equal(requestor.acPdu.callingAeTitle, requestor.rqPdu.callingAeTitle);
});

test('a missing Implementation Class UID is tolerated and reported as a violation (checklist 20)', async () => {
  const base = { host: '', port: 0, calledAeTitle: 'QRSCP', callingAeTitle: 'OLDSCU', presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }] };
  const rqPdu = requestToPdu(buildRequest(base));
  const ui = rqPdu.items.find((i) => !isUnknownItem(i) && i.type === 0x50) as { subItems: UserInformationSubItem[] };
  ui.subItems = ui.subItems.filter((s) => s.type !== 0x52);
  const { acceptor, events } = await pair({}, { rqPdu });
  assert.equal(acceptor.request.implementationClassUid, undefined);
  const v = events.filter((e) => e.kind === 'violation');
  assert.equal(v.length, 1);
  assert.match(v[0]!.kind === 'violation' ? v[0]!.message : '', /Implementation Class UID/);
});

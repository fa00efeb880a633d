/** The proxy's passive observer fed bytes directly, as the relay feeds it: PDUs, association, DIMSE exchanges and the rules each side breaks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput } from '../dataset/data-set.ts';
import { encodeDataSet } from '../dataset/encode.ts';
import { EXPLICIT_LITTLE } from '../dataset/transfer-syntax.ts';
import { encodeCommand } from '../dimse/command-set.ts';
import { SopClass, TransferSyntax } from '../dimse/sop-classes.ts';
import { cancelRqPdu, findRqPdus } from '../testing/scenario-harness.ts';
import { associateRq, bytes } from '../testing/pdus.ts';
import { acceptToPdu } from '../ul/association/pdu-mapping.ts';
import type { AssociateRqPdu } from '../ul/pdu/pdus.ts';
import { encodePdu } from '../ul/pdu/registry.ts';
import type { CloseCause, Direction, ObserverEvent, ProxyFinding } from './events.ts';
import { ConnectionObserver } from './observer.ts';
import { judgeProxiedFindRequest } from './request-judge.ts';

const STUDY = SopClass.StudyRootQueryRetrieveFind;
const EXPLICIT = TransferSyntax.ExplicitVRLittleEndian;

function rqPdu(maxPduLength = 16384): AssociateRqPdu {
  return associateRq({ callingAeTitle: 'FINDSCU', calledAeTitle: 'QRSCP', maxPduLength, presentationContexts: [{ abstractSyntax: STUDY, transferSyntaxes: [EXPLICIT] }] });
}

function acFor(rq: AssociateRqPdu, o: { contextId?: number; maxPduLength?: number } = {}): Buffer {
  return encodePdu(
    acceptToPdu(rq, {
      protocolVersion: 1,
      applicationContextName: '1.2.840.10008.3.1.1.1',
      presentationContexts: [{ id: o.contextId ?? 1, result: 0, transferSyntax: EXPLICIT }],
      maxPduLength: o.maxPduLength ?? 16384,
      implementationClassUid: '1.2.3.4',
      implementationVersionName: 'ARCHIVE',
      asyncOperationsWindow: undefined,
      roleSelections: [],
      extendedNegotiations: [],
      userIdentityResponse: undefined,
    }),
  );
}

const pdata = (mch: number, data: Buffer) => encodePdu({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: mch, data }] });

/** A C-FIND-RSP on context 1: the command PDU, then the identifier's when there is one. */
function rsp(status: number, identifier?: DataSetInput, re = 1): Buffer[] {
  const command = encodeCommand({ CommandField: 0x8020, AffectedSOPClassUID: STUDY, MessageIDBeingRespondedTo: re, CommandDataSetType: identifier ? 0x0000 : 0x0101, Status: status });
  const out = [pdata(0x03, command)];
  if (identifier) out.push(pdata(0x02, encodeDataSet(DataSet.from(identifier), EXPLICIT_LITTLE)));
  return out;
}

const match = (i: number): Record<string, string> => ({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: `1.2.3.${i}` });
const query: DataSetInput = { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' };

type Step = [Direction, Buffer];

/** The association and a C-FIND of `pendings` matches, released: each PDU a step. */
function exchange(pendings: number): Step[] {
  const rq = rqPdu();
  const steps: Step[] = [['c2s', encodePdu(rq)], ['s2c', acFor(rq)], ...findRqPdus(query).map((b): Step => ['c2s', b])];
  for (let i = 1; i <= pendings; i++) for (const b of rsp(0xff00, match(i))) steps.push(['s2c', b]);
  for (const b of rsp(0x0000)) steps.push(['s2c', b]);
  steps.push(['c2s', bytes.releaseRq()], ['s2c', bytes.releaseRp()]);
  return steps;
}

function observe(steps: Step[], o: { split?: number; end?: CloseCause } = {}): ObserverEvent[] {
  const events: ObserverEvent[] = [];
  const observer = new ConnectionObserver({ connection: '1', emit: (e) => events.push(e) });
  let t = 0;
  for (const [dir, b] of steps) {
    const size = o.split ?? b.length;
    for (let i = 0; i < b.length; i += size) observer.push(dir, b.subarray(i, i + size), ++t);
  }
  observer.end(o.end ?? { by: 'client', how: 'end' }, ++t);
  return events;
}

const findings = (events: ObserverEvent[]) => events.filter((e): e is Extract<ObserverEvent, { kind: 'finding' }> => e.kind === 'finding');
const codes = (events: ObserverEvent[]) => findings(events).map((f) => `${f.severity} ${f.side} ${f.code}`);
const finding = (events: ObserverEvent[], code: string): ProxyFinding => {
  const f = findings(events).find((x) => x.code === code);
  assert.ok(f, `no ${code} among ${codes(events).join(', ') || 'no findings'}`);
  return f;
};

test('a well-behaved C-FIND: association, every message decoded with AE titles and identifier, no fail or finding', () => {
  const events = observe(exchange(3));
  assert.deepEqual(codes(events), []);
  const phases = events.filter((e) => e.kind === 'association').map((e) => e.phase);
  assert.deepEqual(phases, ['requested', 'accepted', 'release-requested', 'released']);
  const messages = events.filter((e): e is Extract<ObserverEvent, { kind: 'message' }> => e.kind === 'message');
  assert.deepEqual(
    messages.map((m) => [m.dir, m.from, m.to, m.command.CommandField, m.command.Status ?? null]),
    [['c2s', 'FINDSCU', 'QRSCP', 0x0020, null], ...[1, 2, 3].map(() => ['s2c', 'QRSCP', 'FINDSCU', 0x8020, 0xff00]), ['s2c', 'QRSCP', 'FINDSCU', 0x8020, 0x0000]],
  );
  assert.equal(messages[2]!.identifier?.text('StudyInstanceUID'), '1.2.3.2');
  const pdus = events.filter((e): e is Extract<ObserverEvent, { kind: 'pdu' }> => e.kind === 'pdu');
  for (const dir of ['c2s', 's2c'] as const) {
    const mine = pdus.filter((p) => p.dir === dir);
    let at = 0;
    for (const p of mine) {
      assert.equal(p.offset, at);
      at += p.length;
    }
    assert.equal(at, Buffer.concat(exchange(3).filter(([d]) => d === dir).map(([, b]) => b)).length);
  }
});

test('the same events whatever the chunking: every split size from 1 to 40 bytes', () => {
  const strip = (events: ObserverEvent[]) => JSON.stringify(events.map(({ t: _, ...rest }) => rest));
  const whole = strip(observe(exchange(2)));
  for (let split = 1; split <= 40; split++) assert.equal(strip(observe(exchange(2), { split })), whole, `split ${split}`);
});

test('a response to a Message ID never sent and an Identifier on the final response: fails against the archive', () => {
  const steps = exchange(0).filter(([dir, b]) => !(dir === 's2c' && b[0] === 0x04));
  const at = steps.findIndex(([dir, b]) => dir === 'c2s' && b[0] === 0x05);
  steps.splice(at, 0, ...rsp(0xff00, match(1), 7).map((b): Step => ['s2c', b]), ...rsp(0x0000, match(2)).map((b): Step => ['s2c', b]));
  const events = observe(steps);
  assert.deepEqual(codes(events), ['fail archive response-to-unknown-message-id', 'fail archive identifier-on-final']);
  assert.equal(finding(events, 'identifier-on-final').rule, 'PS3.7 9.1.2.1.5');
  assert.match(finding(events, 'response-to-unknown-message-id').text, /Message ID 7, which was never sent \(outstanding: 1\)/);
});

test('C-CANCEL naming another Message ID fails the client; Pendings after a real cancel are a finding with their count; a response after the final fails the archive', () => {
  const rq = rqPdu();
  const steps: Step[] = [['c2s', encodePdu(rq)], ['s2c', acFor(rq)], ...findRqPdus(query).map((b): Step => ['c2s', b])];
  const s2c = (bs: Buffer[]) => bs.map((b): Step => ['s2c', b]);
  steps.push(...s2c(rsp(0xff00, match(1))), ['c2s', cancelRqPdu(5)], ['c2s', cancelRqPdu(1)], ...s2c(rsp(0xff00, match(2))), ...s2c(rsp(0xff00, match(3))), ...s2c(rsp(0xfe00)), ...s2c(rsp(0xff00, match(4))));
  steps.push(['c2s', bytes.releaseRq()], ['s2c', bytes.releaseRp()]);
  const events = observe(steps);
  assert.deepEqual(codes(events), ['fail client cancel-unknown-message-id', 'finding archive pendings-after-cancel', 'fail archive response-after-final']);
  assert.match(finding(events, 'pendings-after-cancel').text, /^2 Pendings for message 1 after the C-CANCEL \(sent after Pending 1\), then FE00/);
  assert.equal(finding(events, 'cancel-unknown-message-id').rule, 'PS3.7 9.3.2.3');
});

test("a P-DATA-TF longer than the receiver's Maximum Length fails its sender (PS3.8 D.1)", () => {
  const rq = rqPdu(256);
  const events = observe([['c2s', encodePdu(rq)], ['s2c', acFor(rq)], ...findRqPdus(query).map((b): Step => ['c2s', b]), ...rsp(0xff00, { ...match(1), PatientName: 'X'.repeat(300) }).map((b): Step => ['s2c', b])]);
  const f = finding(events, 'maximum-length-exceeded');
  assert.equal(f.side, 'archive');
  assert.match(f.text, /PDU-length 3\d\d at byte \d+, over the Maximum Length of 256 the client announced/);
});

test('an A-ASSOCIATE-AC accepting a context never proposed fails the archive, judged by validate.ts', () => {
  const rq = rqPdu();
  const events = observe([['c2s', encodePdu(rq)], ['s2c', acFor(rq, { contextId: 3 })]]);
  const f = finding(events, 'associate-ac');
  assert.equal(f.side, 'archive');
  assert.match(f.text, /presentation context 3, which was not proposed/);
});

test('an undecodable PDU is reported against its sender with its offset in the stream and in the PDU; decoding goes on after it', () => {
  const rq = rqPdu();
  const rqBytes = encodePdu(rq);
  const events = observe([['c2s', rqBytes], ['s2c', acFor(rq)], ['c2s', bytes.badLength()], ['c2s', bytes.releaseRq()], ['s2c', bytes.releaseRp()]]);
  const f = finding(events, 'undecodable-pdu');
  assert.equal(f.side, 'client');
  assert.match(f.text, new RegExp(`^A-RELEASE-RQ at byte ${rqBytes.length} of its stream cannot be decoded`));
  const pdu = events.find((e): e is Extract<ObserverEvent, { kind: 'pdu' }> => e.kind === 'pdu' && e.error !== undefined)!;
  assert.equal(pdu.offset, rqBytes.length);
  assert.equal(typeof pdu.error!.offset, 'number');
  assert.ok(events.some((e) => e.kind === 'association' && e.phase === 'released'));
});

test('a peer that closes mid-PDU: which side closed, how much of which PDU was read, and the association cut without release', () => {
  const steps = exchange(1);
  const final = steps.findIndex(([dir, b], i) => dir === 's2c' && b[0] === 0x04 && i > 4);
  const cut: Step[] = [...steps.slice(0, final), ['s2c', steps[final]![1].subarray(0, 20)]];
  const events = observe(cut, { end: { by: 'archive', how: 'end' } });
  assert.deepEqual(codes(events), ['fail archive closed-mid-pdu', 'fail archive closed-without-release', 'finding archive no-final-response']);
  assert.match(finding(events, 'closed-mid-pdu').text, /^the archive closed the connection mid-PDU: 20 of the \d+ bytes of a P-DATA-TF from the archive had been read/);
});

test('an A-ABORT: a finding against its sender; PDUs that crossed it on the wire, and the same A-ABORT again, are no breach', () => {
  const steps = exchange(2);
  const firstPending = steps.findIndex(([dir, b], i) => dir === 's2c' && b[0] === 0x04 && i > 3);
  // DCMTK's findscu sends its A-ABORT twice.
  steps.splice(firstPending, 0, ['c2s', bytes.abort(0, 0)], ['c2s', bytes.abort(0, 0)]);
  const events = observe(steps.filter(([, b]) => b[0] !== 0x05 && b[0] !== 0x06));
  assert.deepEqual(codes(events), ['finding client association-aborted', 'finding client no-final-response']);
});

test("each C-FIND-RQ identifier the client sends is judged for its context's model and level (query-rules.ts): fails against the client", () => {
  const events: ObserverEvent[] = [];
  const observer = new ConnectionObserver({ connection: '1', emit: (e) => events.push(e), judgeFindRequest: judgeProxiedFindRequest });
  const rq = rqPdu();
  observer.push('c2s', encodePdu(rq), 1);
  observer.push('s2c', acFor(rq), 2);
  for (const b of findRqPdus({ StudyInstanceUID: '', PatientID: 'X' })) observer.push('c2s', b, 3);
  for (const b of rsp(0xa900)) observer.push('s2c', b, 4);
  for (const b of findRqPdus({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', Modality: 'CT' }, 2)) observer.push('c2s', b, 5);
  for (const b of rsp(0x0000, undefined, 2)) observer.push('s2c', b, 6);
  for (const b of findRqPdus(query, 3)) observer.push('c2s', b, 7);
  assert.deepEqual(codes(events), ['fail client level-missing', 'fail client key-below-level']);
  assert.equal(finding(events, 'key-below-level').text, 'C-FIND-RQ message 2: Modality (0008,0060) "CT" is a key of the SERIES level, below the STUDY query level, whose keys a query at this level cannot hold');
});

test('random bytes in both directions never throw out of the observer', () => {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const rq = rqPdu();
  for (let round = 0; round < 300; round++) {
    const observer = new ConnectionObserver({ connection: '1', emit: () => {} });
    observer.push('c2s', encodePdu(rq), 0);
    observer.push('s2c', acFor(rq), 0);
    for (let i = 0; i < 8; i++) {
      // A P-DATA-TF header with a random body, so the assembler and the data set decoder see garbage too.
      const body = Buffer.from(Array.from({ length: 2 + Math.floor(random() * 60) }, () => Math.floor(random() * 256)));
      const pdv = Buffer.alloc(4);
      pdv.writeUInt32BE(body.length, 0);
      const pdu = Buffer.concat([Buffer.from([random() < 0.9 ? 0x04 : Math.floor(random() * 9), 0, 0, 0, 0, 0]), pdv, body]);
      pdu.writeUInt32BE(pdu.length - 6, 2);
      if (random() < 0.5) pdu[10] = 1;
      observer.push(random() < 0.5 ? 'c2s' : 's2c', pdu, 0);
    }
    observer.end({ by: random() < 0.5 ? 'client' : 'archive', how: 'end' }, 0);
  }
});

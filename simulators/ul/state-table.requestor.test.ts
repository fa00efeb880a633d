/**
 * PS3.8 Table 9-10 on the requestor side: our requestor against a raw peer acting as the
 * acceptor, over a real socket, with a fake clock for the timers.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { FakeClock } from '../clock/fake-clock.ts';
import { EventStream } from '../events/event-stream.ts';
import { RawPeer } from '../testing/raw-peer.ts';
import { abortOf, bytes } from '../testing/pdus.ts';
import { TransitionLog, cell } from '../testing/ul-harness.ts';
import { decodePdu } from './pdu/registry.ts';
import type { AssociateRqPdu } from './pdu/pdus.ts';
import type { Association } from './association/association.ts';
import { requestAssociation } from './association/requestor.ts';
import type { UlEvent } from './events.ts';

const covered = new Set<string>();

interface Scene {
  clock: FakeClock;
  log: TransitionLog;
  peer: RawPeer;
  rq: AssociateRqPdu;
  pending: Promise<Association>;
  association?: Association;
  close: () => Promise<void>;
}

async function sta5(): Promise<Scene> {
  const server = await RawPeer.listen();
  const clock = new FakeClock();
  const stream = new EventStream<UlEvent>();
  const log = new TransitionLog(stream);
  const pending = requestAssociation({
    host: '127.0.0.1',
    port: server.port,
    calledAeTitle: 'RAWPEER',
    callingAeTitle: 'OURSCU',
    presentationContexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
    clock,
    events: stream,
    timeouts: { associationRequestMs: 5000, releaseMs: 5000, artimMs: 1000 },
  });
  pending.catch(() => {});
  const peer = await server.accept();
  const rq = decodePdu(await peer.nextPdu()) as AssociateRqPdu;
  return {
    clock,
    log,
    peer,
    rq,
    pending,
    close: async () => {
      for (const t of log.transitions) covered.add(cell(t));
      peer.destroy();
      await server.close();
    },
  };
}

async function sta6(): Promise<Scene> {
  const s = await sta5();
  s.peer.send(bytes.ac(s.rq));
  s.association = await s.pending;
  return s;
}

async function sta7(): Promise<Scene> {
  const s = await sta6();
  void s.association!.release().catch(() => {});
  assert.equal((await s.peer.nextPdu())[0], 0x05);
  return s;
}

async function sta11(): Promise<Scene> {
  const s = await sta7();
  s.peer.send(bytes.releaseRq());
  // Our requestor answers a collision at once (AR-8 → Sta9, Evt14 → AR-9 → Sta11).
  assert.equal((await s.peer.nextPdu())[0], 0x06);
  await s.log.expect('Sta9', 'Evt14');
  return s;
}

/** A release collision held before our A-RELEASE response: Sta9, where PDUs can then arrive. */
async function sta9(): Promise<Scene> {
  const s = await sta6();
  s.association!.onReleaseCollision = () => new Promise(() => {});
  void s.association!.release().catch(() => {});
  assert.equal((await s.peer.nextPdu())[0], 0x05);
  s.peer.send(bytes.releaseRq());
  assert.equal((await s.log.expect('Sta7', 'Evt12')).to, 'Sta9');
  return s;
}

const setups: Record<string, () => Promise<Scene>> = { Sta5: sta5, Sta6: sta6, Sta7: sta7, Sta9: sta9, Sta11: sta11 };

const inputs: { name: string; event: string; bytes: (s: Scene) => Buffer; reason: number }[] = [
  { name: 'A-ASSOCIATE-AC', event: 'Evt3', bytes: (s) => bytes.ac(s.rq), reason: 2 },
  { name: 'A-ASSOCIATE-RJ', event: 'Evt4', bytes: () => bytes.rj(), reason: 2 },
  { name: 'A-ASSOCIATE-RQ', event: 'Evt6', bytes: () => bytes.rq(), reason: 2 },
  { name: 'P-DATA-TF', event: 'Evt10', bytes: () => bytes.pdata(), reason: 2 },
  { name: 'A-RELEASE-RQ', event: 'Evt12', bytes: () => bytes.releaseRq(), reason: 2 },
  { name: 'A-RELEASE-RP', event: 'Evt13', bytes: () => bytes.releaseRp(), reason: 2 },
  { name: 'an unknown PDU type', event: 'Evt19', bytes: () => bytes.unknownType(), reason: 1 },
];

const abortCells: Record<string, string[]> = {
  Sta5: ['Evt6', 'Evt10', 'Evt12', 'Evt13', 'Evt19'],
  Sta6: ['Evt3', 'Evt4', 'Evt6', 'Evt13', 'Evt19'],
  Sta7: ['Evt3', 'Evt4', 'Evt6', 'Evt19'],
  Sta9: ['Evt3', 'Evt4', 'Evt6', 'Evt10', 'Evt12', 'Evt13', 'Evt19'],
  Sta11: ['Evt3', 'Evt4', 'Evt6', 'Evt10', 'Evt12', 'Evt19'],
};

for (const [state, events] of Object.entries(abortCells)) {
  for (const input of inputs.filter((i) => events.includes(i.event))) {
    test(`requestor ${state} + ${input.event} (${input.name}) → AA-8: A-ABORT source 2 reason ${input.reason}`, async () => {
      const s = await setups[state]!();
      try {
        s.peer.send(input.bytes(s));
        const t = await s.log.expect(state, input.event);
        assert.equal(t.action, 'AA-8');
        assert.deepEqual(abortOf(await s.peer.nextPdu()), { source: 2, reason: input.reason });
        // Sta13: the peer closes → AR-5.
        s.peer.end();
        assert.equal((await s.log.expect('Sta13', 'Evt17')).action, 'AR-5');
      } finally {
        await s.close();
      }
    });
  }
}

for (const state of ['Sta5', 'Sta6', 'Sta7', 'Sta9', 'Sta11']) {
  test(`requestor ${state} + Evt16 → AA-3 and ${state} + Evt17 → AA-4`, async () => {
    const s = await setups[state]!();
    s.peer.send(bytes.abort(2, 0));
    assert.equal((await s.log.expect(state, 'Evt16')).action, 'AA-3');
    await s.peer.closedWithin();
    await s.close();
    const s2 = await setups[state]!();
    s2.peer.destroy();
    assert.equal((await s2.log.expect(state, 'Evt17')).action, 'AA-4');
    await s2.close();
  });
}

test('Sta1 + Evt1 → AE-1, Sta4 + Evt2 → AE-2, Sta5 + Evt3 → AE-3 (established)', async () => {
  const s = await sta6();
  try {
    assert.equal((await s.log.expect('Sta1', 'Evt1')).action, 'AE-1');
    assert.equal((await s.log.expect('Sta4', 'Evt2')).action, 'AE-2');
    assert.equal((await s.log.expect('Sta5', 'Evt3')).action, 'AE-3');
    assert.equal(s.association!.state, 'Sta6');
  } finally {
    await s.close();
  }
});

test('Sta5 + Evt4 → AE-4: the promise rejects with the decoded reason and the transport closes', async () => {
  const s = await sta5();
  try {
    s.peer.send(bytes.rj(1, 1, 3));
    await assert.rejects(s.pending, (e: Error & { code?: string; reason?: number }) => e.code === 'UL_ASSOCIATION_REJECTED' && e.reason === 3 && /calling-AE-title-not-recognized/.test(e.message));
    assert.equal((await s.log.expect('Sta5', 'Evt4')).action, 'AE-4');
    await s.peer.closedWithin();
  } finally {
    await s.close();
  }
});

test('Sta5: an A-ASSOCIATE-AC accepting a transfer syntax that was not offered is invalid → AA-8 reason 6', async () => {
  const s = await sta5();
  try {
    const ac = bytes.ac(s.rq);
    const bad = Buffer.from(ac.toString('latin1').replace('1.2.840.10008.1.2', '1.2.840.10008.1.9'), 'latin1');
    s.peer.send(bad);
    assert.equal((await s.log.expect('Sta5', 'Evt19')).action, 'AA-8');
    assert.deepEqual(abortOf(await s.peer.nextPdu()), { source: 2, reason: 6 });
    await assert.rejects(s.pending, (e: Error & { code?: string }) => e.code === 'UL_INVALID_PDU_PARAMETER');
  } finally {
    await s.close();
  }
});

test('Sta5 + Evt15: no answer within the association-request timeout → AA-1 (source 0), typed timeout', async () => {
  const s = await sta5();
  try {
    s.clock.advance(5000);
    assert.equal((await s.log.expect('Sta5', 'Evt15')).action, 'AA-1');
    assert.deepEqual(abortOf(await s.peer.nextPdu()), { source: 0, reason: 0 });
    await assert.rejects(s.pending, (e: Error & { code?: string }) => e.code === 'UL_ASSOCIATION_TIMEOUT');
    s.clock.advance(1000);
    assert.equal((await s.log.expect('Sta13', 'Evt18')).action, 'AA-2');
    await s.peer.closedWithin();
  } finally {
    await s.close();
  }
});

test('Sta4 + Evt17: connection refused → AA-4, typed UL_CONNECTION_REFUSED', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const stream = new EventStream<UlEvent>();
  const log = new TransitionLog(stream);
  await assert.rejects(
    requestAssociation({ host: '127.0.0.1', port, calledAeTitle: 'X', callingAeTitle: 'Y', presentationContexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }], events: stream }),
    (e: Error & { code?: string }) => e.code === 'UL_CONNECTION_REFUSED',
  );
  assert.equal((await log.expect('Sta4', 'Evt17')).action, 'AA-4');
  for (const t of log.transitions) covered.add(cell(t));
});

test('Sta4 + Evt15: the connection never completes (a name lookup that never answers) → AA-2 at the connect timeout, typed UL_CONNECT_TIMEOUT', async () => {
  const clock = new FakeClock();
  const stream = new EventStream<UlEvent>();
  const log = new TransitionLog(stream);
  const lookups: string[] = [];
  const pending = requestAssociation({
    host: 'archive.stalled.test',
    port: 104,
    calledAeTitle: 'X',
    callingAeTitle: 'Y',
    presentationContexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
    clock,
    timeouts: { connectMs: 5000 },
    lookup: (hostname) => void lookups.push(hostname),
    events: stream,
  });
  const outcome = assert.rejects(pending, (e: Error & { code?: string }) => e.code === 'UL_CONNECT_TIMEOUT');
  await log.expect('Sta1', 'Evt1');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(lookups, ['archive.stalled.test']);
  clock.advance(4999);
  assert.equal(log.transitions.length, 1, 'still in Sta4 before the timeout');
  clock.advance(1);
  await outcome;
  assert.equal((await log.expect('Sta4', 'Evt15')).action, 'AA-2');
  for (const t of log.transitions) covered.add(cell(t));
});

test('Sta6 + Evt10 → DT-2, Evt12 (the acceptor releases) → AR-2, answered with Evt14 → AR-4', async () => {
  const s = await sta6();
  try {
    s.peer.send(bytes.pdata());
    assert.equal((await s.log.expect('Sta6', 'Evt10')).action, 'DT-2');
    s.peer.send(bytes.releaseRq());
    assert.equal((await s.log.expect('Sta6', 'Evt12')).action, 'AR-2');
    assert.equal((await s.log.expect('Sta8', 'Evt14')).action, 'AR-4');
    assert.equal((await s.peer.nextPdu())[0], 0x06);
  } finally {
    await s.close();
  }
});

test('Sta6 + Evt11 → AR-1, Sta7 + Evt10 → AR-6, Sta7 + Evt13 → AR-3 (released, transport closed)', async () => {
  const s = await sta6();
  try {
    const released = s.association!.release();
    assert.equal((await s.peer.nextPdu())[0], 0x05);
    s.peer.send(bytes.pdata());
    assert.equal((await s.log.expect('Sta7', 'Evt10')).action, 'AR-6');
    s.peer.send(bytes.releaseRp());
    await released;
    assert.equal((await s.log.expect('Sta7', 'Evt13')).action, 'AR-3');
    await s.peer.closedWithin();
  } finally {
    await s.close();
  }
});

test('release collision on the requestor side: Sta7 + Evt12 → AR-8 → Sta9, Evt14 → AR-9 → Sta11, Evt13 → AR-3', async () => {
  const s = await sta11();
  try {
    assert.equal((await s.log.expect('Sta7', 'Evt12')).to, 'Sta9');
    assert.equal((await s.log.expect('Sta9', 'Evt14')).action, 'AR-9');
    s.peer.send(bytes.releaseRp());
    assert.equal((await s.log.expect('Sta11', 'Evt13')).action, 'AR-3');
    await s.peer.closedWithin();
  } finally {
    await s.close();
  }
});

test('Sta7 + Evt15: no A-RELEASE-RP within the release timeout → AA-1, the release rejects with the timeout', async () => {
  const s = await sta6();
  try {
    const released = s.association!.release();
    await s.peer.nextPdu();
    s.clock.advance(5000);
    assert.equal((await s.log.expect('Sta7', 'Evt15')).action, 'AA-1');
    await assert.rejects(released, (e: Error & { code?: string; cause?: { code?: string } }) => e.code === 'UL_ASSOCIATION_ABORTED' && e.cause?.code === 'UL_RELEASE_TIMEOUT');
  } finally {
    await s.close();
  }
});

test('requestor Sta13: a P-DATA is ignored (AA-6), an A-ASSOCIATE-RQ is answered with A-ABORT (AA-7)', async () => {
  const s = await sta6();
  try {
    s.peer.send(bytes.rj());
    await s.log.expect('Sta6', 'Evt4');
    await s.peer.nextPdu();
    s.peer.send(bytes.pdata());
    assert.equal((await s.log.expect('Sta13', 'Evt10')).action, 'AA-6');
    s.peer.send(bytes.rq());
    assert.equal((await s.log.expect('Sta13', 'Evt6')).action, 'AA-7');
    assert.equal(abortOf(await s.peer.nextPdu())?.source, 2);
  } finally {
    await s.close();
  }
});

after(() => {
  const mustCover = [
    'Sta1+Evt1->AE-1->Sta4',
    'Sta4+Evt2->AE-2->Sta5',
    'Sta4+Evt15->AA-2->Sta1',
    'Sta4+Evt17->AA-4->Sta1',
    'Sta5+Evt3->AE-3->Sta6',
    'Sta5+Evt4->AE-4->Sta1',
    'Sta5+Evt15->AA-1->Sta13',
    'Sta6+Evt10->DT-2->Sta6',
    'Sta6+Evt11->AR-1->Sta7',
    'Sta6+Evt12->AR-2->Sta8',
    'Sta8+Evt14->AR-4->Sta13',
    'Sta7+Evt10->AR-6->Sta7',
    'Sta7+Evt12->AR-8->Sta9',
    'Sta7+Evt13->AR-3->Sta1',
    'Sta7+Evt15->AA-1->Sta13',
    'Sta9+Evt14->AR-9->Sta11',
    'Sta11+Evt13->AR-3->Sta1',
    'Sta13+Evt6->AA-7->Sta13',
    'Sta13+Evt10->AA-6->Sta13',
    'Sta13+Evt17->AR-5->Sta1',
    'Sta13+Evt18->AA-2->Sta1',
  ];
  for (const [state, events] of Object.entries(abortCells)) for (const e of events) mustCover.push(`${state}+${e}->AA-8->Sta13`);
  for (const state of ['Sta5', 'Sta6', 'Sta7', 'Sta9', 'Sta11']) mustCover.push(`${state}+Evt16->AA-3->Sta1`, `${state}+Evt17->AA-4->Sta1`);
  const missing = mustCover.filter((c) => !covered.has(c));
  assert.deepEqual(missing, [], 'state table cells not exercised');
});

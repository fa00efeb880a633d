/**
 * closeAfterTimeout: when one of our timers aborts the association (AA-1, Sta13), the transport is
 * closed as soon as the A-ABORT is written (PS3.8 9.1.4) instead of waiting ARTIM for the peer, and
 * the table still runs: the close is Evt17 in Sta13 (AR-5, Sta1). Without it, ARTIM ends the wait.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../clock/fake-clock.ts';
import { EventStream } from '../events/event-stream.ts';
import { RawPeer } from '../testing/raw-peer.ts';
import { bytes } from '../testing/pdus.ts';
import { requestAssociation } from './association/requestor.ts';
import type { UlEvent } from './events.ts';
import type { AssociateRqPdu } from './pdu/pdus.ts';
import { decodePdu } from './pdu/registry.ts';

async function silentPeer(closeAfterTimeout: boolean) {
  const server = await RawPeer.listen();
  const clock = new FakeClock();
  const stream = new EventStream<UlEvent>();
  const transitions: string[] = [];
  stream.subscribe((e) => {
    if (e.kind === 'state') transitions.push(`${e.from} ${e.event} ${e.action} ${e.to}`);
  });
  const pending = requestAssociation({
    host: '127.0.0.1',
    port: server.port,
    calledAeTitle: 'RAWPEER',
    callingAeTitle: 'OURSCU',
    presentationContexts: [{ abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
    clock,
    events: stream,
    timeouts: { associationRequestMs: 2000, releaseMs: 2000, artimMs: 2000 },
    closeAfterTimeout,
  });
  pending.catch(() => {});
  const peer = await server.accept();
  const rq = decodePdu(await peer.nextPdu()) as AssociateRqPdu;
  return { clock, peer, rq, pending, transitions, close: () => (peer.destroy(), server.close()) };
}

test('no A-ASSOCIATE-AC: the A-ABORT reaches the peer, then the transport closes at once (Evt17 in Sta13: AR-5), no ARTIM wait', async () => {
  const s = await silentPeer(true);
  try {
    s.clock.advance(2000);
    await assert.rejects(s.pending, { code: 'UL_ASSOCIATION_TIMEOUT' });
    assert.equal((await s.peer.nextPdu())[0], 0x07);
    await s.peer.closedWithin(1000);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(s.transitions.slice(-2), ['Sta5 Evt15 AA-1 Sta13', 'Sta13 Evt17 AR-5 Sta1']);
  } finally {
    await s.close();
  }
});

test('no A-RELEASE-RP: A-ABORT, then the transport closes at once', async () => {
  const s = await silentPeer(true);
  try {
    s.peer.send(bytes.ac(s.rq));
    const association = await s.pending;
    const released = association.release();
    assert.equal((await s.peer.nextPdu())[0], 0x05);
    s.clock.advance(2000);
    await assert.rejects(released, (e: Error & { cause?: { code?: string } }) => e.cause?.code === 'UL_RELEASE_TIMEOUT');
    assert.equal((await s.peer.nextPdu())[0], 0x07);
    await s.peer.closedWithin(1000);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(s.transitions.slice(-2), ['Sta7 Evt15 AA-1 Sta13', 'Sta13 Evt17 AR-5 Sta1']);
  } finally {
    await s.close();
  }
});

test('without closeAfterTimeout the A-ABORT is followed by the ARTIM wait: the transport stays open until ARTIM expires (AA-2)', async () => {
  const s = await silentPeer(false);
  try {
    s.clock.advance(2000);
    await assert.rejects(s.pending, { code: 'UL_ASSOCIATION_TIMEOUT' });
    assert.equal((await s.peer.nextPdu())[0], 0x07);
    await s.peer.idle(100);
    assert.equal(s.peer.closed, false);
    s.clock.advance(2000);
    await s.peer.closedWithin(1000);
    assert.deepEqual(s.transitions.slice(-2), ['Sta5 Evt15 AA-1 Sta13', 'Sta13 Evt18 AA-2 Sta1']);
  } finally {
    await s.close();
  }
});

/**
 * PS3.8 Table 9-10 on the acceptor side: every cell a real peer can reach, driven by a raw
 * peer over a real socket, asserting the transition and what went on the wire.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawPeer } from '../testing/raw-peer.ts';
import { abortOf, associateRq, bytes, echoRqCommand } from '../testing/pdus.ts';
import { cell, startAcceptor } from '../testing/ul-harness.ts';
import type { AcceptorHarness } from '../testing/ul-harness.ts';
import type { Association } from './association/association.ts';
import type { AcceptorPolicy } from './association/negotiation.ts';

const covered = new Set<string>();

interface Scene {
  h: AcceptorHarness;
  peer: RawPeer;
  association?: Association;
}

async function scene(policy: Partial<AcceptorPolicy> = {}, onAssociation?: (a: Association) => void): Promise<Scene> {
  const h = await startAcceptor(policy, onAssociation);
  const peer = await RawPeer.connect(h.port);
  await h.log.expect('Sta1', 'Evt5');
  return { h, peer };
}

async function done(s: Scene): Promise<void> {
  for (const t of s.h.log.transitions) covered.add(cell(t));
  s.peer.destroy();
  await s.h.close();
}

/** Puts the acceptor in a state and returns the scene. */
const setups: Record<string, () => Promise<Scene>> = {
  Sta2: () => scene(),
  Sta3: async () => {
    const s = await scene({ decide: () => new Promise(() => {}) });
    s.peer.send(bytes.rq());
    await s.h.log.expect('Sta2', 'Evt6');
    return s;
  },
  Sta6: async () => {
    const s = await scene();
    s.peer.send(bytes.rq());
    assert.equal((await s.peer.nextPdu())[0], 0x02);
    s.association = s.h.associations[0];
    return s;
  },
  Sta7: async () => {
    const s = await setups.Sta6!();
    void s.association!.release().catch(() => {});
    assert.equal((await s.peer.nextPdu())[0], 0x05);
    return s;
  },
  Sta8: async () => {
    const s = await scene({}, (a) => (a.onReleaseRequested = () => new Promise(() => {})));
    s.peer.send(bytes.rq());
    await s.peer.nextPdu();
    s.association = s.h.associations[0];
    s.peer.send(bytes.releaseRq());
    await s.h.log.expect('Sta6', 'Evt12');
    return s;
  },
  Sta10: async () => {
    const s = await setups.Sta7!();
    s.peer.send(bytes.releaseRq());
    await s.h.log.expect('Sta7', 'Evt12');
    return s;
  },
  /** A release collision on our side, the A-RELEASE-RP received (AR-10), our response held: Sta12. */
  Sta12: async () => {
    const s = await scene({}, (a) => (a.onReleaseCollision = () => new Promise(() => {})));
    s.peer.send(bytes.rq());
    await s.peer.nextPdu();
    s.association = s.h.associations[0];
    void s.association!.release().catch(() => {});
    assert.equal((await s.peer.nextPdu())[0], 0x05);
    s.peer.send(bytes.releaseRq());
    await s.h.log.expect('Sta7', 'Evt12');
    s.peer.send(bytes.releaseRp());
    assert.equal((await s.h.log.expect('Sta10', 'Evt13')).to, 'Sta12');
    return s;
  },
  Sta13: async () => {
    const s = await setups.Sta6!();
    s.peer.send(bytes.releaseRq());
    assert.equal((await s.peer.nextPdu())[0], 0x06);
    return s;
  },
};

/** A received PDU and the event it raises. */
const inputs: { name: string; event: string; bytes: () => Buffer; abortReason: number }[] = [
  { name: 'A-ASSOCIATE-AC', event: 'Evt3', bytes: () => bytes.ac(), abortReason: 2 },
  { name: 'A-ASSOCIATE-RJ', event: 'Evt4', bytes: () => bytes.rj(), abortReason: 2 },
  { name: 'A-ASSOCIATE-RQ', event: 'Evt6', bytes: () => bytes.rq(), abortReason: 2 },
  { name: 'P-DATA-TF', event: 'Evt10', bytes: () => bytes.pdata(), abortReason: 2 },
  { name: 'A-RELEASE-RQ', event: 'Evt12', bytes: () => bytes.releaseRq(), abortReason: 2 },
  { name: 'A-RELEASE-RP', event: 'Evt13', bytes: () => bytes.releaseRp(), abortReason: 2 },
  { name: 'an unknown PDU type 0AH', event: 'Evt19', bytes: () => bytes.unknownType(), abortReason: 1 },
  { name: 'an A-RELEASE-RQ of length 6', event: 'Evt19', bytes: () => bytes.badLength(), abortReason: 6 },
];

/** What Table 9-10 says each (state, event) does on the acceptor side, for received PDUs. */
const expected: Record<string, Record<string, string>> = {
  Sta2: { Evt3: 'AA-1', Evt4: 'AA-1', Evt10: 'AA-1', Evt12: 'AA-1', Evt13: 'AA-1', Evt19: 'AA-1' },
  Sta3: { Evt3: 'AA-8', Evt4: 'AA-8', Evt6: 'AA-8', Evt10: 'AA-8', Evt12: 'AA-8', Evt13: 'AA-8', Evt19: 'AA-8' },
  Sta6: { Evt3: 'AA-8', Evt4: 'AA-8', Evt6: 'AA-8', Evt13: 'AA-8', Evt19: 'AA-8' },
  Sta7: { Evt3: 'AA-8', Evt4: 'AA-8', Evt6: 'AA-8', Evt19: 'AA-8' },
  Sta8: { Evt3: 'AA-8', Evt4: 'AA-8', Evt6: 'AA-8', Evt10: 'AA-8', Evt12: 'AA-8', Evt13: 'AA-8', Evt19: 'AA-8' },
  Sta10: { Evt3: 'AA-8', Evt4: 'AA-8', Evt6: 'AA-8', Evt10: 'AA-8', Evt12: 'AA-8', Evt19: 'AA-8' },
  Sta12: { Evt3: 'AA-8', Evt4: 'AA-8', Evt6: 'AA-8', Evt10: 'AA-8', Evt12: 'AA-8', Evt13: 'AA-8', Evt19: 'AA-8' },
  Sta13: { Evt3: 'AA-6', Evt4: 'AA-6', Evt6: 'AA-7', Evt10: 'AA-6', Evt12: 'AA-6', Evt13: 'AA-6', Evt19: 'AA-7' },
};

for (const [state, row] of Object.entries(expected)) {
  for (const input of inputs) {
    const action = row[input.event];
    if (!action) continue;
    test(`${state} + ${input.event} (${input.name}) → ${action}`, async () => {
      const s = await setups[state]!();
      try {
        s.peer.send(input.bytes());
        const t = await s.h.log.expect(state, input.event);
        assert.equal(t.action, action);
        if (action === 'AA-6') {
          await s.peer.idle(50);
          assert.equal(s.peer.unread, 0, 'an ignored PDU gets no answer');
          assert.equal(s.peer.closed, false);
        } else {
          const abort = abortOf(await s.peer.nextPdu());
          assert.ok(abort, 'an A-ABORT is sent');
          // PS3.8 Table 9-9: AA-1 is a service-user abort; AA-7 and AA-8 come from the provider.
          assert.equal(abort.source, action === 'AA-1' ? 0 : 2);
          if (action === 'AA-8') assert.equal(abort.reason, input.abortReason);
          assert.equal(t.to, 'Sta13');
        }
      } finally {
        await done(s);
      }
    });
  }
}

for (const state of ['Sta3', 'Sta6', 'Sta7', 'Sta8', 'Sta10', 'Sta12']) {
  test(`${state} + Evt16 (A-ABORT received) → AA-3: close, send nothing`, async () => {
    const s = await setups[state]!();
    try {
      s.peer.send(bytes.abort(0, 0));
      const t = await s.h.log.expect(state, 'Evt16');
      assert.equal(t.action, 'AA-3');
      await s.peer.closedWithin();
      assert.equal(s.peer.unread, 0);
    } finally {
      await done(s);
    }
  });
  test(`${state} + Evt17 (peer closes) → AA-4`, async () => {
    const s = await setups[state]!();
    try {
      s.peer.destroy();
      const t = await s.h.log.expect(state, 'Evt17');
      assert.equal(t.action, 'AA-4');
      assert.equal(t.to, 'Sta1');
    } finally {
      await done(s);
    }
  });
}

test('Sta2 + Evt6 (A-ASSOCIATE-RQ) → AE-6 → Sta3, then Evt7 (accept) → AE-7: an A-ASSOCIATE-AC', async () => {
  const s = await scene();
  try {
    s.peer.send(bytes.rq());
    assert.equal((await s.h.log.expect('Sta2', 'Evt6')).to, 'Sta3');
    assert.equal((await s.peer.nextPdu())[0], 0x02);
    assert.equal((await s.h.log.expect('Sta3', 'Evt7')).action, 'AE-7');
  } finally {
    await done(s);
  }
});

test('Sta2 + Evt6 with protocol version 2 → AE-6 rejects 1/2/2 (bit 0 only, PS3.8 Table 9-11), then Evt17 → AR-5', async () => {
  const s = await scene();
  try {
    s.peer.send(bytes.rq({ protocolVersion: 2 }));
    assert.equal((await s.h.log.expect('Sta2', 'Evt6')).to, 'Sta13');
    assert.deepEqual([...(await s.peer.nextPdu())], [0x03, 0, 0, 0, 0, 4, 0, 1, 2, 2]);
    s.peer.end();
    assert.equal((await s.h.log.expect('Sta13', 'Evt17')).action, 'AR-5');
  } finally {
    await done(s);
  }
});

test('Sta2 + Evt6 with protocol version 3 is accepted (only bit 0 is tested)', async () => {
  const s = await scene();
  try {
    s.peer.send(bytes.rq({ protocolVersion: 3 }));
    assert.equal((await s.peer.nextPdu())[0], 0x02);
  } finally {
    await done(s);
  }
});

test('Sta2 + Evt16 → AA-2 and Sta2 + Evt17 → AA-5', async () => {
  const s = await scene();
  s.peer.send(bytes.abort());
  assert.equal((await s.h.log.expect('Sta2', 'Evt16')).action, 'AA-2');
  await s.peer.closedWithin();
  await done(s);
  const s2 = await scene();
  s2.peer.destroy();
  assert.equal((await s2.h.log.expect('Sta2', 'Evt17')).action, 'AA-5');
  await done(s2);
});

test('Sta2 + Evt18: a peer that connects and says nothing is closed after ARTIM with zero bytes sent (PS3.8 9.1.2)', async () => {
  const s = await scene();
  try {
    s.h.clock.advance(999);
    await s.peer.idle(30);
    assert.equal(s.peer.closed, false);
    s.h.clock.advance(1);
    assert.equal((await s.h.log.expect('Sta2', 'Evt18')).action, 'AA-2');
    await s.peer.closedWithin();
    assert.equal(Buffer.concat(s.peer.bytes).length, 0);
  } finally {
    await done(s);
  }
});

test('Sta3 + Evt8 (policy rejects) → AE-8, then ARTIM in Sta13 → AA-2 closes (PS3.8 9.1.5)', async () => {
  const s = await scene({ callingAeTitles: ['SOMEONE'] });
  try {
    s.peer.send(bytes.rq());
    assert.deepEqual([...(await s.peer.nextPdu())], [0x03, 0, 0, 0, 0, 4, 0, 1, 1, 3]);
    assert.equal((await s.h.log.expect('Sta3', 'Evt8')).action, 'AE-8');
    s.h.clock.advance(1000);
    assert.equal((await s.h.log.expect('Sta13', 'Evt18')).action, 'AA-2');
    await s.peer.closedWithin();
  } finally {
    await done(s);
  }
});

test('Sta3 + Evt15 (the policy hook fails) → AA-1: A-ABORT source 0, the acceptor keeps serving', async () => {
  const s = await scene({
    decide: () => {
      throw new Error('policy bug');
    },
  });
  try {
    s.peer.send(bytes.rq());
    assert.deepEqual(abortOf(await s.peer.nextPdu()), { source: 0, reason: 0 });
    assert.equal((await s.h.log.expect('Sta3', 'Evt15')).action, 'AA-1');
    assert.ok(s.h.log.events.some((e) => e.kind === 'fault' && e.error.code === 'INTERNAL_HANDLER_FAILED'));
  } finally {
    await done(s);
  }
});

test('Sta6 + Evt10 → DT-2 and Evt9 → DT-1 (P-DATA both ways)', async () => {
  const s = await setups.Sta6!();
  try {
    const got: Buffer[] = [];
    s.association!.onPData((p) => got.push(Buffer.from(p.pdvs[0]!.data)));
    s.peer.send(bytes.pdata(1, 0x03, echoRqCommand(7)));
    assert.equal((await s.h.log.expect('Sta6', 'Evt10')).action, 'DT-2');
    assert.deepEqual(got, [echoRqCommand(7)]);
    s.association!.sendPData({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: 3, data: Buffer.from([1, 2]) }] });
    assert.equal((await s.h.log.expect('Sta6', 'Evt9')).action, 'DT-1');
    assert.deepEqual([...(await s.peer.nextPdu())], [4, 0, 0, 0, 0, 8, 0, 0, 0, 4, 1, 3, 1, 2]);
  } finally {
    await done(s);
  }
});

test('Sta6 + Evt12 → AR-2, Evt14 → AR-4 (RP, ARTIM), Sta13 + Evt17 → AR-5; a new association works afterwards', async () => {
  const s = await setups.Sta13!();
  try {
    assert.equal((await s.h.log.expect('Sta6', 'Evt12')).action, 'AR-2');
    assert.equal((await s.h.log.expect('Sta8', 'Evt14')).action, 'AR-4');
    s.peer.end();
    assert.equal((await s.h.log.expect('Sta13', 'Evt17')).action, 'AR-5');
    const again = await RawPeer.connect(s.h.port);
    again.send(bytes.rq());
    assert.equal((await again.nextPdu())[0], 0x02);
    again.destroy();
  } finally {
    await done(s);
  }
});

test('Sta13 + Evt16 → AA-2 and Sta13 + Evt18 → AA-2', async () => {
  const s = await setups.Sta13!();
  s.peer.send(bytes.abort());
  assert.equal((await s.h.log.expect('Sta13', 'Evt16')).action, 'AA-2');
  await s.peer.closedWithin();
  await done(s);
  const s2 = await setups.Sta13!();
  s2.h.clock.advance(1000);
  assert.equal((await s2.h.log.expect('Sta13', 'Evt18')).action, 'AA-2');
  await s2.peer.closedWithin();
  await done(s2);
});

test('Sta6 + Evt11 (acceptor releases) → AR-1, Sta7 + Evt13 → AR-3 closes the transport', async () => {
  const s = await setups.Sta7!();
  try {
    assert.equal((await s.h.log.expect('Sta6', 'Evt11')).action, 'AR-1');
    s.peer.send(bytes.releaseRp());
    assert.equal((await s.h.log.expect('Sta7', 'Evt13')).action, 'AR-3');
    await s.peer.closedWithin();
  } finally {
    await done(s);
  }
});

test('Sta7 + Evt10 → AR-6 (P-DATA still delivered while awaiting the RP)', async () => {
  const s = await setups.Sta7!();
  try {
    s.peer.send(bytes.pdata());
    assert.equal((await s.h.log.expect('Sta7', 'Evt10')).action, 'AR-6');
  } finally {
    await done(s);
  }
});

test('release collision on the acceptor side: Sta7 + Evt12 → AR-8 → Sta10, Evt13 → AR-10 → Sta12, Evt14 → AR-4', async () => {
  const s = await setups.Sta10!();
  try {
    assert.equal((await s.h.log.expect('Sta7', 'Evt12')).to, 'Sta10');
    s.peer.send(bytes.releaseRp());
    assert.equal((await s.h.log.expect('Sta10', 'Evt13')).action, 'AR-10');
    assert.equal((await s.h.log.expect('Sta12', 'Evt14')).action, 'AR-4');
    assert.equal((await s.peer.nextPdu())[0], 0x06);
  } finally {
    await done(s);
  }
});

test('Sta8 + Evt9 → AR-7 (P-DATA before the release response), Evt15 → AA-1', async () => {
  const s = await setups.Sta8!();
  try {
    s.association!.sendPData({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: 3, data: Buffer.from([1, 2]) }] });
    assert.equal((await s.h.log.expect('Sta8', 'Evt9')).action, 'AR-7');
    assert.equal((await s.peer.nextPdu())[0], 0x04);
    s.association!.abort();
    assert.equal((await s.h.log.expect('Sta8', 'Evt15')).action, 'AA-1');
    assert.deepEqual(abortOf(await s.peer.nextPdu()), { source: 0, reason: 0 });
  } finally {
    await done(s);
  }
});

test('Sta6 + Evt15 (local abort) → AA-1: A-ABORT source 0', async () => {
  const s = await setups.Sta6!();
  try {
    s.association!.abort();
    assert.equal((await s.h.log.expect('Sta6', 'Evt15')).action, 'AA-1');
    assert.deepEqual(abortOf(await s.peer.nextPdu()), { source: 0, reason: 0 });
  } finally {
    await done(s);
  }
});

test('a PDU longer than the announced maximum is refused as soon as its header arrives (AA-8, reason 6)', async () => {
  const s = await setups.Sta6!();
  try {
    const header = Buffer.from([0x04, 0, 0, 0, 0x40, 0x01]); // PDU-length 16385 > 16384
    s.peer.send(header);
    const t = await s.h.log.expect('Sta6', 'Evt19');
    assert.equal(t.action, 'AA-8');
    assert.deepEqual(abortOf(await s.peer.nextPdu()), { source: 2, reason: 6 });
    assert.ok(s.h.log.events.some((e) => e.kind === 'fault' && e.error.code === 'UL_PDU_TOO_LONG'));
  } finally {
    await done(s);
  }
});

test('a peer that vanishes mid-PDU is reported (UL_TRANSPORT_CLOSED_MID_PDU) and ends with AA-4', async () => {
  const s = await setups.Sta6!();
  try {
    s.peer.send(bytes.pdata().subarray(0, 9));
    await s.peer.idle(20);
    s.peer.destroy();
    assert.equal((await s.h.log.expect('Sta6', 'Evt17')).action, 'AA-4');
    assert.ok(s.h.log.events.some((e) => e.kind === 'fault' && e.error.code === 'UL_TRANSPORT_CLOSED_MID_PDU'));
  } finally {
    await done(s);
  }
});

test('an A-ASSOCIATE-RQ with an even presentation context ID is an invalid PDU (Evt19 → AA-1 in Sta2)', async () => {
  const s = await scene();
  try {
    const rq = associateRq({ presentationContexts: [{ id: 2, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }] });
    s.peer.send((await import('./pdu/registry.ts')).encodePdu(rq));
    assert.equal((await s.h.log.expect('Sta2', 'Evt19')).action, 'AA-1');
    assert.ok(s.h.log.events.some((e) => e.kind === 'fault' && e.error.code === 'UL_INVALID_PDU_PARAMETER'));
  } finally {
    await done(s);
  }
});

after(() => {
  const mustCover = [
    'Sta1+Evt5->AE-5->Sta2',
    'Sta2+Evt6->AE-6->Sta3',
    'Sta2+Evt6->AE-6->Sta13',
    'Sta2+Evt16->AA-2->Sta1',
    'Sta2+Evt17->AA-5->Sta1',
    'Sta2+Evt18->AA-2->Sta1',
    'Sta3+Evt7->AE-7->Sta6',
    'Sta3+Evt8->AE-8->Sta13',
    'Sta3+Evt15->AA-1->Sta13',
    'Sta6+Evt9->DT-1->Sta6',
    'Sta6+Evt10->DT-2->Sta6',
    'Sta6+Evt11->AR-1->Sta7',
    'Sta6+Evt12->AR-2->Sta8',
    'Sta6+Evt15->AA-1->Sta13',
    'Sta7+Evt10->AR-6->Sta7',
    'Sta7+Evt12->AR-8->Sta10',
    'Sta7+Evt13->AR-3->Sta1',
    'Sta8+Evt9->AR-7->Sta8',
    'Sta8+Evt14->AR-4->Sta13',
    'Sta8+Evt15->AA-1->Sta13',
    'Sta10+Evt13->AR-10->Sta12',
    'Sta12+Evt14->AR-4->Sta13',
    'Sta13+Evt16->AA-2->Sta1',
    'Sta13+Evt17->AR-5->Sta1',
    'Sta13+Evt18->AA-2->Sta1',
  ];
  for (const [state, row] of Object.entries(expected)) {
    for (const [event, action] of Object.entries(row)) mustCover.push(`${state}+${event}->${action}->Sta13`);
  }
  for (const state of ['Sta3', 'Sta6', 'Sta7', 'Sta8', 'Sta10', 'Sta12']) mustCover.push(`${state}+Evt16->AA-3->Sta1`, `${state}+Evt17->AA-4->Sta1`);
  const missing = mustCover.filter((c) => !covered.has(c));
  assert.deepEqual(missing, [], 'state table cells not exercised');
});

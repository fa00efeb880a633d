/**
 * Scenario association rules over real sockets: what the scripted SCP puts on the wire in answer
 * to an A-ASSOCIATE-RQ (reject with any values, delay, silence, forced context results, another
 * maximum length) and right after the A-ASSOCIATE-AC (abort, release request).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SopClass } from '../dimse/sop-classes.ts';
import { HarnessError } from '../wire/errors.ts';
import { abortOf, bytes } from '../testing/pdus.ts';
import { RawPeer } from '../testing/raw-peer.ts';
import { connectClient, startScenarioScp, studyRootRq } from '../testing/scenario-harness.ts';

const STORE = 'store:\n  patients:\n    - { PatientID: P1, PatientName: DOE^JOHN, studies: [{ StudyInstanceUID: "1.2.3" }] }\n';

async function rawAssociate(port: number, calling = 'RAWPEER', called = 'QRSCP'): Promise<{ peer: RawPeer; answer: Buffer }> {
  const peer = await RawPeer.connect(port);
  peer.send(studyRootRq(calling, called));
  return { peer, answer: await peer.nextPdu(3000) };
}

test('reject with any result, source and reason: the A-ASSOCIATE-RJ carries exactly those bytes', async () => {
  const s = await startScenarioScp(`name: r\n${STORE}scp:\n  timeouts: { artimMs: 200 }\n  association:\n    - reject: { result: 2, source: 3, reason: 2 }\n`);
  try {
    const { peer, answer } = await rawAssociate(s.port);
    assert.deepEqual(answer, bytes.rj(2, 3, 2));
    // PS3.8 9.2.2 (AE-8): the acceptor waits for the requestor to close, then ARTIM closes it.
    await peer.closedWithin(3000);
    assert.equal(peer.unread, 0);
  } finally {
    await s.close();
  }
  // A reserved combination is sent as written too (a deliberate fault).
  const odd = await startScenarioScp(`name: r\nscp:\n  association:\n    - reject: { result: 1, source: 2, reason: 9 }\n`);
  try {
    assert.deepEqual((await rawAssociate(odd.port)).answer, bytes.rj(1, 2, 9));
  } finally {
    await odd.close();
  }
});

test('callingAeTitles: unknown calling AE titles get 1/1/3, a wrong called AE title 1/1/7; patterns match', async () => {
  const s = await startScenarioScp(`name: r\n${STORE}scp:\n  callingAeTitles: [GOOD*, FINDSCU]\n`);
  try {
    assert.deepEqual((await rawAssociate(s.port, 'STRANGER')).answer, bytes.rj(1, 1, 3));
    assert.deepEqual((await rawAssociate(s.port, 'GOOD7', 'ELSEWHERE')).answer, bytes.rj(1, 1, 7));
    const ok = await rawAssociate(s.port, 'GOOD7');
    assert.equal(ok.answer[0], 0x02);
    ok.peer.destroy();
  } finally {
    await s.close();
  }
});

test('a rule for the n-th association of a calling AE title: the third BUSY is turned away 2/3/1, the others accepted', async () => {
  const s = await startScenarioScp(`name: r\n${STORE}scp:\n  association:\n    - when: { callingAeTitle: BUSY, nth: 3 }\n      reject: { result: 2, source: 3, reason: 1 }\n`);
  try {
    const answers: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { peer, answer } = await rawAssociate(s.port, 'BUSY');
      answers.push(answer[0]!);
      if (i === 2) assert.deepEqual(answer, bytes.rj(2, 3, 1));
      peer.destroy();
    }
    assert.deepEqual(answers, [0x02, 0x02, 0x03, 0x02]);
    assert.equal((await rawAssociate(s.port, 'OTHER')).answer[0], 0x02);
  } finally {
    await s.close();
  }
});

test('accept only some contexts, announce another maximum length', async () => {
  const s = await startScenarioScp(`name: r\n${STORE}scp:\n  association:\n    - accept:\n        maxPduLength: 4096\n        contexts: { PatientRoot: 3, ${SopClass.Verification}: 1 }\n`);
  try {
    const { client } = await connectClient(s.port);
    const results = [...client.association.accept.presentationContexts].map((pc) => [pc.id, pc.result]);
    assert.deepEqual(results, [
      [1, 0],
      [3, 3],
      [5, 1],
    ]);
    assert.equal(client.association.peerMaxPduLength, 4096);
    await client.release();
  } finally {
    await s.close();
  }
});

test('delay the A-ASSOCIATE-AC; never answer (the requestor times out)', async () => {
  const s = await startScenarioScp(`name: r\n${STORE}scp:\n  association:\n    - when: { callingAeTitle: SLOW }\n      accept: { delayMs: 300 }\n    - when: { callingAeTitle: NEVER }\n      accept: { never: true }\n`);
  try {
    const t0 = performance.now();
    const { client } = await connectClient(s.port, { callingAeTitle: 'SLOW' });
    assert.ok(performance.now() - t0 >= 290, `AC after ${performance.now() - t0} ms`);
    await client.release();
    await assert.rejects(connectClient(s.port, { callingAeTitle: 'NEVER', timeouts: { associationRequestMs: 300 } }), (e: HarnessError) => e.code === 'UL_ASSOCIATION_REQUEST_TIMEOUT' || /time/i.test(e.message));
    // The silent association does not block the next one.
    const { client: again } = await connectClient(s.port);
    await again.release();
  } finally {
    await s.close();
  }
});

test('abort after the A-ASSOCIATE-AC with the source and reason asked for; a release request from the SCP', async () => {
  const s = await startScenarioScp(`name: r\n${STORE}scp:\n  association:\n    - when: { callingAeTitle: ABORTME }\n      accept: { abortAfterMs: 100, abort: { source: 2, reason: 2 } }\n    - when: { callingAeTitle: RELEASEME }\n      accept: { releaseAfterMs: 100 }\n`);
  try {
    const a = await rawAssociate(s.port, 'ABORTME');
    assert.equal(a.answer[0], 0x02);
    const t0 = performance.now();
    const abort = await a.peer.nextPdu(3000);
    assert.deepEqual(abortOf(abort), { source: 2, reason: 2 });
    assert.ok(performance.now() - t0 >= 80);
    const r = await rawAssociate(s.port, 'RELEASEME');
    assert.equal(r.answer[0], 0x02);
    assert.deepEqual(await r.peer.nextPdu(3000), bytes.releaseRq());
    r.peer.send(bytes.releaseRp());
    await r.peer.closedWithin(3000);
  } finally {
    await s.close();
  }
});

test('what the peer sends never crashes the scenario SCP: garbage, a half PDU, an early close', async () => {
  const s = await startScenarioScp(`name: r\n${STORE}scp:\n  aeTitle: QRSCP\n`);
  try {
    const garbage = await RawPeer.connect(s.port);
    garbage.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    // PS3.8 Table 9-10, Sta2 + Evt19 (unrecognized PDU): AA-1, an A-ABORT (AA-1 names the service-user source).
    assert.equal(abortOf(await garbage.nextPdu(3000))?.source, 0);
    garbage.destroy();
    const half = await RawPeer.connect(s.port);
    half.send(studyRootRq().subarray(0, 20));
    half.destroy();
    const { client } = await connectClient(s.port);
    assert.equal((await client.echo()).status, 0);
    await client.release();
  } finally {
    await s.close();
  }
});

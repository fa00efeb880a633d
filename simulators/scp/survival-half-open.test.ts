/**
 * Half-open connections: a peer that stops at some stage and then neither reads nor closes.
 * ARTIM (PS3.8 9.1.5) bounds the wait for the A-ASSOCIATE-RQ and for the close after a release
 * or abort; the idle timer (a local choice PS3.8 leaves open: scp.timeouts.idleMs) bounds an
 * established association on which the peer says nothing. Each time the SCP closes the
 * connection by itself and keeps nothing of it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScpEvent } from './scp.ts';
import { abortOf } from '../testing/pdus.ts';
import {
  connectStudyRoot,
  ALL_IMAGES,
  assertAnswersNormally,
  failOnUncaught,
  findRq,
  findRqPdus,
  rawConnect,
  releaseRqPdu,
  settled,
  startSurvivalScp,
  waitFor,
} from '../testing/survival-harness.ts';
import type { RawClient, SurvivalScp } from '../testing/survival-harness.ts';

const ARTIM_MS = 300;
const IDLE_MS = 400;
/** Long enough for every timer involved to run out, with room for a loaded machine. */
const BOUND_MS = 5000;

let s: SurvivalScp;
let uncaught: ReturnType<typeof failOnUncaught>;

before(async () => {
  uncaught = failOnUncaught();
  s = await startSurvivalScp({ timeouts: { artimMs: ARTIM_MS, idleMs: IDLE_MS } });
});

after(async () => {
  await s.close();
  uncaught.detach();
});

/** A client that will never read: paused from the start. */
async function silentClient(): Promise<RawClient> {
  const c = await rawConnect(s.port);
  c.socket.pause();
  return c;
}

const stateEvents = (events: ScpEvent[]) => events.filter((e): e is Extract<ScpEvent, { kind: 'state' }> => e.kind === 'state');
const faultCodes = (events: ScpEvent[]) => events.filter((e): e is Extract<ScpEvent, { kind: 'fault' }> => e.kind === 'fault').map((e) => e.error.code);

/** The SCP closed the connection itself: the client sees the close and the SCP holds nothing, all within the bound. */
async function closedByScp(c: RawClient, scp = s): Promise<ScpEvent[]> {
  // The SCP lets go while the client still neither reads nor closes.
  await settled(scp, BOUND_MS);
  // A paused socket learns of the close only when it reads: read now, nothing more is sent to the SCP.
  c.socket.resume();
  await waitFor('the client saw the close', c.isClosed, BOUND_MS);
  const events = scp.eventsOf(c.port);
  assert.ok(!faultCodes(events).includes('INTERNAL_HANDLER_FAILED'));
  await assertAnswersNormally(scp.port);
  assert.deepEqual(uncaught.errors, []);
  return events;
}

/** The last transition: ARTIM ran out (Evt18) and the transport was closed (AA-2). */
function endedByArtim(events: ScpEvent[], from: 'Sta2' | 'Sta13'): void {
  const last = stateEvents(events).at(-1)!;
  assert.deepEqual({ from: last.from, event: last.event, action: last.action, to: last.to }, { from, event: 'Evt18', action: 'AA-2', to: 'Sta1' });
  assert.ok(faultCodes(events).includes('UL_ARTIM_EXPIRED'), faultCodes(events).join(', '));
}

test('connected, nothing sent: ARTIM closes it (PS3.8 9.1.5, Sta2 Evt18 AA-2)', async () => {
  const c = await silentClient();
  endedByArtim(await closedByScp(c), 'Sta2');
  assert.equal(c.receivedBytes(), 0, 'no PDU is sent to a peer that never asked for an association');
});

test('half an A-ASSOCIATE-RQ sent: ARTIM closes it', async () => {
  const c = await silentClient();
  const rq = findRq();
  c.socket.write(rq.subarray(0, rq.length >> 1));
  endedByArtim(await closedByScp(c), 'Sta2');
});

test('a PDU header cut short: ARTIM closes it', async () => {
  const c = await silentClient();
  c.socket.write(Buffer.from([0x01, 0x00, 0x00]));
  endedByArtim(await closedByScp(c), 'Sta2');
});

test('associated, then silent: the idle timer aborts (A-ABORT 0/0), ARTIM then closes', async () => {
  const c = await silentClient();
  c.socket.write(findRq());
  const events = await closedByScp(c);
  assert.ok(faultCodes(events).includes('UL_IDLE_TIMEOUT'), faultCodes(events).join(', '));
  const end = events.find((e) => e.kind === 'association' && e.phase === 'aborted');
  assert.ok(end && end.kind === 'association' && end.phase === 'aborted' && end.by === 'local', JSON.stringify(end));
  endedByArtim(events, 'Sta13');
  const bytes = c.received();
  assert.equal(bytes[0], 0x02, 'the A-ASSOCIATE-AC first');
  assert.deepEqual(abortOf(bytes.subarray(6 + bytes.readUInt32BE(2))), { source: 0, reason: 0 });
});

test('an A-RELEASE-RQ, then never reading the RP nor closing: ARTIM closes it (Sta13)', async () => {
  const c = await silentClient();
  c.socket.write(findRq());
  c.socket.write(releaseRqPdu());
  const events = await closedByScp(c);
  assert.ok(events.some((e) => e.kind === 'association' && e.phase === 'released'));
  endedByArtim(events, 'Sta13');
});

test('mid-C-FIND-RQ (command sent, identifier never): the idle timer aborts, ARTIM closes', async () => {
  const c = await silentClient();
  c.socket.write(findRq());
  c.socket.write(findRqPdus()[0]!);
  const events = await closedByScp(c);
  assert.ok(faultCodes(events).includes('UL_IDLE_TIMEOUT'), faultCodes(events).join(', '));
  endedByArtim(events, 'Sta13');
});

/** A C-FIND of 100,000 matches on a client paused from the start, run until the SCP's socket backs up. */
async function backedUpStream(scp: SurvivalScp): Promise<RawClient> {
  const c = await rawConnect(scp.port);
  c.socket.pause();
  c.socket.write(findRq());
  for (const p of findRqPdus()) c.socket.write(p);
  await waitFor('the stream backs up', () => [...scp.scp.associations].some((a) => a.unsentBytes > 0), BOUND_MS);
  return c;
}

test('a C-FIND of 100,000 matches never read: once the stream stalls the idle timer aborts, and the connection is closed though the A-ABORT never leaves', async () => {
  // The idle timer restarts with every PDU sent: it runs out only once the full buffers stop the stream.
  const c = await backedUpStream(s);
  const events = await closedByScp(c);
  assert.ok(faultCodes(events).includes('UL_IDLE_TIMEOUT'), faultCodes(events).join(', '));
  endedByArtim(events, 'Sta13');
});

test('an A-ABORT sent while 100,000 matches stream unread, then neither reading nor closing: the SCP closes anyway (no idle timer)', async () => {
  const quiet = await startSurvivalScp({ timeouts: { artimMs: ARTIM_MS } });
  try {
    const c = await backedUpStream(quiet);
    c.socket.write(Buffer.from('07000000000400000000', 'hex'));
    const events = await closedByScp(c, quiet);
    const end = events.find((e) => e.kind === 'association' && e.phase === 'aborted');
    assert.ok(end && end.kind === 'association' && end.phase === 'aborted' && end.by === 'peer', JSON.stringify(end));
  } finally {
    await quiet.close();
  }
});

test('with the idle timer on, a client reading a long stream without sending anything is not idle: after 3 idle periods its C-CANCEL still gets FE00', async () => {
  const c = await connectStudyRoot(s.port);
  const op = c.find('study', ALL_IMAGES);
  const started = Date.now();
  let matches = 0;
  let final: number | undefined;
  for await (const r of op) {
    if (r.final) final = r.status;
    else if (++matches % 100 === 0 && Date.now() - started > 3 * IDLE_MS) op.cancel();
  }
  await c.release();
  assert.equal(final, 0xfe00, `after ${matches} matches in ${Date.now() - started} ms`);
  await settled(s, BOUND_MS);
});

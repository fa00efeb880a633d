/**
 * The SCP survives a peer that vanishes at every stage of an association, by TCP RST, by FIN
 * (half-close) and by a plain close: each time the transport-closed indication (Evt17) takes the
 * action PS3.8 Table 9-10 gives for the state it arrived in, the SCP keeps nothing of the
 * connection, and the next query is answered in full.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScpEvent } from './scp.ts';
import {
  connectStudyRoot,
  ALL_IMAGES,
  INSTANCES,
  assertAnswersNormally,
  cancelPdu,
  failOnUncaught,
  findRq,
  findRqPdus,
  firstPduLength,
  rawConnect,
  receivedAtLeast,
  releaseRqPdu,
  settled,
  startSurvivalScp,
  waitFor,
} from '../testing/survival-harness.ts';
import type { RawClient, SurvivalScp } from '../testing/survival-harness.ts';

type Drop = 'RST' | 'FIN' | 'close';

/** What the SCP must do when the transport closes (PS3.8 Table 9-10, Evt17). */
interface Expected {
  from: 'Sta2' | 'Sta6' | 'Sta13';
  action: 'AA-5' | 'AA-4' | 'AR-5';
  /** How the association ended, when there was one. */
  end?: { phase: 'aborted'; by: 'provider' } | { phase: 'released'; by: 'peer' };
}

/** Sta2, awaiting the A-ASSOCIATE-RQ: AA-5, stop ARTIM, no association to end. */
const BEFORE_ASSOCIATION: Expected = { from: 'Sta2', action: 'AA-5' };
/** Sta6, established: AA-4, an A-P-ABORT indication to the SCP. */
const ESTABLISHED: Expected = { from: 'Sta6', action: 'AA-4', end: { phase: 'aborted', by: 'provider' } };

let s: SurvivalScp;
let uncaught: ReturnType<typeof failOnUncaught>;

before(async () => {
  uncaught = failOnUncaught();
  s = await startSurvivalScp({ timeouts: { artimMs: 10_000 } });
});

after(async () => {
  await s.close();
  uncaught.detach();
});

const sawState = (c: RawClient, to: string) => () => s.eventsOf(c.port).some((e) => e.kind === 'state' && e.to === to);

async function associated(c: RawClient): Promise<void> {
  c.socket.write(findRq());
  await waitFor('the A-ASSOCIATE-AC', sawState(c, 'Sta6'));
  await receivedAtLeast(c, 6);
  await receivedAtLeast(c, firstPduLength(c.received()));
}

/** Each stage brings a fresh connection to the point where it is dropped. */
const STAGES: { name: string; expected: Expected; bring: (c: RawClient) => Promise<void> }[] = [
  { name: '(a) right after connect', expected: BEFORE_ASSOCIATION, bring: (c) => waitFor('the SCP accepted the connection', sawState(c, 'Sta2')) },
  {
    name: '(b) mid-A-ASSOCIATE-RQ',
    expected: BEFORE_ASSOCIATION,
    bring: async (c) => {
      await waitFor('the SCP accepted the connection', sawState(c, 'Sta2'));
      const rq = findRq();
      c.socket.write(rq.subarray(0, rq.length >> 1));
    },
  },
  {
    name: '(c) after the A-ASSOCIATE-RQ, before reading the AC',
    expected: ESTABLISHED,
    bring: async (c) => {
      c.socket.pause();
      c.socket.write(findRq());
      await waitFor('the A-ASSOCIATE-AC sent', sawState(c, 'Sta6'));
    },
  },
  { name: '(d) after the A-ASSOCIATE-AC', expected: ESTABLISHED, bring: associated },
  {
    name: '(e) mid-P-DATA-TF of a C-FIND-RQ',
    expected: ESTABLISHED,
    bring: async (c) => {
      await associated(c);
      const [command, identifier] = findRqPdus();
      c.socket.write(command!);
      c.socket.write(identifier!.subarray(0, identifier!.length - 7));
    },
  },
  {
    name: '(f) while 100,000 Pendings stream',
    expected: ESTABLISHED,
    bring: async (c) => {
      await associated(c);
      for (const p of findRqPdus()) c.socket.write(p);
      await receivedAtLeast(c, 256 << 10);
    },
  },
  {
    name: '(g) after a C-CANCEL',
    expected: ESTABLISHED,
    bring: async (c) => {
      await associated(c);
      for (const p of findRqPdus()) c.socket.write(p);
      await receivedAtLeast(c, 64 << 10);
      await new Promise<void>((r) => c.socket.write(cancelPdu(), () => r()));
    },
  },
  {
    name: '(h) after the A-RELEASE-RQ, before reading the RP',
    // PS3.8 Table 9-10: the SCP answered (AR-4) and waits in Sta13 for the close; it is a release, not an abort.
    expected: { from: 'Sta13', action: 'AR-5', end: { phase: 'released', by: 'peer' } },
    bring: async (c) => {
      await associated(c);
      c.socket.pause();
      c.socket.write(releaseRqPdu());
      await waitFor('the A-RELEASE-RP sent', sawState(c, 'Sta13'));
    },
  },
  {
    name: '(i) mid-PDU header, before the A-ASSOCIATE-RQ',
    expected: BEFORE_ASSOCIATION,
    bring: async (c) => {
      await waitFor('the SCP accepted the connection', sawState(c, 'Sta2'));
      c.socket.write(findRq().subarray(0, 3));
    },
  },
  {
    name: '(i) mid-PDU header, established',
    expected: ESTABLISHED,
    bring: async (c) => {
      await associated(c);
      c.socket.write(findRqPdus()[0]!.subarray(0, 3));
    },
  },
];

function drop(c: RawClient, how: Drop): void {
  if (how === 'RST') c.socket.resetAndDestroy();
  else if (how === 'FIN') {
    // Half-close, then read on (the SCP's FIN included) as a peer that shuts down its sending side does.
    c.socket.end();
    c.socket.resume();
  }
  else c.socket.destroy();
}

function checkEvents(events: ScpEvent[], expected: Expected, how: Drop, stage: string): void {
  const closing = events.filter((e) => e.kind === 'state' && e.event === 'Evt17');
  assert.equal(closing.length, 1, `one transport-closed indication: ${JSON.stringify(closing)}`);
  const [evt17] = closing as Extract<ScpEvent, { kind: 'state' }>[];
  assert.deepEqual({ from: evt17!.from, action: evt17!.action, to: evt17!.to }, { from: expected.from, action: expected.action, to: 'Sta1' });
  assert.ok(events.some((e) => e.kind === 'transport' && e.phase === 'closed'), 'transport closed reported');
  const ends = events.filter((e) => e.kind === 'association' && (e.phase === 'aborted' || e.phase === 'released'));
  if (!expected.end) {
    assert.equal(events.filter((e) => e.kind === 'association').length, 0, 'no association was requested');
  } else {
    assert.equal(ends.length, 1, 'the association ended once');
    const [end] = ends as Extract<ScpEvent, { kind: 'association' }>[];
    assert.deepEqual({ phase: end!.phase, by: 'by' in end! ? end.by : undefined }, expected.end);
  }
  const faults = events.filter((e): e is Extract<ScpEvent, { kind: 'fault' }> => e.kind === 'fault').map((e) => e.error.code);
  assert.ok(!faults.includes('INTERNAL_HANDLER_FAILED'), `no failure of our own code: ${faults.join(', ')}`);
  // A FIN after part of a PDU: the provider names what was cut short.
  if (how === 'FIN' && expected.from === 'Sta6' && /mid-/.test(stage)) assert.ok(faults.includes('UL_TRANSPORT_CLOSED_MID_PDU'), faults.join(', '));
}

for (const stage of STAGES) {
  for (const how of ['RST', 'FIN', 'close'] as const) {
    test(`${how} ${stage.name}: Evt17 ${stage.expected.from} → ${stage.expected.action}, nothing held, the next query answered`, async () => {
      await settled(s);
      const c = await rawConnect(s.port);
      const port = c.port;
      await stage.bring(c);
      drop(c, how);
      await settled(s);
      // After a FIN the SCP closes its side by itself.
      await waitFor('the SCP closed its side', c.isClosed);
      checkEvents(s.eventsOf(port), stage.expected, how, stage.name);
      await assertAnswersNormally(s.port);
      assert.deepEqual(uncaught.errors, []);
    });
  }
}

test('after all those drops, one association still gets all 100,000 matches, in order, then 0000', async () => {
  await settled(s);
  const c = await connectStudyRoot(s.port);
  let expected = 1;
  let final: number | undefined;
  for await (const r of c.find('study', ALL_IMAGES)) {
    if (r.final) final = r.status;
    else if (r.identifier?.text('InstanceNumber')?.trim() === String(expected)) expected++;
  }
  await c.release();
  assert.deepEqual({ matches: expected - 1, final }, { matches: INSTANCES, final: 0x0000 });
  await settled(s);
  assert.deepEqual(uncaught.errors, []);
});

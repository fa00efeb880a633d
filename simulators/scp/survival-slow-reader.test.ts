/**
 * A peer that never reads: it asks for 100,000 matches and stops reading. The SCP must hold
 * the stream back (write-ahead, PS3.4 C.4.1.3's Pendings made only as the socket takes them),
 * keep its memory flat, and free everything once the peer goes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DimseMessageEvent } from '../dimse/events.ts';
import { resourceSnapshot } from '../testing/resources.ts';
import { assertAnswersNormally, failOnUncaught, findRq, findRqPdus, rawConnect, settled, startSurvivalScp, waitFor } from '../testing/survival-harness.ts';
import type { SurvivalScp } from '../testing/survival-harness.ts';
import { DEFAULT_WRITE_AHEAD } from './find-service.ts';

/** The P-DATA-TF and PDV headers around a command and a data set sent in separate PDUs (PS3.8 9.3.5). */
const PDU_OVERHEAD = 2 * (6 + 4 + 2);
const MB = 1024 * 1024;

let s: SurvivalScp;
let uncaught: ReturnType<typeof failOnUncaught>;

before(async () => {
  uncaught = failOnUncaught();
  s = await startSurvivalScp();
});

after(async () => {
  await s.close();
  uncaught.detach();
});

test('a peer that stops reading during 100,000 matches: the SCP stalls with at most the write-ahead queued, memory flat; freed when the peer goes', async (t) => {
  let made = 0;
  let pendingBytes = 0;
  const stop = s.stream.subscribe((e) => {
    const m = e as DimseMessageEvent;
    if (m.command.Status !== 0xff00) return;
    made++;
    pendingBytes ||= m.commandBytes.length + (m.dataSet?.length ?? 0) + PDU_OVERHEAD;
  }, ['dimse:sent']);
  try {
    const c = await rawConnect(s.port);
    c.socket.pause();
    c.socket.write(findRq());
    for (const p of findRqPdus()) c.socket.write(p);
    // Stalled: Pendings queued in the SCP (the kernel's buffers are full) and none made for 200 ms.
    const queued = () => [...s.scp.associations].some((a) => a.unsentBytes > 0);
    await waitFor('the SCP stream stalls', async () => {
      const before = made;
      await sleep(200);
      return made > 0 && made === before && queued();
    }, 15_000);
    const [association] = s.scp.associations;
    assert.ok(association, 'the association is still there');
    const stalledAt = made;
    const first = resourceSnapshot();
    let maxUnsent = 0;
    // Watch it for 2 s: nothing more is made, nothing more is queued.
    for (const deadline = Date.now() + 2000; Date.now() < deadline; ) {
      maxUnsent = Math.max(maxUnsent, association.unsentBytes);
      await sleep(20);
    }
    const last = resourceSnapshot();
    const bound = (DEFAULT_WRITE_AHEAD + 1) * pendingBytes;
    t.diagnostic(`stalled after ${stalledAt} of 100000 Pendings (${pendingBytes} bytes each); SCP queued at most ${maxUnsent} bytes (bound ${bound}); heap ${first.heapUsedMb} → ${last.heapUsedMb} MB, RSS ${first.rssMb} → ${last.rssMb} MB`);
    assert.ok(stalledAt < 100_000, 'the kernel did not swallow the whole stream');
    assert.equal(made, stalledAt, 'no Pending made while the peer reads nothing');
    assert.ok(maxUnsent > 0 && maxUnsent <= bound, `${maxUnsent} bytes queued in the SCP, bound ${bound}`);
    assert.ok(last.heapUsedMb - first.heapUsedMb < 16, `heap ${first.heapUsedMb} → ${last.heapUsedMb} MB`);
    assert.ok(last.rssMb - first.rssMb < 32, `RSS ${first.rssMb} → ${last.rssMb} MB`);

    c.socket.destroy();
    await settled(s);
    const end = s.eventsOf(c.port).find((e) => e.kind === 'association' && e.phase === 'aborted');
    assert.ok(end && end.kind === 'association' && end.phase === 'aborted' && end.by === 'provider', JSON.stringify(end));
    assert.equal(association.unsentBytes, 0, 'what was queued for the peer is gone with it');
    await assertAnswersNormally(s.port);
    assert.deepEqual(uncaught.errors, []);
  } finally {
    stop();
  }
});

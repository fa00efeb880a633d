/**
 * 1,000 associations opened and dropped, 100 at a time, by RST, by FIN, and after the
 * A-ASSOCIATE-AC: afterwards the SCP holds no socket, timer or association more than before,
 * and answers a query as on the first day.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { handleGrowth, resourceSnapshot } from '../testing/resources.ts';
import type { ResourceSnapshot } from '../testing/resources.ts';
import { assertAnswersNormally, failOnUncaught, findRq, firstPduLength, rawConnect, receivedAtLeast, settled, startSurvivalScp, waitFor } from '../testing/survival-harness.ts';
import type { SurvivalScp } from '../testing/survival-harness.ts';

const CONNECTIONS = 1000;
const BATCH = 100;
const DROPS = ['RST', 'FIN', 'after the AC'] as const;

let s: SurvivalScp;
let uncaught: ReturnType<typeof failOnUncaught>;

before(async () => {
  uncaught = failOnUncaught();
  s = await startSurvivalScp({ timeouts: { artimMs: 5000 } });
});

after(async () => {
  await s.close();
  uncaught.detach();
});

/** One connection: the A-ASSOCIATE-RQ, then dropped one of three ways; resolves once the client's socket is closed. */
async function openAndDrop(port: number, how: (typeof DROPS)[number]): Promise<void> {
  const c = await rawConnect(port);
  c.socket.write(findRq());
  if (how === 'RST') c.socket.resetAndDestroy();
  else if (how === 'FIN') c.socket.end();
  else {
    await receivedAtLeast(c, 6);
    await receivedAtLeast(c, firstPduLength(c.received()));
    c.socket.destroy();
  }
  await c.closed;
}

/** Waits until the process holds no more sockets, timers and descriptors than `baseline`. */
async function backTo(baseline: ResourceSnapshot): Promise<ResourceSnapshot> {
  let now = resourceSnapshot();
  await waitFor(
    () => `handles grown ${JSON.stringify(handleGrowth(baseline, now))}, descriptors ${baseline.openFds} → ${now.openFds}`,
    () => {
      now = resourceSnapshot();
      return Object.keys(handleGrowth(baseline, now)).length === 0 && (now.openFds ?? 0) <= (baseline.openFds ?? 0);
    },
    10_000,
  );
  return now;
}

test(`${CONNECTIONS} associations requested and dropped (RST, FIN, after the AC), ${BATCH} at a time: nothing leaks, the next query is answered`, async (t) => {
  const baseline = resourceSnapshot();
  const started = Date.now();
  for (let i = 0; i < CONNECTIONS; i += BATCH) {
    await Promise.all(Array.from({ length: BATCH }, (_, j) => openAndDrop(s.port, DROPS[(i + j) % DROPS.length]!)));
  }
  await settled(s, 10_000);
  const after = await backTo(baseline);
  t.diagnostic(`${CONNECTIONS} connections in ${Date.now() - started} ms; handles before ${JSON.stringify(baseline.handles)}, after ${JSON.stringify(after.handles)}; descriptors ${baseline.openFds} → ${after.openFds}; RSS ${baseline.rssMb} → ${after.rssMb} MB`);

  const accepted = s.events.filter((e) => e.kind === 'transport' && e.phase === 'accepted').length;
  const closed = s.events.filter((e) => e.kind === 'transport' && e.phase === 'closed').length;
  assert.deepEqual({ accepted, closed }, { accepted: CONNECTIONS, closed: CONNECTIONS });
  const established = s.events.filter((e) => e.kind === 'association' && e.phase === 'established').length;
  const ended = s.events.filter((e) => e.kind === 'association' && (e.phase === 'aborted' || e.phase === 'released')).length;
  assert.equal(ended, established, 'every association established also ended');
  assert.ok(established >= CONNECTIONS / DROPS.length, `${established} established (every one dropped after its AC at least)`);
  const internal = s.events.filter((e) => e.kind === 'fault' && e.error.code === 'INTERNAL_HANDLER_FAILED');
  assert.deepEqual(internal, []);

  await assertAnswersNormally(s.port);
  await settled(s);
  await backTo(baseline);
  assert.deepEqual(uncaught.errors, []);
});

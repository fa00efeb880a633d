/**
 * The soak, bounded for every test run (`npm run soak` is the 500-client, 10-minute one): our SCP
 * in its own process under 150 clients for 15 s, each answer checked against the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { soak, soakReport } from './soak.ts';

test('our SCP under 150 clients for 15 s: no session lost or mis-answered; heap, RSS, descriptors, sockets and timers flat, and back where they were once the load ends', async (t) => {
  const f = await soak({ concurrency: 150, seconds: 15, warmUpSeconds: 5 });
  for (const line of soakReport(f)) t.diagnostic(line);
  const r = f.result;
  assert.ok(r.counters.sessions > 150, `${r.counters.sessions} sessions`);
  assert.equal(r.counters.sessions_ok, r.counters.sessions);
  for (const [kind, v] of Object.entries(r.failures)) assert.equal(v.count, 0, `${kind}: ${v.example}`);
  assert.ok(r.counters.c_cancel > 0 && r.counters.aborts_sent > 0, 'the mix cancels and aborts');
  // Many associations were open at once (each session holds its association between queries).
  assert.ok(f.peakSockets >= 75, `at most ${f.peakSockets} sockets at once`);
  // Flat after warm-up: the live heap (measured after a full GC) and RSS do not grow with the sessions served.
  assert.ok(f.heapGrowthMb < 16, `heap grew ${f.heapGrowthMb} MB after warm-up`);
  assert.ok(f.rssGrowthMb < 64, `RSS grew ${f.rssGrowthMb} MB after warm-up`);
  // Everything the associations held is released.
  assert.equal(f.after.handles.TCPSocketWrap ?? 0, 0, 'sockets left open');
  assert.equal(f.after.liveTimers, f.before.liveTimers, 'timers left alive');
  assert.equal(f.after.openFds, f.before.openFds, 'file descriptors left open');
});

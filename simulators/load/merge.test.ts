import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHistogram, newHistogram, recordMs, summarise } from './histogram.ts';
import { mergeLoadResults } from './merge.ts';
import { LoadMetrics } from './metrics.ts';
import { defaultMix, mixFingerprint } from './mix.ts';
import { buildResult } from './result.ts';
import type { LoadResult } from './types.ts';

/** A shard's result with these first_pending samples (ms) and counters. */
function shard(index: number, count: number, samples: number[], o: { port?: number; sessions?: number; start?: number } = {}): LoadResult {
  const metrics = new LoadMetrics();
  for (const s of samples) metrics.record('first_pending', s);
  metrics.count('sessions', o.sessions ?? samples.length);
  metrics.count('c_find', samples.length);
  metrics.count('pendings', samples.length * 3);
  metrics.final(0);
  if (index === 1) metrics.fail('timeout', `shard ${index} timed out`);
  const mix = defaultMix();
  return buildResult({
    options: { host: '127.0.0.1', port: o.port ?? 104, calledAeTitle: 'QRSCP', callingAeTitle: 'QRHARNESS', concurrency: 2, iterations: 30, mix, timeoutMs: 1000, shard: { index, count } },
    onStop: 'release',
    fingerprint: mixFingerprint(mix),
    shard: { index, count },
    startWall: o.start ?? 1_700_000_000_000 + index * 10,
    wallMs: 1000,
    stoppedBy: 'completed',
    metrics,
    cpu: { user: 1000, system: 500 },
  });
}

/** Known samples: 1..3000 ms spread over three shards in a round robin, plus a few outliers. */
const all = Array.from({ length: 3000 }, (_, i) => (i + 1) * 0.731).concat([5000, 12_345.678, 0.004]);
const parts = [0, 1, 2].map((s) => all.filter((_, i) => i % 3 === s));

test('a merged histogram has the percentiles of one histogram of every sample, and the total count', () => {
  const merged = mergeLoadResults(parts.map((p, i) => shard(i, 3, p)).reverse());
  const single = newHistogram();
  for (const s of all) recordMs(single, s);
  const expected = summarise(single);
  const got = merged.latency.first_pending;
  assert.equal(got.count, all.length);
  assert.deepEqual({ p50: got.p50, p95: got.p95, p99: got.p99, p999: got.p999, max: got.max, min: got.min }, { p50: expected.p50, p95: expected.p95, p99: expected.p99, p999: expected.p999, max: expected.max, min: expected.min });
  for (const p of [1, 10, 25, 50, 75, 90, 99, 99.99]) assert.equal(decodeHistogram(got.hdr).getValueAtPercentile(p), single.getValueAtPercentile(p));
});

test('counters add up; earliest start and latest end; the first example of each failure kept', () => {
  const results = parts.map((p, i) => shard(i, 3, p, { start: 1_700_000_000_000 + i * 100 }));
  const merged = mergeLoadResults(results);
  assert.equal(merged.counters.sessions, all.length);
  assert.equal(merged.counters.c_find, all.length);
  assert.equal(merged.counters.pendings, all.length * 3);
  assert.equal(merged.finals['0000'], 3);
  assert.equal(merged.failures.timeout.count, 1);
  assert.equal(merged.failures.timeout.example, 'shard 1 timed out');
  assert.equal(merged.startMs, 1_700_000_000_000);
  assert.equal(merged.endMs, 1_700_000_000_000 + 200 + 1000);
  assert.equal(merged.wallMs, 1200);
  assert.deepEqual(merged.shards, [0, 1, 2]);
  assert.equal(merged.cpu.userMicros, 3000);
  assert.equal(merged.options.concurrency, 6);
});

test('refuses what is not the shards of one run, with a specific error', () => {
  const [a, b, c] = parts.map((p, i) => shard(i, 3, p)) as [LoadResult, LoadResult, LoadResult];
  assert.throws(() => mergeLoadResults([a, b]), { code: 'LOAD_MERGE_SHARD_MISSING', message: /shard 2\/3 missing/ });
  assert.throws(() => mergeLoadResults([a, b, b, c]), { code: 'LOAD_MERGE_SHARD_DUPLICATE', message: /shard 1\/3 is given twice/ });
  assert.throws(() => mergeLoadResults([a, b, shard(2, 3, [], { port: 105 })]), { code: 'LOAD_MERGE_MISMATCH', message: /different targets/ });
  assert.throws(() => mergeLoadResults([a, b, shard(2, 4, [])]), { code: 'LOAD_MERGE_MISMATCH', message: /different shard counts/ });
  const otherMix = { ...c, mix: { ...c.mix, fingerprint: '0123456789abcdef' } };
  assert.throws(() => mergeLoadResults([a, b, otherMix]), { code: 'LOAD_MERGE_MISMATCH', message: /different mixes/ });
  assert.throws(() => mergeLoadResults([]), { code: 'LOAD_MERGE_SHARD_MISSING' });
});

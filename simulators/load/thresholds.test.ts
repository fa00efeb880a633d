import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadMetrics } from './metrics.ts';
import { defaultMix, mixFingerprint } from './mix.ts';
import { buildResult } from './result.ts';
import { evaluateThresholds, parseThreshold, parseThresholds } from './thresholds.ts';

test('parses k6-like thresholds: percentiles, max, mean, rates and counts, in ms or s', () => {
  assert.deepEqual(parseThreshold('p95(first_pending)<200ms'), { expression: 'p95(first_pending)<200ms', aggregate: 'percentile', percentile: 95, metric: 'first_pending', operator: '<', value: 200, unit: 'ms' });
  assert.equal(parseThreshold('p99.9(final) <= 1.5s').value, 1500);
  assert.equal(parseThreshold('p99.9(final)<=1.5s').percentile, 99.9);
  assert.equal(parseThreshold('max(association)<300').value, 300);
  assert.equal(parseThreshold('mean(echo)>=0.5ms').operator, '>=');
  assert.deepEqual(parseThreshold('rate(failures)<0.01'), { expression: 'rate(failures)<0.01', aggregate: 'rate', metric: 'failures', operator: '<', value: 0.01, unit: '' });
  assert.equal(parseThreshold('count(timeout)==0').aggregate, 'count');
  assert.equal(parseThreshold('rate(c_find)>100').unit, '/s');
  assert.equal(parseThreshold('rate(c_find)>100/s').value, 100);
});

test('a bad threshold is one error naming what is wrong', () => {
  const bad = (e: string, m: RegExp) => assert.throws(() => parseThreshold(e), { code: 'LOAD_THRESHOLD_INVALID', message: m });
  bad('p95(first_pendng)<200ms', /unknown latency metric "first_pendng"; known: association, first_pending, final, cancel_to_fe00, echo, release/);
  bad('p95(first_pending)<fast', /"fast" is not a number/);
  bad('p95(first_pending)<200min', /"200min" is not a number/);
  bad('p150(final)<1', /percentile 150 is not between 0 and 100/);
  bad('median(final)<1', /unknown function "median"/);
  bad('count(timeouts)==0', /unknown metric "timeouts"; known: failures, rejected/);
  bad('rate(failures)<1ms', /rate\(failures\) is a plain number, without a unit/);
  bad('p95 first_pending < 200', /expected FUNCTION\(METRIC\) OPERATOR VALUE/);
  bad('p95(first_pending)=200', /expected FUNCTION/);
  assert.throws(() => parseThresholds(['count(timeout)==0', 'x']), { code: 'LOAD_THRESHOLD_INVALID', message: /"x"/ });
});

test('each threshold passes or fails with the value observed', () => {
  const metrics = new LoadMetrics();
  for (let i = 1; i <= 100; i++) metrics.record('first_pending', i);
  metrics.count('sessions', 200);
  metrics.count('c_find', 400);
  metrics.fail('timeout', 'x');
  metrics.fail('timeout', 'y');
  const mix = defaultMix();
  const r = buildResult({
    options: { host: 'h', port: 1, calledAeTitle: 'A', callingAeTitle: 'B', concurrency: 1, iterations: 200, mix, timeoutMs: 1000 },
    onStop: 'release',
    fingerprint: mixFingerprint(mix),
    shard: null,
    startWall: 0,
    wallMs: 2000,
    stoppedBy: 'completed',
    metrics,
    cpu: { user: 0, system: 0 },
  });
  const results = evaluateThresholds(parseThresholds(['p95(first_pending)<200ms', 'p95(first_pending)<0.001ms', 'rate(failures)<0.01', 'count(timeout)==2', 'rate(c_find)>100', 'max(first_pending)<101']), r);
  assert.deepEqual(
    results.map((x) => [x.ok, Math.round(x.observed * 100) / 100]),
    [
      [true, 95.04],
      [false, 95.04],
      [false, 0.01],
      [true, 2],
      [true, 200],
      [true, 100.03],
    ],
  );
});

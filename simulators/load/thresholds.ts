import { LoadError } from './errors.ts';
import { decodeHistogram, percentileMs } from './histogram.ts';
import { COUNTERS, FAILURE_KINDS, LATENCY_METRICS } from './types.ts';
import type { CounterName, FailureKind, LatencyMetric, LoadResult } from './types.ts';

export type Operator = '<' | '<=' | '>' | '>=' | '==';

/** A k6-like pass/fail criterion: `p95(first_pending)<200ms`, `rate(failures)<0.01`, `count(timeout)==0`, `rate(c_find)>100`. */
export interface Threshold {
  expression: string;
  aggregate: 'percentile' | 'max' | 'min' | 'mean' | 'count' | 'rate';
  percentile?: number;
  metric: string;
  operator: Operator;
  /** In milliseconds for latencies, per second for rates of counters, a plain number otherwise. */
  value: number;
  unit: 'ms' | '/s' | '';
}

export interface ThresholdResult {
  expression: string;
  ok: boolean;
  observed: number;
  unit: string;
}

const LATENCY = new Set<string>(LATENCY_METRICS);
const FAILURES = new Set<string>(FAILURE_KINDS);
const COUNTER = new Set<string>(COUNTERS);
const SHAPE = /^\s*([a-z][a-z0-9.]*)\(([a-z_0-9]*)\)\s*(<=|>=|==|<|>)\s*(\S+?)\s*$/i;

const bad = (expression: string, why: string): never => {
  throw new LoadError('LOAD_THRESHOLD_INVALID', `threshold "${expression}": ${why}`);
};

/** Parses one threshold; a bad one is one error naming what is wrong and what is known. */
export function parseThreshold(expression: string): Threshold {
  const m = SHAPE.exec(expression);
  if (!m) return bad(expression, 'expected FUNCTION(METRIC) OPERATOR VALUE, e.g. p95(first_pending)<200ms, rate(failures)<0.01, count(timeout)==0');
  const [, fn, metric, op, raw] = m as unknown as [string, string, string, Operator, string];
  const f = fn.toLowerCase();
  let aggregate: Threshold['aggregate'];
  let percentile: number | undefined;
  const pm = /^p(\d+(?:\.\d+)?)$/.exec(f);
  if (pm) {
    percentile = Number(pm[1]);
    if (!(percentile > 0 && percentile <= 100)) return bad(expression, `percentile ${pm[1]} is not between 0 and 100`);
    aggregate = 'percentile';
  } else if (f === 'max' || f === 'min' || f === 'mean' || f === 'count' || f === 'rate') aggregate = f;
  else return bad(expression, `unknown function "${fn}"; known: pNN (p50, p95, p99.9…), max, min, mean, count, rate`);

  const latencyKind = aggregate === 'percentile' || aggregate === 'max' || aggregate === 'min' || aggregate === 'mean';
  if (latencyKind && !LATENCY.has(metric)) return bad(expression, `unknown latency metric "${metric}"; known: ${LATENCY_METRICS.join(', ')}`);
  if (aggregate === 'count' && !LATENCY.has(metric) && !FAILURES.has(metric) && !COUNTER.has(metric) && metric !== 'failures') {
    return bad(expression, `unknown metric "${metric}"; known: failures, ${[...FAILURE_KINDS, ...COUNTERS, ...LATENCY_METRICS].join(', ')}`);
  }
  if (aggregate === 'rate' && !FAILURES.has(metric) && !COUNTER.has(metric) && metric !== 'failures') {
    return bad(expression, `unknown metric "${metric}"; known: failures, ${[...FAILURE_KINDS, ...COUNTERS].join(', ')} (failures: per session; counters: per second)`);
  }
  const vm = /^(-?\d+(?:\.\d+)?)(ms|s|\/s)?$/.exec(raw);
  if (!vm) return bad(expression, `"${raw}" is not a number${latencyKind ? ' (with ms or s)' : ''}`);
  const n = Number(vm[1]);
  const unit = vm[2];
  if (latencyKind) {
    if (unit === '/s') return bad(expression, `"${raw}": a latency is in ms or s`);
    return { expression, aggregate, ...(percentile !== undefined && { percentile }), metric, operator: op, value: unit === 's' ? n * 1000 : n, unit: 'ms' };
  }
  const perSecond = aggregate === 'rate' && COUNTER.has(metric);
  if (unit === 'ms' || unit === 's' || (unit === '/s' && !perSecond)) return bad(expression, `"${raw}": ${aggregate}(${metric}) is a plain number${perSecond ? ' per second' : ''}, without a unit`);
  return { expression, aggregate, metric, operator: op, value: n, unit: perSecond ? '/s' : '' };
}

export function parseThresholds(expressions: string[]): Threshold[] {
  return expressions.map(parseThreshold);
}

const totalFailures = (r: LoadResult) => FAILURE_KINDS.reduce((a, k) => a + r.failures[k].count, 0);

/** The observed value a threshold compares. */
export function observe(t: Threshold, r: LoadResult): number {
  if (t.aggregate === 'percentile') return percentileMs(decodeHistogram(r.latency[t.metric as LatencyMetric].hdr), t.percentile!);
  if (t.aggregate === 'max' || t.aggregate === 'min' || t.aggregate === 'mean') return r.latency[t.metric as LatencyMetric][t.aggregate];
  const count = (metric: string): number => {
    if (metric === 'failures') return totalFailures(r);
    if (FAILURES.has(metric)) return r.failures[metric as FailureKind].count;
    if (COUNTER.has(metric)) return r.counters[metric as CounterName];
    return r.latency[metric as LatencyMetric].count;
  };
  if (t.aggregate === 'count') return count(t.metric);
  if (t.metric === 'failures' || FAILURES.has(t.metric)) return count(t.metric) / Math.max(1, r.counters.sessions);
  return count(t.metric) / (Math.max(1, r.wallMs) / 1000);
}

function compare(a: number, op: Operator, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
  }
}

export function evaluateThresholds(thresholds: Threshold[], r: LoadResult): ThresholdResult[] {
  return thresholds.map((t) => {
    const observed = Math.round(observe(t, r) * 1e6) / 1e6;
    return { expression: t.expression, ok: compare(observed, t.operator, t.value), observed, unit: t.unit };
  });
}

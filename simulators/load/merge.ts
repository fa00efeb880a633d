import { decodeHistogram, histogramJson, newHistogram } from './histogram.ts';
import { LoadError } from './errors.ts';
import { cpuOf, throughputOf } from './result.ts';
import { zeroCounters, zeroFailures } from './metrics.ts';
import { COUNTERS, FAILURE_KINDS, LATENCY_METRICS, LOAD_RESULT_FORMAT, LOAD_RESULT_VERSION } from './types.ts';
import type { HistogramJson, LatencyMetric, LoadResult } from './types.ts';

/** Checks that a parsed JSON value is a load result of this version; `where` names it in the error. */
export function asLoadResult(value: unknown, where: string): LoadResult {
  const v = value as Partial<LoadResult> | null;
  if (!v || typeof v !== 'object' || v.format !== LOAD_RESULT_FORMAT) throw new LoadError('LOAD_INVALID_RESULT', `${where}: not a qr-harness load result (no "format": "${LOAD_RESULT_FORMAT}")`);
  if (v.version !== LOAD_RESULT_VERSION) throw new LoadError('LOAD_INVALID_RESULT', `${where}: load result version ${v.version}, this build reads version ${LOAD_RESULT_VERSION}`);
  for (const k of ['options', 'mix', 'counters', 'failures', 'latency', 'finals', 'cpu', 'shards'] as const) {
    if (!v[k] || typeof v[k] !== 'object') throw new LoadError('LOAD_INVALID_RESULT', `${where}: "${k}" is missing`);
  }
  for (const m of LATENCY_METRICS) if (typeof v.latency![m]?.hdr !== 'string') throw new LoadError('LOAD_INVALID_RESULT', `${where}: latency.${m}.hdr is missing`);
  return v as LoadResult;
}

const target = (r: LoadResult) => `${r.options.host}:${r.options.port} "${r.options.calledAeTitle}"`;

/** Refuses results that are not shards of one run: different target, mix, schedule or shard count, or a shard missing or given twice. */
function checkShards(results: LoadResult[]): void {
  const first = results[0]!;
  const same = (what: string, f: (r: LoadResult) => unknown, show: (r: LoadResult) => string = (r) => String(f(r))) => {
    const other = results.find((r) => JSON.stringify(f(r)) !== JSON.stringify(f(first)));
    if (other) throw new LoadError('LOAD_MERGE_MISMATCH', `cannot merge: different ${what} (${show(first)} and ${show(other)})`);
  };
  same('targets', target);
  same('mixes', (r) => r.mix.fingerprint, (r) => `"${r.mix.name}" ${r.mix.fingerprint}`);
  same('shard counts', (r) => r.shardCount);
  same('load models', (r) => [r.options.model, r.options.rate, r.options.iterations, r.options.durationMs], (r) => `${r.options.model} rate ${r.options.rate} iterations ${r.options.iterations} duration ${r.options.durationMs} ms`);
  const seen = new Set<number>();
  for (const r of results) {
    for (const i of r.shards) {
      if (seen.has(i)) throw new LoadError('LOAD_MERGE_SHARD_DUPLICATE', `cannot merge: shard ${i}/${first.shardCount} is given twice`);
      seen.add(i);
    }
  }
  const missing = Array.from({ length: first.shardCount }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length) throw new LoadError('LOAD_MERGE_SHARD_MISSING', `cannot merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${first.shardCount}`).join(', ')} missing`);
}

/**
 * One result from the shards of a run: histograms decoded and added (percentiles exact, as if
 * one histogram had recorded every sample), counters summed, earliest start to latest end.
 */
export function mergeLoadResults(results: LoadResult[]): LoadResult {
  if (results.length === 0) throw new LoadError('LOAD_MERGE_SHARD_MISSING', 'cannot merge: no results given');
  checkShards(results);
  const sorted = [...results].sort((a, b) => Math.min(...a.shards) - Math.min(...b.shards));
  const first = sorted[0]!;
  const counters = zeroCounters();
  const failures = zeroFailures();
  const finals: Record<string, number> = {};
  let user = 0;
  let system = 0;
  for (const r of sorted) {
    for (const c of COUNTERS) counters[c] += r.counters[c] ?? 0;
    for (const k of FAILURE_KINDS) {
      const f = r.failures[k];
      if (!f) continue;
      failures[k].count += f.count;
      failures[k].example ??= f.example;
    }
    for (const [s, n] of Object.entries(r.finals)) finals[s] = (finals[s] ?? 0) + n;
    user += r.cpu.userMicros;
    system += r.cpu.systemMicros;
  }
  const latency = Object.fromEntries(
    LATENCY_METRICS.map((m) => {
      const h = newHistogram();
      for (const r of sorted) h.add(decodeHistogram(r.latency[m].hdr));
      return [m, histogramJson(h)];
    }),
  ) as Record<LatencyMetric, HistogramJson>;
  const startMs = Math.min(...sorted.map((r) => r.startMs));
  const endMs = Math.max(...sorted.map((r) => r.endMs));
  const wallMs = endMs - startMs;
  const stopped = sorted.map((r) => r.stoppedBy);
  return {
    format: LOAD_RESULT_FORMAT,
    version: LOAD_RESULT_VERSION,
    options: { ...first.options, concurrency: sorted.reduce((a, r) => a + r.options.concurrency, 0) },
    mix: first.mix,
    shard: null,
    shardCount: first.shardCount,
    shards: sorted.flatMap((r) => r.shards).sort((a, b) => a - b),
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    startMs,
    endMs,
    wallMs,
    stoppedBy: stopped.includes('signal') ? 'signal' : stopped.includes('unreachable') ? 'unreachable' : 'completed',
    counters,
    finals,
    failures,
    latency,
    throughput: throughputOf(counters, wallMs),
    cpu: cpuOf(user, system, counters.c_find),
  };
}

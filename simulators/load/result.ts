import { histogramJson } from './histogram.ts';
import type { LoadMetrics } from './metrics.ts';
import { round1 } from './metrics.ts';
import { LATENCY_METRICS, LOAD_RESULT_FORMAT, LOAD_RESULT_VERSION } from './types.ts';
import type { CounterName, HistogramJson, LatencyMetric, LoadOptions, LoadResult, ShardSpec, StopMode } from './types.ts';

export interface ResultParts {
  options: LoadOptions;
  onStop: StopMode;
  fingerprint: string;
  shard: ShardSpec | null;
  startWall: number;
  wallMs: number;
  stoppedBy: LoadResult['stoppedBy'];
  metrics: LoadMetrics;
  cpu: NodeJS.CpuUsage;
}

/** Per-second rates over the wall time, and CPU per C-FIND. */
export function throughputOf(counters: Record<CounterName, number>, wallMs: number): LoadResult['throughput'] {
  const s = Math.max(wallMs, 1) / 1000;
  return {
    findsPerSecond: round1(counters.c_find / s),
    associationsPerSecond: round1(counters.associations / s),
    pendingsPerSecond: round1(counters.pendings / s),
    sessionsPerSecond: round1(counters.sessions / s),
  };
}

export function cpuOf(userMicros: number, systemMicros: number, finds: number): LoadResult['cpu'] {
  return { userMicros, systemMicros, microsPerFind: finds === 0 ? null : Math.round((userMicros + systemMicros) / finds) };
}

/** The run as plain JSON (no functions, no store: its name only). */
export function buildResult(p: ResultParts): LoadResult {
  const o = p.options;
  const m = p.metrics;
  const wallMs = Math.round(p.wallMs * 10) / 10;
  const latency = Object.fromEntries(LATENCY_METRICS.map((k) => [k, histogramJson(m.latency[k])])) as Record<LatencyMetric, HistogramJson>;
  const counters = { ...m.counters };
  return {
    format: LOAD_RESULT_FORMAT,
    version: LOAD_RESULT_VERSION,
    options: {
      host: o.host,
      port: o.port,
      calledAeTitle: o.calledAeTitle,
      callingAeTitle: o.callingAeTitle,
      concurrency: o.concurrency,
      rate: o.rate ?? null,
      iterations: o.iterations ?? null,
      durationMs: o.durationMs ?? null,
      timeoutMs: o.timeoutMs,
      onStop: p.onStop,
      store: o.store ? (o.storeName ?? '(in memory)') : null,
      model: o.rate !== undefined ? 'open' : 'closed',
    },
    mix: { name: o.mix.name, fingerprint: p.fingerprint, sessions: o.mix.sessions.map((s) => ({ name: s.name, weight: s.weight })) },
    shard: p.shard,
    shardCount: p.shard?.count ?? 1,
    shards: [p.shard?.index ?? 0],
    start: new Date(p.startWall).toISOString(),
    end: new Date(p.startWall + wallMs).toISOString(),
    startMs: p.startWall,
    endMs: Math.round(p.startWall + wallMs),
    wallMs,
    stoppedBy: p.stoppedBy,
    counters,
    finals: { ...m.finals },
    failures: Object.fromEntries(Object.entries(m.failures).map(([k, v]) => [k, { ...v }])) as LoadResult['failures'],
    latency,
    throughput: throughputOf(counters, wallMs),
    cpu: cpuOf(p.cpu.user, p.cpu.system, counters.c_find),
  };
}

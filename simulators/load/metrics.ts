import type { Histogram } from 'hdr-histogram-js';
import { newHistogram, recordMs } from './histogram.ts';
import { COUNTERS, FAILURE_KINDS, LATENCY_METRICS } from './types.ts';
import type { CounterName, FailureKind, FailureTally, LatencyMetric, LiveSnapshot } from './types.ts';

export const zeroCounters = (): Record<CounterName, number> => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<CounterName, number>;
export const zeroFailures = (): Record<FailureKind, FailureTally> => Object.fromEntries(FAILURE_KINDS.map((k) => [k, { count: 0, example: null }])) as Record<FailureKind, FailureTally>;

/** Everything a run measures: latency histograms, counters, final statuses, failures with their first example. */
export class LoadMetrics {
  readonly latency: Record<LatencyMetric, Histogram> = Object.fromEntries(LATENCY_METRICS.map((m) => [m, newHistogram()])) as Record<LatencyMetric, Histogram>;
  readonly counters = zeroCounters();
  readonly finals: Record<string, number> = {};
  readonly failures = zeroFailures();
  inFlight = 0;
  private last = { at: 0, associations: 0, finds: 0, pendings: 0 };

  record(metric: LatencyMetric, ms: number): void {
    recordMs(this.latency[metric], ms);
  }

  count(counter: CounterName, n = 1): void {
    this.counters[counter] += n;
  }

  final(status: number): void {
    const hex = status.toString(16).toUpperCase().padStart(4, '0');
    this.finals[hex] = (this.finals[hex] ?? 0) + 1;
  }

  fail(kind: FailureKind, example: string): void {
    const f = this.failures[kind];
    f.count++;
    f.example ??= example;
  }

  failureCounts(): Record<FailureKind, number> {
    return Object.fromEntries(FAILURE_KINDS.map((k) => [k, this.failures[k].count])) as Record<FailureKind, number>;
  }

  /** Rates over the time since the previous snapshot (about a second). */
  snapshot(now: number, startedAt: number): LiveSnapshot {
    const span = Math.max(1, now - (this.last.at || startedAt)) / 1000;
    const c = this.counters;
    const live: LiveSnapshot = {
      elapsedMs: Math.round(now - startedAt),
      associationsPerSecond: round1((c.associations - this.last.associations) / span),
      findsPerSecond: round1((c.c_find - this.last.finds) / span),
      pendingsPerSecond: round1((c.pendings - this.last.pendings) / span),
      inFlight: this.inFlight,
      failures: this.failureCounts(),
    };
    this.last = { at: now, associations: c.associations, finds: c.c_find, pendings: c.pendings };
    return live;
  }
}

export const round1 = (n: number): number => Math.round(n * 10) / 10;

import type { Clock } from '../clock/clock.ts';
import type { ScuStep } from '../scenario/types.ts';
import type { Store } from '../store/store.ts';

/** One kind of session the generator runs: an association and its steps, chosen by weight. */
export interface SessionScript {
  name: string;
  /** Relative share of arrivals (a whole number ≥ 1). */
  weight: number;
  steps: ScuStep[];
}

/** The sessions of a run and what they propose at association time. */
export interface LoadMix {
  name: string;
  sessions: SessionScript[];
  /** SOP classes proposed (names or UIDs); default: the four FIND models and Verification. */
  sopClasses?: string[];
  transferSyntaxes?: string[];
  maxPduLength?: number;
}

export interface ShardSpec {
  index: number;
  count: number;
}

/** What stopping does to sessions in flight: release them (after a C-CANCEL of any outstanding C-FIND) or abort them at once. */
export type StopMode = 'release' | 'abort';

export interface LoadOptions {
  host: string;
  port: number;
  calledAeTitle: string;
  callingAeTitle: string;
  /** Closed model: this many clients looping; open model: the most sessions in flight at once. */
  concurrency: number;
  /** Open model: session arrivals per second (of the whole run, all shards together). */
  rate?: number;
  /** Total sessions of the whole run (all shards together). */
  iterations?: number;
  /** How long arrivals (open model) or new sessions (closed model) go on. */
  durationMs?: number;
  mix: LoadMix;
  shard?: ShardSpec;
  /** Bound of every wait: connect, A-ASSOCIATE-AC, each response, A-RELEASE-RP. */
  timeoutMs: number;
  /** With a store, each C-FIND's answer is compared with what the matching engine finds in it. */
  store?: Store;
  /** A name for the store in the result (its file). */
  storeName?: string;
  signal?: AbortSignal;
  onStop?: StopMode;
  onSecond?: (live: LiveSnapshot) => void;
  clock?: Clock;
}

export const FAILURE_KINDS = ['rejected', 'aborted', 'timeout', 'connection', 'protocol', 'wrong_answer', 'dropped'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export const LATENCY_METRICS = ['association', 'first_pending', 'final', 'cancel_to_fe00', 'echo', 'release'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

export const COUNTERS = ['sessions', 'sessions_ok', 'associations', 'c_find', 'c_echo', 'c_cancel', 'pendings', 'aborts_sent'] as const;
export type CounterName = (typeof COUNTERS)[number];

export interface FailureTally {
  count: number;
  /** The first one seen. */
  example: string | null;
}

export interface LiveSnapshot {
  elapsedMs: number;
  associationsPerSecond: number;
  findsPerSecond: number;
  pendingsPerSecond: number;
  inFlight: number;
  failures: Record<FailureKind, number>;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export interface HistogramJson extends LatencySummary {
  /** HdrHistogram V2 compressed encoding, base64, of the values in microseconds. */
  hdr: string;
}

export const LOAD_RESULT_FORMAT = 'qr-harness-load';
export const LOAD_RESULT_VERSION = 1;

/** A run's result as plain JSON: what was asked, what happened, and the histograms to merge it with others. */
export interface LoadResult {
  format: typeof LOAD_RESULT_FORMAT;
  version: number;
  options: {
    host: string;
    port: number;
    calledAeTitle: string;
    callingAeTitle: string;
    concurrency: number;
    rate: number | null;
    iterations: number | null;
    durationMs: number | null;
    timeoutMs: number;
    onStop: StopMode;
    store: string | null;
    model: 'open' | 'closed';
  };
  mix: { name: string; fingerprint: string; sessions: { name: string; weight: number }[] };
  shard: ShardSpec | null;
  /** How many shards the whole run has (1 when not sharded). */
  shardCount: number;
  /** The shards this result holds (one, or every one of a merge). */
  shards: number[];
  /** ISO 8601 and Unix ms. */
  start: string;
  end: string;
  startMs: number;
  endMs: number;
  /** Measured wall time (for a merge: earliest start to latest end). */
  wallMs: number;
  stoppedBy: 'completed' | 'signal' | 'unreachable';
  counters: Record<CounterName, number>;
  /** Final statuses by hex value (0000, FE00, A700…). */
  finals: Record<string, number>;
  failures: Record<FailureKind, FailureTally>;
  latency: Record<LatencyMetric, HistogramJson>;
  throughput: { findsPerSecond: number; associationsPerSecond: number; pendingsPerSecond: number; sessionsPerSecond: number };
  cpu: { userMicros: number; systemMicros: number; microsPerFind: number | null };
}

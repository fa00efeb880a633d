import { sleep, systemClock } from '../clock/clock.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import { sopClassUid, transferSyntaxUid } from '../scenario/scp-runtime.ts';
import type { FindStep } from '../scenario/types.ts';
import { LoadError } from './errors.ts';
import { expectedAnswer } from './expected.ts';
import type { ExpectedAnswer } from './expected.ts';
import { LoadMetrics } from './metrics.ts';
import { mixFingerprint, sessionPicker } from './mix.ts';
import { buildResult } from './result.ts';
import { LoadSession } from './session.ts';
import type { SessionContext } from './session.ts';
import type { LoadOptions, LoadResult, StopMode } from './types.ts';

export type { LoadOptions, LoadResult } from './types.ts';

/** After a stop, sessions still in flight this long are aborted; the result follows within 500 ms of the stop. */
const STOP_GRACE_MS = 300;
const STOP_RETURN_MS = 450;

/** A deterministic pseudo-random source (random delays in scripts), per run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export function checkLoadOptions(o: LoadOptions): void {
  const bad = (message: string) => {
    throw new LoadError('LOAD_INVALID_OPTIONS', message);
  };
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) bad(`concurrency must be a whole number ≥ 1, got ${o.concurrency}`);
  if (o.rate !== undefined && !(o.rate > 0 && Number.isFinite(o.rate))) bad(`rate must be a positive number of sessions per second, got ${o.rate}`);
  if (o.iterations !== undefined && (!Number.isInteger(o.iterations) || o.iterations < 1)) bad(`iterations must be a whole number ≥ 1, got ${o.iterations}`);
  if (o.durationMs !== undefined && !(o.durationMs >= 0 && Number.isFinite(o.durationMs))) bad(`duration must be ≥ 0 ms, got ${o.durationMs}`);
  if (o.rate !== undefined && o.iterations !== undefined) bad('give a rate (open model) or iterations (closed model), not both');
  if (o.rate !== undefined && o.durationMs === undefined) bad('an open model (rate) needs a duration');
  if (o.rate === undefined && o.iterations === undefined && o.durationMs === undefined) bad('give iterations, a duration, or a rate and a duration');
  if (o.shard && (!Number.isInteger(o.shard.count) || o.shard.count < 1 || !Number.isInteger(o.shard.index) || o.shard.index < 0 || o.shard.index >= o.shard.count)) {
    bad(`shard ${o.shard.index}/${o.shard.count}: the index must be 0 ≤ i < N`);
  }
  if (!(o.timeoutMs > 0)) bad(`timeout must be > 0 ms, got ${o.timeoutMs}`);
  sessionPicker(o.mix);
}

/**
 * Runs sessions of the mix against a C-FIND SCP: N clients looping (closed model) or arrivals at
 * a rate with at most N in flight (open model; arrivals over the cap are dropped), on this shard's
 * share of the global schedule (arrival or iteration indices ≡ shard index mod shard count).
 * Stops at the end of the duration or iterations, or when `signal` aborts (result within 500 ms).
 */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  checkLoadOptions(o);
  const clock: Clock = o.clock ?? systemClock;
  const metrics = new LoadMetrics();
  const pick = sessionPicker(o.mix);
  const shard = o.shard ?? { index: 0, count: 1 };
  const onStop: StopMode = o.onStop ?? 'release';
  const store = o.store;
  const answers = new Map<FindStep, Map<string, ExpectedAnswer | undefined>>();
  const tss = (o.mix.transferSyntaxes ?? ['ExplicitVRLittleEndian', 'ImplicitVRLittleEndian']).map(transferSyntaxUid);
  const ctx: SessionContext = {
    host: o.host,
    port: o.port,
    calledAeTitle: o.calledAeTitle,
    callingAeTitle: o.callingAeTitle,
    contexts: (o.mix.sopClasses ?? ['PatientRoot', 'StudyRoot', 'PatientStudyOnly', 'ModalityWorklist', 'Verification']).map((n) => ({ abstractSyntax: sopClassUid(n), transferSyntaxes: tss })),
    maxPduLength: o.mix.maxPduLength,
    timeoutMs: o.timeoutMs,
    clock,
    metrics,
    expected: store
      ? (step, sop, negotiation) => {
          let byNegotiation = answers.get(step);
          if (!byNegotiation) answers.set(step, (byNegotiation = new Map()));
          const key = `${sop}:${negotiation ? Buffer.from(negotiation).toString('hex') : ''}`;
          if (!byNegotiation.has(key)) byNegotiation.set(key, expectedAnswer(store, step, sop, negotiation));
          return byNegotiation.get(key);
        }
      : undefined,
    identifiers: new Map(),
    random: seeded(7433 + shard.index),
  };

  const active = new Set<LoadSession>();
  const running = new Set<Promise<unknown>>();
  let stoppedBy: LoadResult['stoppedBy'] = 'completed';
  let stopping = false;
  let wakeStop!: () => void;
  const stopRequested = new Promise<void>((resolve) => (wakeStop = resolve));
  const stop = (why: LoadResult['stoppedBy']) => {
    if (stopping) return;
    stopping = true;
    stoppedBy = why;
    for (const s of active) s.stop(why === 'signal' ? onStop : 'abort');
    wakeStop();
  };
  const onAbort = () => stop('signal');
  if (o.signal?.aborted) {
    stopping = true;
    stoppedBy = 'signal';
  }
  o.signal?.addEventListener('abort', onAbort, { once: true });

  // A fault of ours in a session (not a failure of the peer) ends the run once the others have ended.
  let internal: { error: unknown } | undefined;
  const launch = (index: number): Promise<unknown> => {
    const session = new LoadSession(ctx, pick(index));
    active.add(session);
    const p = session
      .run()
      .catch((error: unknown) => {
        internal ??= { error };
        stop('completed');
      })
      .finally(() => {
        active.delete(session);
        running.delete(p);
      });
    running.add(p);
    return p;
  };

  const startedAt = clock.now();
  const startWall = Date.now();
  const cpu0 = process.cpuUsage();
  const unreachable = () => metrics.counters.associations === 0 && metrics.failures.connection.count > 0 && metrics.failures.connection.count === metrics.counters.sessions - metrics.counters.sessions_ok;

  let ticker: TimerHandle | undefined;
  let ticks = 0;
  const tick = () => {
    ticks++;
    if (ticks === 1 && unreachable()) stop('unreachable');
    o.onSecond?.(metrics.snapshot(clock.now(), startedAt));
    ticker = clock.setTimeout(tick, 1000);
  };
  ticker = clock.setTimeout(tick, 1000);

  const endAt = o.durationMs === undefined ? Infinity : startedAt + o.durationMs;
  const wait = (ms: number) => Promise.race([sleep(clock, ms), stopRequested]);

  if (o.rate !== undefined) {
    // Open model: global arrival k is due at k / rate s; this shard takes k ≡ index (mod count).
    const interval = 1000 / o.rate;
    for (let k = shard.index; !stopping; k += shard.count) {
      const due = startedAt + k * interval;
      if (due >= endAt) break;
      const now = clock.now();
      if (due > now) await wait(due - now);
      if (stopping) break;
      if (active.size >= o.concurrency) metrics.fail('dropped', `arrival ${k}: ${o.concurrency} sessions already in flight`);
      else void launch(k);
    }
  } else {
    // Closed model: N clients, each taking the next of this shard's indices until the end.
    let j = 0;
    const take = (): number | undefined => {
      const index = shard.index + j * shard.count;
      if (o.iterations !== undefined && index >= o.iterations) return undefined;
      j++;
      return index;
    };
    const client = async () => {
      while (!stopping && clock.now() < endAt) {
        const index = take();
        if (index === undefined) return;
        await launch(index);
      }
    };
    const clients = Array.from({ length: o.concurrency }, () => client());
    await Promise.race([Promise.all(clients), stopRequested]);
  }

  // Let sessions in flight end; after a stop, abort the slow ones and return within 500 ms.
  const drained = Promise.all([...running]);
  if (!stopping) await Promise.race([drained, stopRequested]);
  if (stopping) {
    const grace = clock.setTimeout(() => {
      for (const s of active) s.stop('abort');
    }, STOP_GRACE_MS);
    let bound: TimerHandle | undefined;
    await Promise.race([Promise.all([...running]), new Promise<void>((resolve) => (bound = clock.setTimeout(resolve, STOP_RETURN_MS, { keepAlive: true })))]);
    bound?.cancel();
    grace.cancel();
  }
  ticker?.cancel();
  o.signal?.removeEventListener('abort', onAbort);
  if (stoppedBy === 'completed' && ticks === 0 && unreachable()) stoppedBy = 'unreachable';
  if (internal) throw internal.error;
  const cpu = process.cpuUsage(cpu0);
  return buildResult({
    options: o,
    onStop,
    fingerprint: mixFingerprint(o.mix),
    shard: o.shard ?? null,
    startWall,
    wallMs: clock.now() - startedAt,
    stoppedBy,
    metrics,
    cpu,
  });
}

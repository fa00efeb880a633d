/**
 * Sequential associate + C-ECHO + release from one client process (our requestor), against our
 * SCP (a separate process), DCMTK dcmqrscp and Orthanc, in one run. Prints associations/s.
 */
import { DimseClient, verificationContext } from '../simulators/scu/dimse-client.ts';
import { findBinary, startDcmqrscp, startOrthanc } from '../simulators/testing/peers.ts';
import type { RunningPeer } from '../simulators/testing/peers.ts';
import { startNodeFloor } from './node-floor.ts';
import { startOurScp } from './our-scp.ts';

export interface EchoFigure {
  target: string;
  /** The first half second against a freshly started peer (and client). */
  coldPerSecond: number;
  /** Seconds of warm-up until two consecutive half seconds agree within 5 %. */
  warmUpSeconds: number;
  associations: number;
  seconds: number;
  /** Median of the measured rounds. */
  perSecond: number;
  /** Lowest and highest round. */
  range: [number, number];
  failures: number;
}

function optionsFor(peer: RunningPeer) {
  return { host: peer.host, port: peer.port, calledAeTitle: peer.aeTitle, callingAeTitle: 'BENCH', presentationContexts: [verificationContext] };
}

/** Associate, echo, release as many times as fit in `seconds`. */
async function loop(peer: RunningPeer, seconds: number): Promise<{ n: number; failures: number; elapsed: number }> {
  const options = optionsFor(peer);
  let n = 0;
  let failures = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    try {
      const c = await DimseClient.connect(options);
      const r = await c.echo();
      if (r.status !== 0) failures++;
      await c.release();
      n++;
    } catch {
      failures++;
    }
  }
  return { n, failures, elapsed: (performance.now() - started) / 1000 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Warms up until two consecutive half seconds agree within 5 % (at most `maxSeconds`): a JIT
 * runtime such as ours reaches its steady rate after a few thousand associations, a native
 * peer at once. Returns the first half second's rate (cold) and the warm-up time.
 */
async function warmUp(peer: RunningPeer, maxSeconds = 8): Promise<{ cold: number; seconds: number }> {
  const first = await loop(peer, 0.5);
  const cold = first.n / first.elapsed;
  let previous = cold;
  let seconds = first.elapsed;
  while (seconds < maxSeconds) {
    const w = await loop(peer, 0.5);
    const rate = w.n / w.elapsed;
    seconds += w.elapsed;
    if (Math.abs(rate - previous) <= 0.05 * Math.max(rate, previous)) break;
    previous = rate;
  }
  return { cold, seconds };
}

/**
 * All peers run at once; each is warmed up to its steady rate, then they are measured in
 * interleaved rounds so background noise falls on all alike. The figure is the median round.
 */
export async function benchEchoAssociations(seconds = 5, rounds = 5): Promise<EchoFigure[]> {
  const starters: [string, () => Promise<RunningPeer>][] = [['qr-harness serve', () => startOurScp([])]];
  // dcmqrscp forks a child per association (its --single-process mode stops after one association in DCMTK 3.6.7).
  if (findBinary('dcmqrscp')) starters.push(['dcmqrscp', () => startDcmqrscp()]);
  if (findBinary('Orthanc')) starters.push(['Orthanc', () => startOrthanc()]);
  // Reference: what the Node runtime alone allows (fixed answers, no protocol work).
  starters.push(['zero-work Node acceptor', () => startNodeFloor({ callingAeTitle: 'BENCH', presentationContexts: [verificationContext] })]);
  const peers: RunningPeer[] = [];
  try {
    // The client warms up first, against a scratch acceptor, so each target's cold figure is its own.
    const scratch = await startOurScp([]);
    try {
      await warmUp(scratch);
    } finally {
      await scratch.stop();
    }
    for (const [, start] of starters) peers.push(await start());
    const warm = new Map<RunningPeer, { cold: number; seconds: number }>();
    for (const peer of peers) warm.set(peer, await warmUp(peer));
    const perRound = new Map<RunningPeer, { rates: number[]; n: number; failures: number; elapsed: number }>();
    for (let r = 0; r < rounds; r++) {
      for (const peer of peers) {
        const x = await loop(peer, seconds / rounds);
        const acc = perRound.get(peer) ?? { rates: [], n: 0, failures: 0, elapsed: 0 };
        acc.rates.push(x.n / x.elapsed);
        acc.n += x.n;
        acc.failures += x.failures;
        acc.elapsed += x.elapsed;
        perRound.set(peer, acc);
      }
    }
    return peers.map((p) => {
      const acc = perRound.get(p)!;
      const w = warm.get(p)!;
      return {
        target: p.name,
        coldPerSecond: w.cold,
        warmUpSeconds: w.seconds,
        associations: acc.n,
        seconds: acc.elapsed,
        perSecond: median(acc.rates),
        range: [Math.min(...acc.rates), Math.max(...acc.rates)],
        failures: acc.failures,
      };
    });
  } finally {
    for (const p of peers) await p.stop();
  }
}

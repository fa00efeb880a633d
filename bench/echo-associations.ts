/**
 * Sequential associate + C-ECHO + release from one client process (our requestor), against our
 * SCP (a separate process), DCMTK dcmqrscp and Orthanc, in one run. Prints associations/s.
 */
import { DimseClient, verificationContext } from '../simulators/scu/dimse-client.ts';
import { findBinary, startDcmqrscp, startOrthanc } from '../simulators/testing/peers.ts';
import type { RunningPeer } from '../simulators/testing/peers.ts';
import { startNodeFloor } from './node-floor.ts';
import { startOurScp } from './our-scp.ts';
import { ownCpuMicros, processCpuMicros } from './process-cpu.ts';

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
  /** Each round's rate, in the order the rounds ran (rounds interleave the targets, so round i of two targets ran moments apart). */
  rounds: number[];
  /** Measured in the same rounds as our SCP, so the rounds pair up (dcmqrscp is measured on its own). */
  interleaved: boolean;
  failures: number;
  /** CPU time (user + system, µs) the target's process used per association in the measured rounds; undefined without /proc. */
  serverCpuMicros: number | undefined;
  /** CPU time (µs) the client process used per association in the same rounds. */
  clientCpuMicros: number;
}

/** Target `a` ÷ target `b`, round by round: paired rounds cancel the machine's slow drifts that comparing medians keeps. */
export function pairedRatio(a: EchoFigure, b: EchoFigure): { median: number; min: number; max: number; atOrAbove: number } {
  const ratios = a.rounds.map((x, i) => x / b.rounds[i]!);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), atOrAbove: ratios.filter((r) => r >= 1).length };
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

/** Warm-up and rounds of the targets in `peers`, measured in turn within each round. */
async function measure(peers: RunningPeer[], seconds: number, rounds: number, interleaved: boolean): Promise<Map<RunningPeer, EchoFigure>> {
  const warm = new Map<RunningPeer, { cold: number; seconds: number }>();
  for (const peer of peers) warm.set(peer, await warmUp(peer));
  const perRound = new Map<RunningPeer, { rates: number[]; n: number; failures: number; elapsed: number; serverCpu: number | undefined; clientCpu: number }>();
  for (let r = 0; r < rounds; r++) {
    // Each round starts with the next target, so no target always runs first (or always right after the same one).
    for (let k = 0; k < peers.length; k++) {
      const peer = peers[(k + r) % peers.length]!;
      const server0 = processCpuMicros(peer.pid);
      const client0 = ownCpuMicros();
      const x = await loop(peer, seconds / rounds);
      const client = ownCpuMicros() - client0;
      const server1 = processCpuMicros(peer.pid);
      const server = server0 === undefined || server1 === undefined ? undefined : server1 - server0;
      const acc = perRound.get(peer) ?? { rates: [], n: 0, failures: 0, elapsed: 0, serverCpu: 0, clientCpu: 0 };
      acc.rates.push(x.n / x.elapsed);
      acc.n += x.n;
      acc.failures += x.failures;
      acc.elapsed += x.elapsed;
      acc.serverCpu = acc.serverCpu === undefined || server === undefined ? undefined : acc.serverCpu + server;
      acc.clientCpu += client;
      perRound.set(peer, acc);
    }
  }
  const figures = new Map<RunningPeer, EchoFigure>();
  for (const p of peers) {
    const acc = perRound.get(p)!;
    const w = warm.get(p)!;
    figures.set(p, {
      target: p.name,
      coldPerSecond: w.cold,
      warmUpSeconds: w.seconds,
      associations: acc.n,
      seconds: acc.elapsed,
      perSecond: median(acc.rates),
      range: [Math.min(...acc.rates), Math.max(...acc.rates)],
      rounds: acc.rates,
      interleaved,
      failures: acc.failures,
      serverCpuMicros: acc.serverCpu === undefined ? undefined : acc.serverCpu / acc.n,
      clientCpuMicros: acc.clientCpu / acc.n,
    });
  }
  return figures;
}

/**
 * Our SCP, Orthanc and the zero-work Node acceptor run at once; each is warmed up to its steady
 * rate, then they are measured in interleaved rounds so background noise falls on all alike (the
 * figure is the median round). dcmqrscp is measured on its own afterwards: it forks a process per
 * association, and the tail of a round of those slows whichever target runs next.
 */
export async function benchEchoAssociations(seconds = 5, rounds = 10): Promise<EchoFigure[]> {
  const starters: [string, () => Promise<RunningPeer>][] = [['qr-harness serve', () => startOurScp([])]];
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
    const figures = await measure(peers, seconds, rounds, true);
    const result = peers.map((p) => figures.get(p)!);
    for (const p of peers.splice(0)) await p.stop();
    // dcmqrscp forks a child per association (its --single-process mode stops after one association in DCMTK 3.6.7).
    if (findBinary('dcmqrscp')) {
      const dcmqrscp = await startDcmqrscp();
      peers.push(dcmqrscp);
      // Listed second, as before: our SCP, dcmqrscp, Orthanc, the zero-work acceptor.
      result.splice(1, 0, (await measure([dcmqrscp], seconds, rounds, false)).get(dcmqrscp)!);
    }
    return result;
  } finally {
    for (const p of peers) await p.stop();
  }
}

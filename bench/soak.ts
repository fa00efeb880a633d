/**
 * Soak: our SCP (`qr-harness serve` in its own process, probed once a second) under
 * `qr-harness load` with N clients whose sessions hold their association open (bench/soak-mix.yaml),
 * every answer checked against the store. After warm-up its heap, RSS, file descriptors and timers
 * must stay flat; when the load stops, its sockets, descriptors and timers return to what they were
 * before it; no session fails.
 *
 *   node --import tsx bench/soak.ts [--concurrency 500] [--duration 600]     (npm run soak)
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from '../simulators/load/engine.ts';
import { mixFromScenario } from '../simulators/load/mix.ts';
import type { LoadResult } from '../simulators/load/types.ts';
import { loadScenario } from '../simulators/scenario/load.ts';
import { loadStorePaths } from '../simulators/store/load-paths.ts';
import { freePort } from '../simulators/testing/peers.ts';
import type { ResourceSnapshot } from '../simulators/testing/resources.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONFORMANCE = path.join(root, 'scenarios/stores/conformance.yaml');

export interface Sample extends ResourceSnapshot {
  /** Seconds since the load started (negative: before). */
  t: number;
  /** Timers alive in the SCP, unref'd protocol timers included (bench/soak-scp.ts). */
  liveTimers: number;
}

export interface SoakFigures {
  concurrency: number;
  seconds: number;
  result: LoadResult;
  /** Before the load, the last sample of warm-up, the last sample under load, and after the load ended. */
  before: Sample;
  warm: Sample;
  end: Sample;
  after: Sample;
  /** Most TCP sockets the SCP held at once (≈ associations open). */
  peakSockets: number;
  /** Heap (after a full GC) and RSS growth from the end of warm-up to the end of the load, MB. */
  heapGrowthMb: number;
  rssGrowthMb: number;
  samples: Sample[];
}

const sockets = (s: ResourceSnapshot) => s.handles.TCPSocketWrap ?? 0;
const timers = (s: Sample) => s.liveTimers;

/** The SCP under soak: serve with a probe line each second (a full GC first, so the heap figure is what is live). */
function startProbedScp(port: number, onSample: (s: ResourceSnapshot & { liveTimers: number }) => void): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(root, 'bench/soak-scp.ts'), '--quiet', '--port', String(port), '--ae-title', 'QRSCP', '--store', CONFORMANCE], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  let buffered = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      buffered += c.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.includes('listening')) resolve(child);
        if (line.startsWith('{"probe"')) onSample((JSON.parse(line) as { probe: ResourceSnapshot & { liveTimers: number } }).probe);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr.trim()}`)));
  });
}

async function waitFor(done: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}

export async function soak(o: { concurrency: number; seconds: number; warmUpSeconds?: number; log?: (line: string) => void }): Promise<SoakFigures> {
  const log = o.log ?? (() => {});
  const samples: Sample[] = [];
  let loadStarted: number | undefined;
  const port = await freePort();
  const scp = await startProbedScp(port, (s) => samples.push({ ...s, t: loadStarted === undefined ? -1 : (Date.now() - loadStarted) / 1000 }));
  try {
    await waitFor(() => samples.length >= 2, 10_000);
    const before = samples.at(-1)!;
    const mix = mixFromScenario(loadScenario(path.join(root, 'bench/soak-mix.yaml')));
    loadStarted = Date.now();
    const result = await runLoad({
      host: '127.0.0.1',
      port,
      calledAeTitle: 'QRSCP',
      callingAeTitle: 'SOAK',
      concurrency: o.concurrency,
      durationMs: o.seconds * 1000,
      mix,
      timeoutMs: 30_000,
      store: loadStorePaths([CONFORMANCE]).store,
      storeName: 'conformance.yaml',
      onSecond: (live) => {
        const last = samples.at(-1);
        if (Math.round(live.elapsedMs / 1000) % 10 === 0) {
          log(`${(live.elapsedMs / 1000).toFixed(0)} s: ${live.findsPerSecond} C-FIND/s, ${live.inFlight} in flight; SCP ${last ? `RSS ${last.rssMb} MB, heap ${last.heapUsedMb} MB, ${last.openFds} fds, ${sockets(last)} sockets, ${timers(last)} timers` : ''}`);
        }
      },
    });
    const endT = (Date.now() - loadStarted) / 1000;
    const under = samples.filter((s) => s.t >= 0 && s.t <= endT);
    const warmUp = o.warmUpSeconds ?? Math.max(2, o.seconds * 0.25);
    const warm = under.filter((s) => s.t <= warmUp).at(-1) ?? under[0]!;
    const end = under.at(-1)!;
    // After the load: wait (bounded) for the SCP to let go of every association.
    await waitFor(() => {
      const last = samples.at(-1)!;
      return last.t > endT + 1 && sockets(last) <= sockets(before) && timers(last) <= timers(before);
    }, 15_000);
    const after = samples.at(-1)!;
    return {
      concurrency: o.concurrency,
      seconds: o.seconds,
      result,
      before,
      warm,
      end,
      after,
      peakSockets: Math.max(...under.map(sockets)),
      heapGrowthMb: end.heapUsedMb - warm.heapUsedMb,
      rssGrowthMb: end.rssMb - warm.rssMb,
      samples,
    };
  } finally {
    scp.kill('SIGTERM');
    await new Promise((r) => (scp.exitCode === null && scp.signalCode === null ? scp.once('exit', r) : r(null)));
  }
}

export function soakReport(f: SoakFigures): string[] {
  const r = f.result;
  const failures = Object.entries(r.failures).filter(([, v]) => v.count > 0);
  const line = (name: string, s: Sample) => `${name.padEnd(22)} RSS ${s.rssMb} MB, heap ${s.heapUsedMb} MB, ${s.openFds} fds, ${sockets(s)} sockets, ${timers(s)} timers`;
  return [
    `soak: ${f.concurrency} clients for ${f.seconds} s: ${r.counters.sessions} sessions (${r.counters.sessions_ok} ok), ${r.counters.associations} associations, ${r.counters.c_find} C-FINDs (${r.throughput.findsPerSecond.toFixed(0)}/s), ${r.counters.c_cancel} cancels, ${r.counters.aborts_sent} aborts sent, ${r.counters.pendings} Pendings`,
    `  failures: ${failures.length ? failures.map(([k, v]) => `${k} ${v.count} (${v.example})`).join('; ') : 'none (every answer checked against the store)'}`,
    `  latency ms p50/p95/p99/max: association ${[r.latency.association.p50, r.latency.association.p95, r.latency.association.p99, r.latency.association.max].map((x) => x.toFixed(1)).join('/')}, final ${[r.latency.final.p50, r.latency.final.p95, r.latency.final.p99, r.latency.final.max].map((x) => x.toFixed(1)).join('/')}`,
    `  SCP: most sockets at once ${f.peakSockets}`,
    `  ${line('before the load', f.before)}`,
    `  ${line(`after warm-up (${f.warm.t.toFixed(0)} s)`, f.warm)}`,
    `  ${line(`end of load (${f.end.t.toFixed(0)} s)`, f.end)}`,
    `  ${line('after the load', f.after)}`,
    `  growth after warm-up: heap ${f.heapGrowthMb.toFixed(1)} MB, RSS ${f.rssGrowthMb.toFixed(1)} MB`,
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? fallback : Number(process.argv[i + 1]);
  };
  const f = await soak({ concurrency: arg('concurrency', 500), seconds: arg('duration', 600), log: (l) => console.log(l) });
  for (const l of soakReport(f)) console.log(l);
}

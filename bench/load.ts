/**
 * `qr-harness load` against 50 parallel findscu processes issuing the same query (one association,
 * one STUDY-level C-FIND, release), against our SCP, dcmqrscp and Orthanc in one run, each holding
 * the conformance data set. Paired rounds: in each round the findscu fleet and the load generator
 * run one after the other against the same archive, and the ratio is taken round by round.
 * CPU per query is given for the clients (the generator's own, the findscu processes') and for the
 * archive, so a reader can tell which side is the limit.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadIntoArchive } from '../simulators/conformance/loader.ts';
import { loadStorePaths } from '../simulators/store/load-paths.ts';
import { findBinary, startDcmqrscp, startOrthanc } from '../simulators/testing/peers.ts';
import type { RunningPeer } from '../simulators/testing/peers.ts';
import type { LoadResult } from '../simulators/load/types.ts';
import { findscuFleet } from './findscu-fleet.ts';
import { startOurScp } from './our-scp.ts';
import { processCpuMicros } from './process-cpu.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONFORMANCE = path.join(root, 'scenarios/stores/conformance.yaml');
const QUERY = path.join(root, 'bench/one-query.yaml');

export interface LoadRound {
  fleetPerSecond: number;
  loadPerSecond: number;
  fleetFailures: number;
  loadFailures: number;
  /** µs of CPU per query: the findscu processes, the generator, and the archive during each. */
  fleetClientCpu: number | undefined;
  loadClientCpu: number | null;
  fleetServerCpu: number | undefined;
  loadServerCpu: number | undefined;
}

export interface LoadFigure {
  target: string;
  rounds: LoadRound[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function ratios(f: LoadFigure): { median: number; min: number; max: number } {
  const r = f.rounds.map((x) => x.loadPerSecond / x.fleetPerSecond);
  return { median: median(r), min: Math.min(...r), max: Math.max(...r) };
}

export function medianOf(f: LoadFigure, pick: (r: LoadRound) => number | null | undefined): number | undefined {
  const xs = f.rounds.map(pick).filter((x): x is number => typeof x === 'number');
  return xs.length ? median(xs) : undefined;
}

/** The load generator as its own process (as a user runs it), its --json result read back. */
function runLoadCli(peer: RunningPeer, clients: number, seconds: number, json: string): Promise<LoadResult> {
  const args = ['load', '--target-scp', `${peer.host}:${peer.port}`, '--called-ae', peer.aeTitle, '--scenario', QUERY, '--concurrency', String(clients), '--duration', `${seconds}s`, '--json', json];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/qr-harness.mjs'), ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`qr-harness load exited ${code}: ${err.slice(0, 400)}`));
      else resolve(JSON.parse(readFileSync(json, 'utf8')) as LoadResult);
    });
  });
}

function cpuPer(pid: number, before: number | undefined, queries: number): number | undefined {
  const after = processCpuMicros(pid);
  return before === undefined || after === undefined || queries === 0 ? undefined : (after - before) / queries;
}

async function measure(name: string, peer: RunningPeer, clients: number, seconds: number, rounds: number, dir: string): Promise<LoadFigure> {
  const fleetArgs = ['-S', '-aet', 'BENCH', '-aec', peer.aeTitle, '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID=PAT001', '-k', 'StudyInstanceUID', peer.host, String(peer.port)];
  // Warm-up: both clients once, briefly (the archive's caches, our SCP's JIT).
  await findscuFleet(clients, 1, fleetArgs);
  await runLoadCli(peer, clients, 1, path.join(dir, 'warm.json'));
  const figure: LoadFigure = { target: name, rounds: [] };
  for (let r = 0; r < rounds; r++) {
    let s0 = processCpuMicros(peer.pid);
    const fleet = await findscuFleet(clients, seconds, fleetArgs);
    const fleetServerCpu = cpuPer(peer.pid, s0, fleet.queries);
    s0 = processCpuMicros(peer.pid);
    const load = await runLoadCli(peer, clients, seconds, path.join(dir, `r${r}.json`));
    const loadServerCpu = cpuPer(peer.pid, s0, load.counters.c_find);
    const loadFailures = Object.values(load.failures).reduce((a, f) => a + f.count, 0);
    figure.rounds.push({
      fleetPerSecond: fleet.perSecond,
      loadPerSecond: load.throughput.findsPerSecond,
      fleetFailures: fleet.failures,
      loadFailures,
      fleetClientCpu: fleet.cpuMicrosPerQuery,
      loadClientCpu: load.cpu.microsPerFind,
      fleetServerCpu,
      loadServerCpu,
    });
  }
  return figure;
}

export async function benchLoad(seconds = 3, rounds = 5, clients = 50): Promise<LoadFigure[]> {
  if (!findBinary('findscu')) throw new Error('findscu (DCMTK) is needed for the comparison: apt-get install dcmtk');
  const starters: [string, () => Promise<RunningPeer>, boolean][] = [['qr-harness serve', () => startOurScp(['--store', CONFORMANCE]), false]];
  if (findBinary('dcmqrscp')) starters.push(['dcmqrscp', () => startDcmqrscp(), true]);
  if (findBinary('Orthanc')) starters.push(['Orthanc', () => startOrthanc(), true]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qrh-bench-load-'));
  const figures: LoadFigure[] = [];
  try {
    for (const [name, start, seed] of starters) {
      const peer = await start();
      try {
        if (seed) {
          const stored = await loadIntoArchive({ host: peer.host, port: peer.port, calledAeTitle: peer.aeTitle, callingAeTitle: 'BENCH', timeoutMs: 30_000 }, loadStorePaths([CONFORMANCE]).store);
          if (stored.failed.length) throw new Error(`${name}: ${stored.failed.length} instances not stored`);
        }
        figures.push(await measure(name, peer, clients, seconds, rounds, dir));
      } finally {
        await peer.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

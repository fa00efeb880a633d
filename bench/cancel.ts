/**
 * C-CANCEL latency against our SCP: a 100,000-match IMAGE stream (the synthetic archive of
 * `serve --synthetic-store patients=1,studies=1,series=1,instances=100000`), cancelled after
 * 5 Pendings by DCMTK `findscu --cancel 5` and by `qr-harness find --cancel-after 5`, N runs each.
 * Side by side: FE00 count, Pendings the SCP wrote after it read the C-CANCEL (its own count), and
 * Pendings the client received after sending it.
 *
 * With `--peers`, the same two clients then cancel a 1,000-match IMAGE query after 5 Pendings
 * against DCMTK dcmqrscp and Orthanc (seeded with storescu), in the same run: what they send after
 * a C-CANCEL is the yardstick.
 *
 *   node --import tsx bench/cancel.ts [--runs 20] [--write-ahead 16] [--yield-every 8] [--matches 100000] [--peers]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventStream } from '../simulators/events/event-stream.ts';
import { Scp } from '../simulators/scp/scp.ts';
import type { ScpEvent } from '../simulators/scp/scp.ts';
import { storeFindHandler } from '../simulators/scp/handlers/store.ts';
import { syntheticStore } from '../simulators/store/synthetic.ts';
import { tallyCancels } from '../simulators/scp/cancel-tally.ts';
import type { CancelTally } from '../simulators/scp/cancel-tally.ts';
import { findBinary, runTool, startDcmqrscp, startOrthanc } from '../simulators/testing/peers.ts';
import type { RunningPeer } from '../simulators/testing/peers.ts';
import { writeFixture } from '../simulators/testing/part10.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The study and series of the synthetic archive (see simulators/store/synthetic.ts). */
const STUDY = '1.2.826.0.1.3680043.9.7433.3.1.1';
const SERIES = `${STUDY}.1`;

/** The long series of the Part 10 fixture (simulators/testing/part10.ts) that the peers are seeded with. */
const FIXTURE_STUDY = '1.2.826.0.1.3680043.9.7433.2.9';

interface Target {
  host: string;
  port: number;
  aeTitle: string;
  study: string;
  series: string;
}

interface Run {
  final: string | undefined;
  /** Pendings the client received after it sent the C-CANCEL. */
  clientAfter: number | undefined;
  scp: CancelTally | undefined;
  ms: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('latin1')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('latin1')));
    child.once('close', () => resolve(out));
  });
}

async function findscu(t: Target): Promise<Omit<Run, 'scp' | 'ms'>> {
  const out = await run('findscu', ['-v', '--cancel', '5', '-S', '-aet', 'BENCH', '-aec', t.aeTitle, '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${t.study}`, '-k', `SeriesInstanceUID=${t.series}`, '-k', 'SOPInstanceUID', t.host, String(t.port)], { TCP_NODELAY: '1' });
  const lines = out.split('\n');
  const sentAt = lines.findIndex((l) => l.includes('Sending Cancel Request'));
  const after = sentAt < 0 ? undefined : lines.slice(sentAt).filter((l) => /Find Response: \d+ \(Pending\)/.test(l)).length;
  const final = /Received Final Find Response \((\w+)/.exec(out)?.[1];
  return { final: final === 'Cancel' ? 'FE00' : final === 'Success' ? '0000' : final, clientAfter: after };
}

async function ourFind(t: Target): Promise<Omit<Run, 'scp' | 'ms'>> {
  const out = await run(process.execPath, [path.join(root, 'bin/qr-harness.mjs'), 'find', '--host', t.host, '--port', String(t.port), '--called-ae', t.aeTitle, '--calling-ae', 'BENCH', '--model', 'study', '--level', 'IMAGE', '-k', `StudyInstanceUID=${t.study}`, '-k', `SeriesInstanceUID=${t.series}`, '-k', 'SOPInstanceUID', '--cancel-after', '5', '--json']);
  const summary = out
    .split('\n')
    .filter((l) => l.startsWith('{"summary"'))
    .map((l) => JSON.parse(l) as { matches: number; finalStatusHex: string | null; cancelSentAfter: number | null })[0];
  if (!summary) return { final: undefined, clientAfter: undefined };
  return { final: summary.finalStatusHex ?? undefined, clientAfter: summary.cancelSentAfter === null ? undefined : summary.matches - summary.cancelSentAfter };
}

function stats(xs: (number | undefined)[]): string {
  const v = xs.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return '—';
  const median = v[Math.floor(v.length / 2)]!;
  return `${v[0]} / ${median} / ${v[v.length - 1]}`;
}

async function main(): Promise<void> {
  const runs = arg('runs', 20);
  const matches = arg('matches', 100_000);
  const writeAhead = arg('write-ahead', 0);
  const yieldEvery = arg('yield-every', 0);
  const events = new EventStream<ScpEvent>();
  const tallies: CancelTally[] = [];
  tallyCancels(events, (t) => tallies.push(t));
  const store = syntheticStore({ patients: 1, studiesPerPatient: 1, seriesPerStudy: 1, instancesPerSeries: matches });
  const scp = new Scp({ aeTitle: 'QRSCP', events, find: { handler: storeFindHandler(store, { retrieveAeTitle: 'QRSCP' }), ...(writeAhead > 0 && { writeAhead }), ...(yieldEvery > 0 && { yieldEvery }) } });
  const port = await scp.listen(0);
  const ours: Target = { host: '127.0.0.1', port, aeTitle: 'QRSCP', study: STUDY, series: SERIES };
  const clients: [string, (t: Target) => Promise<Omit<Run, 'scp' | 'ms'>>][] = [['qr-harness find --cancel-after 5', ourFind]];
  if (findBinary('findscu')) clients.push(['findscu --cancel 5 (TCP_NODELAY=1)', findscu]);
  else console.log('findscu not found: DCMTK column skipped');
  console.log(`our SCP, ${matches} matches, write-ahead ${writeAhead || 'default'}, a turn every ${yieldEvery || 'default'} Pendings, ${runs} runs per client`);
  const rows: string[][] = [['client', 'FE00', 'SCP: Pendings after cancel read (min/median/max)', 'client: Pendings after cancel sent (min/median/max)', 'ms (median)']];
  for (const [name, client] of clients) {
    const results: Run[] = [];
    for (let i = 0; i < runs; i++) {
      tallies.length = 0;
      const started = performance.now();
      const r = await client(ours);
      results.push({ ...r, scp: tallies[0], ms: performance.now() - started });
    }
    const ms = results.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
    rows.push([name, `${results.filter((r) => r.final === 'FE00').length} of ${runs}`, stats(results.map((r) => r.scp?.pendingsAfter)), stats(results.map((r) => r.clientAfter)), ms.toFixed(0)]);
  }
  await scp.close();
  print(rows);
  if (process.argv.includes('--peers')) await peers(clients, runs);
}

function print(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join(' | '));
}

/** The same clients against dcmqrscp and Orthanc, a 1,000-match series (the peers' own counts of what they sent are not visible: the client's are). */
async function peers(clients: [string, (t: Target) => Promise<Omit<Run, 'scp' | 'ms'>>][], runs: number): Promise<void> {
  const starters: [string, () => Promise<RunningPeer>][] = [];
  if (findBinary('dcmqrscp')) starters.push(['dcmqrscp', () => startDcmqrscp()]);
  if (findBinary('Orthanc')) starters.push(['Orthanc', () => startOrthanc()]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qrh-cancel-'));
  try {
    writeFixture(dir, 1000);
    for (const [name, start] of starters) {
      const peer = await start();
      try {
        const stored = await runTool('storescu', ['+sd', '-aec', peer.aeTitle, peer.host, String(peer.port), dir], 600_000);
        if (stored.code !== 0) throw new Error(`storescu to ${name} failed: ${stored.stderr.slice(0, 300)}`);
        console.log(`\n${name}, 1,000 matches, ${runs} runs per client`);
        const rows: string[][] = [['client', 'FE00', 'client: Pendings after cancel sent (min/median/max)', 'ms (median)']];
        const target: Target = { host: peer.host, port: peer.port, aeTitle: peer.aeTitle, study: FIXTURE_STUDY, series: `${FIXTURE_STUDY}.1` };
        for (const [label, client] of clients) {
          const results: Omit<Run, 'scp'>[] = [];
          for (let i = 0; i < runs; i++) {
            const started = performance.now();
            results.push({ ...(await client(target)), ms: performance.now() - started });
          }
          const ms = results.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
          rows.push([label, `${results.filter((r) => r.final === 'FE00').length} of ${runs}`, stats(results.map((r) => r.clientAfter)), ms.toFixed(0)]);
        }
        print(rows);
      } finally {
        await peer.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

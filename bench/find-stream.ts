/**
 * Long C-FIND streams: our SCP → our SCU (Pending responses/s, memory flat in the number of
 * matches), and the same 10,000-match IMAGE query answered by our SCP, DCMTK dcmqrscp and Orthanc
 * to our SCU and to DCMTK findscu, in one run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DimseClient } from '../simulators/scu/dimse-client.ts';
import { findBinary, runTool, startDcmqrscp, startOrthanc } from '../simulators/testing/peers.ts';
import type { RunningPeer } from '../simulators/testing/peers.ts';
import { writeFixture } from '../simulators/testing/part10.ts';
import { startOurScp } from './our-scp.ts';

const STUDY_ROOT = '1.2.840.10008.5.1.4.1.2.2.1';
/** The study of `--synthetic-store patients=1,studies=1,series=1,instances=N` (see simulators/store/synthetic.ts). */
const SYNTH_STUDY = '1.2.826.0.1.3680043.9.7433.3.1.1';
const FIXTURE_STUDY = '1.2.826.0.1.3680043.9.7433.2.9';

function rssOf(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs the IMAGE query with our SCU; returns matches and seconds. */
async function ourScu(peer: RunningPeer, study: string): Promise<{ matches: number; seconds: number; final: number | undefined }> {
  const c = await DimseClient.connect({
    host: peer.host,
    port: peer.port,
    calledAeTitle: peer.aeTitle,
    callingAeTitle: 'BENCH',
    presentationContexts: [{ abstractSyntax: STUDY_ROOT, transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] }],
    dimseTimeoutMs: 600_000,
  });
  const started = performance.now();
  let matches = 0;
  let final: number | undefined;
  for await (const r of c.find('study', { QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: study, SeriesInstanceUID: `${study}.1`, SOPInstanceUID: '', InstanceNumber: '' })) {
    if (r.final) final = r.status;
    else matches++;
  }
  const seconds = (performance.now() - started) / 1000;
  await c.release();
  return { matches, seconds, final };
}

/** Runs the same query with DCMTK findscu (association included, as findscu always pays it). */
async function findscu(peer: RunningPeer, study: string): Promise<{ seconds: number; ok: boolean }> {
  const started = performance.now();
  const r = await runTool(
    'findscu',
    ['-S', '-aet', 'BENCH', '-aec', peer.aeTitle, '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${study}`, '-k', `SeriesInstanceUID=${study}.1`, '-k', 'SOPInstanceUID', '-k', 'InstanceNumber', peer.host, String(peer.port)],
    600_000,
  );
  return { seconds: (performance.now() - started) / 1000, ok: r.code === 0 };
}

export interface StreamFigures {
  /** SCP peak RSS before the first query (store built) and after the streams: the difference is what streaming costs. */
  selfRate: { matches: number; perSecond: number; clientPeakMb: number; serverIdlePeakMb: number; serverPeakMb: number }[];
  tenThousand: { target: string; ourScuSeconds?: number; findscuSeconds?: number; perSecond?: number }[];
  notes: string[];
}

export async function benchFindStreams(): Promise<StreamFigures> {
  const figures: StreamFigures = { selfRate: [], tenThousand: [], notes: [] };
  // 1. Our SCP → our SCU, 10,000 and 100,000 matches: rate and peak memory of both processes.
  for (const n of [10_000, 100_000]) {
    const scp = await startOurScp(['--synthetic-store', `patients=1,studies=1,series=1,instances=${n}`]);
    const serverIdlePeakMb = rssOf(scp.pid);
    try {
      // Two warm-up streams (both processes' JIT), then the median of three.
      await ourScu(scp, SYNTH_STUDY);
      await ourScu(scp, SYNTH_STUDY);
      const runs = [await ourScu(scp, SYNTH_STUDY), await ourScu(scp, SYNTH_STUDY), await ourScu(scp, SYNTH_STUDY)].sort((a, b) => a.seconds - b.seconds);
      const median = runs[1]!;
      figures.selfRate.push({ matches: median.matches, perSecond: median.matches / median.seconds, clientPeakMb: rssOf(process.pid), serverIdlePeakMb, serverPeakMb: rssOf(scp.pid) });
    } finally {
      await scp.stop();
    }
  }
  // 2. The same 10,000-match query from each SCP, to our SCU and to findscu. Seeding dcmqrscp
  //    takes minutes (its index is a flat file scanned on every store), so seeded peers are kept
  //    in a cache folder between runs.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qrh-bench-'));
  const cache = path.join(os.tmpdir(), 'qr-harness-bench-cache-v1');
  try {
    const peers: [string, () => Promise<RunningPeer>, string][] = [['qr-harness serve', () => startOurScp(['--synthetic-store', 'patients=1,studies=1,series=1,instances=10000']), SYNTH_STUDY]];
    if (findBinary('dcmqrscp')) peers.push(['dcmqrscp', () => startDcmqrscp({ dataDir: path.join(cache, 'dcmqrscp') }), FIXTURE_STUDY]);
    if (findBinary('Orthanc')) peers.push(['Orthanc', () => startOrthanc({ dataDir: path.join(cache, 'orthanc') }), FIXTURE_STUDY]);
    for (const [name, start, study] of peers) {
      const peer = await start();
      try {
        const marker = path.join(cache, `${name}.seeded`);
        if (name !== 'qr-harness serve' && !existsSync(marker)) {
          if (!existsSync(path.join(dir, `${FIXTURE_STUDY}.1.1.dcm`))) writeFixture(dir, 10_000);
          const t = performance.now();
          const stored = await runTool('storescu', ['+sd', '-aec', peer.aeTitle, peer.host, String(peer.port), dir], 3_600_000);
          if (stored.code !== 0) throw new Error(`storescu to ${name} failed: ${stored.stderr.slice(0, 300)}`);
          writeFileSync(marker, new Date().toISOString());
          figures.notes.push(`${name}: 10,005 instances stored with storescu in ${((performance.now() - t) / 1000).toFixed(1)} s (kept in ${cache})`);
        }
        await ourScu(peer, study);
        const ours = await ourScu(peer, study);
        const dcmtk = findBinary('findscu') ? await findscu(peer, study) : undefined;
        if (ours.matches !== 10_000) figures.notes.push(`${name}: ${ours.matches} matches, final ${ours.final?.toString(16)}`);
        figures.tenThousand.push({ target: name, ourScuSeconds: ours.seconds, perSecond: ours.matches / ours.seconds, ...(dcmtk && { findscuSeconds: dcmtk.seconds }) });
      } finally {
        await peer.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

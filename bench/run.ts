/**
 * Benchmarks, printed side by side with DCMTK and Orthanc measured in the same run.
 *   npm run bench                 all benchmarks
 *   npm run bench -- echo         one of them
 *   BENCH_SECONDS=10 npm run bench
 *   npm run bench -- load          qr-harness load vs 50 parallel findscu processes (BENCH_ROUNDS, default 5)
 */
import os from 'node:os';
import { benchCodec } from './codec.ts';
import { benchEchoAssociations, pairedRatio } from './echo-associations.ts';
import { benchFindStreams } from './find-stream.ts';
import { benchLoad, medianOf, ratios } from './load.ts';
import { benchStoreQueries } from './store-queries.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const which = process.argv.slice(2);
const wants = (name: string) => which.length === 0 || which.includes(name);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

console.log(`dicom-qr-harness benchmarks — ${os.cpus().length} CPU(s), Node ${process.version}, ${seconds} s per target\n`);

if (wants('echo')) {
  console.log('Sequential associate + C-ECHO + release, one client process (our requestor); cold = first 0.5 s, then warmed up to a steady rate');
  const figures = await benchEchoAssociations(seconds);
  console.log(
    table([
      ['target', 'cold assoc/s', 'warm-up s', 'associations', 'seconds', 'assoc/s (median)', 'rounds min-max', 'failures', 'target CPU µs/assoc', 'client CPU µs/assoc'],
      ...figures.map((f) => [
        f.target,
        f.coldPerSecond.toFixed(0),
        f.warmUpSeconds.toFixed(1),
        String(f.associations),
        f.seconds.toFixed(1),
        f.perSecond.toFixed(0),
        `${f.range[0].toFixed(0)}-${f.range[1].toFixed(0)}`,
        String(f.failures),
        f.serverCpuMicros?.toFixed(0) ?? '-',
        f.clientCpuMicros.toFixed(0),
      ]),
    ]),
  );
  console.log('  CPU µs/assoc: user + system time of the process (all its threads, and the children it reaped) per association. The loop is');
  console.log('  sequential: when the client\'s CPU is near the wall time per association (1,000,000 ÷ assoc/s), the client is the');
  console.log('  bottleneck and the targets differ only by the latency they add to each step.');
  const [ours, ...others] = figures;
  for (const other of others.filter((f) => f.interleaved)) {
    const r = pairedRatio(ours!, other);
    console.log(
      `  ${ours!.target} ÷ ${other.target}, round by round: median ${r.median.toFixed(2)}, ${r.min.toFixed(2)}-${r.max.toFixed(2)}, at or above in ${r.atOrAbove} of ${ours!.rounds.length}`,
    );
  }
  console.log('');
}

if (wants('codec')) {
  console.log('Data set codec, 12-attribute identifier (ops/s)');
  const rows = benchCodec();
  console.log(table([['codec', 'encode/s', 'decode/s'], ...rows.map((r) => [r.name, r.encode.toFixed(0), r.decode.toFixed(0)])]));
  console.log('');
}

if (wants('find')) {
  console.log('C-FIND streams');
  const f = await benchFindStreams();
  console.log(
    table([
      ['our SCP → our SCU', 'Pending/s', 'SCU peak RSS MB', 'SCP peak RSS MB: store loaded', 'after 5 streams'],
      ...f.selfRate.map((r) => [`${r.matches} matches`, r.perSecond.toFixed(0), r.clientPeakMb.toFixed(0), r.serverIdlePeakMb.toFixed(0), r.serverPeakMb.toFixed(0)]),
    ]),
  );
  console.log('');
  console.log(
    table([
      ['10,000-match IMAGE query from', 'our SCU s', 'our SCU Pending/s', 'findscu s', 'findscu/ours'],
      ...f.tenThousand.map((r) => [
        r.target,
        r.ourScuSeconds?.toFixed(2) ?? '-',
        r.perSecond?.toFixed(0) ?? '-',
        r.findscuSeconds?.toFixed(2) ?? '-',
        r.findscuSeconds && r.ourScuSeconds ? (r.findscuSeconds / r.ourScuSeconds).toFixed(1) : '-',
      ]),
    ]),
  );
  for (const n of f.notes) console.log(`  ${n}`);
  console.log('');
}

if (wants('store')) {
  console.log('1,000,000-instance store (10,000 patients, 100,000 studies)');
  const f = await benchStoreQueries();
  console.log(`  built in ${f.buildSeconds.toFixed(1)} s, ${f.bytesPerInstance.toFixed(0)} bytes of heap per instance, SCP process RSS ${f.scpRssMb.toFixed(0)} MB`);
  console.log(table([['query, to the final response', 'matches', 'median ms', 'p95 ms'], ...f.queries.map((q) => [q.name, String(q.matches), q.medianMs.toFixed(2), q.p95Ms.toFixed(2)])]));
  console.log('');
}

if (wants('load')) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const perPhase = Math.max(1, Math.round(seconds * 0.6));
  console.log(`50 clients, one STUDY C-FIND per association: qr-harness load (one process) vs 50 parallel findscu processes; ${rounds} paired rounds of ${perPhase} s each`);
  const figures = await benchLoad(perPhase, rounds, 50);
  const f = (x: number | undefined, d = 0) => (x === undefined ? '-' : x.toFixed(d));
  console.log(
    table([
      ['archive', 'findscu C-FIND/s', 'load C-FIND/s', 'load ÷ findscu (median, min-max)', 'failures f/l', 'client CPU µs/query f/l', 'archive CPU µs/query f/l'],
      ...figures.map((x) => {
        const r = ratios(x);
        return [
          x.target,
          f(medianOf(x, (y) => y.fleetPerSecond)),
          f(medianOf(x, (y) => y.loadPerSecond)),
          `${r.median.toFixed(1)} (${r.min.toFixed(1)}-${r.max.toFixed(1)})`,
          `${x.rounds.reduce((a, y) => a + y.fleetFailures, 0)}/${x.rounds.reduce((a, y) => a + y.loadFailures, 0)}`,
          `${f(medianOf(x, (y) => y.fleetClientCpu))}/${f(medianOf(x, (y) => y.loadClientCpu))}`,
          `${f(medianOf(x, (y) => y.fleetServerCpu))}/${f(medianOf(x, (y) => y.loadServerCpu))}`,
        ];
      }),
    ]),
  );
  console.log('  f = findscu fleet, l = qr-harness load. Client CPU: the findscu processes (reaped children) or the generator itself.');
  console.log('  When the generator\'s CPU per query approaches (cores × 1,000,000) ÷ C-FIND/s, the generator, not the archive, is the limit.');
  console.log('');
}

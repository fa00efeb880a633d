/**
 * Benchmarks, printed side by side with DCMTK and Orthanc measured in the same run.
 *   npm run bench                 all benchmarks
 *   npm run bench -- echo         one of them
 *   BENCH_SECONDS=10 npm run bench
 */
import os from 'node:os';
import { benchEchoAssociations } from './echo-associations.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const which = process.argv.slice(2);
const wants = (name: string) => which.length === 0 || which.includes(name);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

console.log(`dicom-qr-harness benchmarks — ${os.cpus().length} CPU(s), Node ${process.version}, ${seconds} s per target\n`);

if (wants('echo')) {
  console.log('Sequential associate + C-ECHO + release, one client process (our requestor)');
  const figures = await benchEchoAssociations(seconds);
  console.log(
    table([
      ['target', 'associations', 'seconds', 'assoc/s', 'failures'],
      ...figures.map((f) => [f.target, String(f.associations), f.seconds.toFixed(1), f.perSecond.toFixed(0), String(f.failures)]),
    ]),
  );
  console.log('');
}

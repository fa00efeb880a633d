import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DimseClient } from '../simulators/scu/dimse-client.ts';
import { serveCommand } from './commands/serve.ts';
import { ExitCode } from './exit-codes.ts';
import type { Output } from './output.ts';

const STUDY_ROOT = '1.2.840.10008.5.1.4.1.2.2.1';
/** The study of `--synthetic-store patients=1,studies=1,series=1,instances=N` (see simulators/store/synthetic.ts). */
const STUDY = '1.2.826.0.1.3680043.9.7433.3.1.1';
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

test('serve -v ends a cancelled C-FIND with one line: the Pendings written before the C-CANCEL was read, those after, then FE00', async () => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Output = { out: (l) => stdout.push(plain(l)), err: (l) => stderr.push(plain(l)) };
  let stop!: () => void;
  const serving = serveCommand(['--synthetic-store', 'patients=1,studies=1,series=1,instances=20000', '-v', '--port', '0'], io, new Promise<void>((r) => (stop = r)));
  for (const end = Date.now() + 30_000; !stdout.some((l) => l.includes('listening')); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > end) throw new Error('serve did not start');
  }
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(stdout.join('\n'))![1]);
  const client = await DimseClient.connect({ host: '127.0.0.1', port, calledAeTitle: 'QRSCP', callingAeTitle: 'FINDSCU', presentationContexts: [{ abstractSyntax: STUDY_ROOT, transferSyntaxes: ['1.2.840.10008.1.2.1'] }] });
  const op = client.find('study', { QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: STUDY, SeriesInstanceUID: `${STUDY}.1`, SOPInstanceUID: '' });
  let pendings = 0;
  let final: number | undefined;
  for await (const r of op) {
    if (r.final) final = r.status;
    else if (++pendings === 5) op.cancel();
  }
  await client.release();
  stop();
  assert.equal(await serving, ExitCode.Ok);
  assert.equal(final, 0xfe00);
  const lines = stderr.filter((l) => l.includes('C-CANCEL read after'));
  assert.equal(lines.length, 1, stderr.slice(-5).join('\n'));
  const m = /^scp-\d+ C-CANCEL read after (\d+) Pendings written; (\d+) more written after it, then FE00$/.exec(lines[0]!.trim());
  assert.ok(m, lines[0]);
  assert.ok(Number(m[2]) <= 64, lines[0]);
  assert.equal(Number(m[1]) + Number(m[2]), pendings, 'every Pending written reached the client');
});

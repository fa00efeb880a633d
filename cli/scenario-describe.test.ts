import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ExitCode } from './exit-codes.ts';
import { main } from './main.ts';
import type { Output } from './output.ts';

const root = path.join(import.meta.dirname, '..');
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

async function run(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Output = { out: (l) => stdout.push(plain(l)), err: (l) => stderr.push(plain(l)) };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

test('scenario describe: the store, SCP settings, association rules and behaviours in words; the help lists it', async () => {
  const r = await run('scenario', 'describe', path.join(root, 'scenarios/a700-after-3.yaml'), path.join(root, 'scenarios/reject-unknown-ae.yaml'));
  assert.equal(r.code, ExitCode.Ok, r.stderr.join('\n'));
  const text = r.stdout.join('\n');
  assert.match(text, /^archive failing with A700 after 3 matches — 3 Pendings then A700 "out of resources"$/m);
  assert.match(text, /^ {2}store: 10 patients, 20 studies, 20 series, 40 instances, 0 worklist items$/m);
  assert.match(text, /^ {6}1\. "out of resources": always: 3 Pendings, 10 ms apart; final A700 .*\(Error Comment "out of resources"\)$/m);
  assert.match(text, /^ {4}accepts calling AE titles "FINDSCU", "QRHARNESS\*", "BUSY", "ECHOSCU" only \(others rejected 1\/1\/3\)$/m);
  assert.match(text, /^ {6}1\. when calling AE "BUSY", association number 3: reject \(result 2, source 3, reason 1\)$/m);

  const help = await run('scenario', '--help');
  assert.match(help.stdout.join('\n'), /scenario describe FILE/);
  const missing = await run('scenario', 'describe', path.join(root, 'scenarios/none.yaml'));
  assert.equal(missing.code, ExitCode.FailureStatus);
  assert.deepEqual(missing.stderr, [`error: ${path.join(root, 'scenarios/none.yaml')}: no such file`]);
});

test('scenario describe and list: a load mix shows its session kinds, weights and steps', async () => {
  const r = await run('scenario', 'describe', path.join(root, 'scenarios/load-mix.yaml'));
  assert.equal(r.code, ExitCode.Ok, r.stderr.join('\n'));
  const text = r.stdout.join('\n');
  assert.match(text, /^ {2}load mix \(qr-harness load --scenario\), 6 session kinds, each one association:$/m);
  assert.match(text, /^ {4}long-stream-cancelled-after-2, weight 1 of 13:\n {6}1\. C-FIND study IMAGE .* then C-CANCEL after 2 Pendings$/m);
  const list = await run('scenario', 'list', path.join(root, 'scenarios'));
  assert.match(list.stdout.join('\n'), /^load-mix\.yaml +SCP\+load /m);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataSetInput } from '../simulators/dataset/data-set.ts';
import { DimseClient } from '../simulators/scu/dimse-client.ts';
import { tempDir } from '../simulators/testing/temp-dir.ts';
import { serveCommand } from './commands/serve.ts';
import { ExitCode } from './exit-codes.ts';
import { main } from './main.ts';
import { capture, plain } from './capture-output.ts';

const root = path.join(import.meta.dirname, '..');
const seed = path.join(root, 'scenarios/stores/seed.yaml');
const PATIENT_ROOT = '1.2.840.10008.5.1.4.1.2.1.1';


const until = async (ok: () => boolean, what: string, ms = 10_000) => {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
};

/** `serve` in this process on a free port until `stop()`. */
async function serve(argv: string[]) {
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const io = capture();
  const serving = serveCommand([...argv, '--port', '0'], io, stopped);
  await until(() => io.stdout.some((l) => l.includes('listening')), 'listening');
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(io.stdout.join('\n'))![1]);
  return { port, io, close: async () => (stop(), await serving) };
}

const connect = (port: number, callingAeTitle = 'FINDSCU') =>
  DimseClient.connect({ host: '127.0.0.1', port, calledAeTitle: 'QRSCP', callingAeTitle, presentationContexts: [{ abstractSyntax: PATIENT_ROOT, transferSyntaxes: ['1.2.840.10008.1.2.1'] }] });

async function query(port: number, identifier: DataSetInput) {
  const client = await connect(port);
  const summary = await client.find(PATIENT_ROOT, identifier).result;
  await client.release();
  return summary;
}

test('serve -v shows each identifier received, decoded, with the AE titles of its association', async () => {
  const s = await serve(['--store', seed, '-v']);
  await query(s.port, { QueryRetrieveLevel: 'PATIENT', PatientName: 'CITIZEN^Jan', PatientID: '', OtherPatientIDsSequence: [{ PatientID: '' }] });
  assert.equal(await s.close(), ExitCode.Ok);
  const err = s.io.stderr.map((l) => l.trim());
  const at = err.findIndex((l) => l === '"FINDSCU" → "QRSCP", identifier:');
  assert.ok(at > 0 && /← C-FIND-RQ/.test(err[at - 1]!), err.join('\n'));
  assert.deepEqual(err.slice(at + 1, at + 7), ['QueryRetrieveLevel (0008,0052) CS "PATIENT"', 'PatientName (0010,0010) PN "CITIZEN^Jan"', 'PatientID (0010,0020) LO (empty)', 'OtherPatientIDsSequence (0010,1002) SQ 1 item', 'item 1', 'PatientID (0010,0020) LO (empty)']);
  assert.ok(!err.some((l) => l.includes('RetrieveAETitle')), 'what we sent is shown with -d only');
});

test('serve --record writes every message with the AE titles, the identifier decoded and its bytes in hex', async () => {
  const file = path.join(tempDir('serve'), 'traffic.jsonl');
  const s = await serve(['--store', seed, '-q', '--record', file]);
  const summary = await query(s.port, { QueryRetrieveLevel: 'PATIENT', PatientName: 'CITIZEN^Jan', PatientID: '' });
  assert.equal(summary.pending, 1);
  assert.equal(await s.close(), ExitCode.Ok);
  assert.match(s.io.stdout.at(-1)!, /^stopped; record in .*traffic\.jsonl$/);
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => `${l.direction} ${l.name}`), ['received C-FIND-RQ', 'sent C-FIND-RSP', 'sent C-FIND-RSP']);
  const rq = lines[0];
  assert.equal(rq.callingAeTitle, 'FINDSCU');
  assert.equal(rq.calledAeTitle, 'QRSCP');
  assert.equal(rq.transferSyntax, '1.2.840.10008.1.2.1');
  assert.deepEqual(rq.identifier, [
    { tag: '(0008,0052)', keyword: 'QueryRetrieveLevel', vr: 'CS', value: 'PATIENT' },
    { tag: '(0010,0010)', keyword: 'PatientName', vr: 'PN', value: 'CITIZEN^Jan' },
    { tag: '(0010,0020)', keyword: 'PatientID', vr: 'LO', value: '' },
  ]);
  // (0008,0052) CS, length 8, "PATIENT " — Explicit VR Little Endian (PS3.5 7.1.2).
  assert.ok(rq.dataSet.startsWith('08005200435308005041544945' + '4e5420'), rq.dataSet);
  assert.equal(lines[1].identifier.find((a: { keyword: string }) => a.keyword === 'PatientID').value, '1234567');
  assert.equal(lines[2].identifier, undefined);
});

test('--profile, --timezone, --decline and --handler are checked without a store: one line, exit 2', async () => {
  for (const [option, value, message] of [
    ['--profile', 'nope', /--profile must be one of strict, .*, got "nope"/],
    ['--timezone', '5', /--timezone needs \+HHMM or -HHMM, got "5"/],
    ['--decline', 'foo', /--decline takes relational, .*, got "foo"/],
    ['--handler', 'x', /--handler must be records or seed, got "x"/],
  ] as const) {
    const io = capture();
    assert.equal(await main(['serve', option, value, '--port', '0'], io), ExitCode.Usage, option);
    assert.equal(io.stderr.length, 1, io.stderr.join('\n'));
    assert.match(io.stderr[0]!, message);
    assert.deepEqual(io.stdout, [], 'nothing listened');
  }
});

test('store problems stop serve with one line each and exit 2', async () => {
  const dir = tempDir('serve');
  const files = {
    syntax: ['patients:\n  - PatientID: "1"\n    PatientName: [a\n', /syntax\.yaml:4:1: Flow sequence in block collection must be sufficiently indented and end with a \]$/],
    empty: ['', /empty\.yaml: the file is empty: a store is a mapping with "patients" and\/or "worklist"$/],
    wrong: ['patients:\n  - PatientID: "1"\n    PatientBirthDate: soon\n', /wrong\.yaml:3:23: PatientBirthDate \(DA\): "soon" is not a date \(YYYYMMDD\)$/],
  } as const;
  for (const [name, [text, message]] of Object.entries(files)) {
    writeFileSync(path.join(dir, `${name}.yaml`), text);
    const io = capture();
    assert.equal(await main(['serve', '--store', path.join(dir, `${name}.yaml`), '--port', '0'], io), ExitCode.Usage, name);
    assert.equal(io.stderr.length, 1, io.stderr.join('\n'));
    assert.match(io.stderr[0]!, message);
  }
  const io = capture();
  assert.equal(await main(['serve', '--store', path.join(dir, 'none.yaml')], io), ExitCode.Usage);
  assert.deepEqual(io.stderr, [`error: ${path.join(dir, 'none.yaml')}: no such file or folder`]);
  writeFileSync(path.join(dir, 'notes.txt'), 'not DICOM');
  const io2 = capture();
  assert.equal(await main(['serve', '--store', dir, '--port', '0'], io2), ExitCode.Usage);
  assert.equal(io2.stderr.length, 1);
  assert.match(io2.stderr[0]!, /no DICOM instance or worklist file could be loaded from this folder \(4 files; empty\.yaml: not a readable DICOM Part 10 file/);
});

/** The CLI as a user runs it, until `exited`. */
function spawnServe(args: string[]): { child: ChildProcess; stdout: string[]; stderr: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(root, 'bin/qr-harness.mjs'), 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.on('data', (b: Buffer) => stdout.push(...plain(b.toString()).split('\n').filter(Boolean)));
  child.stderr!.on('data', (b: Buffer) => stderr.push(...plain(b.toString()).split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout, stderr, exited };
}

test('SIGTERM stops serve at once: open associations are aborted, exit 143', async (t) => {
  const s = spawnServe(['--port', '0', '--synthetic', '1000', '--delay', '100']);
  await until(() => s.stdout.some((l) => l.includes('listening')), 'listening', 20_000);
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(s.stdout.join('\n'))![1]);
  const client = await connect(port);
  const op = client.find(PATIENT_ROOT, { QueryRetrieveLevel: 'IMAGE', PatientID: 'SYNTH', SOPInstanceUID: '' });
  await until(() => s.stdout.some((l) => l.startsWith('accepted')), 'the association');
  const sent = performance.now();
  s.child.kill('SIGTERM');
  await assert.rejects(op.result, /abort/i);
  assert.equal(await s.exited, ExitCode.Terminated);
  t.diagnostic(`stopped in ${Math.round(performance.now() - sent)} ms`);
  assert.equal(s.stdout.at(-1), 'stopped (SIGTERM): 1 open association aborted');
});

test('a large store shows its progress while loading, and SIGTERM stops the load at once (exit 143)', async (t) => {
  // 150,000 instances under 100 patients: several seconds of loading, a part per patient.
  const instances = Array.from({ length: 1500 }, (_, i) => `              - SOPInstanceUID: 1.2.9.PPP.1.1.${i + 1}\n`).join('');
  const patients = Array.from({ length: 100 }, (_, p) => `  - PatientID: P${p}\n    studies:\n      - StudyInstanceUID: 1.2.9.${p}\n        series:\n          - SeriesInstanceUID: 1.2.9.${p}.1.1\n            instances:\n${instances.replaceAll('PPP', String(p))}`);
  const file = path.join(tempDir('serve'), 'large.yaml');
  writeFileSync(file, `patients:\n${patients.join('')}`);
  const s = spawnServe(['--port', '0', '--store', file]);
  await until(() => s.stderr.some((l) => l.startsWith('loading large.yaml: ')), 'a progress line', 20_000);
  assert.match(s.stderr[0]!, /^loading large\.yaml: [\d,]+ instances \(\d+%\), [\d,]+\/s$/);
  const sent = performance.now();
  s.child.kill('SIGTERM');
  assert.equal(await s.exited, 143);
  t.diagnostic(`stopped in ${Math.round(performance.now() - sent)} ms`);
  assert.match(s.stderr.at(-1)!, /^interrupted while loading the store \([\d,]+ instances in [\d.]+ s\)$/);
  assert.deepEqual(s.stdout, []);
});

test('serve --idle 1: an established association silent for a second is aborted by the SCP (with --scenario too); without it, it is kept', async () => {
  for (const argv of [['--store', seed, '--idle', '1'], ['--scenario', path.join(root, 'scenarios/seed-scp.yaml'), '--idle', '1']]) {
    const s = await serve(argv);
    const client = await connect(s.port);
    const ended = new Promise<string>((resolve) => client.association.onEnd((e) => resolve(e.how)));
    assert.equal(await ended, 'aborted', argv.join(' '));
    // A busy association is not idle: a query after a pause shorter than the bound is answered.
    const busy = await connect(s.port);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await busy.find(PATIENT_ROOT, { QueryRetrieveLevel: 'PATIENT', PatientID: '' }).result).finalStatus, 0);
    await busy.release();
    await s.close();
  }
  const s = await serve(['--store', seed]);
  const kept = await connect(s.port);
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(kept.association.isEstablished);
  await kept.release();
  await s.close();
});

/**
 * `qr-harness conform` against real archives, as a vendor runs it: DCMTK dcmqrscp and Orthanc
 * loaded with --load (C-STORE, then the census), our own `serve` and DCMTK wlmscpfs given what
 * they hold with --store; each outcome compared with its expected-verdicts file
 * (features/expected/*.yaml), so a new fail, a fail gone or a changed finding fails the test.
 * And what a vendor gets when things go wrong: an unreachable archive, a rejected association,
 * an archive that refuses C-STORE, a census that does not match, an archive that aborts, a
 * broken store file, an interrupted run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync as runSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, peerSkip, startDcmqrscp, startOrthanc, startWlmscpfs } from '../testing/peers.ts';
import type { RunningPeer } from '../testing/peers.ts';
import { tempDir } from '../testing/temp-dir.ts';
import type { VerdictsDoc } from '../conformance/verdicts-doc.ts';

const root = path.join(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/qr-harness.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  doc: VerdictsDoc | undefined;
  ms: number;
}

function conform(args: string[], o: { interruptAfter?: RegExp } = {}): Promise<Run> {
  const report = tempDir('conform');
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'conform', '--report', report, ...args], { env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (c: Buffer) => {
    stdout += c;
    if (o.interruptAfter && !sent && o.interruptAfter.test(stdout)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      let doc: VerdictsDoc | undefined;
      try {
        // An interrupted run leaves its verdicts in interrupted/ (the reports of the last complete run stay in place).
        const partial = path.join(report, 'interrupted/verdicts.json');
        doc = JSON.parse(readFileSync(existsSync(partial) ? partial : path.join(report, 'verdicts.json'), 'utf8')) as VerdictsDoc;
      } catch {
        doc = undefined;
      }
      resolve({ code, stdout, stderr, doc, ms: performance.now() - t0 });
    }),
  );
}

/** `qr-harness serve` as a process of its own, as a vendor would run an archive. */
async function serve(args: string[]): Promise<{ port: number; child: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '-q', '--port', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return { port, child, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')))) };
}

const expected = (name: string) => path.join(root, 'features/expected', name);

describe('qr-harness conform against real archives, compared with their expected verdicts', { skip: peerSkip('dcmqrscp', 'Orthanc', 'wlmscpfs') }, () => {
  const peers: RunningPeer[] = [];
  const stops: (() => Promise<void>)[] = [];
  let exported: string;

  before(() => {
    // Made here, removed in after(): it outlives the tests that use it.
    exported = mkdtempSync(path.join(os.tmpdir(), 'qrh-export-'));
    const r = spawnSync(['store', 'export', '--out', exported, '--worklist-ae', 'WLMSCP']);
    assert.equal(r.status, 0, r.stderr);
  });
  after(async () => {
    for (const s of stops) await s();
    for (const p of peers) await p.stop();
    rmSync(exported, { recursive: true, force: true });
  });

  test('DCMTK dcmqrscp 3.6.7: --load, census, every check as features/expected/dcmqrscp-3.6.7.yaml says, in under 60 s', async (t) => {
    const p = await startDcmqrscp();
    peers.push(p);
    const r = await conform(['--target-scp', `127.0.0.1:${p.port}`, '--called-ae', p.aeTitle, '--load', '--expect', expected('dcmqrscp-3.6.7.yaml')]);
    t.diagnostic(`dcmqrscp: ${JSON.stringify(r.doc?.summary)} in ${Math.round(r.ms)} ms`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /The verdicts agree with/);
    assert.ok(r.ms < 60_000, `${r.ms} ms`);
    const doc = r.doc!;
    assert.equal(doc.target?.implementationVersionName, 'OFFIS_DCMTK_367');
    assert.equal(doc.checks.find((c) => c.id === 'data.census')?.verdict, 'pass');
    // The known deviations, each a fail with its rule.
    const rules = (id: string) => doc.checks.find((c) => c.id === id)?.observations.map((o) => o.rule) ?? [];
    assert.ok(rules('QR-14').includes('PS3.4 C.2.2.1.2'));
    assert.ok(rules('OPT-02').includes('PS3.4 C.2.2.1.3, Table C.4-1'));
    assert.ok(rules('CS-01').includes('PS3.4 C.2.2.2.4'));
    assert.ok(rules('invalid.unknown-level').includes('PS3.4 C.4.1.1.3.2'));
  });

  test('Orthanc 1.10.1: --load, census, every check as features/expected/orthanc-1.10.1.yaml says, in under 60 s', async (t) => {
    const p = await startOrthanc();
    peers.push(p);
    const r = await conform(['--target-scp', `127.0.0.1:${p.port}`, '--called-ae', p.aeTitle, '--load', '--expect', expected('orthanc-1.10.1.yaml')]);
    t.diagnostic(`Orthanc: ${JSON.stringify(r.doc?.summary)} in ${Math.round(r.ms)} ms`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.ok(r.ms < 60_000, `${r.ms} ms`);
    const doc = r.doc!;
    const codes = (id: string) => doc.checks.find((c) => c.id === id)?.observations.map((o) => o.code) ?? [];
    assert.ok(codes('cancel.during-stream').includes('identifier-on-final'));
    assert.ok(codes('TM-01').includes('range-by-meaning'));
    assert.ok(codes('QR-36').includes('ff00-optional-key-ignored'));
    assert.equal(doc.checks.find((c) => c.id === 'PN-01')?.verdict, 'finding');
  });

  test('our own serve: no fail, as features/expected/qr-harness-serve.yaml says', async () => {
    const s = await serve(['--store', path.join(root, 'scenarios/stores/conformance.yaml')]);
    stops.push(s.stop);
    const r = await conform(['--target-scp', `127.0.0.1:${s.port}`, '--called-ae', 'QRSCP', '--store', path.join(root, 'scenarios/stores/conformance.yaml'), '--expect', expected('qr-harness-serve.yaml')]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(r.doc!.summary.fail, 0);
  });

  test('DCMTK wlmscpfs on the exported worklist files: the worklist checks as features/expected/wlmscpfs-3.6.7.yaml says', async () => {
    const p = await startWlmscpfs(path.join(exported, 'worklist'), 'WLMSCP');
    peers.push(p);
    const r = await conform(['--target-scp', `127.0.0.1:${p.port}`, '--called-ae', 'WLMSCP', '--store', path.join(root, 'scenarios/stores/conformance.yaml'), '--models', 'mwl', '--expect', expected('wlmscpfs-3.6.7.yaml')]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(r.doc!.checks.filter((c) => c.id.startsWith('MWL-')).map((c) => c.verdict), ['pass', 'pass', 'pass', 'pass']);
  });

  test("Orthanc's Modality Worklists plugin on the exported worklist files: the worklist checks as features/expected/orthanc-1.10.1-worklists.yaml says", async () => {
    const p = await startOrthanc({ aeTitle: 'ORTHANCWL', worklistDir: path.join(exported, 'worklist', 'WLMSCP') });
    peers.push(p);
    const r = await conform(['--target-scp', `127.0.0.1:${p.port}`, '--called-ae', 'ORTHANCWL', '--store', path.join(root, 'scenarios/stores/conformance.yaml'), '--models', 'mwl', '--expect', expected('orthanc-1.10.1-worklists.yaml')]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(r.doc!.checks.filter((c) => c.id.startsWith('MWL-')).map((c) => c.verdict), ['pass', 'pass', 'pass', 'pass']);
  });

  test('nothing to judge: an unreachable archive and a rejected association end with one clear line, exit code 2, and verdicts.json', async () => {
    const port = await freePort();
    const r = await conform(['--target-scp', `127.0.0.1:${port}`, '--called-ae', 'NOBODY']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: cannot reach the archive: UL_CONNECTION_REFUSED/);
    assert.deepEqual(r.doc!.checks.map((c) => [c.id, c.verdict]), [['association.reachable', 'error']]);
    const dq = peers.find((p) => p.name === 'dcmqrscp')!;
    const rejected = await conform(['--target-scp', `127.0.0.1:${dq.port}`, '--called-ae', 'WRONG-AE']);
    assert.equal(rejected.code, 2);
    assert.match(rejected.stderr, /association rejected: rejected-permanent, DICOM UL service-user, called-AE-title-not-recognized \(result 1, source 1, reason 7\)/);
  });

  test('data that cannot be trusted is not judged: C-STORE refused, a census that does not match, a store file with errors', async () => {
    // Our serve has no Storage SCP: every C-STORE context is rejected, the census finds an empty archive.
    const s = await serve(['--store', path.join(root, 'scenarios/stores/seed.yaml')]);
    stops.push(s.stop);
    const r = await conform(['--target-scp', `127.0.0.1:${s.port}`, '--called-ae', 'QRSCP', '--load', '--tags', '@matching']);
    assert.equal(r.code, 2, r.stdout);
    const v = (id: string) => r.doc!.checks.find((c) => c.id === id)!;
    assert.equal(v('data.load').verdict, 'error');
    assert.match(v('data.load').summary, /not stored \(first: .*rejected the presentation context of its SOP class/);
    assert.equal(v('data.census').verdict, 'error');
    assert.match(v('data.census').summary, /patient PAT001 is missing/);
    assert.equal(v('QR-14').verdict, 'error');
    assert.match(v('QR-14').summary, /does not hold exactly the declared data set/);
    assert.equal(r.doc!.summary.fail, 0);

    const dir = tempDir('conform');
    writeFileSync(path.join(dir, 'broken.yaml'), 'patients:\n  - PatientID: P1\n    PatientNme: X\n');
    const broken = await conform(['--target-scp', `127.0.0.1:${s.port}`, '--called-ae', 'QRSCP', '--store', path.join(dir, 'broken.yaml')]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.yaml:3:5: "PatientNme" is not a keyword of the DICOM data dictionary/);
  });

  test('an archive that aborts every C-FIND: the census says why, nothing is judged, exit code 2', async () => {
    const dir = tempDir('conform');
    writeFileSync(path.join(dir, 'aborting.yaml'), `name: aborting archive\nstore:\n  files: [${path.join(root, 'scenarios/stores/conformance.yaml')}]\nscp:\n  aeTitle: QRSCP\n  behaviours:\n    - respond: [{ pending: 1 }, { abort: true }]\n`);
    const s = await serve(['--scenario', path.join(dir, 'aborting.yaml')]);
    stops.push(s.stop);
    const r = await conform(['--target-scp', `127.0.0.1:${s.port}`, '--called-ae', 'QRSCP', '--tags', '@matching']);
    assert.equal(r.code, 2, r.stdout);
    const census = r.doc!.checks.find((c) => c.id === 'data.census')!;
    assert.equal(census.verdict, 'error');
    assert.match(census.summary, /the census could not be taken: every study: .*aborted/);
  });

  test('an interrupted run keeps the verdicts reached before it stopped', async () => {
    const dq = peers.find((p) => p.name === 'dcmqrscp')!;
    const r = await conform(['--target-scp', `127.0.0.1:${dq.port}`, '--called-ae', dq.aeTitle], { interruptAfter: /QR-0\d/ });
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.doc!.run.interrupted, true);
    assert.ok(r.doc!.checks.some((c) => c.id.startsWith('QR-')), 'no matching verdict was kept');
    assert.match(r.stdout, /The run was interrupted/);
  });
});

function spawnSync(args: string[]): { status: number | null; stderr: string } {
  const r = runSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

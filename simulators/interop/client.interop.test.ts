/**
 * `qr-harness conform --target-scu` against real query clients, as a vendor runs it: DCMTK
 * findscu invoked three ways (a valid query, keys below the level, no level) and Orthanc's C-FIND
 * SCU driven through its REST API (our SCP declared as a modality, POST /modalities/{id}/query).
 * Each outcome is compared with its expected-verdicts file in features/expected/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findBinary, peerSkip, startOrthanc } from '../testing/peers.ts';
import type { RunningPeer } from '../testing/peers.ts';
import { tempDir } from '../testing/temp-dir.ts';
import type { VerdictsDoc } from '../conformance/verdicts-doc.ts';

const root = path.join(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/qr-harness.mjs');
const expected = (name: string) => path.join(root, 'features/expected', name);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  doc: VerdictsDoc;
}

function conform(args: string[]): Promise<Run> {
  const report = tempDir('client');
  const child = spawn(process.execPath, [bin, 'conform', '--report', report, ...args], { env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, doc: JSON.parse(readFileSync(path.join(report, 'verdicts.json'), 'utf8')) as VerdictsDoc })));
}

const verdictOf = (r: Run, id: string) => r.doc.checks.find((c) => c.id === id);

describe('qr-harness conform --target-scu against real query clients, compared with their expected verdicts', { skip: peerSkip('findscu', 'Orthanc') }, () => {
  const findscu = `${findBinary('findscu')} -S -aet {calling} -aec {aet} {host} {port}`;

  test('DCMTK findscu, a valid Study Root query: as features/expected/findscu-3.6.7.yaml says', async () => {
    const r = await conform(['--target-scu', `${findscu} -k QueryRetrieveLevel=STUDY -k PatientID -k StudyInstanceUID -k StudyDate`, '--expect', expected('findscu-3.6.7.yaml')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.doc.run.mode, 'client under test');
    assert.equal(verdictOf(r, 'client.requests')?.verdict, 'pass');
    assert.equal(verdictOf(r, 'client.association')?.verdict, 'pass');
  });

  test('DCMTK findscu with a key below the level: the request fails, as features/expected/findscu-3.6.7-below-level.yaml says', async () => {
    const r = await conform(['--target-scu', `${findscu} -k QueryRetrieveLevel=STUDY -k StudyInstanceUID -k SeriesInstanceUID`, '--expect', expected('findscu-3.6.7-below-level.yaml')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(verdictOf(r, 'client.requests')?.verdict, 'fail');
  });

  test('DCMTK findscu without a Query/Retrieve Level: the request fails, as features/expected/findscu-3.6.7-no-level.yaml says', async () => {
    const r = await conform(['--target-scu', `${findscu} -k PatientID=1234567 -k StudyInstanceUID`, '--expect', expected('findscu-3.6.7-no-level.yaml')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(verdictOf(r, 'client.requests')?.summary ?? '', /QueryRetrieveLevel \(0008,0052\) is missing/);
  });

  describe("Orthanc's C-FIND SCU, driven through its REST API", () => {
    let orthanc: (RunningPeer & { httpPort: number }) | undefined;
    before(async () => {
      orthanc = await startOrthanc({ http: true });
    });
    after(async () => {
      await orthanc?.stop();
    });

    const declare = () => `curl -s --fail-with-body -X PUT http://127.0.0.1:${orthanc!.httpPort}/modalities/sut -d '{"AET":"{aet}","Host":"{host}","Port":{port}}'`;
    const query = (body: string) => `${declare()} && curl -s --fail-with-body -X POST http://127.0.0.1:${orthanc!.httpPort}/modalities/sut/query -d '${body}'`;

    test('a STUDY query through the REST API, every client scenario: as features/expected/orthanc-1.10.1-scu.yaml says', async () => {
      // Our SCP is declared as a modality at each scenario's port, then queried.
      const r = await conform(['--target-scu', query('{"Level":"Study","Query":{"PatientID":"1234567","StudyDate":""}}'), '--client-ae', orthanc!.aeTitle, '--expect', expected('orthanc-1.10.1-scu.yaml')]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(verdictOf(r, 'client.association')?.verdict, 'pass');
    });

    test('a SERIES query: Orthanc sends the study-level keys zero-length, which C.4.1.2.1 forbids, as features/expected/orthanc-1.10.1-scu-series.yaml says', async () => {
      const r = await conform(['--tags', '@client and not @reaction', '--target-scu', query('{"Level":"Series","Query":{"PatientID":"1234567","Modality":"CT"}}'), '--client-ae', orthanc!.aeTitle, '--expect', expected('orthanc-1.10.1-scu-series.yaml')]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(verdictOf(r, 'client.requests')?.verdict, 'fail');
    });
  });
});

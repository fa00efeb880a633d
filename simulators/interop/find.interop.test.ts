/**
 * C-FIND and C-CANCEL against real peers. Our SCU against DCMTK dcmqrscp and Orthanc, seeded
 * with storescu; DCMTK findscu against our SCP. What each peer answers for SOPClassesInStudy
 * and to a cancel is printed as a diagnostic (it is implementation-defined).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventStream } from '../events/event-stream.ts';
import { DimseClient } from '../scu/dimse-client.ts';
import type { ClientEvent } from '../scu/dimse-client.ts';
import { peerSkip, runTool, startDcmqrscp, startOrthanc } from '../testing/peers.ts';
import type { RunningPeer } from '../testing/peers.ts';
import { writeFixture } from '../testing/part10.ts';
import type { Fixture } from '../testing/part10.ts';

const LONG = 300;
const TS = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'];

async function client(peer: RunningPeer, events?: EventStream<ClientEvent>): Promise<DimseClient> {
  return DimseClient.connect({
    host: peer.host,
    port: peer.port,
    calledAeTitle: peer.aeTitle,
    callingAeTitle: 'QRHARNESS',
    presentationContexts: [
      { abstractSyntax: '1.2.840.10008.5.1.4.1.2.1.1', transferSyntaxes: TS },
      { abstractSyntax: '1.2.840.10008.5.1.4.1.2.2.1', transferSyntaxes: TS },
    ],
    ...(events && { events }),
  });
}

for (const [name, binary, start] of [
  ['DCMTK dcmqrscp', 'dcmqrscp', () => startDcmqrscp()],
  ['Orthanc', 'Orthanc', () => startOrthanc()],
] as const) {
  describe(`our SCU → ${name}`, { skip: peerSkip(binary, 'storescu') }, () => {
    let peer: RunningPeer;
    let dir: string;
    let fixture: Fixture;
    before(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'qrh-fixture-'));
      fixture = writeFixture(dir, LONG);
      peer = await start();
      const stored = await runTool('storescu', ['+sd', '-aet', 'QRHARNESS', '-aec', peer.aeTitle, peer.host, String(peer.port), dir], 120_000);
      assert.equal(stored.code, 0, `storescu failed: ${stored.stderr}`);
    });
    after(async () => {
      await peer?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test("the seed's query: Patient Root, PATIENT level, PatientName CITIZEN^Jan", async () => {
      const c = await client(peer);
      const r = await c.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientName: 'CITIZEN^Jan', PatientID: '' }).collect();
      await c.release();
      assert.deepEqual(r.map((x) => x.status), [0xff00, 0x0000]);
      assert.equal(r[0]!.identifier!.text('PatientID'), '1234567');
    });

    test('STUDY, SERIES and IMAGE levels return the stored entities', async () => {
      const c = await client(peer);
      const studies = await c.find('study', { QueryRetrieveLevel: 'STUDY', PatientID: '1234567', StudyInstanceUID: '' }).collect();
      assert.deepEqual(studies.filter((x) => !x.final).map((x) => x.identifier!.text('StudyInstanceUID')).sort(), fixture.studies.filter((s) => s.PatientID === '1234567').map((s) => s.StudyInstanceUID).sort());
      const study = fixture.studies[0]!.StudyInstanceUID;
      const series = await c.find('study', { QueryRetrieveLevel: 'SERIES', StudyInstanceUID: study, SeriesInstanceUID: '', Modality: '' }).collect();
      assert.deepEqual(series.filter((x) => !x.final).map((x) => x.identifier!.text('SeriesInstanceUID')).sort(), [`${study}.1`, `${study}.2`]);
      const images = await c.find('study', { QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: study, SeriesInstanceUID: `${study}.1`, SOPInstanceUID: '' }).collect();
      assert.deepEqual(images.filter((x) => !x.final).map((x) => x.identifier!.text('SOPInstanceUID')).sort(), [`${study}.1.1`, `${study}.1.2`]);
      assert.equal(images.at(-1)!.status, 0);
      await c.release();
    });

    test("the seed's STUDY query asking for SOPClassesInStudy (what the peer answers is reported)", async (t) => {
      const c = await client(peer);
      const r = await c.find('study', { QueryRetrieveLevel: 'STUDY', PatientID: '1234567', StudyInstanceUID: '', SOPClassesInStudy: '' }).collect();
      await c.release();
      assert.equal(r.at(-1)!.status, 0);
      for (const x of r.filter((y) => !y.final)) {
        const e = x.identifier!.element('SOPClassesInStudy');
        t.diagnostic(`${name} SOPClassesInStudy for ${x.identifier!.text('StudyInstanceUID')}: ${e ? (e.bytes.length ? JSON.stringify(x.identifier!.values('SOPClassesInStudy')) : 'zero length') : 'absent'}`);
      }
    });

    test(`C-CANCEL after the first Pending of a ${LONG}-match query: a final response and a usable association (what the peer does is reported)`, async (t) => {
      const stream = new EventStream<ClientEvent>();
      const violations: string[] = [];
      stream.subscribe((e) => e.kind === 'violation' && violations.push(e.message), ['violation']);
      const c = await client(peer, stream);
      const long = fixture.studies.at(-1)!.StudyInstanceUID;
      const op = c.find('study', { QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: long, SeriesInstanceUID: `${long}.1`, SOPInstanceUID: '' });
      let pendings = 0;
      let afterCancel = 0;
      let final: number | undefined;
      for await (const r of op) {
        if (!r.final) {
          pendings++;
          if (r.afterCancel) afterCancel++;
          if (pendings === 1) op.cancel();
        } else final = r.status;
      }
      t.diagnostic(`${name} cancel: ${pendings} Pending(s), ${afterCancel} after the cancel, final ${final?.toString(16).toUpperCase()}; violations: ${violations.join(' | ') || 'none'}`);
      assert.ok(final === 0xfe00 || final === 0x0000, `final ${final}`);
      await c.release();
    });
  });
}

describe('DCMTK findscu → our SCP', { skip: peerSkip('findscu') }, () => {
  let serve: { port: number; stop: () => Promise<void> };
  before(async () => {
    const { Scp } = await import('../scp/scp.ts');
    const { recordsFindHandler } = await import('../scp/handlers/records.ts');
    const { loadRecords, syntheticRecords } = await import('../../cli/records.ts');
    const records = [...loadRecords(path.join(import.meta.dirname, '../../scenarios/records/seed.yaml')), ...syntheticRecords(3000)];
    const scp = new Scp({ aeTitle: 'QRSCP', find: { handler: recordsFindHandler(records, { retrieveAeTitle: 'QRSCP' }) } });
    const port = await scp.listen(0);
    serve = { port, stop: () => scp.close() };
  });
  after(() => serve?.stop());

  const findscu = (args: string[]) => runTool('findscu', ['-v', '-aec', 'QRSCP', ...args, '127.0.0.1', String(serve.port)]);

  test('Patient Root (-P): CITIZEN^Jan', async () => {
    const r = await findscu(['-P', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientName=CITIZEN^Jan', '-k', 'PatientID']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /CITIZEN\^Jan/);
    assert.match(r.stdout + r.stderr, /Received Final Find Response \(Success\)/);
  });

  test('Study Root (-S) at STUDY level, with -pdu 4096', async () => {
    const r = await findscu(['-S', '-pdu', '4096', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID=1234567', '-k', 'StudyInstanceUID', '-k', 'SOPClassesInStudy']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /1\.2\.826\.0\.1\.3680043\.9\.7433\.1\.1/);
    assert.match(r.stdout + r.stderr, /Success/);
  });

  test('Modality Worklist (-W)', async () => {
    const r = await findscu(['-W', '-k', 'PatientName', '-k', 'PatientID=1234567', '-k', 'ScheduledProcedureStepSequence[0].Modality', '-k', 'ScheduledProcedureStepSequence[0].ScheduledStationAETitle']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /CT01/);
    assert.match(r.stdout + r.stderr, /Received Final Find Response \(Success\)/);
  });

  test('findscu --cancel 5 on a 3,000-match stream: we answer FE00 and stop', async () => {
    const r = await findscu(['-S', '--cancel', '5', '-k', 'QueryRetrieveLevel=IMAGE', '-k', 'SOPInstanceUID']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /Sending Cancel Request/);
    assert.match(r.stdout + r.stderr, /Received Final Find Response \(Cancel/);
  });

  test('no Query/Retrieve Level: A900 with an Error Comment and the offending element', async () => {
    const r = await findscu(['-d', '-S', '-k', 'PatientName=CITIZEN^Jan']);
    const out = r.stdout + r.stderr;
    assert.match(out, /Received Final Find Response/);
    assert.match(out, /DIMSE Status +: 0xa900/, 'Status A900');
    assert.match(out, /\(0000,0901\) AT \(0008,0052\)/);
    assert.match(out, /\(0000,0902\) LO \[Query\/Retrieve Level \(0008,0052\) is missing ?\]/);
  });
});

/**
 * The judge over real sockets, against SCPs of ours made to break one rule each (or to make one
 * permitted choice): what it fails, with which rule and code, and what it only reports.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput } from '../dataset/data-set.ts';
import { answerFindExtendedNegotiation } from '../matching/negotiation.ts';
import { PROFILES } from '../matching/profile.ts';
import type { FindHandler } from '../scp/find-service.ts';
import { storeFindHandler } from '../scp/handlers/store.ts';
import { Scp } from '../scp/scp.ts';
import { loadYamlStore } from '../store/yaml-store.ts';
import { judgeFind } from './judge-find.ts';
import { runFind } from './target.ts';
import type { Target } from './target.ts';
import type { Verdict } from './verdict.ts';

const store = loadYamlStore(path.join(import.meta.dirname, '../../scenarios/stores/conformance.yaml'));
const scps: Scp[] = [];
after(async () => {
  for (const s of scps) await s.close();
});

async function archive(handler: FindHandler): Promise<Target> {
  const scp = new Scp({ aeTitle: 'QRSCP', find: { handler }, policy: { extendedNegotiation: answerFindExtendedNegotiation({}) } });
  scps.push(scp);
  return { host: '127.0.0.1', port: await scp.listen(0, '127.0.0.1'), calledAeTitle: 'QRSCP', callingAeTitle: 'TEST', timeoutMs: 3000 };
}

async function judge(target: Target, keys: DataSetInput, model: 'study' | 'patient' = 'study'): Promise<Verdict> {
  const identifier = DataSet.from(keys);
  const run = await runFind(target, { model, identifier });
  return judgeFind({ id: 'T', title: 't', rules: [], checklist: [], model, identifier }, store, run);
}

const codes = (v: Verdict) => v.observations.map((o) => o.code).sort();

test('our strict archive passes a baseline query; the same answer without its zero-length study fails C.2.2.1.2 and names it', async () => {
  const strict = await archive(storeFindHandler(store, { retrieveAeTitle: 'QRSCP' }));
  const ok = await judge(strict, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', StudyDate: '20240105' });
  assert.equal(ok.verdict, 'pass', ok.summary);
  // An archive that never matches an unknown (zero-length) Study Date.
  const partial = await archive(function* () {
    for (const uid of ['2.25.1001', '2.25.1008']) yield [0xff00, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: uid, StudyDate: '20240105', RetrieveAETitle: 'QRSCP' }];
  });
  const v = await judge(partial, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', StudyDate: '20240105' });
  assert.equal(v.verdict, 'fail');
  assert.deepEqual(codes(v), ['zero-length-required-key']);
  assert.match(v.summary, /study 2\.25\.1005 \(PAT004\) has a zero-length StudyDate, a Required Key/);
  assert.ok(v.rules.includes('PS3.4 C.2.2.1.2'));
  assert.deepEqual((v.evidence.difference as string[]), ['missing study 2.25.1005 (PAT004)']);
});

test('an Optional Key ignored with FF00 fails (Table C.4-1); the same with FF01 is a finding', async () => {
  const ff00 = await archive(storeFindHandler(store, { retrieveAeTitle: 'QRSCP', profile: PROFILES.dcmqrscp! }));
  const v = await judge(ff00, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', ModalitiesInStudy: 'CT' });
  assert.equal(v.verdict, 'fail');
  assert.ok(codes(v).includes('ff00-optional-key-ignored'), codes(v).join());
  assert.ok(codes(v).includes('ff00-optional-key-absent'), codes(v).join());
  const ff01 = await archive(storeFindHandler(store, { retrieveAeTitle: 'QRSCP', profile: { ...PROFILES.dcmqrscp!, unsupportedKeyStatus: 0xff01 } }));
  const w = await judge(ff01, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', ModalitiesInStudy: 'CT' });
  assert.equal(w.verdict, 'finding', w.summary);
  assert.deepEqual(codes(w), ['optional-key-not-matched:ModalitiesInStudy']);
});

test('what a Pending must and must not hold: the level, the higher unique keys, a retrieve location, only what was asked, the character set for non-ASCII text', async () => {
  const broken = await archive(function* (rq) {
    const level = rq.identifier.text('QueryRetrieveLevel');
    if (level === 'SERIES') {
      // No Study Instance UID (the unique key above), no Retrieve AE Title, an attribute nobody asked for.
      yield [0xff00, { QueryRetrieveLevel: 'SERIES', SeriesInstanceUID: '2.25.2001', Modality: 'CT', SeriesDescription: 'not asked' }];
      yield [0xff00, { QueryRetrieveLevel: 'SERIES', SeriesInstanceUID: '2.25.2002', Modality: 'PT', SeriesDescription: 'not asked' }];
      return;
    }
    // PAT003's name in UTF-8 bytes without Specific Character Set, and a level other than the request's.
    yield [0xff00, encodeRaw()];
  });
  const v = await judge(broken, { QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '2.25.1001', SeriesInstanceUID: '', Modality: '' });
  assert.equal(v.verdict, 'fail');
  assert.deepEqual([...new Set(codes(v))], ['attribute-not-requested', 'retrieve-location-missing', 'upper-unique-key-missing']);
  assert.match(v.summary, /\(and 1 more Pending alike\)/);
  const w = await judge(broken, { QueryRetrieveLevel: 'PATIENT', PatientID: 'PAT003', PatientName: '' }, 'patient');
  assert.equal(w.verdict, 'fail');
  assert.deepEqual([...new Set(codes(w))].sort(), ['charset-missing', 'level-changed', 'value-changed']);
});

test('a C-FIND left without a final response fails, naming why', async () => {
  const silent = await archive(async function* () {
    yield [0xff00, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '2.25.1001', RetrieveAETitle: 'QRSCP' }];
    await new Promise((r) => setTimeout(r, 5000));
  });
  const v = await judge(silent, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' });
  assert.equal(v.verdict, 'fail');
  assert.deepEqual(codes(v), ['no-final-response']);
  assert.match(v.summary, /no final response after 1 Pending\(s\): .*within 3000 ms/);
});

/** An identifier in Explicit VR Little Endian whose PN holds UTF-8 bytes, with no (0008,0005), at the wrong level. */
function encodeRaw(): Buffer {
  const el = (g: number, e: number, vr: string, value: Buffer) => {
    const v = value.length % 2 ? Buffer.concat([value, Buffer.from(vr === 'UI' ? [0] : [0x20])]) : value;
    const h = Buffer.alloc(8);
    h.writeUInt16LE(g, 0);
    h.writeUInt16LE(e, 2);
    h.write(vr, 4, 'latin1');
    h.writeUInt16LE(v.length, 6);
    return Buffer.concat([h, v]);
  };
  return Buffer.concat([
    el(0x0008, 0x0052, 'CS', Buffer.from('STUDY')),
    el(0x0008, 0x0054, 'AE', Buffer.from('QRSCP')),
    el(0x0010, 0x0010, 'PN', Buffer.from('Müller^Jürgen', 'utf8')),
    el(0x0010, 0x0020, 'LO', Buffer.from('PAT003')),
  ]);
}

test('what the standard permits is reported, not failed: a value not sent, an undefined multi-value query answered literally, an empty sequence as one empty item, FF01 on only some Pendings', async () => {
  // CS-03 with the birth date returned zero length: "no value to send" (C.4.1.1.3.2 note 2).
  const noBirthDate = await archive(function* () {
    yield [0xff00, { SpecificCharacterSet: 'ISO_IR 100', QueryRetrieveLevel: 'PATIENT', PatientID: 'PAT007', PatientName: 'Ramírez^Ana', PatientBirthDate: '', RetrieveAETitle: 'QRSCP' }];
  });
  const v = await judge(noBirthDate, { QueryRetrieveLevel: 'PATIENT', PatientID: 'PAT007', PatientName: '', PatientBirthDate: '' }, 'patient');
  assert.equal(v.verdict, 'finding', v.summary);
  assert.deepEqual(codes(v), ['value-not-sent']);

  // CT\MR without Multiple Value Matching read as one literal value: no match. Undefined (C.2.2.2.8), so reported.
  const literal = await archive(function* () {});
  const w = await judge(literal, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', ModalitiesInStudy: 'CT\\MR' });
  assert.equal(w.verdict, 'finding', w.summary);
  assert.ok(codes(w).every((c) => c.startsWith('undefined-query:') || c.startsWith('multi-value')), codes(w).join());

  // The empty Procedure Code Sequence of study 2.25.1005 returned as one item of empty values; FF01 on the first Pending only.
  const sequences = await archive(function* () {
    yield [0xff01, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '2.25.1005', ProcedureCodeSequence: [{ CodeValue: '', CodingSchemeDesignator: '' }], RetrieveAETitle: 'QRSCP' }];
    yield [0xff00, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '2.25.1006', RetrieveAETitle: 'QRSCP' }];
  });
  const x = await judge(sequences, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '2.25.1005\\2.25.1006', ProcedureCodeSequence: [] });
  assert.equal(x.verdict, 'finding', x.summary);
  assert.deepEqual(codes(x), ['ff01-optional-key-existence', 'pending-status-mixed']);
});

test('a worklist response without the Scheduled Procedure Step ID is recognised by its values; one that fits no item is not judged', async () => {
  const mwl = await archive(function* () {
    yield [0xff00, { SpecificCharacterSet: 'ISO_IR 192', PatientName: 'Müller^Jürgen', ScheduledProcedureStepSequence: [{ ScheduledStationAETitle: 'MR01', Modality: 'MR', ScheduledProcedureStepStartDate: '20240105' }] }];
  });
  const identifier = DataSet.from({ SpecificCharacterSet: 'ISO_IR 192', PatientName: 'Müller^Jürgen', ScheduledProcedureStepSequence: [{}] });
  const run = await runFind(mwl, { model: 'mwl', identifier });
  const v = judgeFind({ id: 'T', title: 't', rules: [], checklist: [], model: 'mwl', identifier }, store, run);
  assert.equal(v.verdict, 'pass', v.summary);
  const stranger = await archive(function* () {
    yield [0xff00, { PatientName: 'Nobody^Here', ScheduledProcedureStepSequence: [{ Modality: 'XA' }] }];
  });
  const r2 = await runFind(stranger, { model: 'mwl', identifier: DataSet.from({ PatientName: '', ScheduledProcedureStepSequence: [{}] }) });
  const w = judgeFind({ id: 'T', title: 't', rules: [], checklist: [], model: 'mwl', identifier: DataSet.from({ PatientName: '', ScheduledProcedureStepSequence: [{}] }) }, store, r2);
  assert.equal(w.verdict, 'error');
  assert.deepEqual(codes(w), ['worklist-item-unidentified']);
});

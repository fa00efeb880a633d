import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFixture } from '../testing/part10.ts';
import { loadDicomFolder } from './dicom-folder.ts';
import { Store } from './store.ts';
import { loadYamlStore } from './yaml-store.ts';
import { exportStore } from './export.ts';
import { DataSet } from '../dataset/data-set.ts';
import { encodeDataSet } from '../dataset/encode.ts';
import { IMPLICIT_LITTLE } from '../dataset/transfer-syntax.ts';

test('a folder of Part 10 files loads recursively into patients, studies, series and instances; unreadable files are skipped with the reason', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qrh-folder-'));
  try {
    const fixture = writeFixture(path.join(dir, 'a', 'b'));
    writeFileSync(path.join(dir, 'notes.txt'), 'not DICOM');
    mkdirSync(path.join(dir, 'empty'));
    const store = new Store();
    const report = loadDicomFolder(dir, store);
    assert.equal(report.files, fixture.files.length + 1);
    assert.equal(report.loaded, fixture.files.length);
    assert.equal(report.skipped.length, 1);
    assert.match(report.skipped[0]!.reason, /not a readable DICOM Part 10 file/);
    assert.deepEqual(store.counts, { patients: 2, studies: 3, series: 4, instances: 5, worklist: 0 });
    const study = store.byUniqueKey('STUDY', fixture.studies[0]!.StudyInstanceUID)!;
    assert.equal(study.values.StudyDate, '20240105');
    assert.equal(study.parent!.values.PatientName, 'CITIZEN^Jan');
    assert.deepEqual(store.value(study, 'ModalitiesInStudy'), ['CT']);
    assert.equal(store.value(study, 'NumberOfStudyRelatedInstances'), '3');
    // A YAML store and a folder combine into one store.
    loadYamlStore('extra.yaml', store, 'patients:\n  - PatientID: EXTRA\n    PatientName: EXTRA^One\n');
    assert.equal(store.counts.patients, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('worklist files (.wl, Part 10 or a bare data set, as wlmscpfs reads them) load as worklist items; the lockfile beside them is not a file of the store', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qrh-folder-'));
  try {
    const source = loadYamlStore('wl.yaml', new Store(), 'worklist:\n  - PatientName: Doe^John\n    PatientID: P1\n    ScheduledProcedureStepSequence: [{ ScheduledStationAETitle: CT01, Modality: CT, ScheduledProcedureStepID: SPS1 }]\n  - SpecificCharacterSet: ISO_IR 192\n    PatientName: Müller^Jürgen\n    PatientID: P2\n    ScheduledProcedureStepSequence: [{ ScheduledStationAETitle: MR01, Modality: MR, ScheduledProcedureStepID: SPS2 }]\n');
    const report = exportStore(source, dir, { implementationClassUid: '2.25.1' }, { worklistAeTitle: 'WLMSCP' });
    assert.equal(report.worklist, 2);
    // A bare data set in Implicit VR Little Endian, without preamble or File Meta Information.
    const bare = DataSet.from({ PatientName: 'Bare^Data', PatientID: 'P3', ScheduledProcedureStepSequence: [{ ScheduledProcedureStepID: 'SPS3', Modality: 'US' }] });
    writeFileSync(path.join(report.worklistDir, 'bare.wl'), encodeDataSet(bare, IMPLICIT_LITTLE));
    const store = new Store();
    const loaded = loadDicomFolder(path.join(dir, 'worklist'), store);
    assert.deepEqual([loaded.files, loaded.loaded, loaded.worklist, loaded.skipped.length], [3, 0, 3, 0]);
    const byId = new Map(store.worklist.map((w) => [(w.values.ScheduledProcedureStepSequence as { ScheduledProcedureStepID: string }[])[0]!.ScheduledProcedureStepID, w]));
    assert.equal(byId.get('SPS2')!.values.PatientName, 'Müller^Jürgen');
    assert.equal(byId.get('SPS2')!.charset, 'ISO_IR 192');
    assert.equal(byId.get('SPS3')!.values.PatientName, 'Bare^Data');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

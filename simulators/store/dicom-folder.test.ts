import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFixture } from '../testing/part10.ts';
import { loadDicomFolder } from './dicom-folder.ts';
import { Store } from './store.ts';
import { loadYamlStore } from './yaml-store.ts';

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

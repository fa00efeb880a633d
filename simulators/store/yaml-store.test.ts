import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadYamlStore } from './yaml-store.ts';
import { StoreError } from './store.ts';

const good = `
patients:
  - PatientID: "1234567"
    PatientName: CITIZEN^Jan
    SpecificCharacterSet: ISO_IR 192
    studies:
      - StudyInstanceUID: 1.2.3.1
        StudyDate: "20240105"
        ProcedureCodeSequence:
          - { CodeValue: CTCH, CodingSchemeDesignator: 99TEST }
        series:
          - SeriesInstanceUID: 1.2.3.1.1
            Modality: CT
            instances:
              - { SOPInstanceUID: 1.2.3.1.1.1, SOPClassUID: 1.2.840.10008.5.1.4.1.1.2, InstanceNumber: "1" }
              - { SOPInstanceUID: 1.2.3.1.1.2, SOPClassUID: 1.2.840.10008.5.1.4.1.1.2, InstanceNumber: "2" }
          - SeriesInstanceUID: 1.2.3.1.2
            Modality: PT
            instances:
              - { SOPInstanceUID: 1.2.3.1.2.1, SOPClassUID: 1.2.840.10008.5.1.4.1.1.128, InstanceNumber: "1" }
worklist:
  - PatientName: CITIZEN^Jan
    PatientID: "1234567"
    ScheduledProcedureStepSequence:
      - { Modality: CT, ScheduledStationAETitle: CT01, ScheduledProcedureStepStartDate: "20240601" }
`;

test('a YAML store loads with its tree, character set, sequences and derived attributes', () => {
  const store = loadYamlStore('good.yaml', undefined, good);
  assert.deepEqual(store.counts, { patients: 1, studies: 1, series: 2, instances: 3, worklist: 1 });
  const study = store.byUniqueKey('STUDY', '1.2.3.1')!;
  assert.equal(study.charset, 'ISO_IR 192');
  assert.deepEqual(store.value(study, 'ModalitiesInStudy'), ['CT', 'PT']);
  assert.deepEqual(store.value(study, 'SOPClassesInStudy'), ['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.128']);
  assert.equal(store.value(study, 'NumberOfStudyRelatedInstances'), '3');
  assert.equal(store.value(study, 'NumberOfStudyRelatedSeries'), '2');
  assert.equal(store.value(store.patients[0]!, 'NumberOfPatientRelatedInstances'), '3');
  assert.equal(store.value(store.byUniqueKey('SERIES', '1.2.3.1.1')!, 'NumberOfSeriesRelatedInstances'), '2');
  assert.deepEqual(store.value(study, 'ProcedureCodeSequence'), [{ CodeValue: 'CTCH', CodingSchemeDesignator: '99TEST' }]);
});

function problems(text: string): string[] {
  try {
    loadYamlStore('bad.yaml', undefined, text);
  } catch (e) {
    assert.ok(e instanceof StoreError);
    return e.problems.map((p) => `${p.where}: ${p.message}`);
  }
  throw new Error('the store loaded');
}

test('every error names file, line and column, and all of them are reported at once', () => {
  const p = problems(`patients:
  - PatientID: P1
    PatientNmae: X
    PatientBirthDate: "19701301"
    studies:
      - StudyInstanceUID: 1.2.3
        Modality: CT
        series:
          - SeriesInstanceUID: 1.2.3.4
            instances:
              - { SOPInstanceUID: 1.02.3 }
      - StudyInstanceUID: 1.2.3
  - PatientID: P1
`);
  assert.deepEqual(p, [
    'bad.yaml:3:5: "PatientNmae" is not a keyword of the DICOM data dictionary (nor "studies")',
    'bad.yaml:4:23: PatientBirthDate (DA): "19701301" is not a date (YYYYMMDD)',
    'bad.yaml:7:9: Modality is a series-level attribute; it is placed on a study',
    'bad.yaml:11:35: SOPInstanceUID (UI): "1.02.3" is not a UID (digits and dots, no leading zeros)',
    'bad.yaml:11:17: an instance needs a non-empty SOPInstanceUID (its unique key, PS3.4 C.2.2.1.1)',
    'bad.yaml:12:9: StudyInstanceUID 1.2.3 is already used at bad.yaml:6:9',
    'bad.yaml:13:5: PatientID P1 is already used at bad.yaml:2:5',
  ]);
});

test('structure errors: misplaced child lists, wrong shapes, YAML syntax, a worklist item without one SPS item', () => {
  assert.match(problems('patients:\n  - PatientID: P1\n    instances: []\n')[0]!, /bad.yaml:3:5: "instances" belongs under a series, not a patient/);
  assert.match(problems('patients: {}\n')[0]!, /bad.yaml:1:11: "patients" is a list/);
  assert.match(problems('patients:\n  - PatientID: [P1\n')[0]!, /^bad.yaml:\d+:\d+: /);
  assert.match(problems('studies: []\n')[0]!, /unknown key "studies"/);
  assert.match(problems('worklist:\n  - PatientID: P1\n')[0]!, /exactly one Scheduled Procedure Step item/);
  assert.match(problems('patients:\n  - PatientID: P1\n    PatientName: [A, B]\n')[0]!, /PatientName takes one value \(VM 1\)/);
  assert.match(problems('patients:\n  - PatientID: P1\n    QueryRetrieveLevel: PATIENT\n')[0]!, /belongs to queries and responses/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identifierFromKeys } from './keys.ts';

test('findscu-style keys build the identifier, including sequences and universal keys', () => {
  const ds = identifierFromKeys([
    'QueryRetrieveLevel=STUDY',
    'PatientName=CITIZEN^Jan',
    'StudyDate',
    'ModalitiesInStudy=CT\\PT',
    'ScheduledProcedureStepSequence[0].Modality=CT',
    'ScheduledProcedureStepSequence[0].ScheduledStationAETitle',
    'ReferencedStudySequence',
    '(0010,0020)=ID1',
  ]);
  assert.deepEqual(ds.toObject(), {
    StudyDate: '',
    QueryRetrieveLevel: 'STUDY',
    ModalitiesInStudy: ['CT', 'PT'],
    ReferencedStudySequence: [{}],
    PatientName: 'CITIZEN^Jan',
    PatientID: 'ID1',
    ScheduledProcedureStepSequence: [{ Modality: 'CT', ScheduledStationAETitle: '' }],
  });
});

test('bad keys are usage errors that say why', () => {
  assert.throws(() => identifierFromKeys(['PatientNmae=x']), /not a keyword/);
  assert.throws(() => identifierFromKeys(['PatientName[0].PatientID=1']), /not a sequence/);
  assert.throws(() => identifierFromKeys(['ScheduledProcedureStepSequence=x']), /is a sequence/);
});

/** The wrong-answer check of a load run accepts every answer the standard permits, and only those. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadStorePaths } from '../store/load-paths.ts';
import { answerDifference, expectedAnswer } from './expected.ts';

const store = loadStorePaths([path.join(import.meta.dirname, '../../scenarios/stores/conformance.yaml')]).store;
const PATIENT_ROOT = '1.2.840.10008.5.1.4.1.2.1.1';

test("Doe^John: the strict answer, and the case-insensitive one (PS3.4 C.2.2.2.1.1), are right; leaving out the patient whose name is unknown (C.2.2.1.2) or a duplicate is wrong", () => {
  const expected = expectedAnswer(store, { model: 'patient', level: 'PATIENT', identifier: { PatientName: 'Doe^John', PatientID: '' } }, PATIENT_ROOT, undefined)!;
  assert.equal(expected.uniqueKey, 'PatientID');
  assert.deepEqual([...expected.permitted[0]!.values].sort(), ['PAT001', 'PAT004']);
  assert.ok(expected.permitted[0]!.strict);
  assert.ok(expected.permitted.some((p) => p.values.has('PAT002') && p.choices.some((c) => /without regard to case/.test(c))));
  assert.equal(answerDifference(expected, ['PAT004', 'PAT001']), undefined);
  assert.equal(answerDifference(expected, ['PAT001', 'PAT002', 'PAT004']), undefined);
  // Measured against the nearest permitted answer: the case-insensitive one, which lacks only PAT004.
  assert.equal(answerDifference(expected, ['PAT001', 'PAT002']), "2 returned, 3 expected (PS3.4 Annex C, the nearest permitted reading: Patient's Name matched without regard to case): missing PatientID PAT004");
  assert.match(answerDifference(expected, ['PAT001', 'PAT004', 'PAT004'])!, /1 duplicate/);
});

test('a query whose answer no open choice changes has one permitted answer', () => {
  const expected = expectedAnswer(store, { model: 'study', level: 'SERIES', identifier: { StudyInstanceUID: '2.25.1001', SeriesInstanceUID: '' } }, '1.2.840.10008.5.1.4.1.2.2.1', undefined)!;
  assert.equal(expected.permitted.length, 1);
  assert.match(answerDifference(expected, [])!, /^0 returned, \d+ expected \(PS3\.4 Annex C\): missing SeriesInstanceUID 2\.25\.2001/);
  assert.match(answerDifference(expected, [...expected.permitted[0]!.values, '9.9.9'])!, /unexpected SeriesInstanceUID 9\.9\.9$/);
});

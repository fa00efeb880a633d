import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataSet } from '../dataset/data-set.ts';
import { EXPLICIT_LITTLE, IMPLICIT_LITTLE } from '../dataset/transfer-syntax.ts';
import type { Entity } from '../store/entities.ts';
import { loadYamlStore } from '../store/yaml-store.ts';
import { execute, matchContext } from './engine.ts';
import { STRICT } from './profile.ts';
import { NONE_NEGOTIATED, parseQuery } from './query.ts';
import type { Query } from './query.ts';
import { ResponseBuilder } from './response.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
const store = loadYamlStore(path.join(root, 'scenarios/stores/seed.yaml'));

function firstStudy(): string {
  const q = parseQuery(DataSet.from({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' }), 'study', store, NONE_NEGOTIATED, STRICT) as Query;
  const [study] = execute(store, q, STRICT);
  return study!.values.StudyInstanceUID as string;
}

/** The builder's general path (buffers per value), against which the text path is checked. */
type WithGeneral = { general(entity: Entity): Buffer };

test('the text fast path writes exactly what the general path writes, entity by entity, or leaves it the non-ASCII ones', () => {
  let fast = 0;
  let general = 0;
  for (const ts of [EXPLICIT_LITTLE, IMPLICIT_LITTLE]) {
    for (const [model, keys] of [
      ['patient', { QueryRetrieveLevel: 'PATIENT', PatientName: '', PatientID: '', PatientBirthDate: '', OtherPatientIDs: '', NumberOfPatientRelatedStudies: '' }],
      ['study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', StudyDate: '', StudyTime: '', AccessionNumber: '', PatientName: '', ModalitiesInStudy: '', StudyDescription: '' }],
      ['study', { QueryRetrieveLevel: 'SERIES', StudyInstanceUID: firstStudy(), SeriesInstanceUID: '', Modality: '', SeriesNumber: '', SeriesDescription: '' }],
    ] as const) {
      const parsed = parseQuery(DataSet.from(keys), model, store, NONE_NEGOTIATED, STRICT);
      assert.ok(!('status' in parsed), JSON.stringify(parsed));
      const query = parsed as Query;
      const builder = new ResponseBuilder(store, query, matchContext(query, STRICT), ts, undefined, 'QRSCP');
      for (const entity of execute(store, query, STRICT)) {
        const bytes = builder.identifier(entity);
        assert.deepEqual(bytes, (builder as unknown as WithGeneral).general(entity), `${keys.QueryRetrieveLevel} ${entity.values.PatientID ?? ''}`);
        // An identifier with a Specific Character Set took the general path.
        if (bytes.includes(Buffer.from('ISO_IR'))) general++;
        else fast++;
      }
    }
  }
  assert.ok(fast > 10, `text path used ${fast} times`);
  assert.ok(general > 0, 'the seed store holds non-ASCII names that take the general path');
});

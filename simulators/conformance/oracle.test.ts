/**
 * The oracle against the shared matching vectors, which were written independently from the
 * standard's text: for a strict vector every permitted reading (optional keys supported) is
 * exactly `expected`; for an implementation-defined one every reading stays within must/may or
 * is a refusal the vector accepts; and the strict reading of each is one of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput } from '../dataset/data-set.ts';
import type { FindModel } from '../dimse/find.ts';
import { NONE_NEGOTIATED } from '../matching/query.ts';
import type { Negotiated } from '../matching/query.ts';
import { nestedStoreYaml } from '../matching/vectors/vector-store.ts';
import type { VectorDoc, VectorQuery } from '../matching/vectors/vector-store.ts';
import { Store } from '../store/store.ts';
import { loadYamlStore } from '../store/yaml-store.ts';
import { readings } from './oracle.ts';

const doc = parse(readFileSync(path.join(import.meta.dirname, '../matching/vectors/matching-vectors.yaml'), 'utf8')) as VectorDoc;
const store = loadYamlStore('vectors.yaml', new Store(), nestedStoreYaml(doc));
const MODEL: Record<string, FindModel> = { PatientRoot: 'patient', StudyRoot: 'study', MWL: 'mwl' };

function negotiatedOf(q: VectorQuery): Negotiated {
  const e = q.ext_neg ?? {};
  return { ...NONE_NEGOTIATED, relational: !!e.relational, dateTime: !!e.datetime, fuzzy: !!e.fuzzy, timezone: !!e.timezone, emptyValue: !!e.empty_value, multipleValue: !!e.multi_value };
}

/** The vector's outcome when the SCP declined its extended negotiation. */
function declined(q: VectorQuery): VectorQuery {
  if (!q.if_declined) return q;
  if (q.if_declined.same_as) return doc.queries.find((x) => x.id === q.if_declined!.same_as)!;
  return { ...q, ...q.if_declined } as VectorQuery;
}

function check(q: VectorQuery, spec: VectorQuery, negotiated: Negotiated): void {
  const identifier = DataSet.from((q.model === 'MWL' ? q.identifier : { QueryRetrieveLevel: q.level, ...q.identifier }) as DataSetInput);
  const all = readings(store, MODEL[q.model]!, identifier, negotiated).filter((r) => r.unsupported.length === 0);
  const strict = all.find((r) => r.strict);
  assert.ok(strict, `${q.id}: no strict reading`);
  for (const r of all) {
    const why = `${q.id} (${r.choices.map((c) => c.id).join(', ') || 'strict'}): ${r.outcome} [${r.keys.join(', ')}]`;
    if (spec.conformance === 'strict') {
      assert.equal(r.outcome, 'matches', why);
      assert.deepEqual(r.keys, [...spec.expected!].sort(), why);
    } else if (r.outcome === 'refused') {
      assert.ok((spec.acceptable_final_status ?? []).some((s) => s === 'A900' || s === 'Cxxx'), `${why}: the vector accepts no refusal`);
    } else {
      for (const k of spec.must_include ?? []) assert.ok(r.keys.includes(k), `${why}: ${k} must be returned`);
      for (const k of r.keys) assert.ok((spec.must_include ?? []).includes(k) || (spec.may_include ?? []).includes(k), `${why}: ${k} is outside must + may`);
    }
  }
}

for (const q of doc.queries) {
  test(`${q.id}: every permitted reading is one the vector allows — ${q.rule.slice(0, 80)}`, () => {
    check(q, q, negotiatedOf(q));
    if (q.ext_neg) check(q, declined(q), NONE_NEGOTIATED);
  });
}

test('the open choices show up only where they matter: QR-04 has a case-insensitive reading, QR-12 has one reading', () => {
  const qr04 = doc.queries.find((q) => q.id === 'QR-04')!;
  const r04 = readings(store, 'patient', DataSet.from({ QueryRetrieveLevel: 'PATIENT', ...qr04.identifier } as DataSetInput), NONE_NEGOTIATED);
  assert.deepEqual(r04.map((r) => [r.choices.map((c) => c.id).join('+'), r.keys.join(',')]), [
    ['pn-case-sensitive', 'PAT001,PAT004'],
    ['pn-case-insensitive', 'PAT001,PAT002,PAT004'],
  ]);
  const r12 = readings(store, 'study', DataSet.from({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' }), NONE_NEGOTIATED);
  assert.equal(r12.length, 1);
  assert.equal(r12[0]!.strict, true);
  const r38 = readings(store, 'study', DataSet.from({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', StudyDescription: 'CT*' }), NONE_NEGOTIATED);
  assert.deepEqual(r38.map((r) => [r.unsupported.join(','), r.keys.length]), [['', 4], ['StudyDescription', 9]]);
});

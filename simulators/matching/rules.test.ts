/** Matching rules of PS3.4 C.2.2.2, with edge cases beyond the shared vectors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataSet } from '../dataset/data-set.ts';
import { Store } from '../store/store.ts';
import { matchCombined, matchKey } from './match-entity.ts';
import type { MatchContext } from './match-entity.ts';
import { PROFILES, STRICT } from './profile.ts';
import { NONE_NEGOTIATED, parseQuery } from './query.ts';
import type { Key, Query } from './query.ts';
import { dateTimeMillis, inRange, isRange, samePersonName, timeSeconds, wildcardRegExp } from './rules.ts';

const ctx = (over: Partial<MatchContext> = {}): MatchContext => ({ profile: STRICT, worklist: false, combineDateTime: false, foreignCharset: false, ...over });

function key(identifier: Record<string, unknown>, keyword: string, negotiated = NONE_NEGOTIATED, profile = STRICT): Key {
  const q = parseQuery(DataSet.from({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', ...identifier } as never), 'study', new Store(), negotiated, profile) as Query;
  assert.ok(!('status' in q), JSON.stringify(q));
  return q.keys.find((k) => k.keyword === keyword)!;
}

test('wild cards are per character, not per byte, and escape everything else (C.2.2.2.4)', () => {
  assert.equal(wildcardRegExp('M?ller', false).test('Müller'), true);
  assert.equal(wildcardRegExp('??', false).test('山田'), true);
  assert.equal(wildcardRegExp('a.b*', false).test('axb'), false);
  assert.equal(wildcardRegExp('(x)*', false).test('(x)yz'), true);
  assert.equal(wildcardRegExp('ct*', false).test('CT CHEST'), false);
  assert.equal(wildcardRegExp('ct*', true).test('CT CHEST'), true);
  // Every printable ASCII character is literal except * and ? (a hyphen, a slash, brackets in IDs).
  const literal = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c !== '*' && c !== '?').join('');
  assert.equal(wildcardRegExp(`${literal}*`, false).test(`${literal}tail`), true);
  assert.equal(wildcardRegExp('AB-1?', false).test('AB-12'), true);
  assert.equal(wildcardRegExp('AB-1?', false).test('AB112'), false);
});

test('a lone * is universal; ** or *=* are ordinary wild cards (C.2.2.2.4 notes 1 and 3)', () => {
  assert.equal(key({ StudyDescription: '*' }, 'StudyDescription').kind, 'universal');
  assert.equal(key({ StudyDescription: '**' }, 'StudyDescription').kind, 'wild');
  assert.equal(key({ PatientName: '*=*' }, 'PatientName').kind, 'wild');
});

test('* and ? are not wild cards for DA, UI, IS (C.2.2.2.4)', () => {
  assert.equal(key({ StudyInstanceUID: '2.25.10*' }, 'StudyInstanceUID').kind, 'single');
  assert.equal(matchKey(key({ StudyInstanceUID: '2.25.10*' }, 'StudyInstanceUID'), '2.25.101', ctx()), false);
});

test('ranges: open either side, inclusive, TM by time of day with fractions, DT across offsets (C.2.2.2.5)', () => {
  assert.equal(inRange('DA', '20240101-20241231', '20241231'), true);
  assert.equal(inRange('DA', '-20240101', '20240102'), false);
  assert.equal(inRange('TM', '101530.5-', '101530.5'), true);
  assert.equal(inRange('TM', '101530.5-', '101530.4999'), false);
  assert.equal(inRange('TM', '1000-1800', '1800'), true);
  assert.equal(inRange('TM', '2300-0100', '2330'), false, 'no wrap past midnight');
  assert.equal(timeSeconds('2230'), timeSeconds('223000'));
  assert.equal(dateTimeMillis('20240105100000+0100'), dateTimeMillis('20240105090000+0000'));
  assert.equal(inRange('DT', '20240105090000+0000-20240105100000+0000', '20240105103000+0100'), true);
  assert.equal(isRange('DT', '20240105100000-0500'), false, 'a negative offset is not a range');
  assert.equal(isRange('DT', '20240105-20240106'), true);
});

test('PN: case per profile, trailing components per profile, component groups literal (C.2.2.2.1.1)', () => {
  assert.equal(samePersonName('Doe^John', 'DOE^JOHN', false, false, false), false);
  assert.equal(samePersonName('Doe^John', 'DOE^JOHN', true, false, false), true);
  assert.equal(samePersonName('Smith', 'Smith^Anne^Marie', false, true, false), true);
  assert.equal(samePersonName('Smith', 'Smith^Anne^Marie', false, false, false), false);
  assert.equal(samePersonName('Smith^Anne', 'Smyth^Anne', true, true, false), false, 'different letters never match without fuzzy negotiation');
});

test('unknown values: match anything in Q/R (C.2.2.1.2), nothing in a worklist (K.2.2.1.1.1), empty sequences per profile', () => {
  const date = key({ StudyDate: '20240105' }, 'StudyDate');
  assert.equal(matchKey(date, '', ctx()), true);
  assert.equal(matchKey(date, undefined, ctx()), true);
  assert.equal(matchKey(date, '', ctx({ worklist: true })), false);
  const seq = key({ ProcedureCodeSequence: [{ CodeValue: 'X' }] }, 'ProcedureCodeSequence');
  assert.equal(matchKey(seq, [], ctx()), true);
  assert.equal(matchKey(seq, [], ctx({ profile: PROFILES['empty-hierarchical']! })), false);
  assert.equal(matchKey(seq, [{ CodeValue: 'Y' }, { CodeValue: 'X' }], ctx()), true, 'any item');
});

test('empty value matching only when negotiated, only for its VRs (C.2.2.2.7)', () => {
  const neg = { ...NONE_NEGOTIATED, emptyValue: true };
  const k = key({ AccessionNumber: '""' }, 'AccessionNumber', neg);
  assert.equal(k.kind, 'empty-value');
  assert.equal(matchKey(k, '', ctx()), true);
  assert.equal(matchKey(k, 'A1', ctx()), false);
  assert.equal(key({ AccessionNumber: '""' }, 'AccessionNumber').kind, 'single', 'a literal without negotiation');
  assert.equal(key({ StudyInstanceUID: '""' }, 'StudyInstanceUID', neg).kind, 'single', 'not for UI');
});

test('multiple values: AND when negotiated (no wild cards allowed), profile otherwise; multi-valued entities: any value (C.2.2.2.8, C.2.2.3)', () => {
  const and = key({ ModalitiesInStudy: 'CT\\MR' }, 'ModalitiesInStudy', { ...NONE_NEGOTIATED, multipleValue: true });
  assert.equal(matchKey(and, ['CT', 'MR', 'SR'], ctx()), true);
  assert.equal(matchKey(and, ['CT'], ctx()), false);
  const or = key({ ModalitiesInStudy: 'CT\\MR' }, 'ModalitiesInStudy', NONE_NEGOTIATED, PROFILES.lenient!);
  assert.equal(matchKey(or, ['CT'], ctx({ profile: PROFILES.lenient! })), true);
  const q = parseQuery(DataSet.from({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', ModalitiesInStudy: 'CT\\M*' }), 'study', new Store(), { ...NONE_NEGOTIATED, multipleValue: true }, STRICT);
  assert.ok('status' in q && q.status === 0xa900);
  assert.equal(matchKey(key({ ModalitiesInStudy: 'PT' }, 'ModalitiesInStudy'), ['CT', 'PT'], ctx()), true);
});

test('combined date-time: one period, only when both are ranges of the same form (C.2.2.2.5.4)', () => {
  const neg = { ...NONE_NEGOTIATED, dateTime: true };
  const d = key({ StudyDate: '20240105-20240107', StudyTime: '1000-1800' }, 'StudyDate', neg);
  const t = key({ StudyDate: '20240105-20240107', StudyTime: '1000-1800' }, 'StudyTime', neg);
  assert.equal(matchCombined(d, t, '20240106', '0900', ctx()), true, 'a day in the middle, any time');
  assert.equal(matchCombined(d, t, '20240105', '0900', ctx()), false, 'the first day before the start time');
  assert.equal(matchCombined(d, t, '20240107', '1800', ctx()), true, 'the end is inclusive');
  const q = parseQuery(DataSet.from({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', StudyDate: '20240105-', StudyTime: '-1800' }), 'study', new Store(), neg, STRICT) as Query;
  assert.equal(q.combined.length, 0, 'different forms are matched separately');
});

test('identifier checks: level, keys below the level, non-baseline hierarchical queries, upper keys (C.4.1.2.1)', () => {
  const store = new Store();
  const fail = (ident: Record<string, string>, model: 'patient' | 'study' = 'patient', profile = STRICT) => {
    const q = parseQuery(DataSet.from(ident), model, store, NONE_NEGOTIATED, profile);
    return 'status' in q ? [q.status, q.offendingElement, q.errorComment] : q;
  };
  assert.deepEqual(fail({ PatientName: 'X' }), [0xa900, [0x00080052], 'Query/Retrieve Level (0008,0052) is missing']);
  assert.deepEqual((fail({ QueryRetrieveLevel: 'PATIENT' }, 'study') as unknown[])[0], 0xa900);
  assert.deepEqual(fail({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', SeriesInstanceUID: '' }), [0xa900, [0x0020000e], 'keys below the STUDY level']);
  assert.deepEqual(fail({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' }), [0xa900, [0x00100020], 'hierarchical query: PatientID is missing']);
  assert.equal((fail({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' }, 'patient', PROFILES['empty-hierarchical']!) as Query).empty, true);
  assert.equal((fail({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' }, 'patient', PROFILES.lenient!) as Query).relational, true);
  const q = fail({ QueryRetrieveLevel: 'STUDY', PatientID: 'P1', PatientName: 'X*', StudyInstanceUID: '' }) as Query;
  assert.equal(q.keys.find((k) => k.keyword === 'PatientName')!.matched, false, 'strict ignores upper-level keys');
  assert.equal(q.returned.some((k) => k.keyword === 'PatientName'), false);
});

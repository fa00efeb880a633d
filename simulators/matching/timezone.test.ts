import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatOffset, inQueryZone, matchView, parseOffset, shiftDateTime } from './timezone.ts';
import { fuzzyPersonName } from './rules.ts';

test('Timezone Offset From UTC: +HHMM / -HHMM only, at most 14 hours (PS3.3 C.12.1.1.8)', () => {
  assert.equal(parseOffset('+0100'), 60);
  assert.equal(parseOffset('-0530'), -330);
  assert.equal(parseOffset('+1400'), 840);
  for (const bad of ['', '0100', '+01', '+1500', '+0160', 'UTC']) assert.equal(parseOffset(bad), undefined, bad);
  assert.equal(formatOffset(-330), '-0530');
  assert.equal(formatOffset(0), '+0000');
});

test('a stored date and time move together across midnight, keeping the precision written', () => {
  assert.deepEqual(shiftDateTime('20240301', '233000', 60), { da: '20240302', tm: '003000' });
  assert.deepEqual(shiftDateTime('20240301', '0030', -60), { da: '20240229', tm: '2330' });
  assert.deepEqual(shiftDateTime('20241231', '230000.125', 120), { da: '20250101', tm: '010000.125' });
  assert.deepEqual(shiftDateTime(undefined, '10', 90), { da: undefined, tm: '1130' });
});

test('stored values seen from the query zone (C.2.2.2.1.3): TM with its DA, DA only when a TM is stored, DT unless it names its offset', () => {
  const zone = { query: -300, store: 60 }; // query at -0500, archive at +0100: 6 hours back
  assert.equal(inQueryZone('TM', '030000', '20240301', zone), '210000');
  assert.equal(inQueryZone('DA', '20240301', '030000', zone), '20240229');
  assert.equal(inQueryZone('DA', '20240301', undefined, zone), '20240301');
  assert.equal(inQueryZone('DT', '20240301030000', undefined, zone), '20240229210000');
  assert.equal(inQueryZone('DT', '20240301030000+0000', undefined, zone), '20240301030000+0000');
  assert.equal(matchView('DT', '20240301030000', undefined, zone), '20240229210000-0500');
  assert.deepEqual(inQueryZone('TM', ['030000', ''], undefined, zone), ['210000', '']);
});

test('fuzzy PN matching (only when negotiated): case, accents, spacing, component order, any component group', () => {
  assert.equal(fuzzyPersonName('muller^jurgen', 'Müller^Jürgen', false), true);
  assert.equal(fuzzyPersonName('Jan^Citizen', 'CITIZEN^Jan', false), true);
  assert.equal(fuzzyPersonName('CITIZEN', 'CITIZEN^Jan^^Dr', false), true);
  assert.equal(fuzzyPersonName('van der berg^anne', 'VanDerBerg^Anne', false), true);
  assert.equal(fuzzyPersonName('yamada^tarou', 'Yamada^Tarou=山田^太郎=やまだ^たろう', false), true);
  assert.equal(fuzzyPersonName('山田^太郎', 'Yamada^Tarou=山田^太郎=やまだ^たろう', false), true);
  assert.equal(fuzzyPersonName('mul*', 'MÜLLER^Jürgen', true), true);
  assert.equal(fuzzyPersonName('Smith^Anne', 'Smyth^Anne', false), false, 'no phonetic matching');
  assert.equal(fuzzyPersonName('Citizen^Jane', 'CITIZEN^Jan', false), false);
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checklistCoverage, checklistNumbers, parseChecklist, QUERIES_FILE, QUERY_STEP, readQueryCitations, readUncoveredReasons, referencesIn, scenariosIn } from './checklist.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { items, coverage, unknownQueries } = checklistCoverage(root);

test('the checklist has 113 items, numbered 1 to 113 in order, each with a title, a part and a section', () => {
  assert.deepEqual(items.map((i) => i.number), Array.from({ length: 113 }, (_, i) => i + 1));
  for (const i of items) {
    assert.ok(i.title.length > 0 && !/[.:]$/.test(i.title), `item ${i.number}: title "${i.title}"`);
    assert.match(i.part, /^[A-D]\. /, `item ${i.number}`);
    assert.ok(i.section.startsWith(i.partLetter), `item ${i.number}: section "${i.section}"`);
  }
});

test('an item keeps its whole text, tables included; [ID] and references are found', () => {
  const byNumber = new Map(items.map((i) => [i.number, i]));
  assert.equal(byNumber.get(1)!.title, 'One association per TCP connection');
  assert.equal(byNumber.get(1)!.section, 'A.1 Transport and timers');
  assert.equal(byNumber.get(1)!.part, 'A. Upper layer protocol (PS3.8)');
  assert.equal(byNumber.get(52)!.section, 'B. DIMSE messages (PS3.7)');
  assert.equal(byNumber.get(40)!.title, 'Sta2 (after TCP accept, before RQ)');
  assert.match(byNumber.get(39)!.text, /\n\| Evt19 invalid PDU \| AA-1 \|/);
  assert.match(byNumber.get(39)!.text, /are omitted\.$/);
  assert.match(byNumber.get(67)!.text, /\| Patient ID \| \(0010,0020\) \| LO \| \*\*U\*\* \|/);
  assert.equal(byNumber.get(4)!.implementationDefined, true);
  assert.equal(byNumber.get(12)!.implementationDefined, true, '[ID policy]');
  assert.equal(byNumber.get(1)!.implementationDefined, false);
  assert.deepEqual(byNumber.get(57)!.references, ['PS3.7 9.1.2.2', 'PS3.4 C.4.1.3.1']);
  assert.deepEqual(byNumber.get(79)!.references, ['PS3.4 C.2.2.2.1']);
});

test('references: the part named before a bare id, else the part heading; tag numbers and UIDs are not sections', () => {
  assert.deepEqual(referencesIn('closes (PS3.8 9.1.2; Table 9-10 Sta2+Evt18 → AA-2). Configurable (9.1.5).', 'PS3.8'), ['PS3.8 9.1.2', 'PS3.8 Table 9-10', 'PS3.8 9.1.5']);
  assert.deepEqual(referencesIn('levels (Tables C.6.1-1, C.6.2-1); sent (D.3.3.4)', 'PS3.4 Annex C'), ['PS3.4 Table C.6.1-1', 'PS3.4 Table C.6.2-1']);
  assert.deepEqual(referencesIn('tags (0008,0052) and `1.2.840.10008.1.1` (PS3.4 A.4)', 'PS3.7'), ['PS3.4 A.4']);
});

test('every checklist item is covered by a scenario or says why not in checklist-uncovered.yaml', () => {
  const missing = items.filter((i) => {
    const c = coverage.get(i.number)!;
    return c.scenarios.length === 0 && !c.uncoveredWhy;
  });
  assert.deepEqual(missing.map((i) => i.number), [], 'items neither covered nor explained');
});

test('checklist-uncovered.yaml gives no reason for a covered item, nor for a number the checklist lacks', () => {
  const reasons = readUncoveredReasons(root);
  const covered = [...reasons.keys()].filter((n) => (coverage.get(n)?.scenarios.length ?? 0) > 0);
  assert.deepEqual(covered, [], 'covered items still listed as uncovered');
  assert.deepEqual([...reasons.keys()].filter((n) => !coverage.has(n)), [], 'reasons for items that do not exist');
});

test('every @checklist-N tag in the features names an item of the checklist', () => {
  const numbers = new Set(items.map((i) => i.number));
  const wrong = scenariosIn(root).flatMap((s) => checklistNumbers(s.tags).filter((n) => !numbers.has(n)).map((n) => `${s.file}:${s.line} @checklist-${n}`));
  assert.deepEqual(wrong, []);
});

test('an item cited only by a conformance query is covered by the outline row that runs that query', () => {
  const citations = readQueryCitations(root);
  const query = [...citations].find(([, cited]) => cited.includes(65))?.[0];
  assert.ok(query, `a query of ${QUERIES_FILE} cites item 65`);
  const file = 'features/matching/archive.feature';
  // The row's line, found as text: the line cucumber runs the scenario from.
  const line = fs.readFileSync(path.join(root, file), 'utf8').split('\n').findIndex((l) => new RegExp(`^\\s*\\|\\s*${query}\\s*\\|`).test(l)) + 1;
  assert.ok(line > 0, `${file} has an Examples row for ${query}`);
  const row = coverage.get(65)!.scenarios.find((s) => s.queries.includes(query));
  assert.ok(row, `item 65 is covered by the row that runs ${query}`);
  assert.deepEqual([row.file, row.line, row.queries], [file, line, [query]]);
  assert.ok(row.scenario.endsWith(`— ${query}`), row.scenario);
  assert.ok(!checklistNumbers(row.tags).includes(65), 'covered through the query, not through a tag');
  for (const n of [65, 67, 68, 69, 70, 81, 94, 113]) assert.ok(coverage.get(n)!.scenarios.some((s) => s.queries.length > 0), `item ${n} is covered by a conformance query`);
});

test('every checklist number cited in conformance-queries.yaml names an item of the checklist', () => {
  const numbers = new Set(items.map((i) => i.number));
  const citations = readQueryCitations(root);
  assert.ok(citations.size > 0);
  assert.deepEqual([...citations].flatMap(([q, cited]) => cited.filter((n) => !numbers.has(n)).map((n) => `${q}: ${n}`)), []);
});

test('every conformance query a scenario sends is one of conformance-queries.yaml', () => {
  assert.deepEqual(unknownQueries.map((u) => `${u.file}:${u.line} ${u.query}`), [], `queries ${QUERIES_FILE} does not hold`);
  assert.ok(scenariosIn(root).some((s) => s.queries.length > 0), 'the features send conformance queries');
});

test('the query step read for coverage is the step that sends a conformance query', () => {
  // Coverage reads the query id from the step as cucumber compiles it; the step definitions must still use that text.
  const dir = path.join(root, 'steps');
  const expressions = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).flatMap((f) =>
    [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/\b(?:Given|When|Then)\('([^']*conformance query[^']*)'/g)].map((m) => m[1]!));
  assert.deepEqual(expressions, ['the SCU sends conformance query {word}']);
  assert.equal(QUERY_STEP.exec(expressions[0]!.replace('{word}', 'QR-01'))?.[1], 'QR-01');
});

test('a tag on the Feature, a Rule, a Scenario Outline or an Examples table covers the scenarios under it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checklist-'));
  try {
    fs.mkdirSync(path.join(dir, 'features/sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'features/CHECKLIST.md'), '## A. Part (PS3.8)\n\n### A.1 Sub\n\n1. **First.** Text\n   (9.1.1) more.\n2. **Second** [ID]\n\n## B. Other (PS3.7)\n\n3. Third item without bold. More.\n');
    fs.writeFileSync(path.join(dir, 'features/checklist-uncovered.yaml'), '3: "informational"\n');
    fs.writeFileSync(path.join(dir, 'features/sub/a.feature'), [
      '@self @checklist-1',
      'Feature: F',
      '  Scenario: plain',
      '    Given x',
      '  Rule: R',
      '    @checklist-2',
      '    Scenario Outline: row <n>',
      '      Given x',
      '      Examples:',
      '        | n |',
      '        | 1 |',
      '      @checklist-3',
      '      Examples:',
      '        | n |',
      '        | 2 |',
      '',
    ].join('\n'));
    const { items: parsed, coverage: c } = checklistCoverage(dir);
    assert.deepEqual(parsed.map((i) => [i.number, i.title, i.section, i.implementationDefined]), [
      [1, 'First', 'A.1 Sub', false],
      [2, 'Second', 'A.1 Sub', true],
      [3, 'Third item without bold', 'B. Other (PS3.7)', false],
    ]);
    assert.equal(parsed[0]!.text, '**First.** Text\n(9.1.1) more.');
    assert.deepEqual(parsed[0]!.references, ['PS3.8 9.1.1']);
    assert.deepEqual(c.get(1)!.scenarios.map((s) => [s.scenario, s.line]), [['plain', 3], ['row 1', 11], ['row 2', 15]]);
    assert.deepEqual(c.get(2)!.scenarios.map((s) => s.scenario), ['row 1', 'row 2']);
    assert.deepEqual(c.get(3)!.scenarios.map((s) => [s.scenario, s.feature, s.file, s.tags]), [['row 2', 'F', 'features/sub/a.feature', ['@self', '@checklist-1', '@checklist-2', '@checklist-3']]]);
    assert.equal(c.get(3)!.uncoveredWhy, undefined, 'a reason is not reported for a covered item');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a row covers the items its query cites, read from the step whatever the column or the name; an unknown query is reported', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checklist-'));
  try {
    fs.mkdirSync(path.join(dir, 'features/data'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'features/CHECKLIST.md'), '## C. Part (PS3.4 Annex C)\n\n1. **One.** x\n2. **Two.** x\n3. **Three.** x\n4. **Four.** x\n');
    fs.writeFileSync(path.join(dir, 'features/checklist-uncovered.yaml'), '4: "no query cites it"\n');
    fs.writeFileSync(path.join(dir, 'features/data/conformance-queries.yaml'), 'queries:\n  - id: Q-1\n    checklist: [2]\n  - id: Q-2\n    checklist: [2, 3]\n  - id: Q-3\n');
    fs.writeFileSync(path.join(dir, 'features/a.feature'), [
      'Feature: F',
      '  @checklist-1',
      '  Scenario Outline: matching (<about>)',
      '    When the SCU sends conformance query <query>',
      '    Then the answer is what the data set and the negotiation allow',
      '    Examples:',
      '      | about | query |',
      '      | one   | Q-1   |',
      '      | two   | Q-2   |',
      '      | three | Q-3   |',
      '      | none  | Q-9   |',
      '  Scenario: plain',
      '    When the SCU sends conformance query Q-2',
      '',
    ].join('\n'));
    const { coverage: c, unknownQueries: unknown } = checklistCoverage(dir);
    const rows = (n: number) => c.get(n)!.scenarios.map((s) => [s.scenario, s.line, s.queries]);
    assert.deepEqual(rows(1), [['matching (one)', 8, ['Q-1']], ['matching (two)', 9, ['Q-2']], ['matching (three)', 10, ['Q-3']], ['matching (none)', 11, ['Q-9']]]);
    assert.deepEqual(rows(2), [['matching (one)', 8, ['Q-1']], ['matching (two)', 9, ['Q-2']], ['plain', 12, ['Q-2']]]);
    assert.deepEqual(rows(3), [['matching (two)', 9, ['Q-2']], ['plain', 12, ['Q-2']]]);
    assert.deepEqual(c.get(4)!, { scenarios: [], uncoveredWhy: 'no query cites it' });
    assert.deepEqual(unknown, [{ query: 'Q-9', file: 'features/a.feature', line: 11 }]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('conformance-queries.yaml must give each query an id once and its checklist as item numbers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checklist-'));
  try {
    fs.mkdirSync(path.join(dir, 'features/data'), { recursive: true });
    const file = path.join(dir, 'features/data/conformance-queries.yaml');
    assert.deepEqual(readQueryCitations(dir), new Map(), 'a project without the file has no queries');
    fs.writeFileSync(file, 'queries:\n  - id: Q-1\n    checklist: 65\n');
    assert.throws(() => readQueryCitations(dir), /Q-1: "checklist" must be a list of item numbers/);
    fs.writeFileSync(file, 'queries:\n  - id: Q-1\n    checklist: [65]\n  - id: Q-1\n    checklist: [66]\n');
    assert.throws(() => readQueryCitations(dir), /Q-1: the id is used twice/);
    fs.writeFileSync(file, 'queries:\n  - title: no id\n');
    assert.throws(() => readQueryCitations(dir), /a query without an id/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('parseChecklist ignores text outside items: the preamble, paragraphs under headings, rules', () => {
  const parsed = parseChecklist('# Title\n\n- a list\n1. **Not an item?** yes it is\n\nAll items: prose.\n\n---\n\n## C. Part (PS3.4 Annex C)\n\nKey types: prose.\n\n7. **Seven.** x\n');
  assert.deepEqual(parsed.map((i) => [i.number, i.title, i.part]), [[1, 'Not an item?', ''], [7, 'Seven', 'C. Part (PS3.4 Annex C)']]);
});

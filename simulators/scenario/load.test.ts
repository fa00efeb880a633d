import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema, SCENARIO_SCHEMA_PATH } from './json-schema.ts';
import { loadScenario, ScenarioError } from './load.ts';
import { tempDir } from '../testing/temp-dir.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHIPPED = path.join(ROOT, 'scenarios');

function files(entries: Record<string, string>): string {
  const dir = tempDir('scenario');
  for (const [name, text] of Object.entries(entries)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Loads a scenario that must fail; returns its problems as "file:line:col: message" with the folder stripped. */
function problems(text: string, extra: Record<string, string> = {}): string[] {
  const dir = files({ 's.yaml': text, ...extra });
  try {
    loadScenario(path.join(dir, 's.yaml'));
  } catch (e) {
    assert.ok(e instanceof ScenarioError, `not a ScenarioError: ${e}`);
    assert.equal(e.code, 'SCENARIO_INVALID');
    return e.problems.map((p) => `${p.where.replace(`${dir}${path.sep}`, '')}: ${p.message}`);
  }
  assert.fail('the scenario loaded although it is invalid');
}

test('every shipped scenario loads, has a comment header and points at the published schema', () => {
  const shipped = readdirSync(SHIPPED).filter((f) => f.endsWith('.yaml'));
  assert.ok(shipped.length >= 10, `only ${shipped.length} shipped scenarios`);
  for (const f of shipped) {
    const text = readFileSync(path.join(SHIPPED, f), 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=\.\/schema\/scenario\.schema\.json\n# \S/, `${f}: header`);
    const s = loadScenario(path.join(SHIPPED, f));
    assert.ok(s.description, `${f}: description`);
    assert.ok(s.scp || s.scu, `${f}: neither scp nor scu`);
  }
});

test('the published JSON Schema is the one the loader validates with (regenerate: qr-harness scenario schema --out …)', () => {
  assert.equal(readFileSync(path.join(ROOT, SCENARIO_SCHEMA_PATH), 'utf8'), scenarioJsonSchema());
});

test('an unknown key is an error with file:line:column and a suggestion', () => {
  assert.deepEqual(problems('name: x\nscp:\n  aeTitle: QRSCP\n  behaviors: []\n'), [
    's.yaml:4:3: scp: unknown key "behaviors" (did you mean "behaviours"?); expected aeTitle, port, maxPduLength, writeAhead, profile, timezone, retrieveAeTitle, callingAeTitles, sopClasses, transferSyntaxes, extendedNegotiation, timeouts, association, behaviours',
  ]);
  const p = problems('name: x\nscp:\n  behaviours:\n    - respond:\n        - pending: 3\n          delay: 10\n');
  assert.equal(p.length, 1);
  assert.match(p[0]!, /^s\.yaml:6:11: scp\.behaviours\[0\]\.respond\[0\]: unknown key "delay" \(did you mean "delayMs"\?\)/);
});

test('a wrong type or a value out of range says what was expected', () => {
  assert.deepEqual(problems('name: x\nscp:\n  maxPduLength: big\n'), ['s.yaml:3:17: scp.maxPduLength: expected a whole number ≥ 0']);
  assert.deepEqual(problems('name: x\nscp:\n  association:\n    - reject: { result: 1, source: 1, reason: 300 }\n'), ['s.yaml:4:47: scp.association[0].reject.reason: expected a whole number ≥ 0 ≤ 255']);
  assert.deepEqual(problems('name: x\nscu:\n  steps:\n    - find: { model: studyroot, level: STUDY }\n'), ['s.yaml:4:22: scu.steps[0].find.model: "studyroot" is not one of patient, study, psonly, mwl']);
  assert.deepEqual(problems('scp: {}\n'), ['s.yaml:1:1: the scenario: "name" is required']);
});

test('a key that is not a DICOM keyword is an error', () => {
  assert.deepEqual(problems('name: x\nscp:\n  behaviours:\n    - when: { identifier: { PatientsName: "A*" } }\n      respond: [{ final: "0000" }]\n'), [
    's.yaml:4:29: scp.behaviours[0].when.identifier.PatientsName: "PatientsName" is not a keyword of the DICOM data dictionary',
  ]);
});

test('a step after the final response, or a cancel rule after it, can never happen', () => {
  assert.deepEqual(problems('name: x\nscp:\n  behaviours:\n    - respond:\n        - final: "0000"\n        - cancel: ignore\n'), [
    's.yaml:6:11: a cancel rule after the final response (step 1) can never happen: nothing follows a final response (PS3.7 9.3.2.4)',
  ]);
  assert.match(problems('name: x\nscp:\n  behaviours:\n    - respond: [{ final: A700 }, { pending: 2 }]\n')[0]!, /^s\.yaml:4:34: pending after the final response/);
});

test('a status outside the status classes needs anyStatus; a Pending status cannot be final; a final cannot be Pending', () => {
  assert.deepEqual(problems('name: x\nscp:\n  behaviours:\n    - respond: [{ final: "0042" }]\n'), [
    's.yaml:4:26: 0042 belongs to no status class (PS3.7 Annex C); add "anyStatus: true" to send it as a deliberate fault',
  ]);
  assert.deepEqual(problems('name: x\nscp:\n  behaviours:\n    - respond: [{ final: FF00 }]\n'), [
    's.yaml:4:26: FF00 is a Pending status: a final response is Success, Cancel, Warning or Failure (use a pending step for FF00)',
  ]);
  assert.deepEqual(problems('name: x\nscp:\n  behaviours:\n    - respond: [{ pending: 1, status: A700 }]\n'), ['s.yaml:4:39: a Pending response has status FF00 or FF01']);
  assert.deepEqual(problems('name: x\nscp:\n  behaviours:\n    - respond: [{ final: G700 }]\n'), ['s.yaml:4:26: scp.behaviours[0].respond[0].final: expected a DIMSE status (e.g. 0xA700, A700 or 42752)']);
});

test('an Offending Element must be a keyword or a tag; a random delay needs min ≤ max', () => {
  assert.deepEqual(problems('name: x\nscp:\n  behaviours:\n    - respond: [{ final: A900, offendingElement: [PatientName, Bogus] }]\n'), [
    's.yaml:4:64: "Bogus" is not a keyword or (gggg,eeee) tag',
  ]);
  assert.deepEqual(problems('name: x\nscp:\n  behaviours:\n    - respond: [{ delayMs: [500, 100] }]\n'), ['s.yaml:4:28: a random delay [500, 100] needs min ≤ max']);
});

test('includes: a missing file and a cycle are errors; the including file wins and its behaviours come first', () => {
  assert.deepEqual(problems('name: x\ninclude: [nope.yaml]\n'), ['s.yaml:2:11: included file nope.yaml does not exist']);
  const cycle = problems('name: x\ninclude: [a.yaml]\n', { 'a.yaml': 'name: a\ninclude: [s.yaml]\n' });
  assert.equal(cycle.length, 1);
  assert.match(cycle[0]!, /^a\.yaml: include cycle: s\.yaml → a\.yaml → s\.yaml$/);
  const dir = files({
    'base.yaml': 'name: base\nstore:\n  patients:\n    - { PatientID: P1, PatientName: A^B }\nscp:\n  aeTitle: BASE\n  profile: lenient\n  behaviours:\n    - name: base\n      respond: [{ final: A700 }]\n',
    'top.yaml': 'name: top\ninclude: [base.yaml]\nscp:\n  aeTitle: TOP\n  behaviours:\n    - name: top\n      respond: [{ final: "0000" }]\n',
  });
  const s = loadScenario(path.join(dir, 'top.yaml'));
  assert.equal(s.name, 'top');
  assert.equal(s.scp?.aeTitle, 'TOP');
  assert.equal(s.scp?.profile, 'lenient');
  assert.deepEqual(s.scp?.behaviours?.map((b) => b.name), ['top', 'base']);
  assert.equal(s.store.counts.patients, 1);
});

test('YAML syntax errors and duplicate keys are reported with their position; anchors and merge keys work', () => {
  const p = problems('name: x\nscp:\n  aeTitle: QRSCP\n  aeTitle: OTHER\n');
  assert.equal(p.length, 1);
  assert.match(p[0]!, /^s\.yaml:4:3: Map keys must be unique/);
  assert.match(problems('name: x\nscp: [\n')[0]!, /^s\.yaml:\d+:\d+: /);
  const dir = files({
    's.yaml': 'name: x\nscp:\n  behaviours:\n    - when: { level: STUDY }\n      respond: &slow\n        - pending: 2\n          delayMs: 5\n    - respond: *slow\n',
  });
  const s = loadScenario(path.join(dir, 's.yaml'));
  assert.deepEqual(s.scp?.behaviours?.[1]?.respond, [{ pending: 2, delayMs: 5 }]);
});

test('contradictions the schema cannot see: an unknown profile, a rule that both rejects and accepts, a worklist query with a level', () => {
  assert.deepEqual(problems('name: x\nscp:\n  profile: dcm4chee\n'), ['s.yaml:3:12: unknown profile "dcm4chee"; expected one of strict, lenient, empty-hierarchical, dcmqrscp, orthanc']);
  assert.deepEqual(problems('name: x\nscp:\n  association:\n    - reject: { result: 1, source: 1, reason: 1 }\n      accept: {}\n'), ['s.yaml:4:7: an association rule says either reject or accept']);
  assert.deepEqual(problems('name: x\nscu:\n  steps:\n    - find: { model: mwl, level: STUDY }\n'), ['s.yaml:4:34: a Modality Worklist query has no level (PS3.4 K.1.1)']);
});

test('store problems inside a scenario name the file and line', () => {
  const p = problems('name: x\nstore:\n  patients:\n    - PatientID: P1\n      studies:\n        - StudyDate: "2020-01-01"\n');
  assert.ok(p.length >= 1);
  assert.match(p.join('\n'), /s\.yaml:6:\d+: .*StudyInstanceUID|s\.yaml:6:\d+: .*StudyDate/);
});

test('statuses are read as 0xA700, A700 or a number', () => {
  const dir = files({ 's.yaml': 'name: x\nscp:\n  behaviours:\n    - respond: [{ final: 0xA700 }]\n    - respond: [{ final: A900 }]\n    - respond: [{ final: 49152 }]\n' });
  const s = loadScenario(path.join(dir, 's.yaml'));
  assert.deepEqual(s.scp?.behaviours?.map((b) => (b.respond[0] as { final: number }).final), [0xa700, 0xa900, 0xc000]);
});

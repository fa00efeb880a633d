/** Reading cucumber's message stream of a real run (the project's steps, shipped features and one of our own) into scenarios. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRAFFIC_MEDIA_TYPE } from '../../simulators/trace/record.ts';
import { readRunStream } from './run-stream.ts';
import type { RunScenario, StepStatus } from './run-stream.ts';
import { OWN_FEATURE, OWN_FEATURE_NAME, SHIPPED_FEATURES, runCucumber } from './test-run.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = runCucumber();
const stream = readRunStream(run.messages);
const own = stream.scenarios.filter((s) => s.uri.endsWith('/features/association/reports.feature'));
const named = (name: string) => own.find((s) => s.name === name)!;
/** The line of the feature that starts with `text` (1-based), as cucumber counts. */
const lineOf = (text: string) => OWN_FEATURE.split('\n').findIndex((l) => l.trim().startsWith(text)) + 1;
const statuses = (s: RunScenario) => s.steps.map((x) => x.status);

test('the run as cucumber counted it: every scenario, each with its status, and the run finished', () => {
  assert.equal(stream.badLines, 0);
  assert.equal(stream.finished, true);
  assert.equal(stream.success, false);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@cucumber/cucumber/package.json'), 'utf8')) as { version: string };
  assert.equal(stream.cucumberVersion, pkg.version);
  assert.ok(stream.startedAt! > 0 && stream.finishedAt! >= stream.startedAt!);
  assert.equal(stream.scenarios.length, run.counted.total);
  const byStatus: Record<string, number> = {};
  for (const s of stream.scenarios) byStatus[s.status.toLowerCase()] = (byStatus[s.status.toLowerCase()] ?? 0) + 1;
  assert.deepEqual(byStatus, run.counted.byStatus);
  assert.deepEqual(run.counted.byStatus, { failed: 1, undefined: 1, passed: run.counted.total - 2 });
  assert.equal(new Set(stream.scenarios.map((s) => s.id)).size, stream.scenarios.length);
});

test('each scenario names its feature as its file does, and where it is', () => {
  for (const s of stream.scenarios) {
    const text = s.uri.endsWith('/reports.feature') ? OWN_FEATURE : fs.readFileSync(path.resolve(root, s.uri), 'utf8');
    assert.equal(s.feature, /^Feature: (.+)$/m.exec(text)![1], s.uri);
    // A scenario is where its title is; a scenario of an outline is its Examples row.
    const line = text.split('\n')[s.line! - 1]?.trim() ?? '';
    assert.ok(line === `Scenario: ${s.name}` || line.startsWith('|'), `${s.uri}:${s.line} is "${line}", for "${s.name}"`);
    assert.ok(s.tags.includes('@self') && s.tags.includes('@association'), s.name);
  }
  assert.deepEqual(new Set(stream.scenarios.map((s) => s.uri.endsWith('reports.feature') ? 'own' : s.uri)), new Set(['own', ...SHIPPED_FEATURES]));
});

test('our feature: names, lines (an outline by its Examples rows), tags, statuses', () => {
  assert.deepEqual(
    own.map((s) => [s.name, s.line, s.status, s.feature]),
    [
      ['Verification, then release', lineOf('Scenario: Verification, then release'), 'PASSED', OWN_FEATURE_NAME],
      ['Contexts proposed in a table', lineOf('Scenario: Contexts proposed in a table'), 'PASSED', OWN_FEATURE_NAME],
      ['Message ID 7', lineOf('| 7 '), 'PASSED', OWN_FEATURE_NAME],
      ['Message ID 9', lineOf('| 9 '), 'PASSED', OWN_FEATURE_NAME],
      ['A C-ECHO status the SCP never answers', lineOf('Scenario: A C-ECHO status'), 'FAILED', OWN_FEATURE_NAME],
      ['A step nobody wrote', lineOf('Scenario: A step nobody wrote'), 'UNDEFINED', OWN_FEATURE_NAME],
    ],
  );
  assert.deepEqual(named('Verification, then release').tags, ['@self', '@association', '@checklist-55']);
  assert.deepEqual(named('A step nobody wrote').tags, ['@self', '@association']);
});

test('steps: the keyword as written (Background included), the text, the status, the duration', () => {
  const s = named('Verification, then release');
  assert.deepEqual(
    s.steps.map((x) => [x.keyword, x.text]),
    [
      ['Given', 'an SCP "QRSCP" is listening'],
      ['When', '"ECHOSCU" associates with "QRSCP" proposing Verification'],
      ['And', 'the SCU sends C-ECHO'],
      ['Then', 'the C-ECHO status is 0000'],
      ['When', 'the SCU releases the association'],
      ['Then', 'the association ends released'],
    ],
  );
  assert.ok(s.steps.every((x) => x.status === 'PASSED' && x.durationMs >= 0 && x.message === undefined));
  assert.ok(s.durationMs >= s.steps.reduce((t, x) => t + x.durationMs, 0) - 1);
  assert.deepEqual(
    named('Message ID 9').steps.map((x) => [x.keyword, x.text]),
    [
      ['Given', 'an SCP "QRSCP" is listening'],
      ['When', '"ECHOSCU" associates with "QRSCP" proposing Verification'],
      ['And', 'the SCU sends C-ECHO with message ID 9'],
      ['Then', 'the C-ECHO status is 0000'],
    ],
  );
  const table = named('Contexts proposed in a table').steps[1]!;
  assert.equal(table.text, '"FINDSCU" associates with "QRSCP" proposing:');
  assert.equal(table.argument, '| abstract syntax | transfer syntaxes |\n| Verification | Implicit VR Little Endian |');
});

test('a failed step keeps the error as cucumber reported it, stack included; an undefined step has no error', () => {
  const failed = named('A C-ECHO status the SCP never answers');
  assert.deepEqual(statuses(failed), ['PASSED', 'PASSED', 'PASSED', 'FAILED'] satisfies StepStatus[]);
  assert.match(failed.steps[3]!.message!, /^AssertionError/);
  assert.match(failed.steps[3]!.message!, /\n\s+at /, 'with its stack');
  const undefinedOne = named('A step nobody wrote');
  assert.deepEqual(statuses(undefinedOne), ['PASSED', 'UNDEFINED']);
  assert.equal(undefinedOne.steps[1]!.message, undefined);
});

test('traffic: every scenario that opened a connection carries its record; one that never did carries none', () => {
  const traffic = [...run.messages.matchAll(new RegExp(`"mediaType":"${TRAFFIC_MEDIA_TYPE.replace(/[.+]/g, '\\$&')}"`, 'g'))].length;
  assert.equal(stream.scenarios.filter((s) => s.traffic).length, traffic);
  for (const s of own.slice(0, 5)) {
    assert.equal(s.traffic?.version, 1, s.name);
    const pdus = s.traffic!.events.filter((e) => e.k === 'pdu');
    assert.equal(pdus[0]?.k === 'pdu' && pdus[0].type, 0x01, `${s.name}: it starts with the A-ASSOCIATE-RQ`);
  }
  assert.equal(named('A step nobody wrote').traffic, undefined);
  assert.ok(stream.scenarios.every((s) => s.verdicts.length === 0 && s.findings.length === 0), 'self scenarios judge no archive');
});

test('a stream cut short reads as far as it goes: the cut line is counted, the run is not finished', () => {
  const text = run.messages.trimEnd();
  const cut = readRunStream(text.slice(0, text.length - 20));
  assert.equal(cut.badLines, 1);
  assert.equal(cut.finished, false);
  assert.equal(cut.success, undefined);
  assert.equal(cut.scenarios.length, stream.scenarios.length);

  // Cut inside the failing scenario once three of its test steps finished: the Before hook and its first two steps.
  const id = named('A C-ECHO status the SCP never answers').id;
  const lines = text.split('\n');
  let finishedSteps = 0;
  const end = lines.findIndex((l) => l.includes('"testStepFinished"') && (JSON.parse(l) as { testStepFinished: { testCaseStartedId: string } }).testStepFinished.testCaseStartedId === id && ++finishedSteps === 3);
  const partial = readRunStream(`${lines.slice(0, end + 1).join('\n')}\n${lines[end + 1]!.slice(0, 10)}`);
  assert.equal(partial.finished, false);
  assert.equal(partial.badLines, 1);
  const last = partial.scenarios.at(-1)!;
  assert.equal(last.name, 'A C-ECHO status the SCP never answers');
  assert.deepEqual(statuses(last), ['PASSED', 'PASSED', 'UNKNOWN', 'UNKNOWN']);
  assert.equal(last.durationMs, 0);
  assert.deepEqual(readRunStream(''), { startedAt: undefined, finishedAt: undefined, finished: false, success: undefined, cucumberVersion: undefined, scenarios: [], badLines: 0 });
});

test('an attempt cucumber will retry is left out: only the last attempt of a scenario counts', () => {
  const retried = named('Verification, then release').id;
  const text = run.messages
    .split('\n')
    .map((l) => {
      if (!l.includes('"testCaseFinished"')) return l;
      const m = JSON.parse(l) as { testCaseFinished: { testCaseStartedId: string; willBeRetried: boolean } };
      if (m.testCaseFinished.testCaseStartedId === retried) m.testCaseFinished.willBeRetried = true;
      return JSON.stringify(m);
    })
    .join('\n');
  const r = readRunStream(text);
  assert.deepEqual(r.scenarios.map((s) => s.id), stream.scenarios.map((s) => s.id).filter((id) => id !== retried));
});

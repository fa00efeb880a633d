import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../main.ts';
import { capture } from '../capture-output.ts';
import { ExitCode } from '../exit-codes.ts';
import { esc } from '../report/chart.ts';
import { readRunStream, VERDICT_MEDIA_TYPE } from '../report/run-stream.ts';
import { tempDir } from '../../simulators/testing/temp-dir.ts';
import type { VerdictsDoc } from '../../simulators/conformance/verdicts-doc.ts';
import { isConformRunInput, mergeConformRuns } from './merge-runs.ts';
import type { MergedVerdictsDoc } from './merge-runs.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- cucumber's envelopes, read field by field */
type Envelope = Record<string, any>;

const TAGS_A = '@scp-under-test and @cancellation';
const TAGS_B = '@scp-under-test and @association';

const read = (dir: string, f: string) => readFileSync(path.join(dir, f), 'utf8');
const envelopes = (dir: string): Envelope[] => read(dir, 'messages.ndjson').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Envelope);
const ofType = (list: Envelope[], type: string) => list.filter((e) => Object.keys(e)[0] === type).map((e) => e[type]);
const testcases = (junit: string) => junit.match(/<testcase /g)?.length ?? 0;
const verdicts = (dir: string) => JSON.parse(read(dir, 'verdicts.json')) as MergedVerdictsDoc;
/** The page names the commit it was built at: another commit may land between two builds. */
const withoutCommit = (html: string) => html.replace(/\b[0-9a-f]{12}\b/g, 'COMMIT');
const msOf = (t: { seconds: number; nanos: number }) => t.seconds * 1000 + t.nanos / 1e6;

describe('merging conformance runs', () => {
  // Two real self runs of different tags, as two CI jobs would make them (the folders last as long as the file).
  const a = tempDir('merge-a');
  const b = tempDir('merge-b');
  before(async () => {
    for (const [dir, tags] of [[a, TAGS_A], [b, TAGS_B]] as const) {
      const io = capture();
      assert.equal(await main(['conform', '--tags', tags, '--report', dir], io), ExitCode.Ok, io.stderr.join('\n'));
    }
  });

  test('two runs of different tags: the counts add up, the page holds both runs, the stream is one run', async () => {
    const out = path.join(tempDir('merged'), 'merged');
    const io = capture();
    assert.equal(await mergeConformRuns([a, path.join(b, 'messages.ndjson')], out, io), ExitCode.Ok, io.stderr.join('\n'));
    assert.deepEqual(readdirSync(out).sort(), ['conformance.html', 'junit.xml', 'messages.ndjson', 'verdicts.json']);
    const [da, db, dm] = [verdicts(a), verdicts(b), verdicts(out)];
    assert.ok(da.summary.total > 0 && db.summary.total > 0);
    assert.equal(dm.summary.total, da.summary.total + db.summary.total);
    assert.equal(dm.summary.pass, da.summary.pass + db.summary.pass);
    assert.deepEqual(dm.checks.map((c) => c.id).sort(), [...da.checks, ...db.checks].map((c) => c.id).sort(), 'no check reached in both: none renamed');
    assert.equal(dm.runs?.length, 2);
    assert.deepEqual(dm.runs!.map((r) => r.tags), [TAGS_A, TAGS_B]);
    assert.equal(dm.run.mode, 'self');
    assert.equal(dm.run.startedAt, da.run.startedAt < db.run.startedAt ? da.run.startedAt : db.run.startedAt);

    const [ja, jb, jm] = [read(a, 'junit.xml'), read(b, 'junit.xml'), read(out, 'junit.xml')];
    assert.equal(testcases(jm), testcases(ja) + testcases(jb));
    assert.match(jm, /<testsuites name="dicom-qr-harness conformance — 2 runs: self run @scp-under-test and @cancellation, self run @scp-under-test and @association"/);

    const html = read(out, 'conformance.html');
    const scenarios = [...readRunStream(read(a, 'messages.ndjson')).scenarios, ...readRunStream(read(b, 'messages.ndjson')).scenarios];
    assert.match(html, new RegExp(`<b id="check-total">${da.summary.total + db.summary.total}</b>`));
    assert.match(html, new RegExp(`id="scenario-counts">${scenarios.length} scenarios:`));
    for (const s of scenarios) assert.ok(html.includes(esc(s.name)), `the page holds "${s.name}"`);
    assert.match(html, /<dt>Runs<\/dt><dd>2 runs: self run @scp-under-test and @cancellation, self run @scp-under-test and @association<\/dd>/);
    assert.match(io.stdout.join('\n'), new RegExp(`^Merged 2 runs \\(run 1: self run ${TAGS_A}; run 2: self run ${TAGS_B}\\): ${scenarios.length} scenarios, ${dm.summary.total} checks`));

    // One run in the stream: one meta, one start (the earlier), one end (the later), the definitions of the code once.
    const [ea, eb, em] = [envelopes(a), envelopes(b), envelopes(out)];
    for (const type of ['meta', 'testRunStarted', 'testRunFinished']) assert.equal(ofType(em, type).length, 1, type);
    assert.equal(msOf(ofType(em, 'testRunStarted')[0].timestamp), Math.min(...[ea, eb].map((e) => msOf(ofType(e, 'testRunStarted')[0].timestamp))));
    assert.equal(msOf(ofType(em, 'testRunFinished')[0].timestamp), Math.max(...[ea, eb].map((e) => msOf(ofType(e, 'testRunFinished')[0].timestamp))));
    assert.equal(ofType(em, 'testRunFinished')[0].success, true);
    for (const type of ['source', 'gherkinDocument', 'pickle', 'stepDefinition', 'hook']) assert.equal(ofType(em, type).length, ofType(ea, type).length, `${type}: kept once`);
    assert.equal(ofType(em, 'testCaseStarted').length, ofType(ea, 'testCaseStarted').length + ofType(eb, 'testCaseStarted').length);
    // Every reference resolves: each test case's pickle and steps are in the merged stream.
    const pickles = new Set(ofType(em, 'pickle').map((p) => p.id));
    const stepDefinitions = new Set(ofType(em, 'stepDefinition').map((d) => d.id));
    for (const tc of ofType(em, 'testCase')) {
      assert.ok(pickles.has(tc.pickleId));
      for (const s of tc.testSteps) for (const id of s.stepDefinitionIds ?? []) assert.ok(stepDefinitions.has(id));
    }

    // The report command rebuilds the same page from the merged stream.
    const rebuilt = tempDir('merged-rebuilt');
    assert.equal(await main(['report', path.join(out, 'messages.ndjson'), '--out', rebuilt], capture()), ExitCode.Ok);
    assert.equal(withoutCommit(read(rebuilt, 'conformance.html')), withoutCommit(html));
  });

  test("a merge of one run reproduces that run's report", async () => {
    const out = tempDir('merged-one');
    assert.equal(await mergeConformRuns([a], out, capture()), ExitCode.Ok);
    assert.equal(read(out, 'messages.ndjson'), read(a, 'messages.ndjson'));
    assert.equal(read(out, 'junit.xml'), read(a, 'junit.xml'));
    assert.deepEqual(verdicts(out), verdicts(a));
    assert.equal(withoutCommit(read(out, 'conformance.html')), withoutCommit(read(a, 'conformance.html')));
  });

  test('a check judged differently by two runs is kept twice, each named with its run; colliding ids are re-keyed, shared ones kept once', async () => {
    // A second run of the same stream (same ids) against another archive, which failed one check.
    const other = path.join(tempDir('merge-other'), 'orthanc');
    cpSync(a, other, { recursive: true });
    const doc = verdicts(other) as unknown as VerdictsDoc;
    const flipped = doc.checks[0]!.id;
    doc.run.mode = 'archive under test';
    doc.target = { host: '10.0.0.5', port: 4242, aeTitle: 'ORTHANC', callingAeTitle: 'QRHARNESS', implementationVersionName: 'ORTHANC_1_10' };
    doc.checks[0] = { ...doc.checks[0]!, verdict: 'fail', summary: 'FE00 carried an Identifier' };
    writeFileSync(path.join(other, 'verdicts.json'), JSON.stringify(doc));
    const lines = envelopes(other).map((e) => {
      if (e.attachment?.mediaType !== VERDICT_MEDIA_TYPE) return e;
      const v = JSON.parse(e.attachment.body);
      return v.id === flipped ? { attachment: { ...e.attachment, body: JSON.stringify({ ...v, verdict: 'fail', summary: 'FE00 carried an Identifier' }, null, 2) } } : e;
    });
    writeFileSync(path.join(other, 'messages.ndjson'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));

    const out = tempDir('merged-two-targets');
    const io = capture();
    assert.equal(await mergeConformRuns([a, other], out, io), ExitCode.Ok, io.stderr.join('\n'));
    const dm = verdicts(out);
    const n = verdicts(a).summary.total;
    assert.equal(dm.summary.total, 2 * n);
    const twice = dm.checks.filter((c) => c.id.startsWith(`${flipped}@run-`));
    assert.deepEqual(twice.map((c) => [c.id, c.verdict]), [[`${flipped}@run-1`, 'pass'], [`${flipped}@run-2`, 'fail']]);
    assert.match(twice[1]!.title, /\(run 2: ORTHANC at 10\.0\.0\.5:4242 \(ORTHANC_1_10\)\)$/);
    assert.equal(dm.target, undefined, 'two systems: no one target');
    assert.equal(dm.run.mode, 'self + archive under test');

    const html = read(out, 'conformance.html');
    assert.match(html, /<dt>Systems under test<\/dt><dd>2 runs: self run @scp-under-test and @cancellation, ORTHANC at 10\.0\.0\.5:4242 \(ORTHANC_1_10\)<\/dd>/);
    assert.match(html, new RegExp(`<b id="check-total">${2 * n}</b>`));
    assert.match(html, /<div class="tile b-fail" data-count="fail"><span class="n">1<\/span>/);
    const junit = read(out, 'junit.xml');
    assert.equal(testcases(junit), 2 * n, 'each renamed check still belongs to its scenario (none is listed "before the suite")');
    assert.equal(junit.match(/<failure /g)?.length, 1);

    // The same code: its definitions once; the run's own messages re-keyed, every reference following.
    const [ea, em] = [envelopes(a), envelopes(out)];
    for (const type of ['source', 'gherkinDocument', 'pickle', 'stepDefinition', 'hook']) assert.equal(ofType(em, type).length, ofType(ea, type).length, `${type}: kept once`);
    const started = ofType(em, 'testCaseStarted');
    assert.equal(new Set(started.map((s) => s.id)).size, 2 * ofType(ea, 'testCaseStarted').length);
    const cases = new Set(ofType(em, 'testCase').map((t) => t.id));
    assert.equal(cases.size, 2 * ofType(ea, 'testCase').length);
    assert.ok(started.every((s) => cases.has(s.testCaseId)));
    const run = readRunStream(read(out, 'messages.ndjson'));
    assert.equal(run.scenarios.length, 2 * n);
    assert.deepEqual(run.scenarios.filter((s) => s.verdicts.some((v) => v.id.startsWith(flipped))).map((s) => [s.verdicts[0]!.verdict, s.notes.find((x) => x.name === 'run')?.text]), [
      ['pass', 'run 1: self run @scp-under-test and @cancellation'],
      ['fail', 'run 2: ORTHANC at 10.0.0.5:4242 (ORTHANC_1_10)'],
    ]);
  });

  test('bad inputs: one line each, exit 2, nothing written', async () => {
    const scratch = tempDir('merge-bad');
    const empty = path.join(scratch, 'empty');
    mkdirSync(empty);
    const streamOnly = path.join(scratch, 'stream-only');
    mkdirSync(streamOnly);
    cpSync(path.join(a, 'messages.ndjson'), path.join(streamOnly, 'messages.ndjson'));
    const garbage = path.join(scratch, 'garbage');
    mkdirSync(garbage);
    writeFileSync(path.join(garbage, 'messages.ndjson'), `${read(a, 'messages.ndjson').split('\n')[0]}\nnot json\n`);
    cpSync(path.join(a, 'verdicts.json'), path.join(garbage, 'verdicts.json'));
    const notCucumber = path.join(scratch, 'not-cucumber');
    mkdirSync(notCucumber);
    writeFileSync(path.join(notCucumber, 'messages.ndjson'), '{"shard":0,"requests":12}\n');
    cpSync(path.join(a, 'verdicts.json'), path.join(notCucumber, 'verdicts.json'));
    const unreadable = path.join(scratch, 'unreadable');
    mkdirSync(path.join(unreadable, 'messages.ndjson'), { recursive: true });
    cpSync(path.join(a, 'verdicts.json'), path.join(unreadable, 'verdicts.json'));
    const newer = path.join(scratch, 'newer');
    cpSync(a, newer, { recursive: true });
    const doc = verdicts(newer);
    writeFileSync(path.join(newer, 'verdicts.json'), JSON.stringify({ ...doc, product: { ...doc.product, version: '9.9.9' } }));

    const cases: [string[], RegExp][] = [
      [[], /^error: nothing to merge: name the report folders of conformance runs$/],
      [[a, path.join(scratch, 'nowhere')], /^error: .*nowhere: no such file or folder$/],
      [[empty], /^error: .*empty: not the report folder of a conformance run \(no messages\.ndjson in it; "qr-harness conform --report DIR" writes one\)$/],
      [[streamOnly], /^error: .*stream-only: not a conformance run's report \(no verdicts\.json beside messages\.ndjson\)$/],
      [[a, garbage], /^error: .*garbage\/messages\.ndjson:2: not a JSON line \(a message stream cut short\?\)$/],
      [[notCucumber], /^error: .*not-cucumber: messages\.ndjson is not a cucumber message stream \(it does not start with a meta envelope\)$/],
      [[unreadable], /^error: .*unreadable: cannot read messages\.ndjson: EISDIR$/],
      [[a, newer], /^error: .*newer: a run of dicom-qr-harness 9\.9\.9, but .* is of dicom-qr-harness \d+\.\d+\.\d+: only runs of one version can be merged$/],
      [[a, path.join(a, 'messages.ndjson')], /^error: .*messages\.ndjson: the same run as .*, named twice$/],
    ];
    for (const [inputs, message] of cases) {
      const out = path.join(scratch, 'out');
      const io = capture();
      assert.equal(await mergeConformRuns(inputs, out, io), ExitCode.Usage, inputs.join(' '));
      assert.equal(io.stderr.length, 1, io.stderr.join('\n'));
      assert.match(io.stderr[0]!, message);
      assert.equal(existsSync(out), false, 'nothing written');
    }
  });

  test('isConformRunInput: a report folder or a message stream, not a load shard', () => {
    const scratch = tempDir('merge-kind');
    const shard = path.join(scratch, 'shard-0.json');
    writeFileSync(shard, '{"shard":"0/4","requests":100}\n');
    assert.equal(isConformRunInput(a), true);
    assert.equal(isConformRunInput(path.join(a, 'messages.ndjson')), true);
    assert.equal(isConformRunInput(path.join(a, 'verdicts.json')), false);
    assert.equal(isConformRunInput(shard), false);
    assert.equal(isConformRunInput(path.join(scratch, 'nowhere')), false);
  });
});

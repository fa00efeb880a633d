/** The report model and the JUnit XML built from a real run's message stream (see test-run.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Verdict } from '../../simulators/conformance/verdict.ts';
import { countVerdicts } from '../../simulators/conformance/verdicts-doc.ts';
import type { VerdictsDoc } from '../../simulators/conformance/verdicts-doc.ts';
import { junitXml } from './junit.ts';
import { buildModel } from './model.ts';
import type { ReportModel } from './model.ts';
import { readRunStream } from './run-stream.ts';
import type { RunStream } from './run-stream.ts';
import { runCucumber } from './test-run.ts';

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

const XML_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const BARE_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (s: string) => s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, e: string) => (e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!));

/** A strict reader of the XML subset JUnit files use: one root, every tag closed in order, quoted attributes, only XML characters and known entities. */
function parseXml(xml: string): El {
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/);
  const body = xml.slice(xml.indexOf('?>') + 2);
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  const stack: El[] = [{ name: '#document', attrs: {}, children: [], text: '' }];
  for (let at = 0; at < body.length; at = token.lastIndex) {
    token.lastIndex = at;
    const m = token.exec(body);
    assert.ok(m, `not well-formed at ${at}: ${body.slice(at, at + 60)}`);
    const [, close, name, attrText, selfClosing, text] = m;
    const top = stack.at(-1)!;
    for (const raw of [text, attrText]) {
      if (raw === undefined) continue;
      assert.doesNotMatch(raw, BARE_AMPERSAND, 'an & not escaped');
      assert.doesNotMatch(raw, XML_CHAR, 'a character XML 1.0 cannot carry');
    }
    if (text !== undefined) top.text += unescape(text);
    else if (close) {
      assert.equal(name, top.name, `</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const el: El = { name: name!, attrs: {}, children: [], text: '' };
      for (const [, k, v] of attrText!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
        assert.ok(!(k! in el.attrs), `attribute ${k} twice on <${name}>`);
        el.attrs[k!] = unescape(v!);
      }
      top.children.push(el);
      if (!selfClosing) stack.push(el);
    }
  }
  assert.equal(stack.length, 1, `<${stack.at(-1)!.name}> never closed`);
  assert.equal(stack[0]!.children.length, 1, 'one root element');
  assert.equal(stack[0]!.text.trim(), '', 'no text outside the root');
  return stack[0]!.children[0]!;
}

const all = (el: El, name: string): El[] => [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
const child = (el: El, name: string) => el.children.find((c) => c.name === name);
const props = (tc: El) => Object.fromEntries((child(tc, 'properties')?.children ?? []).map((p) => [p.attrs.name!, p.attrs.value!]));

const run = runCucumber();
const stream = readRunStream(run.messages);
const product = { name: 'dicom-qr-harness', version: '0.0.0-test' };
const FAILED = 'A C-ECHO status the SCP never answers';
const UNDEFINED = 'A step nobody wrote';

test('the model counts every scenario by outcome, per theme, with fails and errors as headlines', () => {
  const m = buildModel(stream, undefined, product);
  const passed = stream.scenarios.filter((s) => s.status === 'PASSED').length;
  assert.equal(passed, run.counted.byStatus.passed);
  assert.deepEqual(m.outcomeCounts, { pass: passed, fail: 1, finding: 0, 'n/a': 0, error: 1, total: run.counted.total });
  assert.deepEqual(m.matrix, { association: { pass: passed, fail: 1, finding: 0, 'n/a': 0, error: 1 } });
  assert.deepEqual(m.themes, ['association']);
  assert.deepEqual([m.mode, m.interrupted, m.startedAt, m.durationMs], ['self', false, new Date(stream.startedAt!).toISOString(), stream.finishedAt! - stream.startedAt!]);
  assert.deepEqual(m.checkCounts.total, 0);
  assert.equal(new Set(m.scenarios.map((s) => s.anchor)).size, m.scenarios.length, 'anchors are unique, outlines included');

  assert.deepEqual(m.headlines.map((h) => [h.verdict, h.id, h.title, h.theme]), [
    ['fail', FAILED, 'Reports of a run with failures', 'association'],
    ['error', UNDEFINED, 'Reports of a run with failures', 'association'],
  ]);
  const [fail, error] = m.headlines;
  assert.ok(fail!.seen.startsWith('Then the C-ECHO status is 0110: ') && fail!.seen.length > 'Then the C-ECHO status is 0110: '.length, fail!.seen);
  assert.doesNotMatch(fail!.seen, /\n|\s+at /);
  assert.equal(error!.seen, 'When the moon sends C-ECHO: UNDEFINED');
  assert.equal(fail!.anchor, m.scenarios.find((s) => s.name === FAILED)!.anchor);

  for (const [n, list] of m.byChecklist) for (const s of list) assert.ok(s.tags.includes(`@checklist-${n}`), `${s.name} under item ${n}`);
  const item55 = m.byChecklist.get(55)!.map((s) => s.name);
  assert.ok(item55.includes('Verification, then release') && item55.includes(FAILED));
});

test('JUnit: well-formed, one testsuite per feature and one testcase per scenario, named by scenario, classed by feature', () => {
  const m = buildModel(stream, undefined, product);
  const xml = junitXml(m);
  const root = parseXml(xml);
  assert.equal(root.name, 'testsuites');
  assert.deepEqual([root.attrs.tests, root.attrs.failures, root.attrs.skipped], [String(m.scenarios.length), '2', '0']);
  assert.equal(root.attrs.name, 'dicom-qr-harness conformance (self run)');
  const suites = all(root, 'testsuite');
  assert.deepEqual(suites.map((s) => s.attrs.file).sort(), [...new Set(m.scenarios.map((s) => s.uri))].sort());
  for (const suite of suites) {
    const inFile = m.scenarios.filter((s) => s.uri === suite.attrs.file);
    assert.equal(suite.attrs.name, inFile[0]!.feature);
    assert.deepEqual(suite.children.map((tc) => [tc.name, tc.attrs.classname, tc.attrs.name]), inFile.map((s) => ['testcase', s.feature, s.name]));
    assert.equal(suite.attrs.tests, String(inFile.length));
  }
  const cases = all(root, 'testcase');
  assert.equal(cases.length, m.scenarios.length);
  const inOrder = suites.flatMap((suite) => m.scenarios.filter((s) => s.uri === suite.attrs.file));
  cases.forEach((tc, i) => {
    const s = inOrder[i]!;
    const p = props(tc);
    assert.equal(p.verdict, s.outcome);
    assert.equal(p.checklist, s.checklist.length ? s.checklist.join(',') : undefined);
    assert.equal(p.location, `${s.uri}:${s.line}`);
  });
  assert.equal(props(cases.find((tc) => tc.attrs.name === 'Verification, then release')!).checklist, '55');
  assert.doesNotMatch(xml, / {4}at /, 'no stack trace anywhere');
});

test('JUnit: a failed or undefined step is one <failure> paragraph, its message and its text the same', () => {
  const root = parseXml(junitXml(buildModel(stream, undefined, product)));
  const failures = all(root, 'failure');
  assert.equal(failures.length, 2);
  const byCase = (name: string) => child(all(root, 'testcase').find((tc) => tc.attrs.name === name)!, 'failure')!;
  const failed = byCase(FAILED);
  assert.equal(failed.attrs.type, 'fail');
  assert.equal(failed.attrs.message, failed.text);
  assert.match(failed.text, /^The step "Then the C-ECHO status is 0110" failed: \S/);
  assert.doesNotMatch(failed.text, /\n|\s{2}at |\.ts:\d+/);
  const undefinedStep = byCase(UNDEFINED);
  assert.deepEqual([undefinedStep.attrs.type, undefinedStep.text], ['error', 'The step "When the moon sends C-ECHO" is undefined.']);
});

test('JUnit with verdicts: checks as properties, findings in system-out, a failed check as the failure, checks before the suite as their own testsuite, any text escaped', () => {
  const copy = structuredClone(stream) as RunStream;
  const verdict = (id: string, v: Verdict['verdict'], summary: string): Verdict => ({ id, title: `check ${id}`, verdict: v, rules: ['PS3.4 C.2.2.2.4'], checklist: [60], summary, observations: [], evidence: {}, at: '2026-01-01T00:00:00Z' });
  const awkward = 'names <PN> & "quotes" \'apos\' differ: Müller 😀 \u0001 \uD800';
  copy.scenarios.find((s) => s.name === 'Verification, then release')!.verdicts.push(verdict('QR-9', 'finding', awkward));
  copy.scenarios.find((s) => s.name === 'Message ID 7')!.verdicts.push(verdict('QR-10', 'fail', 'a Pending came without an Identifier'));
  const reach = { ...verdict('REACH', 'error', 'connection refused'), checklist: [] };
  const checks = [...copy.scenarios.flatMap((s) => s.verdicts), reach];
  const doc: VerdictsDoc = {
    product,
    run: { mode: 'archive under test', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:03.000Z', durationMs: 3000, interrupted: false },
    target: { host: 'pacs.example', port: 104, aeTitle: 'PACS', callingAeTitle: 'QRHARNESS' },
    dataSet: { paths: [] },
    summary: countVerdicts(checks),
    checks,
  };
  const m: ReportModel = buildModel(copy, doc, product);
  assert.deepEqual(m.checkCounts, { pass: 0, fail: 1, finding: 1, 'n/a': 0, error: 1, total: 3 });
  assert.equal(m.matrix.data!.error, 1, 'the check reached before the suite counts under "data"');
  assert.deepEqual(m.headlines.map((h) => [h.verdict, h.id]), [['fail', 'QR-10'], ['fail', FAILED], ['error', 'REACH'], ['error', UNDEFINED], ['finding', 'QR-9']]);

  const root = parseXml(junitXml(m));
  assert.equal(root.attrs.name, 'dicom-qr-harness conformance — PACS at pacs.example:104');
  assert.deepEqual([root.attrs.tests, root.attrs.failures, root.attrs.time], [String(m.scenarios.length + 1), '4', '3.000']);
  const tc = (name: string) => all(root, 'testcase').find((x) => x.attrs.name === name)!;
  const finding = tc('Verification, then release');
  assert.deepEqual([props(finding).verdict, props(finding)['check QR-9'], props(finding).checklist], ['finding', 'finding', '55,60']);
  assert.equal(child(finding, 'failure'), undefined);
  assert.equal(child(finding, 'system-out')!.text, `FINDING QR-9: ${awkward.replace('\u0001', '\uFFFD').replace('\uD800', '\uFFFD')} [PS3.4 C.2.2.2.4]`);
  assert.equal(child(tc('Message ID 7'), 'failure')!.text, 'QR-10 fail: a Pending came without an Identifier (rules: PS3.4 C.2.2.2.4).');
  const before = all(root, 'testsuite')[0]!;
  assert.deepEqual([before.attrs.name, before.attrs.tests, before.attrs.failures], ['Before the suite', '1', '1']);
  assert.deepEqual([before.children[0]!.attrs.name, child(before.children[0]!, 'failure')!.attrs.type], ['REACH: check REACH', 'error']);
});

test('the reader of these tests refuses what is not well-formed', () => {
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
  for (const bad of ['<a><b></a></b>', '<a>x & y</a>', '<a x="1" x="2"/>', '<a/><b/>', '<a>\u0001</a>', '<a>', '<a x=1/>']) assert.throws(() => parseXml(head + bad), assert.AssertionError, bad);
  assert.deepEqual(parseXml(`${head}<a x="&lt;&amp;&quot;"><b/>t&#233;</a>`), { name: 'a', attrs: { x: '<&"' }, children: [{ name: 'b', attrs: {}, children: [], text: '' }], text: 'té' });
});

/**
 * The scripted SCU over real sockets against a scenario SCP, asserted on what the SCP received
 * (its record): cancel variants, invalid identifiers, abort and release mid-stream, backpressure,
 * concurrent requests, proposals and extended negotiation, and the step expectations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { TransferSyntax } from '../dimse/sop-classes.ts';
import { loadScenario } from './load.ts';
import { runScu } from './scu-runtime.ts';
import type { ScuRunResult } from './scu-runtime.ts';
import { startScenarioScp } from '../testing/scenario-harness.ts';
import { tempDir } from '../testing/temp-dir.ts';
import type { RunningScenario } from '../testing/scenario-harness.ts';

const SCP = `store:
  synthetic: { patients: 1, studies: 8, seed: 3 }
  patients:
    - { PatientID: P1, PatientName: DOE^JOHN, studies: [{ StudyInstanceUID: "1.2.3" }] }
scp:
  aeTitle: QRSCP
  behaviours:
    - when: { callingAeTitle: SLOWSTART }
      respond: [{ pending: matches, firstDelayMs: 300, delayMs: 20 }]
    - respond: [{ pending: matches, delayMs: 20 }]
`;

/** Runs `steps` (YAML) as the SCU of a scenario whose SCP is `SCP`, both on real sockets. */
async function run(scu: string, o: { dimseTimeoutMs?: number } = {}): Promise<{ result: ScuRunResult; s: RunningScenario }> {
  const dir = tempDir('scu');
  writeFileSync(path.join(dir, 's.yaml'), `name: scu test\n${SCP}scu:\n${scu}`);
  const scenario = loadScenario(path.join(dir, 's.yaml'));
  const s = await startScenarioScp(path.join(dir, 's.yaml'));
  try {
    const result = await runScu(scenario.scu!, { host: '127.0.0.1', port: s.port }, { ...(o.dimseTimeoutMs && { dimseTimeoutMs: o.dimseTimeoutMs }) });
    // Let the SCP see the end of the association.
    for (let i = 0; i < 50 && [...s.recorder.associations.values()].some((a) => a.outcome === 'established' || a.outcome === 'requested'); i++) await new Promise((r) => setTimeout(r, 20));
    return { result, s };
  } finally {
    await s.close();
  }
}

const STUDY_FIND = (extra: string) => `    - find:\n        model: study\n        level: STUDY\n        identifier: { StudyInstanceUID: "" }\n${extra}`;

test('cancel before the first Pending, after 2, after the final, twice, with a Message ID never sent — as the SCP saw them', async () => {
  const before = await run(`  callingAeTitle: SLOWSTART\n  calledAeTitle: QRSCP\n  steps:\n${STUDY_FIND('        cancel: { after: 0 }\n        expect: { final: FE00, pendings: 0 }\n')}`);
  assert.ok(before.result.ok, JSON.stringify(before.result.steps));
  assert.deepEqual(before.s.recorder.cancels().map((c) => [c.messageIdBeingRespondedTo, c.pendingsBefore, c.finalStatus]), [[1, 0, 0xfe00]]);

  const two = await run(`  calledAeTitle: QRSCP\n  steps:\n${STUDY_FIND('        cancel: { after: 2 }\n        expect: { final: FE00, minPendings: 2, maxPendings: 3 }\n')}`);
  assert.ok(two.result.ok, JSON.stringify(two.result.steps));
  assert.equal(two.s.recorder.cancels()[0]!.pendingsBefore, 2);

  const after = await run(`  calledAeTitle: QRSCP\n  steps:\n${STUDY_FIND('        cancel: { afterFinal: true }\n        expect: { final: "0000", pendings: 9 }\n')}`);
  assert.ok(after.result.ok, JSON.stringify(after.result.steps));
  assert.deepEqual(after.s.recorder.cancels().map((c) => [c.matchesRequest, c.pendingsBefore, c.pendingsAfter]), [[false, 9, 0]]);

  const twice = await run(`  calledAeTitle: QRSCP\n  steps:\n${STUDY_FIND('        cancel: { after: 1, twice: true }\n        expect: { final: FE00 }\n')}`);
  assert.deepEqual(twice.s.recorder.cancels().map((c) => c.messageIdBeingRespondedTo), [1, 1]);

  const wrong = await run(`  calledAeTitle: QRSCP\n  steps:\n${STUDY_FIND('        cancel: { wrongMessageId: true }\n        expect: { final: "0000", pendings: 9 }\n')}`);
  assert.ok(wrong.result.ok, JSON.stringify(wrong.result.steps));
  const c = wrong.s.recorder.cancels();
  assert.equal(c.length, 1);
  assert.notEqual(c[0]!.messageIdBeingRespondedTo, 1);
  assert.equal(c[0]!.matchesRequest, false);
});

test('invalid identifiers on purpose: no level, keys below the level, an odd-length element, UTF-8 under ISO_IR 100', async () => {
  const { s } = await run(`  calledAeTitle: QRSCP\n  steps:
    - find: { model: study, invalid: noLevel, identifier: { StudyInstanceUID: "" } }
    - find: { model: study, level: STUDY, invalid: keysBelowLevel, identifier: { StudyInstanceUID: "" } }
    - find: { model: study, level: STUDY, invalid: badVr, identifier: { StudyInstanceUID: "" } }
    - find: { model: study, level: STUDY, invalid: wrongCharset, identifier: { StudyInstanceUID: "" } }
`);
  const ids = s.recorder.fromPeer('C-FIND-RQ').map((m) => m.dataSet!);
  assert.equal(ids.length, 4);
  assert.equal(ids[0]!.includes(Buffer.from([0x08, 0x00, 0x52, 0x00])), false, 'a Query/Retrieve Level was sent');
  assert.ok(ids[1]!.includes(Buffer.from([0x20, 0x00, 0x0e, 0x00])), 'no SeriesInstanceUID at STUDY level');
  assert.ok(ids[2]!.subarray(-11).equals(Buffer.from('11001000' + '4c4f0300' + '4f4444', 'hex')), `ends ${ids[2]!.subarray(-11).toString('hex')}`);
  assert.ok(ids[3]!.includes(Buffer.from('ISO_IR 100')) && ids[3]!.includes(Buffer.from('Müller', 'utf8')));
});

test('abort after N Pendings; release while the C-FIND is outstanding; re-associate for the next step', async () => {
  const aborted = await run(`  calledAeTitle: QRSCP\n  steps:\n${STUDY_FIND('        abortAfter: 2\n')}    - echo: true\n`);
  const assocs = [...aborted.s.recorder.associations.values()];
  assert.equal(assocs[0]!.outcome, 'aborted');
  assert.equal(assocs[1]!.outcome, 'released');
  assert.equal(aborted.s.recorder.toPeer('C-FIND-RSP').filter((m) => m.command.Status === 0xff00).length >= 2, true);
  assert.ok(aborted.result.steps[1]!.ok, 'the echo on a new association failed');

  const released = await run(`  calledAeTitle: QRSCP\n  steps:\n${STUDY_FIND('        releaseAfter: 1\n')}`);
  const rq = released.s.events.findIndex((e) => e.kind === 'pdu:received' && e.pdu?.type === 0x05);
  const firstPending = released.s.events.findIndex((e) => e.kind === 'dimse:sent');
  assert.ok(rq > firstPending && firstPending >= 0, 'no A-RELEASE-RQ after the first Pending');
  assert.match(released.result.steps[0]!.detail, /A-RELEASE-RQ after 1 Pendings, C-FIND outstanding/);
});

test('stop reading for a while: the DIMSE timer is held, so a 400 ms pause outlives a 200 ms timeout', async () => {
  const t0 = performance.now();
  const { result } = await run(`  calledAeTitle: QRSCP\n  steps:\n${STUDY_FIND('        pauseReadingMs: 400\n        expect: { final: "0000", pendings: 9 }\n')}`, { dimseTimeoutMs: 200 });
  assert.ok(result.ok, JSON.stringify(result.steps));
  assert.ok(performance.now() - t0 >= 400);
  assert.match(result.steps[0]!.detail, /stopped reading for 400 ms/);
});

test('two C-FINDs at once without an asynchronous operations window: both reach the SCP before either final', async () => {
  const { result, s } = await run(`  calledAeTitle: QRSCP\n  steps:\n${STUDY_FIND('        concurrent: 2\n')}`);
  const names = s.recorder.messages.map((m) => `${m.name}:${m.command.MessageID ?? m.command.MessageIDBeingRespondedTo}:${m.command.Status ?? ''}`);
  assert.deepEqual(names.filter((n) => n.startsWith('C-FIND-RQ')), ['C-FIND-RQ:1:', 'C-FIND-RQ:2:']);
  assert.ok(names.indexOf('C-FIND-RQ:2:') < names.findIndex((n) => n.startsWith('C-FIND-RSP') && !n.endsWith(':65280')), 'the second request came after a final');
  assert.equal(result.steps[0]!.detail.split('\n').length, 2);
});

test('what the SCU proposes: transfer syntaxes, max PDU, extended negotiation, async window', async () => {
  const { s } = await run(`  calledAeTitle: QRSCP
  sopClasses: [StudyRoot, Verification]
  transferSyntaxes: [ImplicitVRLittleEndian]
  maxPduLength: 8192
  extendedNegotiation: { relational: true, datetime: true, multipleValue: true }
  asyncOperationsWindow: { invoked: 3, performed: 1 }
  steps:
    - echo: true
`);
  const rq = s.events.find((e) => e.kind === 'association' && e.phase === 'requested') as unknown as { request: { presentationContexts: { abstractSyntax: string; transferSyntaxes: string[] }[]; maxPduLength: number; extendedNegotiations: { applicationInformation: Uint8Array }[]; asyncOperationsWindow?: { maxOperationsInvoked: number } } };
  assert.deepEqual(rq.request.presentationContexts.map((p) => p.transferSyntaxes), [[TransferSyntax.ImplicitVRLittleEndian], [TransferSyntax.ImplicitVRLittleEndian]]);
  assert.equal(rq.request.maxPduLength, 8192);
  assert.deepEqual([...rq.request.extendedNegotiations[0]!.applicationInformation], [1, 1, 0, 0, 0, 0, 1]);
  assert.equal(rq.request.asyncOperationsWindow?.maxOperationsInvoked, 3);
});

test('expectations: a step that gets another answer fails with the reason, the run fails, the next steps still run', async () => {
  const { result } = await run(`  calledAeTitle: QRSCP\n  steps:\n${STUDY_FIND('        expect: { final: A700, maxPendings: 3 }\n')}    - echo: true\n    - release: true\n    - delayMs: 10\n`);
  assert.equal(result.ok, false);
  assert.deepEqual(result.steps[0]!.failures, ['final status 0000, expected A700', '9 Pendings, expected at most 3']);
  assert.deepEqual(result.steps.slice(1).map((x) => x.ok), [true, true, true]);
});

test('a refused association fails the steps that need one, with the rejection', async () => {
  const dir = tempDir('scu');
  writeFileSync(path.join(dir, 's.yaml'), `name: x\n${SCP}  callingAeTitles: [OTHER]\nscu:\n  calledAeTitle: QRSCP\n  steps:\n    - echo: true\n`);
  const s = await startScenarioScp(path.join(dir, 's.yaml'));
  try {
    const result = await runScu(loadScenario(path.join(dir, 's.yaml')).scu!, { host: '127.0.0.1', port: s.port });
    assert.equal(result.ok, false);
    assert.match(result.steps[0]!.detail, /UL_ASSOCIATION_REJECTED.*calling-AE-title-not-recognized \(result 1, source 1, reason 3\)/);
  } finally {
    await s.close();
  }
});

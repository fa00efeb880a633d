/**
 * Scripted C-FIND answers over real sockets: streams with delays, scripted identifiers, FF01,
 * every kind of final status, cancel honoured / ignored / honoured late, which behaviour answers
 * which request, and state that advances across requests. What the SCU received is asserted,
 * and what the SCP recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTag } from '../dataset/dictionary.ts';
import { connectClient, startScenarioScp } from '../testing/scenario-harness.ts';
import type { FindResponse } from '../scu/find-operation.ts';

const STORE = `store:
  synthetic: { patients: 2, studies: 3, series: 1, instances: 4, seed: 11 }
  patients:
    - { PatientID: P1, PatientName: DOE^JOHN, studies: [{ StudyInstanceUID: "1.2.3", StudyDescription: CHEST }] }
`;
const STUDY = { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' };
const IMAGE = { QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: '', SeriesInstanceUID: '', SOPInstanceUID: '' };
const statuses = (r: FindResponse[]) => r.map((x) => x.status.toString(16).toUpperCase().padStart(4, '0'));

async function query(yaml: string, identifier: Record<string, string>, o: { callingAeTitle?: string; model?: 'study' | 'patient' } = {}) {
  const s = await startScenarioScp(yaml);
  try {
    const { client } = await connectClient(s.port, { ...(o.callingAeTitle && { callingAeTitle: o.callingAeTitle }) });
    const r = await client.find(o.model ?? 'study', identifier).collect();
    await client.release();
    return { r, s };
  } finally {
    await s.close();
  }
}

test("stream the store's matches: a delay before the first, then per response; 0000 ends a script that sends no final", async () => {
  const { r } = await query(`name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ pending: matches, firstDelayMs: 250, delayMs: 40 }]\n`, STUDY);
  assert.deepEqual(statuses(r), [...Array(7).fill('FF00'), '0000']);
  const gaps = r.slice(1).map((x, i) => x.receivedAt - r[i]!.receivedAt);
  assert.ok(gaps.slice(0, 6).every((g) => g >= 35), `gaps ${gaps}`);
  assert.ok(r.every((x) => x.problems.length === 0));
});

test('a random delay range keeps every gap inside it', async () => {
  const { r } = await query(`name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ pending: 5, delayMs: [30, 80] }]\n`, STUDY);
  const gaps = r.slice(1, 5).map((x, i) => x.receivedAt - r[i]!.receivedAt);
  assert.ok(gaps.every((g) => g >= 25 && g < 200), `gaps ${gaps}`);
});

test('scripted identifiers, FF01 Pendings, then a final; the first N store matches, or generated ones', async () => {
  const { r } = await query(
    `name: x\n${STORE}scp:\n  behaviours:\n    - respond:\n        - pending: [{ QueryRetrieveLevel: STUDY, StudyInstanceUID: "9.9.1", PatientName: "ÅNGSTRÖM^A" }, { QueryRetrieveLevel: STUDY, StudyInstanceUID: "9.9.2" }]\n          status: FF01\n        - pending: 2\n        - final: "0000"\n`,
    STUDY,
  );
  assert.deepEqual(statuses(r), ['FF01', 'FF01', 'FF00', 'FF00', '0000']);
  assert.deepEqual(r.slice(0, 2).map((x) => x.identifier?.text('StudyInstanceUID')), ['9.9.1', '9.9.2']);
  assert.equal(r[0]!.identifier?.text('PatientName'), 'ÅNGSTRÖM^A');
  const generated = await query(`name: x\nscp:\n  behaviours:\n    - respond: [{ pending: 3 }]\n`, STUDY);
  assert.deepEqual(statuses(generated.r), ['FF00', 'FF00', 'FF00', '0000']);
  assert.deepEqual(new Set(generated.r.slice(0, 3).map((x) => x.identifier?.text('StudyInstanceUID'))).size, 3);
});

test('finals: A700 with an Error Comment after 3 Pendings, A900 with Offending Elements, Cxxx with Error ID, 0122, B000', async () => {
  const a700 = await query(`name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ pending: 3 }, { final: A700, errorComment: out of resources }]\n`, STUDY);
  assert.deepEqual(statuses(a700.r), ['FF00', 'FF00', 'FF00', 'A700']);
  assert.equal(a700.r[3]!.command.ErrorComment, 'out of resources');
  assert.equal(a700.r[3]!.identifier, undefined);
  const a900 = await query(`name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ final: A900, offendingElement: [PatientName, "(0020,000D)"], errorComment: bad keys }]\n`, STUDY);
  assert.deepEqual(statuses(a900.r), ['A900']);
  assert.deepEqual(a900.r[0]!.command.OffendingElement, [parseTag('PatientName'), 0x0020000d]);
  const c123 = await query(`name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ final: C123, errorComment: index corrupt, errorId: 77 }]\n`, STUDY);
  assert.equal(c123.r[0]!.status, 0xc123);
  assert.equal(c123.r[0]!.command.ErrorID, 77);
  const unsupported = await query(`name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ final: "0122" }]\n`, STUDY);
  assert.deepEqual(statuses(unsupported.r), ['0122']);
  const warning = await query(`name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ pending: 1 }, { final: B000 }]\n`, STUDY);
  assert.deepEqual(statuses(warning.r), ['FF00', 'B000']);
});

test('a final status in no status class is sent when asked for, and our SCU reports it', async () => {
  const { r } = await query(`name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ final: "0042", anyStatus: true }]\n`, STUDY);
  assert.deepEqual(statuses(r), ['0042']);
  assert.match(r[0]!.problems.join(), /belongs to no status class/);
});

async function cancelled(yaml: string, cancelAfter: number) {
  const s = await startScenarioScp(yaml);
  try {
    const { client } = await connectClient(s.port);
    const op = client.find('study', STUDY);
    const r: FindResponse[] = [];
    for await (const x of op) {
      r.push(x);
      if (r.length === cancelAfter) op.cancel();
    }
    await client.release();
    return { r, cancels: s.recorder.cancels() };
  } finally {
    await s.close();
  }
}

test('cancel honoured: FE00 at once; the recorder says "C-CANCEL for message 1 after 2 Pendings"', async () => {
  const { r, cancels } = await cancelled(`name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ cancel: honour }, { pending: matches, delayMs: 30 }]\n`, 2);
  assert.deepEqual(statuses(r), ['FF00', 'FF00', 'FE00']);
  assert.equal(cancels.length, 1);
  assert.deepEqual({ ...cancels[0], msAfterRequest: undefined }, { associationId: cancels[0]!.associationId, messageIdBeingRespondedTo: 1, matchesRequest: true, pendingsBefore: 2, pendingsAfter: 0, msAfterRequest: undefined, finalStatus: 0xfe00 });
});

test('cancel ignored: every match and 0000; honoured late: exactly N more Pendings, then FE00', async () => {
  const ignored = await cancelled(`name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ cancel: ignore }, { pending: matches, delayMs: 10 }]\n`, 2);
  assert.deepEqual(statuses(ignored.r), [...Array(7).fill('FF00'), '0000']);
  assert.equal(ignored.cancels[0]?.pendingsAfter, 5);
  const late = await cancelled(`name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ cancel: { after: 3 } }, { pending: matches, delayMs: 30 }]\n`, 2);
  assert.deepEqual(statuses(late.r), [...Array(5).fill('FF00'), 'FE00']);
  assert.equal(late.cancels[0]?.pendingsAfter, 3);
});

test('no behaviour applies: the store answers, and a C-CANCEL is honoured', async () => {
  const { r } = await query(`name: x\n${STORE}scp:\n  behaviours:\n    - when: { level: PATIENT }\n      respond: [{ final: A700 }]\n`, { ...STUDY, StudyDescription: 'CHEST' });
  assert.deepEqual(statuses(r), ['FF00', '0000']);
  assert.equal(r[0]!.identifier?.text('StudyInstanceUID'), '1.2.3');
  const c = await cancelled(`name: x\nstore:\n  synthetic: { patients: 3000 }\nscp:\n  behaviours: []\n`, 1);
  assert.ok(c.r.length < 3001, `${c.r.length} responses`);
  assert.equal(c.r.at(-1)!.status, 0xfe00);
});

test('which behaviour answers: model, level, calling AE, identifier (wild cards), missing keys, first match wins', async () => {
  const yaml = `name: x\n${STORE}scp:\n  behaviours:
    - when: { model: patient }
      respond: [{ final: C001 }]
    - when: { callingAeTitle: "VIP*" }
      respond: [{ final: C002 }]
    - when: { identifier: { PatientName: "DOE^*" } }
      respond: [{ final: C003 }]
    - when: { missing: [QueryRetrieveLevel] }
      respond: [{ final: C004 }]
    - when: { level: IMAGE }
      respond: [{ final: C005 }]
`;
  assert.equal((await query(yaml, { QueryRetrieveLevel: 'PATIENT', PatientID: '' }, { model: 'patient' })).r[0]!.status, 0xc001);
  assert.equal((await query(yaml, STUDY, { callingAeTitle: 'VIP-WS1' })).r[0]!.status, 0xc002);
  assert.equal((await query(yaml, { ...STUDY, PatientName: 'DOE^JOHN' })).r[0]!.status, 0xc003);
  assert.equal((await query(yaml, { StudyInstanceUID: '' })).r[0]!.status, 0xc004);
  assert.equal((await query(yaml, IMAGE)).r[0]!.status, 0xc005);
  // A query the store refuses is refused by a "pending: matches" step too (strict: IMAGE needs the higher unique keys).
  assert.deepEqual(statuses((await query(`name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ pending: matches }]\n`, IMAGE)).r), ['A900']);
  assert.equal((await query(yaml, STUDY)).r.at(-1)!.status, 0x0000);
});

test('state advances across requests (and associations); times limits a behaviour, nth picks the n-th request that reaches it', async () => {
  const s = await startScenarioScp(`name: x\n${STORE}scp:\n  behaviours:
    - when: { state: start }
      setState: degraded
      respond: [{ final: "0000" }]
    - when: { state: degraded }
      times: 2
      respond: [{ final: A700 }]
    - when: { nth: 2 }
      respond: [{ final: C000 }]
    - respond: [{ final: B000 }]
`);
  try {
    const got: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { client } = await connectClient(s.port);
      for (let j = 0; j < 2; j++) got.push((await client.find('study', STUDY).collect()).at(-1)!.status);
      await client.release();
    }
    assert.deepEqual(got.map((x) => x.toString(16)), ['0', 'a700', 'a700', 'b000', 'c000', 'b000']);
    assert.equal(s.recorder.fromPeer('C-FIND-RQ').length, 6);
  } finally {
    await s.close();
  }
});

test('scripted delays run on the injected clock: a 60 s pause passes when a fake clock is advanced', async () => {
  const { FakeClock } = await import('../clock/fake-clock.ts');
  const { loadScenario } = await import('./load.ts');
  const { scpFromScenario } = await import('./scp-runtime.ts');
  const { tempFiles } = await import('../testing/scenario-harness.ts');
  const clock = new FakeClock();
  const dir = tempFiles({ 's.yaml': `name: x\n${STORE}scp:\n  behaviours:\n    - respond: [{ pending: 2, firstDelayMs: 60000 }, { final: "0000" }]\n` });
  const scp = scpFromScenario(loadScenario(`${dir}/s.yaml`), { clock });
  const port = await scp.listen(0, '127.0.0.1');
  try {
    const { client } = await connectClient(port);
    let settled = false;
    const op = client.find('study', STUDY).collect().finally(() => (settled = true));
    // The SCP waits on the fake clock: nothing arrives until it moves.
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(settled, false);
    clock.advance(60_000);
    const r = await op;
    assert.deepEqual(statuses(r), ['FF00', 'FF00', '0000']);
    await client.release();
  } finally {
    await scp.close();
  }
});

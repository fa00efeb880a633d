/**
 * The hostile SCP's wire faults over real sockets, asserted on the bytes that went out (the
 * SCP's own record) and on what our SCU made of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeDataSet } from '../dataset/decode.ts';
import { IMPLICIT_LITTLE } from '../dataset/transfer-syntax.ts';
import { CommandField } from '../dimse/command-fields.ts';
import { SopClass } from '../dimse/sop-classes.ts';
import type { DimseError } from '../dimse/errors.ts';
import { abortOf } from '../testing/pdus.ts';
import { RawPeer } from '../testing/raw-peer.ts';
import { connectClient, findRqPdus, startScenarioScp, studyRootRq } from '../testing/scenario-harness.ts';
import type { RunningScenario } from '../testing/scenario-harness.ts';

const HOSTILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scenarios/hostile.yaml');
const STUDY = { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' };

async function withHostile(fn: (s: RunningScenario) => Promise<void>): Promise<void> {
  const s = await startScenarioScp(HOSTILE);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** Our SCU queries with the Patient ID that picks the fault; returns the responses and the client's events. */
async function fault(s: RunningScenario, id: string, o: { maxPduLength?: number } = {}) {
  // A response to another Message ID leaves ours outstanding: a short DIMSE timeout ends it.
  const c = await connectClient(s.port, { dimseTimeoutMs: 1500, ...o });
  const op = c.client.find('study', { ...STUDY, PatientID: id });
  const responses = await op.collect().catch((e: DimseError) => e);
  const ended = await Promise.race([c.client.association.ended, new Promise((r) => setTimeout(() => r(undefined), 300))]);
  if (c.client.association.isEstablished) await c.client.release();
  return { responses, events: c.events, ended };
}

const pendingPdus = (s: RunningScenario) => s.events.filter((e) => e.kind === 'pdu:sent' && e.pdu.type === 0x04).map((e) => (e as { raw: Buffer }).raw);
const violations = (events: { kind: string }[]) => events.filter((e) => e.kind === 'violation').map((e) => (e as unknown as { message: string }).message).join('\n');

test('wrong MessageIDBeingRespondedTo: the SCP sent 2 for request 1; our SCU reports responses to a message never sent, then times out', () =>
  withHostile(async (s) => {
    const { events, responses } = await fault(s, 'FAULT-MSGID');
    assert.equal((responses as DimseError).code, 'DIMSE_TIMEOUT');
    const sent = s.recorder.toPeer('C-FIND-RSP');
    assert.deepEqual(sent.map((m) => m.command.MessageIDBeingRespondedTo), [2, 2, 2]);
    assert.match(violations(events), /responds to message 2, which has no outstanding request/);
  }));

test('wrong Affected SOP Class UID: Study Root request, Patient Root responses, reported on each', () =>
  withHostile(async (s) => {
    const { responses } = await fault(s, 'FAULT-SOPCLASS');
    assert.ok(Array.isArray(responses));
    assert.deepEqual(s.recorder.toPeer('C-FIND-RSP').map((m) => m.command.AffectedSOPClassUID), Array(3).fill(SopClass.PatientRootQueryRetrieveFind));
    for (const r of responses) assert.match(r.problems.join(), /Affected SOP Class UID .* differs/);
  }));

test('another presentation context: the Pending travels on context 3 while the request came on 1', () =>
  withHostile(async (s) => {
    await fault(s, 'FAULT-CONTEXT');
    const request = s.recorder.fromPeer('C-FIND-RQ')[0]!;
    const pending = s.recorder.toPeer('C-FIND-RSP')[0]!;
    assert.equal(request.contextId, 1);
    assert.equal(pending.contextId, 3);
  }));

test('an Identifier on the final response: CommandDataSetType is not 0101 and a data set follows', () =>
  withHostile(async (s) => {
    const { responses } = await fault(s, 'FAULT-FINALID');
    const final = s.recorder.toPeer('C-FIND-RSP').at(-1)!;
    assert.equal(final.command.Status, 0);
    assert.notEqual(final.command.CommandDataSetType, 0x0101);
    assert.ok(final.dataSet && final.dataSet.length > 0);
    assert.ok(Array.isArray(responses));
    assert.match(responses.at(-1)!.problems.join(), /carries an Identifier; only Pending responses do/);
  }));

test('the identifier in the wrong transfer syntax: Implicit VR bytes on an Explicit VR context', () =>
  withHostile(async (s) => {
    const { responses } = await fault(s, 'FAULT-TS');
    const pending = s.recorder.toPeer('C-FIND-RSP')[0]!;
    const ds = decodeDataSet(pending.dataSet!, IMPLICIT_LITTLE);
    assert.equal(ds.text('QueryRetrieveLevel'), 'STUDY');
    assert.ok(Array.isArray(responses));
    assert.ok(responses[0]!.problems.length > 0 || responses[0]!.identifier?.text('QueryRetrieveLevel') !== 'STUDY', 'the SCU did not notice');
  }));

test('one-byte PDV fragments: every P-DATA-TF holds one PDV of 1 byte (13 bytes on the wire); reported once per message', () =>
  withHostile(async (s) => {
    const { responses } = await fault(s, 'FAULT-FRAGMENTS');
    const pdus = pendingPdus(s);
    assert.ok(pdus.length > 100);
    assert.ok(pdus.every((p) => p.length === 13 && p.readUInt32BE(6) === 3), 'not all 1-byte PDVs');
    assert.ok(Array.isArray(responses));
    assert.match(responses[0]!.problems.join(), /command fragment has an odd length 1 .*\(\d+ fragments\)/);
  }));

test('two-byte fragments are legal: the SCU reassembles them without a problem', () =>
  withHostile(async (s) => {
    const { responses } = await fault(s, 'EXTREME-FRAGMENTS');
    assert.ok(pendingPdus(s).every((p) => p.length === 14));
    assert.ok(Array.isArray(responses));
    assert.deepEqual(responses.map((r) => r.status), [0xff00, 0]);
    assert.deepEqual(responses.flatMap((r) => r.problems), []);
  }));

test('a P-DATA-TF over the maximum the SCU announced: sent anyway; our SCU refuses it and aborts', () =>
  withHostile(async (s) => {
    const { responses, ended } = await fault(s, 'FAULT-OVERSIZE', { maxPduLength: 4096 });
    assert.ok(pendingPdus(s).some((p) => p.length - 6 > 4096), 'no oversize PDU was sent');
    assert.equal((responses as DimseError).code, 'DIMSE_ASSOCIATION_ENDED');
    assert.equal((ended as { how: string }).how, 'aborted');
  }));

test('a truncated PDU then the close: the raw peer gets a Pending, half a P-DATA-TF, then FIN', () =>
  withHostile(async (s) => {
    const peer = await RawPeer.connect(s.port);
    peer.send(studyRootRq());
    assert.equal((await peer.nextPdu())[0], 0x02);
    for (const p of findRqPdus({ ...STUDY, PatientID: 'FAULT-TRUNCATED' })) peer.send(p);
    await peer.closedWithin(3000);
    const all = Buffer.concat(peer.bytes);
    const ac = all.readUInt32BE(2) + 6;
    // The Pending's P-DATA-TF(s), then a PDU header announcing more than what follows.
    let at = ac;
    while (at < all.length && at + 6 + all.readUInt32BE(at + 2) <= all.length) at += 6 + all.readUInt32BE(at + 2);
    assert.ok(at > ac, 'no whole PDU after the AC');
    assert.equal(all[at], 0x04);
    assert.ok(all.length - at < 6 + all.readUInt32BE(at + 2), 'the last PDU is whole');
  }));

test('an unknown PDU type 0AH mid-stream: our SCU answers A-ABORT (PS3.8 Table 9-10 Evt19, AA-8)', () =>
  withHostile(async (s) => {
    const { ended } = await fault(s, 'FAULT-UNKNOWN');
    assert.ok(s.events.some((e) => e.kind === 'pdu:sent' && e.raw[0] === 0x0a));
    assert.equal((ended as { how: string; by: string }).how, 'aborted');
    for (let i = 0; i < 100 && ![...s.recorder.associations.values()].some((a) => a.outcome === 'aborted'); i++) await new Promise((r) => setTimeout(r, 20));
    const received = s.events.filter((e) => e.kind === 'pdu:received').map((e) => (e as { raw: Buffer }).raw);
    assert.equal(abortOf(received.at(-1)!)?.source, 2);
  }));

test('A-ABORT after 2 Pendings with source 2, reason 0; the connection dropped 20 bytes into a PDU', () =>
  withHostile(async (s) => {
    const a = await fault(s, 'FAULT-ABORT');
    assert.equal((a.responses as DimseError).code, 'DIMSE_ASSOCIATION_ENDED');
    assert.deepEqual(s.recorder.toPeer('C-FIND-RSP').length, 2);
    const abort = s.events.find((e) => e.kind === 'pdu:sent' && e.pdu.type === 0x07) as { raw: Buffer };
    assert.deepEqual(abortOf(abort.raw), { source: 2, reason: 0 });
    const peer = await RawPeer.connect(s.port);
    peer.send(studyRootRq());
    await peer.nextPdu();
    for (const p of findRqPdus({ ...STUDY, PatientID: 'FAULT-CLOSE' })) peer.send(p);
    await peer.closedWithin(3000);
    const all = Buffer.concat(peer.bytes);
    let at = all.readUInt32BE(2) + 6;
    while (at + 6 <= all.length && at + 6 + all.readUInt32BE(at + 2) <= all.length) at += 6 + all.readUInt32BE(at + 2);
    assert.equal(all.length - at, 20);
  }));

test('an A-RELEASE-RQ from the SCP while the C-FIND is outstanding: our SCU fails the operation, the association ends', () =>
  withHostile(async (s) => {
    const { responses } = await fault(s, 'FAULT-RELEASE');
    assert.equal((responses as DimseError).code, 'DIMSE_ASSOCIATION_ENDED');
    assert.ok(s.events.some((e) => e.kind === 'pdu:sent' && e.pdu.type === 0x05));
  }));

test('raw bytes from the scenario: hex and a file, exactly as written', async () => {
  const s = await startScenarioScp(
    `name: raw\nscp:\n  behaviours:\n    - when: { identifier: { PatientID: HEX } }\n      respond: [{ send: { hex: "0a00 00000002 abcd" } }, { abort: true }]\n    - respond: [{ send: { file: blob.bin } }, { abort: true }]\n`,
    { 'blob.bin': Buffer.from('0b000000000401020304', 'hex') },
  );
  try {
    for (const [id, expected] of [
      ['HEX', '0a00000000' + '02abcd'],
      ['FILE', '0b000000000401020304'],
    ] as const) {
      const peer = await RawPeer.connect(s.port);
      peer.send(studyRootRq());
      await peer.nextPdu();
      for (const p of findRqPdus({ ...STUDY, PatientID: id })) peer.send(p);
      assert.equal((await peer.nextPdu()).toString('hex'), expected);
      assert.deepEqual(abortOf(await peer.nextPdu()), { source: 0, reason: 0 });
      peer.destroy();
    }
  } finally {
    await s.close();
  }
});

test('every fault is recorded: what the SCU sent and what the SCP answered, message by message', () =>
  withHostile(async (s) => {
    await fault(s, 'FAULT-STATUS');
    const names = s.recorder.messages.map((m) => `${m.direction} ${m.name}`);
    assert.deepEqual(names, ['received C-FIND-RQ', 'sent C-FIND-RSP', 'sent C-FIND-RSP']);
    assert.equal(s.recorder.toPeer().at(-1)!.command.Status, 0x0042);
    assert.equal(s.recorder.fromPeer()[0]!.command.CommandField, CommandField.C_FIND_RQ);
    assert.equal([...s.recorder.associations.values()][0]!.outcome, 'released');
  }));

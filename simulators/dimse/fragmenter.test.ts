import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '../ul/errors.ts';
import { PduFramer } from '../ul/framer.ts';
import { decodePdu } from '../ul/pdu/registry.ts';
import type { PDataTfPdu } from '../ul/pdu/pdus.ts';
import { MessageAssembler } from './assembler.ts';
import type { AssembledMessage } from './assembler.ts';
import { encodeCommand } from './command-set.ts';
import { fragmentMessage } from './fragmenter.ts';
import { hex } from '../testing/hex.ts';
import { encodePdu } from '../ul/pdu/registry.ts';

const command = encodeCommand({ CommandField: 0x0020, AffectedSOPClassUID: '1.2.840.10008.5.1.4.1.2.2.1', MessageID: 3, Priority: 0, CommandDataSetType: 0x0000 });
const dataSet = Buffer.from(Array.from({ length: 301 * 2 }, (_, i) => i & 0xff));

function reassemble(pdus: Buffer[], contexts = new Set([1])): AssembledMessage[] {
  const a = new MessageAssembler(contexts);
  const out: AssembledMessage[] = [];
  for (const raw of pdus) a.push(decodePdu(raw) as PDataTfPdu, raw, (m) => out.push(m));
  return out;
}

test('every P-DATA-TF respects the peer maximum, PDV headers included (PS3.8 D.1; checklist 21, 48)', () => {
  for (const max of [8, 10, 64, 128, 129, 1000]) {
    const pdus = fragmentMessage(1, command, dataSet, max);
    for (const p of pdus) {
      assert.ok(p.raw.readUInt32BE(2) <= max, `PDU-length ${p.raw.readUInt32BE(2)} > ${max}`);
      for (const pdv of p.pdu.pdvs) assert.equal(pdv.data.length % 2, 0, 'fragments have even length');
    }
    const [m] = reassemble(pdus.map((p) => p.raw));
    assert.deepEqual(m!.commandBytes, command);
    assert.deepEqual(m!.dataSetBytes, dataSet);
    assert.deepEqual(m!.problems, []);
  }
});

test('with no limit, command and data set travel as two PDVs in one PDU, command first and each marked last', () => {
  const pdus = fragmentMessage(5, command, dataSet, 0);
  assert.equal(pdus.length, 1);
  assert.deepEqual(pdus[0]!.pdu.pdvs.map((p) => [p.contextId, p.messageControlHeader]), [
    [5, 0x03],
    [5, 0x02],
  ]);
});

test('a message reassembles from its byte stream cut at every offset (checklist 30)', () => {
  const stream = Buffer.concat(fragmentMessage(1, command, dataSet, 100).map((p) => p.raw));
  for (let cut = 1; cut < stream.length; cut += 7) {
    const framer = new PduFramer();
    const pdus: Buffer[] = [];
    framer.push(stream.subarray(0, cut), (f) => void pdus.push(f.bytes));
    framer.push(stream.subarray(cut), (f) => void pdus.push(f.bytes));
    const [m] = reassemble(pdus);
    assert.deepEqual(m!.dataSetBytes, dataSet, `cut at ${cut}`);
  }
});

function pdata(pdvs: { contextId: number; mch: number; data: Buffer }[]): PDataTfPdu {
  return { type: 0x04, pdvs: pdvs.map((p) => ({ contextId: p.contextId, messageControlHeader: p.mch, data: p.data })) };
}

test('encapsulation faults are protocol errors: data set first, unaccepted context, context switch mid-message', () => {
  const a = () => new MessageAssembler(new Set([1, 3]));
  assert.throws(() => a().push(pdata([{ contextId: 1, mch: 0x02, data: dataSet }]), undefined, () => {}), (e: unknown) => e instanceof ProtocolError && /without a command/.test(e.message));
  assert.throws(() => a().push(pdata([{ contextId: 7, mch: 0x03, data: command }]), undefined, () => {}), (e: unknown) => e instanceof ProtocolError && /not accepted/.test(e.message));
  assert.throws(
    () => a().push(pdata([{ contextId: 1, mch: 0x01, data: command.subarray(0, 10) }, { contextId: 3, mch: 0x03, data: command.subarray(10) }]), undefined, () => {}),
    (e: unknown) => e instanceof ProtocolError && /interrupts/.test(e.message),
  );
  assert.throws(() => a().push(pdata([{ contextId: 1, mch: 0x03, data: Buffer.from([1, 2, 3]) }]), undefined, () => {}), (e: unknown) => e instanceof ProtocolError && /undecodable command set/.test(e.message));
});

test('reserved message control header bits are ignored but reported (PS3.8 E.2; checklist 29)', () => {
  const out: AssembledMessage[] = [];
  new MessageAssembler(new Set([1])).push(pdata([{ contextId: 1, mch: 0x83, data: encodeCommand({ CommandField: 0x0030, MessageID: 1, CommandDataSetType: 0x0101 }) }]), undefined, (m) => out.push(m));
  assert.equal(out.length, 1);
  assert.match(out[0]!.problems.join(), /reserved bits/);
});

test('a message that fits is one P-DATA-TF built in one piece, byte for byte (PS3.8 9.3.5, E.2)', () => {
  const cmd = Buffer.from([0x00, 0x00, 0x00, 0x01]);
  const ds = Buffer.from([0x08, 0x00]);
  const [only, ...rest] = fragmentMessage(3, cmd, ds, 18);
  assert.equal(rest.length, 0);
  assert.deepEqual(
    only!.raw,
    hex`04 00  00 00 00 12  # P-DATA-TF, PDU-length 18
        00 00 00 06  03 03  00 00 00 01  # PDV: length 6, context 3, command + last
        00 00 00 04  03 02  08 00        # PDV: length 4, context 3, data set + last`,
  );
  assert.deepEqual(only!.raw, encodePdu(only!.pdu));
  // A peer maximum one byte smaller: the data set goes in a second PDU.
  assert.equal(fragmentMessage(3, cmd, ds, 17).length, 2);
});

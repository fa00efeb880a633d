/**
 * The DIMSE decoders under fast-check: command sets decode (and re-encode) or fail with a
 * DecodeError; the message assembler, fed random PDVs, delivers messages or fails with a
 * ProtocolError. FUZZ_RUNS sets the number of inputs (see fuzz-support.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError, EncodeError } from '../wire/errors.ts';
import { ProtocolError } from '../ul/errors.ts';
import type { PDataTfPdu, PresentationDataValue } from '../ul/pdu/pdus.ts';
import { MessageAssembler } from '../dimse/assembler.ts';
import type { AssembledMessage } from '../dimse/assembler.ts';
import { decodeCommand, encodeCommand } from '../dimse/command-set.ts';
import type { DimseCommand } from '../dimse/command-set.ts';
import { check, decodesOrFailsTyped, mutated, randomBytes, testTimeoutMs } from './fuzz-support.ts';

/** The commands of simulators/dimse/command-set.test.ts (whose fixtures are these commands' exact bytes) and a C-FIND-RQ. */
const commands: DimseCommand[] = [
  { CommandField: 0x0030, AffectedSOPClassUID: '1.2.840.10008.1.1', MessageID: 1, CommandDataSetType: 0x0101 },
  { CommandField: 0x8030, AffectedSOPClassUID: '1.2.840.10008.1.1', MessageIDBeingRespondedTo: 1, CommandDataSetType: 0x0101, Status: 0 },
  { CommandField: 0x8020, MessageIDBeingRespondedTo: 7, CommandDataSetType: 0x0101, Status: 0xa900, OffendingElement: [0x00080052], ErrorComment: 'no QR level' },
  { CommandField: 0x0020, AffectedSOPClassUID: '1.2.840.10008.5.1.4.1.2.2.1', MessageID: 3, Priority: 0, CommandDataSetType: 0x0000 },
  { CommandField: 0x0fff, MessageIDBeingRespondedTo: 3, CommandDataSetType: 0x0101 },
];
const commandSeeds = commands.map((c) => encodeCommand(c));

/** Decodes; a command set that decodes encodes again (EncodeError: a string outside the default repertoire, refused by design). */
function decodeAndReencode(bytes: Buffer): void {
  const decoded = decodesOrFailsTyped(() => decodeCommand(bytes), [DecodeError]);
  if (decoded) decodesOrFailsTyped(() => encodeCommand(decoded.command), [EncodeError]);
}

test('decodeCommand: random bytes decode or fail with DecodeError', { timeout: testTimeoutMs }, () => {
  check(randomBytes, decodeAndReencode);
});

/** Random elements with plausible headers: group 0000 or another, known elements, random lengths and values. */
const randomElements = fc
  .array(
    fc.record({
      group: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) }),
      element: fc.oneof(fc.constantFrom(0x0000, 0x0002, 0x0100, 0x0110, 0x0120, 0x0700, 0x0800, 0x0900, 0x0901, 0x0902, 0x1005), fc.integer({ min: 0, max: 0xffff })),
      value: fc.uint8Array({ maxLength: 24 }),
    }),
    { maxLength: 10 },
  )
  .map((elements) =>
    Buffer.concat(
      elements.map((e) => {
        const head = Buffer.alloc(8);
        head.writeUInt16LE(e.group, 0);
        head.writeUInt16LE(e.element, 2);
        head.writeUInt32LE(e.value.length, 4);
        return Buffer.concat([head, e.value]);
      }),
    ),
  );

test('decodeCommand: random elements decode and re-encode, or fail with DecodeError', { timeout: testTimeoutMs }, () => {
  check(randomElements, decodeAndReencode);
});

test('decodeCommand: mutated command set fixtures decode and re-encode, or fail with DecodeError', { timeout: testTimeoutMs }, () => {
  check(mutated(commandSeeds), decodeAndReencode);
});

const ACCEPTED = new Set([1, 3]);

/** A fixture command set cut into fragments, or random bytes, on a context that is mostly accepted. */
const pdv: fc.Arbitrary<PresentationDataValue> = fc.record({
  contextId: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(1, 3) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
  messageControlHeader: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
  data: fc.oneof(
    fc.tuple(fc.constantFrom(...commandSeeds), fc.nat(), fc.nat()).map(([c, a, b]) => {
      const from = a % (c.length + 1);
      return c.subarray(from, from + (b % (c.length + 1)));
    }),
    fc.constantFrom(...commandSeeds),
    mutated(commandSeeds),
    randomBytes,
  ),
});

const pdus: fc.Arbitrary<PDataTfPdu[]> = fc.array(
  fc.array(pdv, { minLength: 1, maxLength: 4 }).map((pdvs): PDataTfPdu => ({ type: 0x04, pdvs })),
  { minLength: 1, maxLength: 8 },
);

test('MessageAssembler: random PDVs deliver messages or fail with ProtocolError', { timeout: testTimeoutMs }, () => {
  check(pdus, (sequence) => {
    const assembler = new MessageAssembler(ACCEPTED, true);
    const messages: AssembledMessage[] = [];
    for (const pdu of sequence) {
      const ok = decodesOrFailsTyped(() => {
        assembler.push(pdu, Buffer.alloc(0), (m) => messages.push(m));
        return true;
      }, [ProtocolError]);
      // The association is aborted on the first ProtocolError: nothing follows.
      if (!ok) break;
    }
    for (const m of messages) {
      assert.ok(ACCEPTED.has(m.contextId));
      decodesOrFailsTyped(() => encodeCommand(m.decoded.command), [EncodeError]);
    }
  });
});

/** Command sets decoded once, shared between the associations of one SCP. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BytesMemo } from '../wire/bytes-memo.ts';
import { MessageAssembler } from './assembler.ts';
import type { AssembledMessage } from './assembler.ts';
import { encodeCommand } from './command-set.ts';
import type { DecodedCommand } from './command-set.ts';

function receive(assembler: MessageAssembler, command: Buffer): AssembledMessage {
  const got: AssembledMessage[] = [];
  assembler.push({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: 0x03, data: Buffer.from(command) }] }, undefined, (m) => got.push(m));
  assert.equal(got.length, 1);
  return got[0]!;
}

test('assemblers sharing a memo share one frozen decoding per command set; other bytes are decoded afresh', () => {
  const memo = new BytesMemo<DecodedCommand>();
  const echo = (id: number) => encodeCommand({ CommandField: 0x0030, MessageID: id, AffectedSOPClassUID: '1.2.840.10008.1.1', CommandDataSetType: 0x0101 });
  const a = receive(new MessageAssembler(new Set([1]), false, memo), echo(1));
  const b = receive(new MessageAssembler(new Set([1]), false, memo), echo(1));
  assert.equal(b.decoded, a.decoded);
  assert.throws(() => ((a.decoded.command as { MessageID: number }).MessageID = 2), TypeError);
  assert.throws(() => (a.decoded.problems as string[]).push('x'), TypeError);
  const c = receive(new MessageAssembler(new Set([1]), false, memo), echo(2));
  assert.notEqual(c.decoded, a.decoded);
  assert.equal(c.decoded.command.MessageID, 2);
  assert.equal(memo.size, 2);
});

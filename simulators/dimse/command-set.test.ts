import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, hex, toHex } from '../testing/hex.ts';
import { DecodeError } from '../wire/errors.ts';
import { decodeCommand, encodeCommand } from './command-set.ts';
import type { DimseCommand } from './command-set.ts';

const fixtures: { name: string; command: DimseCommand; bytes: Buffer }[] = [
  {
    name: 'C-ECHO-RQ (PS3.7 Table 9.3-12)',
    command: { CommandField: 0x0030, AffectedSOPClassUID: '1.2.840.10008.1.1', MessageID: 1, CommandDataSetType: 0x0101 },
    bytes: hex`
      0000 0000 04000000 38000000      # (0000,0000) UL length 4: group length 56
      0000 0200 12000000               # (0000,0002) Affected SOP Class UID, length 18
      ${ascii('1.2.840.10008.1.1')}00  # Verification, NUL padded to even length
      0000 0001 02000000 3000          # (0000,0100) Command Field 0030 C-ECHO-RQ
      0000 1001 02000000 0100          # (0000,0110) Message ID 1
      0000 0008 02000000 0101          # (0000,0800) Command Data Set Type 0101: none
    `,
  },
  {
    name: 'C-ECHO-RSP (PS3.7 Table 9.3-13)',
    command: { CommandField: 0x8030, AffectedSOPClassUID: '1.2.840.10008.1.1', MessageIDBeingRespondedTo: 1, CommandDataSetType: 0x0101, Status: 0 },
    bytes: hex`
      0000 0000 04000000 42000000      # group length 66
      0000 0200 12000000 ${ascii('1.2.840.10008.1.1')}00
      0000 0001 02000000 3080          # Command Field 8030 C-ECHO-RSP
      0000 2001 02000000 0100          # (0000,0120) Message ID Being Responded To 1
      0000 0008 02000000 0101          # no data set
      0000 0009 02000000 0000          # (0000,0900) Status 0000 Success
    `,
  },
  {
    name: 'C-FIND-RSP failure with Offending Element and Error Comment',
    command: {
      CommandField: 0x8020,
      MessageIDBeingRespondedTo: 7,
      CommandDataSetType: 0x0101,
      Status: 0xa900,
      OffendingElement: [0x00080052],
      ErrorComment: 'no QR level',
    },
    bytes: hex`
      0000 0000 04000000 48000000      # group length 72
      0000 0001 02000000 2080          # C-FIND-RSP
      0000 2001 02000000 0700          # responds to message 7
      0000 0008 02000000 0101
      0000 0009 02000000 00A9          # Status A900
      0000 0109 04000000 0800 5200     # (0000,0901) Offending Element (0008,0052), AT
      0000 0209 0C000000 ${ascii('no QR level ')} # (0000,0902) Error Comment, space padded
    `,
  },
];

for (const f of fixtures) {
  test(`${f.name}: encode, decode, no problems`, () => {
    assert.equal(toHex(encodeCommand(f.command)), toHex(f.bytes));
    const d = decodeCommand(f.bytes);
    assert.deepEqual(d.command, f.command);
    assert.deepEqual(d.problems, []);
  });
}

test('problems are reported, not thrown: wrong group length, wrong order, foreign group, odd length', () => {
  const bytes = encodeCommand(
    { CommandField: 0x0030, MessageID: 1, CommandDataSetType: 0x0101 },
    { groupLength: 99, extraElements: [{ tag: 0x00080052, value: Buffer.from('STUDY ') }, { tag: 0x00000003, value: Buffer.from('1') }], unordered: true },
  );
  const d = decodeCommand(bytes);
  assert.equal(d.command.CommandField, 0x0030);
  assert.equal(d.problems.length, 4, d.problems.join('\n'));
  assert.match(d.problems.join('\n'), /outside group 0000/);
  assert.match(d.problems.join('\n'), /ascending/);
  assert.match(d.problems.join('\n'), /odd value length/);
  assert.match(d.problems.join('\n'), /Group Length is 99/);
});

test('a truncated command set is a DecodeError naming the tag and offset', () => {
  const bytes = encodeCommand({ CommandField: 0x0030, MessageID: 1, CommandDataSetType: 0x0101 });
  assert.throws(
    () => decodeCommand(bytes.subarray(0, bytes.length - 1)),
    (e: unknown) => e instanceof DecodeError && e.code === 'DECODE_TRUNCATED' && e.field === '(0000,0800) value' && e.offset === 40,
  );
});

test('command strings outside the default repertoire are refused at encode time (PS3.7 C.4.1)', () => {
  assert.throws(() => encodeCommand({ CommandField: 0x8020, CommandDataSetType: 0x0101, ErrorComment: 'Müller' }), /default repertoire/);
});

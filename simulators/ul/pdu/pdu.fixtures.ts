import { ae, ascii, hex } from '../../testing/hex.ts';
import type { UserInformationSubItem, VariableItem } from './items.ts';
import { UID, userInformationSubItemFixtures, variableItemFixtures } from './item.fixtures.ts';
import type { Pdu } from './pdus.ts';

export interface PduFixture {
  name: string;
  pdu: Pdu;
  bytes: Buffer;
}

const item = (name: string): { value: VariableItem; hex: string } => {
  const f = variableItemFixtures.find((x) => x.name.startsWith(name));
  if (!f) throw new Error(`no item fixture ${name}`);
  return { value: f.value, hex: f.bytes.toString('hex') };
};
const sub = (type: number): { value: UserInformationSubItem; hex: string } => {
  const f = userInformationSubItemFixtures.find((x) => x.value.type === type);
  if (!f) throw new Error(`no sub-item fixture ${type}`);
  return { value: f.value, hex: f.bytes.toString('hex') };
};

const appContext = item('Application Context Item (10H)');
const pcStudyRoot = item('Presentation Context Item RQ (20H)');
const acAccepted = item('Presentation Context Item AC (21H), accepted');
const acRejected = item('Presentation Context Item AC (21H), abstract-syntax-not-supported');

const rqUserInfo: UserInformationSubItem[] = [0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x5f].map((t) => sub(t).value);
const acUserInfo: UserInformationSubItem[] = [0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x59].map((t) => sub(t).value);

export const pduFixtures: PduFixture[] = [
  {
    name: 'A-ASSOCIATE-RQ with every user information sub-item',
    pdu: {
      type: 0x01,
      protocolVersion: 1,
      calledAeTitle: 'QRSCP           ',
      callingAeTitle: 'FINDSCU         ',
      items: [
        appContext.value,
        pcStudyRoot.value,
        {
          type: 0x20,
          contextId: 3,
          subItems: [
            { type: 0x30, name: UID.verification },
            { type: 0x40, name: UID.implicitLE },
          ],
        },
        { type: 0x50, subItems: rqUserInfo },
      ],
    },
    bytes: hex`
      01                          # PDU-type A-ASSOCIATE-RQ
      00                          # reserved
      000001BD                    # PDU-length 445
      0001                        # protocol-version 1
      0000                        # reserved
      ${ae('QRSCP')}              # called-AE-title
      ${ae('FINDSCU')}            # calling-AE-title
      ${'00'.repeat(32)}          # reserved (bytes 43-74)
      ${appContext.hex}           # 10H application context (25 bytes)
      ${pcStudyRoot.hex}          # 20H presentation context 1: Study Root FIND (83 bytes)
      20 00 002E                  # 20H presentation context, item-length 46
      03 00 00 00                 # presentation-context-ID 3, reserved
      30 00 0011 ${ascii(UID.verification)} # abstract syntax: Verification
      40 00 0011 ${ascii(UID.implicitLE)}   # transfer syntax: Implicit VR Little Endian
      50 00 00D7                  # 50H user information, item-length 215
      ${sub(0x51).hex}            # maximum length
      ${sub(0x52).hex}            # implementation class UID
      ${sub(0x53).hex}            # asynchronous operations window
      ${sub(0x54).hex}            # role selection
      ${sub(0x55).hex}            # implementation version name
      ${sub(0x56).hex}            # SOP class extended negotiation
      ${sub(0x57).hex}            # SOP class common extended negotiation
      ${sub(0x58).hex}            # user identity
      ${sub(0x5f).hex}            # unassigned sub-item
    `,
  },
  {
    name: 'A-ASSOCIATE-AC with an accepted and a rejected context and a user identity response',
    pdu: {
      type: 0x02,
      protocolVersion: 1,
      calledAeTitle: 'QRSCP           ',
      callingAeTitle: 'FINDSCU         ',
      items: [appContext.value, acAccepted.value, acRejected.value, { type: 0x50, subItems: acUserInfo }],
    },
    bytes: hex`
      02                          # PDU-type A-ASSOCIATE-AC
      00                          # reserved
      00000111                    # PDU-length 273
      0001                        # protocol-version
      0000                        # reserved
      ${ae('QRSCP')}              # called-AE-title (echoed, not tested)
      ${ae('FINDSCU')}            # calling-AE-title (echoed, not tested)
      ${'00'.repeat(32)}          # reserved
      ${appContext.hex}           # 10H (25 bytes)
      ${acAccepted.hex}           # 21H context 1 accepted (31 bytes)
      ${acRejected.hex}           # 21H context 3 rejected (29 bytes)
      50 00 0074                  # 50H user information, item-length 116
      ${sub(0x51).hex}
      ${sub(0x52).hex}
      ${sub(0x53).hex}
      ${sub(0x54).hex}
      ${sub(0x55).hex}
      ${sub(0x56).hex}
      ${sub(0x59).hex}
    `,
  },
  {
    name: 'A-ASSOCIATE-RQ with every reserved field set (PS3.8: not checked on receipt)',
    pdu: {
      type: 0x01,
      reserved: 0xff,
      protocolVersion: 3,
      reservedBytes9to10: 0xffff,
      calledAeTitle: '  QRSCP         ',
      callingAeTitle: 'FINDSCU         ',
      reservedBytes43to74: Buffer.alloc(32, 0xaa),
      items: [appContext.value, pcStudyRoot.value, { type: 0x50, subItems: [sub(0x51).value] }],
    },
    bytes: hex`
      01 FF                       # PDU-type, reserved byte FF
      000000BC                    # PDU-length 188
      0003                        # protocol-version 3 (only bit 0 identifies version 1)
      FFFF                        # reserved
      ${ascii('  QRSCP         ')} # called-AE-title with leading spaces
      ${ae('FINDSCU')}            # calling-AE-title
      ${'AA'.repeat(32)}          # reserved
      ${appContext.hex}           # 25 bytes
      ${pcStudyRoot.hex}          # 83 bytes
      50 00 0008                  # user information, item-length 8
      ${sub(0x51).hex}
    `,
  },
  {
    name: 'A-ASSOCIATE-RJ rejected-permanent, service-user, calling-AE-title-not-recognized',
    pdu: { type: 0x03, result: 1, source: 1, reason: 3 },
    bytes: hex`
      03 00 00000004              # PDU-type, reserved, PDU-length 4
      00                          # reserved
      01                          # result: rejected-permanent
      01                          # source: DICOM UL service-user
      03                          # reason: calling-AE-title-not-recognized
    `,
  },
  {
    name: 'P-DATA-TF with a last command fragment and a last data-set fragment',
    pdu: {
      type: 0x04,
      pdvs: [
        { contextId: 1, messageControlHeader: 0x03, data: Buffer.from([0x01, 0x02, 0x03, 0x04]) },
        { contextId: 1, messageControlHeader: 0x02, data: Buffer.from([0x05, 0x06]) },
      ],
    },
    bytes: hex`
      04 00 00000012              # PDU-type, reserved, PDU-length 18
      00000006                    # PDV item-length 6
      01                          # presentation-context-ID
      03                          # message control header: command, last fragment
      01020304                    # fragment
      00000004                    # PDV item-length 4
      01                          # presentation-context-ID
      02                          # message control header: data set, last fragment
      0506                        # fragment
    `,
  },
  {
    name: 'A-RELEASE-RQ',
    pdu: { type: 0x05 },
    bytes: hex`
      05 00 00000004              # PDU-type, reserved, PDU-length 4
      00000000                    # reserved
    `,
  },
  {
    name: 'A-RELEASE-RP',
    pdu: { type: 0x06 },
    bytes: hex`
      06 00 00000004              # PDU-type, reserved, PDU-length 4
      00000000                    # reserved
    `,
  },
  {
    name: 'A-ABORT from the service provider, invalid-PDU-parameter value',
    pdu: { type: 0x07, source: 2, reason: 6 },
    bytes: hex`
      07 00 00000004              # PDU-type, reserved, PDU-length 4
      0000                        # reserved
      02                          # source: DICOM UL service-provider
      06                          # reason: invalid-PDU-parameter value
    `,
  },
  {
    name: 'Unknown PDU type 0AH (kept whole)',
    pdu: { type: 0x0a, body: Buffer.from([0xaa, 0xbb, 0xcc]), unknown: true },
    bytes: hex`
      0A 00 00000003              # PDU-type 0AH (unassigned), reserved, PDU-length 3
      AABBCC                      # body
    `,
  },
];

import { ascii, hex } from '../../testing/hex.ts';
import type { UserInformationSubItem, VariableItem } from './items.ts';

/** UIDs used by the fixtures, with their lengths (the fixtures spell the lengths out by hand). */
export const UID = {
  appContext: '1.2.840.10008.3.1.1.1', // 21 = 0x15
  studyRootFind: '1.2.840.10008.5.1.4.1.2.2.1', // 27 = 0x1B
  explicitLE: '1.2.840.10008.1.2.1', // 19 = 0x13
  implicitLE: '1.2.840.10008.1.2', // 17 = 0x11
  verification: '1.2.840.10008.1.1', // 17 = 0x11
  ctImageStorage: '1.2.840.10008.5.1.4.1.1.2', // 25 = 0x19
  enhancedCtImageStorage: '1.2.840.10008.5.1.4.1.1.2.1', // 27 = 0x1B
  storageServiceClass: '1.2.840.10008.4.2', // 17 = 0x11
  implementationClass: '1.2.3.4.5.6', // 11 = 0x0B
} as const;

export interface ItemFixture<T> {
  name: string;
  value: T;
  bytes: Buffer;
}

export const variableItemFixtures: ItemFixture<VariableItem>[] = [
  {
    name: 'Application Context Item (10H)',
    value: { type: 0x10, name: UID.appContext },
    bytes: hex`
      10                          # item-type
      00                          # reserved
      0015                        # item-length 21
      ${ascii(UID.appContext)}    # application-context-name
    `,
  },
  {
    name: 'Presentation Context Item RQ (20H) with Abstract (30H) and two Transfer Syntax (40H) sub-items',
    value: {
      type: 0x20,
      contextId: 1,
      subItems: [
        { type: 0x30, name: UID.studyRootFind },
        { type: 0x40, name: UID.explicitLE },
        { type: 0x40, name: UID.implicitLE },
      ],
    },
    bytes: hex`
      20 00 004F                  # item-type, reserved, item-length 79
      01                          # presentation-context-ID 1
      00 00 00                    # reserved
      30 00 001B                  # abstract syntax sub-item, length 27
      ${ascii(UID.studyRootFind)} # abstract-syntax-name
      40 00 0013                  # transfer syntax sub-item, length 19
      ${ascii(UID.explicitLE)}    # transfer-syntax-name
      40 00 0011                  # transfer syntax sub-item, length 17
      ${ascii(UID.implicitLE)}    # transfer-syntax-name
    `,
  },
  {
    name: 'Presentation Context Item AC (21H), accepted',
    value: { type: 0x21, contextId: 1, result: 0, subItems: [{ type: 0x40, name: UID.explicitLE }] },
    bytes: hex`
      21 00 001B                  # item-type, reserved, item-length 27
      01                          # presentation-context-ID 1
      00                          # reserved
      00                          # result: acceptance
      00                          # reserved
      40 00 0013                  # transfer syntax sub-item, length 19
      ${ascii(UID.explicitLE)}    # transfer-syntax-name
    `,
  },
  {
    name: 'Presentation Context Item AC (21H), abstract-syntax-not-supported',
    value: { type: 0x21, contextId: 3, result: 3, subItems: [{ type: 0x40, name: UID.implicitLE }] },
    bytes: hex`
      21 00 0019                  # item-type, reserved, item-length 25
      03 00 03 00                 # presentation-context-ID 3, reserved, result 3, reserved
      40 00 0011                  # transfer syntax sub-item (not significant when rejected)
      ${ascii(UID.implicitLE)}
    `,
  },
  {
    name: 'Unknown item type (kept raw)',
    value: { type: 0x60, raw: Buffer.from([0xde, 0xad]), unknown: true },
    bytes: hex`
      60 00 0002                  # unassigned item-type 60H, reserved, length 2
      DE AD                       # value, kept as received
    `,
  },
  {
    name: 'Application Context Item with its reserved byte set (kept, PS3.8 9.3.1: not checked)',
    value: { type: 0x10, name: '1.2', reserved: 0xff },
    bytes: hex`
      10 FF 0003                  # item-type, reserved byte FF, item-length 3
      ${ascii('1.2')}
    `,
  },
];

export const userInformationSubItemFixtures: ItemFixture<UserInformationSubItem>[] = [
  {
    name: 'Maximum Length Sub-Item (51H)',
    value: { type: 0x51, maxLength: 16384 },
    bytes: hex`
      51 00 0004                  # item-type, reserved, item-length 4
      00004000                    # maximum-length-received 16384
    `,
  },
  {
    name: 'Implementation Class UID Sub-Item (52H)',
    value: { type: 0x52, uid: UID.implementationClass },
    bytes: hex`
      52 00 000B                  # item-type, reserved, item-length 11
      ${ascii(UID.implementationClass)}
    `,
  },
  {
    name: 'Asynchronous Operations Window Sub-Item (53H)',
    value: { type: 0x53, maxOperationsInvoked: 5, maxOperationsPerformed: 3 },
    bytes: hex`
      53 00 0004                  # item-type, reserved, item-length 4
      0005                        # maximum-number-operations-invoked
      0003                        # maximum-number-operations-performed
    `,
  },
  {
    name: 'SCP/SCU Role Selection Sub-Item (54H)',
    value: { type: 0x54, sopClassUid: UID.studyRootFind, scuRole: 1, scpRole: 0 },
    bytes: hex`
      54 00 001F                  # item-type, reserved, item-length 31
      001B                        # UID-length 27
      ${ascii(UID.studyRootFind)} # SOP-class-uid
      01                          # SCU-role
      00                          # SCP-role
    `,
  },
  {
    name: 'Implementation Version Name Sub-Item (55H)',
    value: { type: 0x55, name: 'QRH_1' },
    bytes: hex`
      55 00 0005                  # item-type, reserved, item-length 5
      ${ascii('QRH_1')}           # implementation-version-name
    `,
  },
  {
    name: 'SOP Class Extended Negotiation Sub-Item (56H), C-FIND relational + date-time',
    value: { type: 0x56, sopClassUid: UID.studyRootFind, applicationInformation: Buffer.from([1, 1]) },
    bytes: hex`
      56 00 001F                  # item-type, reserved, item-length 31
      001B                        # SOP-class-uid-length 27
      ${ascii(UID.studyRootFind)} # SOP-class-uid
      01 01                       # service-class-application-information (PS3.4 C.5.1.1)
    `,
  },
  {
    name: 'SOP Class Common Extended Negotiation Sub-Item (57H)',
    value: {
      type: 0x57,
      subItemVersion: 0,
      sopClassUid: UID.ctImageStorage,
      serviceClassUid: UID.storageServiceClass,
      relatedGeneralSopClassUids: [UID.enhancedCtImageStorage],
    },
    bytes: hex`
      57 00 004D                  # item-type, sub-item-version 0, item-length 77
      0019                        # SOP-class-uid-length 25
      ${ascii(UID.ctImageStorage)}
      0011                        # service-class-uid-length 17
      ${ascii(UID.storageServiceClass)}
      001D                        # related-general-sop-class-identification-length 29
      001B                        # related-general-sop-class-uid-length 27
      ${ascii(UID.enhancedCtImageStorage)}
    `,
  },
  {
    name: 'User Identity Sub-Item RQ (58H), username and passcode',
    value: {
      type: 0x58,
      identityType: 2,
      positiveResponseRequested: 1,
      primaryField: Buffer.from('user'),
      secondaryField: Buffer.from('pass'),
    },
    bytes: hex`
      58 00 000E                  # item-type, reserved, item-length 14
      02                          # user-identity-type 2: username and passcode
      01                          # positive-response-requested
      0004 ${ascii('user')}       # primary-field-length, primary-field
      0004 ${ascii('pass')}       # secondary-field-length, secondary-field
    `,
  },
  {
    name: 'User Identity Sub-Item AC (59H), empty server response',
    value: { type: 0x59, serverResponse: Buffer.alloc(0) },
    bytes: hex`
      59 00 0002                  # item-type, reserved, item-length 2
      0000                        # server-response-length 0
    `,
  },
  {
    name: 'Unassigned user information sub-item 5FH (kept raw, PS3.8 D.2)',
    value: { type: 0x5f, raw: Buffer.from([0xab, 0xcd]), unknown: true },
    bytes: hex`
      5F 00 0002                  # item-type, reserved, item-length 2
      AB CD
    `,
  },
];

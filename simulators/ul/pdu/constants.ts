/** PDU type bytes, PS3.8 9.3.1. */
export const PduType = {
  A_ASSOCIATE_RQ: 0x01,
  A_ASSOCIATE_AC: 0x02,
  A_ASSOCIATE_RJ: 0x03,
  P_DATA_TF: 0x04,
  A_RELEASE_RQ: 0x05,
  A_RELEASE_RP: 0x06,
  A_ABORT: 0x07,
} as const;

export const pduTypeNames: Record<number, string> = {
  0x01: 'A-ASSOCIATE-RQ',
  0x02: 'A-ASSOCIATE-AC',
  0x03: 'A-ASSOCIATE-RJ',
  0x04: 'P-DATA-TF',
  0x05: 'A-RELEASE-RQ',
  0x06: 'A-RELEASE-RP',
  0x07: 'A-ABORT',
};

export function pduTypeName(type: number): string {
  return pduTypeNames[type] ?? `unknown PDU type 0x${type.toString(16).padStart(2, '0').toUpperCase()}`;
}

/** Item and sub-item types, PS3.8 9.3.2–9.3.3 and Annex D; PS3.7 Annex D. */
export const ItemType = {
  ApplicationContext: 0x10,
  PresentationContextRq: 0x20,
  PresentationContextAc: 0x21,
  AbstractSyntax: 0x30,
  TransferSyntax: 0x40,
  UserInformation: 0x50,
  MaximumLength: 0x51,
  ImplementationClassUid: 0x52,
  AsynchronousOperationsWindow: 0x53,
  RoleSelection: 0x54,
  ImplementationVersionName: 0x55,
  SopClassExtendedNegotiation: 0x56,
  SopClassCommonExtendedNegotiation: 0x57,
  UserIdentityRq: 0x58,
  UserIdentityAc: 0x59,
} as const;

export const itemTypeNames: Record<number, string> = {
  0x10: 'Application Context Item',
  0x20: 'Presentation Context Item (RQ)',
  0x21: 'Presentation Context Item (AC)',
  0x30: 'Abstract Syntax Sub-Item',
  0x40: 'Transfer Syntax Sub-Item',
  0x50: 'User Information Item',
  0x51: 'Maximum Length Sub-Item',
  0x52: 'Implementation Class UID Sub-Item',
  0x53: 'Asynchronous Operations Window Sub-Item',
  0x54: 'SCP/SCU Role Selection Sub-Item',
  0x55: 'Implementation Version Name Sub-Item',
  0x56: 'SOP Class Extended Negotiation Sub-Item',
  0x57: 'SOP Class Common Extended Negotiation Sub-Item',
  0x58: 'User Identity Sub-Item (RQ)',
  0x59: 'User Identity Sub-Item (AC)',
};

export function itemTypeName(type: number): string {
  return itemTypeNames[type] ?? `unknown item 0x${type.toString(16).padStart(2, '0').toUpperCase()}`;
}

/** The DICOM Application Context Name, PS3.7 A.2.1. */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

/** Presentation context results, PS3.8 Table 9-18. */
export const PresentationContextResult = {
  Acceptance: 0,
  UserRejection: 1,
  NoReason: 2,
  AbstractSyntaxNotSupported: 3,
  TransferSyntaxesNotSupported: 4,
} as const;

export const presentationContextResultNames: Record<number, string> = {
  0: 'acceptance',
  1: 'user-rejection',
  2: 'no-reason (provider rejection)',
  3: 'abstract-syntax-not-supported (provider rejection)',
  4: 'transfer-syntaxes-not-supported (provider rejection)',
};

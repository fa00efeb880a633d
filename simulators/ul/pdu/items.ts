/**
 * Items and sub-items of the A-ASSOCIATE PDUs, kept as faithful structures: every item is
 * kept in the order received, unknown ones as raw bytes. Optional `reserved` (byte 2) and
 * `lengthOverride` let an encoder build what the standard forbids; a decoder sets `reserved`
 * only when it was not zero and never sets `lengthOverride`.
 */
interface ItemBase {
  /** Byte 2 of the item, reserved: 0 unless a fault is wanted (or 57H, where it is the sub-item version). */
  reserved?: number;
  /** Encode this item-length instead of the true one (fault injection only). */
  lengthOverride?: number;
}

export interface ApplicationContextItem extends ItemBase {
  type: 0x10;
  name: string;
}

export interface AbstractSyntaxSubItem extends ItemBase {
  type: 0x30;
  name: string;
}

export interface TransferSyntaxSubItem extends ItemBase {
  type: 0x40;
  name: string;
}

export interface UnknownItem extends ItemBase {
  type: number;
  /** The item's value field exactly as received (bytes after the item-length). */
  raw: Uint8Array;
  unknown: true;
}

export interface PresentationContextRqItem extends ItemBase {
  type: 0x20;
  contextId: number;
  subItems: (AbstractSyntaxSubItem | TransferSyntaxSubItem | UnknownItem)[];
}

export interface PresentationContextAcItem extends ItemBase {
  type: 0x21;
  contextId: number;
  result: number;
  /** One transfer syntax sub-item is expected; anything else is kept so it can be reported. */
  subItems: (TransferSyntaxSubItem | AbstractSyntaxSubItem | UnknownItem)[];
}

export interface MaximumLengthSubItem extends ItemBase {
  type: 0x51;
  maxLength: number;
}

export interface ImplementationClassUidSubItem extends ItemBase {
  type: 0x52;
  uid: string;
}

export interface AsynchronousOperationsWindowSubItem extends ItemBase {
  type: 0x53;
  maxOperationsInvoked: number;
  maxOperationsPerformed: number;
}

export interface RoleSelectionSubItem extends ItemBase {
  type: 0x54;
  sopClassUid: string;
  scuRole: number;
  scpRole: number;
}

export interface ImplementationVersionNameSubItem extends ItemBase {
  type: 0x55;
  name: string;
}

export interface SopClassExtendedNegotiationSubItem extends ItemBase {
  type: 0x56;
  sopClassUid: string;
  /** Service-class-application-information, e.g. the C-FIND bytes of PS3.4 C.5.1.1. */
  applicationInformation: Uint8Array;
}

export interface SopClassCommonExtendedNegotiationSubItem extends ItemBase {
  type: 0x57;
  /** Byte 2 of this sub-item is its version (0), not a reserved byte (PS3.7 Table D.3-12). */
  subItemVersion?: number;
  sopClassUid: string;
  serviceClassUid: string;
  relatedGeneralSopClassUids: string[];
}

export interface UserIdentityRqSubItem extends ItemBase {
  type: 0x58;
  /** 1 username, 2 username and passcode, 3 Kerberos, 4 SAML, 5 JWT (PS3.7 Table D.3-14). */
  identityType: number;
  positiveResponseRequested: number;
  primaryField: Uint8Array;
  secondaryField: Uint8Array;
}

export interface UserIdentityAcSubItem extends ItemBase {
  type: 0x59;
  serverResponse: Uint8Array;
}

export type UserInformationSubItem =
  | MaximumLengthSubItem
  | ImplementationClassUidSubItem
  | AsynchronousOperationsWindowSubItem
  | RoleSelectionSubItem
  | ImplementationVersionNameSubItem
  | SopClassExtendedNegotiationSubItem
  | SopClassCommonExtendedNegotiationSubItem
  | UserIdentityRqSubItem
  | UserIdentityAcSubItem
  | UnknownItem;

export interface UserInformationItem extends ItemBase {
  type: 0x50;
  subItems: UserInformationSubItem[];
}

export type VariableItem =
  | ApplicationContextItem
  | PresentationContextRqItem
  | PresentationContextAcItem
  | UserInformationItem
  | UnknownItem;

export function isUnknownItem(item: { type: number }): item is UnknownItem {
  return (item as UnknownItem).unknown === true;
}

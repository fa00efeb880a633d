import type { VariableItem } from './items.ts';

/**
 * The seven PDUs of PS3.8 9.3 plus any other type byte, as faithful structures. Optional
 * reserved fields are set by the decoder only when not zero; `lengthOverride` makes the
 * encoder write a false PDU-length (fault injection).
 */
interface PduBase {
  /** Byte 2, reserved. */
  reserved?: number;
  lengthOverride?: number;
}

interface AssociateFixedPart extends PduBase {
  protocolVersion: number;
  /** Bytes 9–10, reserved. */
  reservedBytes9to10?: number;
  /** Bytes 11–26, exactly as sent (16 characters, space padded). */
  calledAeTitle: string;
  /** Bytes 27–42, exactly as sent. */
  callingAeTitle: string;
  /** Bytes 43–74, kept only when not all zero. */
  reservedBytes43to74?: Uint8Array;
  items: VariableItem[];
}

export interface AssociateRqPdu extends AssociateFixedPart {
  type: 0x01;
}

export interface AssociateAcPdu extends AssociateFixedPart {
  type: 0x02;
}

export interface AssociateRjPdu extends PduBase {
  type: 0x03;
  result: number;
  source: number;
  reason: number;
}

export interface PresentationDataValue {
  contextId: number;
  /** Bit 0: command (1) or data set (0); bit 1: last fragment (PS3.8 E.2). */
  messageControlHeader: number;
  data: Uint8Array;
  lengthOverride?: number;
}

export interface PDataTfPdu extends PduBase {
  type: 0x04;
  pdvs: PresentationDataValue[];
}

export interface ReleaseRqPdu extends PduBase {
  type: 0x05;
  /** Bytes 7–10, reserved. */
  reservedBody?: number;
}

export interface ReleaseRpPdu extends PduBase {
  type: 0x06;
  reservedBody?: number;
}

export interface AbortPdu extends PduBase {
  type: 0x07;
  /** 0 service-user, 1 reserved, 2 service-provider (PS3.8 Table 9-26). */
  source: number;
  reason: number;
  /** Bytes 7–8, reserved. */
  reservedBytes7to8?: number;
}

/** A PDU whose type byte is not one of the seven: kept whole so it can be reported (Evt19). */
export interface UnknownPdu extends PduBase {
  type: number;
  body: Uint8Array;
  unknown: true;
}

export type KnownPdu =
  | AssociateRqPdu
  | AssociateAcPdu
  | AssociateRjPdu
  | PDataTfPdu
  | ReleaseRqPdu
  | ReleaseRpPdu
  | AbortPdu;

export type Pdu = KnownPdu | UnknownPdu;

export function isUnknownPdu(pdu: Pdu): pdu is UnknownPdu {
  return (pdu as UnknownPdu).unknown === true;
}

import type { ByteReader } from '../../wire/byte-reader.ts';
import type { ByteWriter } from '../../wire/byte-writer.ts';
import { itemTypeName } from './constants.ts';
import type {
  AbstractSyntaxSubItem,
  PresentationContextAcItem,
  PresentationContextRqItem,
  TransferSyntaxSubItem,
  UnknownItem,
  UserInformationItem,
  UserInformationSubItem,
  VariableItem,
} from './items.ts';
import { isUnknownItem } from './items.ts';

// ---------------------------------------------------------------- decode

/** Decodes the variable field of an A-ASSOCIATE-RQ/AC: a sequence of items until the end (PS3.8 9.3.2, 9.3.3). */
export function decodeVariableItems(r: ByteReader): VariableItem[] {
  const items: VariableItem[] = [];
  while (r.remaining > 0) {
    const type = r.u8('item-type');
    const reserved = r.u8('item reserved byte');
    const length = r.u16be('item-length');
    const body = r.sub(length, itemTypeName(type), 'item-length');
    let item: VariableItem;
    switch (type) {
      case 0x10:
        item = { type, name: body.ascii(body.remaining, 'application-context-name') };
        break;
      case 0x20:
        item = decodePresentationContextRq(body);
        break;
      case 0x21:
        item = decodePresentationContextAc(body);
        break;
      case 0x50:
        item = { type, subItems: decodeUserInformationSubItems(body) };
        break;
      default:
        item = unknownItem(type, body);
    }
    if (reserved !== 0) item.reserved = reserved;
    items.push(item);
  }
  return items;
}

function unknownItem(type: number, body: ByteReader): UnknownItem {
  return { type, raw: body.rest('item value'), unknown: true };
}

function decodeSyntaxSubItems(r: ByteReader): (AbstractSyntaxSubItem | TransferSyntaxSubItem | UnknownItem)[] {
  const subItems: (AbstractSyntaxSubItem | TransferSyntaxSubItem | UnknownItem)[] = [];
  while (r.remaining > 0) {
    const type = r.u8('sub-item-type');
    const reserved = r.u8('sub-item reserved byte');
    const length = r.u16be('item-length');
    const body = r.sub(length, itemTypeName(type), 'item-length');
    let sub: AbstractSyntaxSubItem | TransferSyntaxSubItem | UnknownItem;
    if (type === 0x30) sub = { type, name: body.ascii(body.remaining, 'abstract-syntax-name') };
    else if (type === 0x40) sub = { type, name: body.ascii(body.remaining, 'transfer-syntax-name') };
    else sub = unknownItem(type, body);
    if (reserved !== 0) sub.reserved = reserved;
    subItems.push(sub);
  }
  return subItems;
}

function decodePresentationContextRq(r: ByteReader): PresentationContextRqItem {
  const contextId = r.u8('presentation-context-ID');
  r.u8('reserved (byte 6)');
  r.u8('reserved (byte 7)');
  r.u8('reserved (byte 8)');
  return { type: 0x20, contextId, subItems: decodeSyntaxSubItems(r) };
}

function decodePresentationContextAc(r: ByteReader): PresentationContextAcItem {
  const contextId = r.u8('presentation-context-ID');
  r.u8('reserved (byte 6)');
  const result = r.u8('result/reason');
  r.u8('reserved (byte 8)');
  return { type: 0x21, contextId, result, subItems: decodeSyntaxSubItems(r) };
}

function exactly(r: ByteReader, field: string): void {
  if (r.remaining !== 0) r.fail('DECODE_LENGTH_MISMATCH', field, `${r.remaining} unexpected trailing byte(s)`);
}

function lengthPrefixedAscii(r: ByteReader, lengthField: string, field: string): string {
  const n = r.u16be(lengthField);
  return r.ascii(n, field);
}

function lengthPrefixedBytes(r: ByteReader, lengthField: string, field: string): Uint8Array {
  const n = r.u16be(lengthField);
  return r.bytes(n, field);
}

/** User Information sub-items, in any order (PS3.8 9.3.2.3 note); unassigned types kept raw (PS3.8 D.2). */
export function decodeUserInformationSubItems(r: ByteReader): UserInformationSubItem[] {
  const subItems: UserInformationSubItem[] = [];
  while (r.remaining > 0) {
    const type = r.u8('sub-item-type');
    const byte2 = r.u8('sub-item reserved byte');
    const length = r.u16be('item-length');
    const b = r.sub(length, itemTypeName(type), 'item-length');
    let sub: UserInformationSubItem;
    switch (type) {
      case 0x51:
        sub = { type, maxLength: b.u32be('maximum-length-received') };
        exactly(b, 'Maximum Length Sub-Item');
        break;
      case 0x52:
        sub = { type, uid: b.ascii(b.remaining, 'implementation-class-uid') };
        break;
      case 0x53:
        sub = {
          type,
          maxOperationsInvoked: b.u16be('maximum-number-operations-invoked'),
          maxOperationsPerformed: b.u16be('maximum-number-operations-performed'),
        };
        exactly(b, 'Asynchronous Operations Window Sub-Item');
        break;
      case 0x54:
        sub = {
          type,
          sopClassUid: lengthPrefixedAscii(b, 'SOP-class-uid-length', 'SOP-class-uid'),
          scuRole: b.u8('SCU-role'),
          scpRole: b.u8('SCP-role'),
        };
        exactly(b, 'SCP/SCU Role Selection Sub-Item');
        break;
      case 0x55:
        sub = { type, name: b.ascii(b.remaining, 'implementation-version-name') };
        break;
      case 0x56:
        sub = {
          type,
          sopClassUid: lengthPrefixedAscii(b, 'SOP-class-uid-length', 'SOP-class-uid'),
          applicationInformation: b.rest('service-class-application-information'),
        };
        break;
      case 0x57: {
        const sopClassUid = lengthPrefixedAscii(b, 'SOP-class-uid-length', 'SOP-class-uid');
        const serviceClassUid = lengthPrefixedAscii(b, 'service-class-uid-length', 'service-class-uid');
        const relatedLength = b.u16be('related-general-sop-class-identification-length');
        const rel = b.sub(relatedLength, 'Related General SOP Class Identification', 'related-general-sop-class-identification-length');
        const relatedGeneralSopClassUids: string[] = [];
        while (rel.remaining > 0) relatedGeneralSopClassUids.push(lengthPrefixedAscii(rel, 'related-general-sop-class-uid-length', 'related-general-sop-class-uid'));
        exactly(b, 'SOP Class Common Extended Negotiation Sub-Item');
        sub = { type, subItemVersion: byte2, sopClassUid, serviceClassUid, relatedGeneralSopClassUids };
        break;
      }
      case 0x58:
        sub = {
          type,
          identityType: b.u8('user-identity-type'),
          positiveResponseRequested: b.u8('positive-response-requested'),
          primaryField: lengthPrefixedBytes(b, 'primary-field-length', 'primary-field'),
          secondaryField: lengthPrefixedBytes(b, 'secondary-field-length', 'secondary-field'),
        };
        exactly(b, 'User Identity Sub-Item (RQ)');
        break;
      case 0x59:
        sub = { type, serverResponse: lengthPrefixedBytes(b, 'server-response-length', 'server-response') };
        exactly(b, 'User Identity Sub-Item (AC)');
        break;
      default:
        sub = unknownItem(type, b);
    }
    if (byte2 !== 0 && type !== 0x57) sub.reserved = byte2;
    subItems.push(sub);
  }
  return subItems;
}

// ---------------------------------------------------------------- encode

function header(w: ByteWriter, type: number, item: { reserved?: number; lengthOverride?: number }, byte2?: number): () => void {
  w.u8(type).u8(byte2 ?? item.reserved ?? 0);
  return w.lengthBE(2, item.lengthOverride);
}

function writeLengthPrefixed(w: ByteWriter, value: string | Uint8Array): void {
  if (typeof value === 'string') {
    w.u16be(value.length).ascii(value);
  } else {
    w.u16be(value.length).bytes(value);
  }
}

export function encodeVariableItem(w: ByteWriter, item: VariableItem): void {
  if (isUnknownItem(item)) {
    const done = header(w, item.type, item);
    w.bytes(item.raw);
    done();
    return;
  }
  switch (item.type) {
    case 0x10: {
      const done = header(w, 0x10, item);
      w.ascii(item.name, 'Application Context Item', 'application-context-name');
      done();
      return;
    }
    case 0x20: {
      const done = header(w, 0x20, item);
      w.u8(item.contextId).u8(0).u8(0).u8(0);
      for (const s of item.subItems) encodeSyntaxSubItem(w, s);
      done();
      return;
    }
    case 0x21: {
      const done = header(w, 0x21, item);
      w.u8(item.contextId).u8(0).u8(item.result).u8(0);
      for (const s of item.subItems) encodeSyntaxSubItem(w, s);
      done();
      return;
    }
    case 0x50:
      encodeUserInformation(w, item);
      return;
  }
}

function encodeSyntaxSubItem(w: ByteWriter, s: AbstractSyntaxSubItem | TransferSyntaxSubItem | UnknownItem): void {
  const done = header(w, s.type, s);
  if (isUnknownItem(s)) w.bytes(s.raw);
  else w.ascii(s.name, itemTypeName(s.type), 'name');
  done();
}

function encodeUserInformation(w: ByteWriter, item: UserInformationItem): void {
  const done = header(w, 0x50, item);
  for (const s of item.subItems) encodeUserInformationSubItem(w, s);
  done();
}

export function encodeUserInformationSubItem(w: ByteWriter, s: UserInformationSubItem): void {
  if (isUnknownItem(s)) {
    const done = header(w, s.type, s);
    w.bytes(s.raw);
    done();
    return;
  }
  const done = header(w, s.type, s, s.type === 0x57 ? (s.subItemVersion ?? 0) : undefined);
  switch (s.type) {
    case 0x51:
      w.u32be(s.maxLength);
      break;
    case 0x52:
      w.ascii(s.uid);
      break;
    case 0x53:
      w.u16be(s.maxOperationsInvoked).u16be(s.maxOperationsPerformed);
      break;
    case 0x54:
      writeLengthPrefixed(w, s.sopClassUid);
      w.u8(s.scuRole).u8(s.scpRole);
      break;
    case 0x55:
      w.ascii(s.name);
      break;
    case 0x56:
      writeLengthPrefixed(w, s.sopClassUid);
      w.bytes(s.applicationInformation);
      break;
    case 0x57: {
      writeLengthPrefixed(w, s.sopClassUid);
      writeLengthPrefixed(w, s.serviceClassUid);
      const rel = w.lengthBE(2);
      for (const uid of s.relatedGeneralSopClassUids) writeLengthPrefixed(w, uid);
      rel();
      break;
    }
    case 0x58:
      w.u8(s.identityType).u8(s.positiveResponseRequested);
      writeLengthPrefixed(w, s.primaryField);
      writeLengthPrefixed(w, s.secondaryField);
      break;
    case 0x59:
      writeLengthPrefixed(w, s.serverResponse);
      break;
  }
  done();
}

import { COMMAND_ELEMENTS } from '../../simulators/dimse/command-dictionary.ts';
import { entryForTag, formatTag, implicitVr } from '../../simulators/dataset/dictionary.ts';
import type { TransferSyntaxInfo } from '../../simulators/dataset/transfer-syntax.ts';
import { vrByCode, vrInfo } from '../../simulators/dataset/vr.ts';
import { itemTypeName, pduTypeName } from '../../simulators/ul/pdu/constants.ts';

/** One field of a PDU's bytes: offset, length, name, and its value in words where it has one. */
export type Field = [offset: number, length: number, name: string, value?: string];

const hex = (n: number, w: number) => `0x${n.toString(16).padStart(w, '0').toUpperCase()}`;
const text = (b: Buffer, o: number, n: number) => b.subarray(o, o + n).toString('latin1');
/** A text field quoted, with NUL and other control bytes shown as symbols, not escapes. */
const shown = (s: string) => `"${(s.length > 80 ? `${s.slice(0, 77)}…` : s).replace(/[\x00-\x1f]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)))}"`;

/**
 * Names the fields of a PDU (PS3.8 9.3) down to items, sub-items, PDVs and — where a PDV holds a
 * whole command set or data set — their elements. Never throws: where the bytes stop making
 * sense the rest is one "not parsed" field.
 */
export function pduFields(b: Buffer, dataSetSyntax?: (contextId: number) => TransferSyntaxInfo | undefined): Field[] {
  const out: Field[] = [];
  const end = (from: number) => {
    if (from < b.length) out.push([from, b.length - from, 'not parsed (inconsistent with the lengths above)']);
    return out;
  };
  if (b.length < 6) return end(0);
  const type = b[0]!;
  out.push([0, 1, 'PDU-type', `${hex(type, 2)} ${pduTypeName(type)}`], [1, 1, 'reserved'], [2, 4, 'PDU-length', `${b.readUInt32BE(2)}`]);
  switch (type) {
    case 0x01:
    case 0x02: {
      if (b.length < 74) return end(6);
      out.push([6, 2, 'Protocol-version', hex(b.readUInt16BE(6), 4)], [8, 2, 'reserved']);
      out.push([10, 16, 'Called-AE-title', shown(text(b, 10, 16))], [26, 16, 'Calling-AE-title', shown(text(b, 26, 16))], [42, 32, 'reserved']);
      return end(items(b, 74, b.length, out, ''));
    }
    case 0x03:
      if (b.length < 10) return end(6);
      out.push([6, 1, 'reserved'], [7, 1, 'Result', `${b[7]}`], [8, 1, 'Source', `${b[8]}`], [9, 1, 'Reason/Diag.', `${b[9]}`]);
      return end(10);
    case 0x04:
      return end(pdvs(b, out, dataSetSyntax));
    case 0x05:
    case 0x06:
      if (b.length < 10) return end(6);
      out.push([6, 4, 'reserved']);
      return end(10);
    case 0x07:
      if (b.length < 10) return end(6);
      out.push([6, 1, 'reserved'], [7, 1, 'reserved'], [8, 1, 'Source', `${b[8]}`], [9, 1, 'Reason/Diag.', `${b[9]}`]);
      return end(10);
    default:
      return end(6);
  }
}

/** Items or sub-items from `p` to `stop`; returns where parsing stopped (the fields pushed end there, so the rest can be one field). */
function items(b: Buffer, p: number, stop: number, out: Field[], path: string): number {
  let pcIndex = 0;
  let stopped: number;
  while (p + 4 <= stop) {
    const type = b[p]!;
    const len = b.readUInt16BE(p + 2);
    if (p + 4 + len > stop) return p;
    const name = `${path}${itemTypeName(type)}${type === 0x20 || type === 0x21 ? ` ${++pcIndex}` : ''}`;
    out.push([p, 1, `${name}: Item-type`, hex(type, 2)], [p + 1, 1, `${name}: reserved`], [p + 2, 2, `${name}: Item-length`, `${len}`]);
    const body = p + 4;
    switch (type) {
      case 0x20:
      case 0x21:
        if (len < 4) return body;
        out.push([body, 1, `${name}: Presentation-context-ID`, `${b[body]}`], [body + 1, 1, `${name}: reserved`]);
        out.push(type === 0x21 ? [body + 2, 1, `${name}: Result/Reason`, `${b[body + 2]}`] : [body + 2, 1, `${name}: reserved`], [body + 3, 1, `${name}: reserved`]);
        if ((stopped = items(b, body + 4, body + len, out, `${name} › `)) !== body + len) return stopped;
        break;
      case 0x50:
        if ((stopped = items(b, body, body + len, out, `${name} › `)) !== body + len) return stopped;
        break;
      case 0x51:
        if (len === 4) out.push([body, 4, `${name}: Maximum-length-received`, `${b.readUInt32BE(body)}`]);
        else if (len) out.push([body, len, `${name}: value (length should be 4)`]);
        break;
      case 0x53:
        if (len === 4) out.push([body, 2, `${name}: Max-operations-invoked`, `${b.readUInt16BE(body)}`], [body + 2, 2, `${name}: Max-operations-performed`, `${b.readUInt16BE(body + 2)}`]);
        else if (len) out.push([body, len, `${name}: value`]);
        break;
      case 0x54:
      case 0x56: {
        const uidLen = len >= 2 ? b.readUInt16BE(body) : 0;
        if (len < 2 || 2 + uidLen > len) {
          if (len) out.push([body, len, `${name}: value`]);
          break;
        }
        out.push([body, 2, `${name}: UID-length`, `${uidLen}`], [body + 2, uidLen, `${name}: SOP-class-uid`, shown(text(b, body + 2, uidLen))]);
        const rest = len - 2 - uidLen;
        if (type === 0x54 && rest === 2) out.push([body + 2 + uidLen, 1, `${name}: SCU-role`, `${b[body + 2 + uidLen]}`], [body + 3 + uidLen, 1, `${name}: SCP-role`, `${b[body + 3 + uidLen]}`]);
        else if (rest > 0) out.push([body + 2 + uidLen, rest, `${name}: ${type === 0x56 ? 'Service-class-application-information' : 'value'}`, [...b.subarray(body + 2 + uidLen, body + len)].join(' ')]);
        break;
      }
      default:
        if (len) out.push([body, len, `${name}: ${type === 0x10 || type === 0x30 || type === 0x40 || type === 0x52 || type === 0x55 ? 'name' : 'value'}`, shown(text(b, body, len))]);
    }
    p = body + len;
  }
  return p;
}

function pdvs(b: Buffer, out: Field[], syntax?: (contextId: number) => TransferSyntaxInfo | undefined): number {
  let p = 6;
  let n = 0;
  while (p + 6 <= b.length) {
    const len = b.readUInt32BE(p);
    if (len < 2 || p + 4 + len > b.length) return p;
    const name = `PDV ${++n}`;
    const ctx = b[p + 4]!;
    const mch = b[p + 5]!;
    out.push([p, 4, `${name}: Item-length`, `${len}`], [p + 4, 1, `${name}: Presentation-context-ID`, `${ctx}`]);
    out.push([p + 5, 1, `${name}: Message Control Header`, `${hex(mch, 2)} ${mch & 1 ? 'command' : 'data set'}, ${mch & 2 ? 'last fragment' : 'not last'}`]);
    const from = p + 6;
    const to = p + 4 + len;
    const ts = mch & 1 ? IMPLICIT : syntax?.(ctx);
    const stopped = ts ? elements(b, from, to, ts, out, mch & 1 ? 'command' : 'data set') : from;
    if (stopped < to) out.push([stopped, to - stopped, `${name}: ${mch & 1 ? 'command' : 'data set'} fragment`]);
    p = to;
  }
  return p;
}

const IMPLICIT: TransferSyntaxInfo = { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', explicitVr: false, littleEndian: true };

/** Top-level elements of a command or data set fragment; stops at the first that does not fit (a later fragment, a broken length). */
function elements(b: Buffer, p: number, stop: number, ts: TransferSyntaxInfo, out: Field[], what: string): number {
  const u16 = (o: number) => (ts.littleEndian ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (ts.littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));
  while (p + 8 <= stop) {
    const tag = ((u16(p) << 16) | u16(p + 2)) >>> 0;
    let vr = implicitVr(tag);
    let head = 8;
    let len = u32(p + 4);
    if (ts.explicitVr && what !== 'command') {
      const code = vrByCode(b[p + 4]!, b[p + 5]!);
      if (!code) return p;
      vr = code.name;
      if (code.info.longLength) {
        if (p + 12 > stop) return p;
        head = 12;
        len = u32(p + 8);
      } else len = u16(p + 6);
    }
    const keyword = what === 'command' ? COMMAND_ELEMENTS.get(tag)?.keyword : entryForTag(tag)?.keyword;
    const label = `${what} ${formatTag(tag)} ${keyword ?? 'unknown'}`;
    if (len === 0xffffffff) {
      out.push([p, head, `${label} ${vr} (undefined length)`]);
      return p + head;
    }
    if (p + head + len > stop) return p;
    out.push([p, head, `${label}: tag, ${ts.explicitVr && what !== 'command' ? 'VR, ' : ''}length`, `${vr}, ${len}`]);
    if (len) out.push([p + head, len, `${label}: value`, valueOf(b, p + head, len, vr, ts.littleEndian)]);
    p += head + len;
  }
  return p;
}

function valueOf(b: Buffer, o: number, len: number, vr: string, le: boolean): string {
  const info = vrInfo(vr);
  if (vr === 'US' && len === 2) return `${le ? b.readUInt16LE(o) : b.readUInt16BE(o)}`;
  if (vr === 'UL' && len === 4) return `${le ? b.readUInt32LE(o) : b.readUInt32BE(o)}`;
  if (info?.text) return shown(text(b, o, len));
  return `${len} bytes`;
}

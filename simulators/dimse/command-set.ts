import { DecodeError, EncodeError } from '../wire/errors.ts';
import { COMMAND_ELEMENTS, formatTag } from './command-dictionary.ts';
import type { CommandElementDefinition, CommandVr } from './command-dictionary.ts';

/** A DIMSE command set (PS3.7 Annex E) with its elements named by their PS3.7 keywords. */
export interface DimseCommand {
  CommandField: number;
  CommandDataSetType: number;
  AffectedSOPClassUID?: string;
  RequestedSOPClassUID?: string;
  MessageID?: number;
  MessageIDBeingRespondedTo?: number;
  MoveDestination?: string;
  Priority?: number;
  Status?: number;
  /** Tags as 32-bit numbers, e.g. 0x00080052. */
  OffendingElement?: number[];
  ErrorComment?: string;
  ErrorID?: number;
  AffectedSOPInstanceUID?: string;
  RequestedSOPInstanceUID?: string;
  EventTypeID?: number;
  AttributeIdentifierList?: number[];
  ActionTypeID?: number;
  NumberOfRemainingSuboperations?: number;
  NumberOfCompletedSuboperations?: number;
  NumberOfFailedSuboperations?: number;
  NumberOfWarningSuboperations?: number;
  MoveOriginatorApplicationEntityTitle?: string;
  MoveOriginatorMessageID?: number;
}

type Keyword = keyof DimseCommand;

/** One element exactly as it was on the wire. */
export interface CommandElement {
  tag: number;
  /** Offset of the element's tag from the start of the command set. */
  offset: number;
  value: Buffer;
}

export interface EncodeCommandOptions {
  /** Write this group length instead of the true one, or leave (0000,0000) out. */
  groupLength?: number | 'omit';
  /** Extra elements (any tag, even outside group 0000), merged in tag order unless `unordered`. */
  extraElements?: { tag: number; value: Buffer }[];
  unordered?: boolean;
}

/** Writes one value at `p` in Implicit VR Little Endian; `valueLength` bytes. */
function writeValue(out: Buffer, p: number, vr: CommandVr, v: unknown, keyword: string): void {
  switch (vr) {
    case 'US':
      out.writeUInt16LE((v as number) & 0xffff, p);
      return;
    case 'UL':
      out.writeUInt32LE((v as number) >>> 0, p);
      return;
    case 'AT':
      (v as number[]).forEach((t, i) => {
        out.writeUInt16LE(t >>> 16, p + i * 4);
        out.writeUInt16LE(t & 0xffff, p + i * 4 + 2);
      });
      return;
    default: {
      const text = v as string;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c > 0x7f) throw new EncodeError('ENCODE_INVALID_VALUE', 'command set', keyword, 'command strings use the default repertoire only');
        out[p + i] = c;
      }
      // PS3.5 6.2: UI is padded with NUL, other strings with a space, to an even length.
      if (text.length & 1) out[p + text.length] = vr === 'UI' ? 0x00 : 0x20;
    }
  }
}

function encodeValue(vr: CommandVr, v: unknown, keyword: string): Buffer {
  const out = Buffer.allocUnsafe(valueLength(vr, v));
  writeValue(out, 0, vr, v, keyword);
  return out;
}

/** The output buffer, Command Group Length (0000,0000) first unless omitted (PS3.7 E.1); `start` is where the elements go. */
function commandBuffer(bodyLength: number, opts: EncodeCommandOptions): { out: Buffer; start: number } {
  if (opts.groupLength === 'omit') return { out: Buffer.allocUnsafe(bodyLength), start: 0 };
  const out = Buffer.allocUnsafe(bodyLength + 12);
  out.writeUInt32LE(0x00000000, 0);
  out.writeUInt32LE(4, 4);
  out.writeUInt32LE(typeof opts.groupLength === 'number' ? opts.groupLength : bodyLength, 8);
  return { out, start: 12 };
}

/** The command elements by keyword, group length left out (it is computed). */
const BY_KEYWORD = new Map([...COMMAND_ELEMENTS.values()].filter((d) => d.tag !== 0).map((d) => [d.keyword, d]));

/** The dictionary entries of the fields the command has, in ascending tag order (PS3.7 6.3.1). */
function presentDefinitions(cmd: DimseCommand): CommandElementDefinition[] {
  const defs: CommandElementDefinition[] = [];
  for (const keyword in cmd) {
    const def = BY_KEYWORD.get(keyword);
    if (def && cmd[keyword as Keyword] !== undefined) defs.push(def);
  }
  return defs.length > 1 ? defs.sort((a, b) => a.tag - b.tag) : defs;
}

/** Bytes of one value as `writeValue` writes it (strings: the default repertoire, padded to even). */
function valueLength(vr: CommandVr, v: unknown): number {
  if (vr === 'US') return 2;
  if (vr === 'UL') return 4;
  if (vr === 'AT') return (v as number[]).length * 4;
  const n = (v as string).length;
  return n + (n & 1);
}

/** Encodes a command set in Implicit VR Little Endian, tags ascending, group length first (PS3.7 6.3.1, E.1). */
export function encodeCommand(cmd: DimseCommand, opts: EncodeCommandOptions = {}): Buffer {
  if (opts.extraElements) return encodeWithExtras(cmd, opts);
  // The common case, written straight into one buffer.
  const defs = presentDefinitions(cmd);
  let bodyLength = 0;
  for (const def of defs) bodyLength += 8 + valueLength(def.vr, cmd[def.keyword as Keyword]);
  const { out, start } = commandBuffer(bodyLength, opts);
  let p = start;
  for (const def of defs) {
    const v = cmd[def.keyword as Keyword];
    const n = valueLength(def.vr, v);
    out.writeUInt16LE(0, p);
    out.writeUInt16LE(def.tag & 0xffff, p + 2);
    out.writeUInt32LE(n, p + 4);
    writeValue(out, p + 8, def.vr, v, def.keyword);
    p += 8 + n;
  }
  return out;
}

/** Scripted faults: extra elements (any tag), in tag order or as given. */
function encodeWithExtras(cmd: DimseCommand, opts: EncodeCommandOptions): Buffer {
  const elements: { tag: number; value: Buffer }[] = [];
  for (const def of presentDefinitions(cmd)) elements.push({ tag: def.tag, value: encodeValue(def.vr, cmd[def.keyword as Keyword], def.keyword) });
  elements.push(...opts.extraElements!);
  if (!opts.unordered) elements.sort((a, b) => a.tag - b.tag);
  let bodyLength = 0;
  for (const e of elements) bodyLength += 8 + e.value.length;
  const { out, start } = commandBuffer(bodyLength, opts);
  let p = start;
  for (const e of elements) {
    out.writeUInt16LE(e.tag >>> 16, p);
    out.writeUInt16LE(e.tag & 0xffff, p + 2);
    out.writeUInt32LE(e.value.length, p + 4);
    e.value.copy(out, p + 8);
    p += 8 + e.value.length;
  }
  return out;
}

export interface DecodedCommand {
  command: DimseCommand;
  elements: CommandElement[];
  /** Rule breaches that did not stop decoding (reported as violations). */
  problems: string[];
}

function decodeValue(vr: CommandVr, b: Buffer): number | string | number[] | undefined {
  switch (vr) {
    case 'US':
      return b.length >= 2 ? b.readUInt16LE(0) : undefined;
    case 'UL':
      return b.length >= 4 ? b.readUInt32LE(0) : undefined;
    case 'AT': {
      const tags: number[] = [];
      for (let i = 0; i + 4 <= b.length; i += 4) tags.push(((b.readUInt16LE(i) << 16) | b.readUInt16LE(i + 2)) >>> 0);
      return tags;
    }
    case 'UI': {
      // Trailing NUL padding, then trailing spaces.
      let end = b.length;
      while (end > 0 && b[end - 1] === 0) end--;
      while (end > 0 && b[end - 1] === 0x20) end--;
      return b.toString('latin1', 0, end);
    }
    default: {
      let start = 0;
      let end = b.length;
      while (end > 0 && b[end - 1] === 0x20) end--;
      while (start < end && b[start] === 0x20) start++;
      return b.toString('latin1', start, end);
    }
  }
}

const expectedLength: Partial<Record<CommandVr, number>> = { US: 2, UL: 4 };

/**
 * Decodes an Implicit VR Little Endian command set. Truncation throws DecodeError (tag and
 * offset named); breaches of PS3.7 6.3.1 / E.1 that still decode are listed in `problems`.
 */
export function decodeCommand(bytes: Buffer): DecodedCommand {
  const command: Partial<Record<Keyword, unknown>> = {};
  const elements: CommandElement[] = [];
  const problems: string[] = [];
  let previous = -1;
  let groupLength: number | undefined;
  let p = 0;
  const end = bytes.length;
  while (p < end) {
    const offset = p;
    if (end - p < 8) {
      throw new DecodeError('DECODE_TRUNCATED', 'command set', 'element header', p, `needs 8 byte(s), ${end - p} left`);
    }
    const group = bytes.readUInt16LE(p);
    const element = bytes.readUInt16LE(p + 2);
    const tag = ((group << 16) | element) >>> 0;
    const length = bytes.readUInt32LE(p + 4);
    p += 8;
    if (length > end - p) {
      throw new DecodeError('DECODE_TRUNCATED', 'command set', `${formatTag(tag)} value`, p, `needs ${length} byte(s), ${end - p} left`);
    }
    const value = bytes.subarray(p, p + length);
    p += length;
    elements.push({ tag, offset, value });
    if (group !== 0x0000) problems.push(`${formatTag(tag)} at offset ${offset} is outside group 0000 (PS3.7 6.3.1)`);
    if (tag <= previous) problems.push(`${formatTag(tag)} at offset ${offset} is not in ascending tag order (PS3.7 6.3.1)`);
    if (length % 2 === 1) problems.push(`${formatTag(tag)} has an odd value length ${length} (PS3.5 7.1.1)`);
    previous = tag;
    if (tag === 0) {
      groupLength = length === 4 ? value.readUInt32LE(0) : undefined;
      continue;
    }
    const def = COMMAND_ELEMENTS.get(tag);
    if (!def) continue;
    const want = expectedLength[def.vr];
    if (want !== undefined && length !== want) {
      problems.push(`${formatTag(tag)} ${def.keyword} has length ${length}, ${def.vr} needs ${want}`);
      if (length < want) continue;
    }
    command[def.keyword as Keyword] = decodeValue(def.vr, value);
  }
  const first = elements[0];
  if (!first || first.tag !== 0) {
    problems.push('Command Group Length (0000,0000) is not the first element (PS3.7 E.1)');
  } else {
    const actual = bytes.length - 12;
    if (groupLength !== actual) problems.push(`Command Group Length is ${groupLength}, the elements after it take ${actual} bytes (PS3.7 E.1)`);
  }
  if (command.CommandField === undefined) problems.push('no Command Field (0000,0100)');
  if (command.CommandDataSetType === undefined) problems.push('no Command Data Set Type (0000,0800)');
  return { command: command as DimseCommand, elements, problems };
}

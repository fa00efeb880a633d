import { TextDecoder } from 'node:util';
import { HarnessError } from '../wire/errors.ts';

/**
 * Specific Character Set (0008,0005) → how text values are decoded and encoded (PS3.5 6.1,
 * PS3.3 C.12.1.1.2). Single-byte sets and UTF-8/GB18030/GBK without code extensions; ISO 2022
 * code extensions decoded by their escape sequences (PS3.5 6.1.2.5). What cannot be decoded is
 * listed in `problems` and decoded as Latin-1 so nothing is lost; what cannot be encoded throws.
 */
export type CharsetErrorCode = 'CHARSET_UNKNOWN_TERM' | 'CHARSET_CANNOT_ENCODE' | 'CHARSET_ENCODE_UNSUPPORTED';

export class CharsetError extends HarnessError {
  constructor(
    readonly code: CharsetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Single-byte and multi-byte sets without code extensions: defined term → decoder label. */
const SINGLE: Record<string, string> = {
  '': 'ascii',
  'ISO_IR 6': 'ascii',
  'ISO_IR 100': 'latin1',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'iso-8859-9',
  'ISO_IR 203': 'iso-8859-15',
  'ISO_IR 13': 'shift_jis',
  'ISO_IR 166': 'windows-874',
  'ISO_IR 192': 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

/** ISO 2022 terms (PS3.3 Table C.12-3/C.12-4): the G1 set each designates in the initial state. */
const ISO2022: Record<string, { g1?: string; g0?: G0 }> = {
  'ISO 2022 IR 6': {},
  'ISO 2022 IR 100': { g1: 'latin1' },
  'ISO 2022 IR 101': { g1: 'iso-8859-2' },
  'ISO 2022 IR 109': { g1: 'iso-8859-3' },
  'ISO 2022 IR 110': { g1: 'iso-8859-4' },
  'ISO 2022 IR 144': { g1: 'iso-8859-5' },
  'ISO 2022 IR 127': { g1: 'iso-8859-6' },
  'ISO 2022 IR 126': { g1: 'iso-8859-7' },
  'ISO 2022 IR 138': { g1: 'iso-8859-8' },
  'ISO 2022 IR 148': { g1: 'iso-8859-9' },
  'ISO 2022 IR 203': { g1: 'iso-8859-15' },
  'ISO 2022 IR 13': { g1: 'katakana', g0: 'jis-roman' },
  'ISO 2022 IR 166': { g1: 'windows-874' },
  'ISO 2022 IR 87': { g0: 'jis-x-0208' },
  'ISO 2022 IR 159': { g0: 'jis-x-0212' },
  'ISO 2022 IR 149': { g1: 'ks-x-1001' },
  'ISO 2022 IR 58': { g1: 'gb2312' },
};

type G0 = 'ascii' | 'jis-roman' | 'jis-x-0208' | 'jis-x-0212';

/** Escape sequences of PS3.3 Table C.12-3/C.12-4 → the designation they make. */
const ESCAPES: Record<string, { g0?: G0; g1?: string }> = {
  '(B': { g0: 'ascii' },
  '(J': { g0: 'jis-roman' },
  ')I': { g1: 'katakana' },
  '$B': { g0: 'jis-x-0208' },
  '$@': { g0: 'jis-x-0208' },
  '$(D': { g0: 'jis-x-0212' },
  '-A': { g1: 'latin1' },
  '-B': { g1: 'iso-8859-2' },
  '-C': { g1: 'iso-8859-3' },
  '-D': { g1: 'iso-8859-4' },
  '-L': { g1: 'iso-8859-5' },
  '-G': { g1: 'iso-8859-6' },
  '-F': { g1: 'iso-8859-7' },
  '-H': { g1: 'iso-8859-8' },
  '-M': { g1: 'iso-8859-9' },
  '-b': { g1: 'iso-8859-15' },
  '-T': { g1: 'windows-874' },
  '$)C': { g1: 'ks-x-1001' },
  '$)A': { g1: 'gb2312' },
};

const decoders = new Map<string, TextDecoder>();
function decoder(label: string): TextDecoder {
  let d = decoders.get(label);
  if (!d) {
    d = new TextDecoder(label);
    decoders.set(label, d);
  }
  return d;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function decodeWith(label: string, bytes: Uint8Array): string {
  if (label === 'latin1' || label === 'ascii') return latin1(bytes);
  return decoder(label).decode(bytes);
}

export interface CharacterSet {
  /** The Specific Character Set values as given (empty for the default repertoire). */
  readonly terms: readonly string[];
  readonly isDefault: boolean;
  /** Terms this product cannot decode (their bytes are shown as Latin-1). */
  readonly problems: readonly string[];
  decode(bytes: Uint8Array): string;
  encode(text: string): Buffer;
}

/** The codec for a Specific Character Set value (backslash-separated or already split). */
export function characterSet(value: string | readonly string[] | undefined): CharacterSet {
  const terms = (typeof value === 'string' ? value.split('\\') : (value ?? [])).map((t) => t.trim());
  const key = terms.join('\\');
  const cached = cache.get(key);
  if (cached) return cached;
  const cs = build(terms);
  cache.set(key, cs);
  return cs;
}

// Memoized: codecs are immutable, one per distinct Specific Character Set value, shared safely.
const cache = new Map<string, CharacterSet>();

export const DEFAULT_CHARACTER_SET = characterSet(undefined);

function build(terms: string[]): CharacterSet {
  const problems: string[] = [];
  const nonEmpty = terms.filter((t) => t !== '');
  const isDefault = nonEmpty.length === 0 || (nonEmpty.length === 1 && (nonEmpty[0] === 'ISO_IR 6' || nonEmpty[0] === 'ISO 2022 IR 6'));
  const uses2022 = terms.length > 1 || nonEmpty.some((t) => t.startsWith('ISO 2022'));
  if (!uses2022) {
    const term = nonEmpty[0] ?? '';
    const label = SINGLE[term];
    if (label === undefined) problems.push(`Specific Character Set "${term}" is not a defined term (PS3.3 C.12.1.1.2); text shown as Latin-1`);
    const l = label ?? 'latin1';
    return {
      terms,
      isDefault,
      problems,
      decode: (b) => decodeWith(l, b),
      encode: (t) => encodeSingle(l, term, t),
    };
  }
  for (const t of terms) if (t !== '' && !(t in ISO2022)) problems.push(`Specific Character Set "${t}" is not a defined ISO 2022 term; its text is shown as Latin-1`);
  const first = ISO2022[terms[0] ?? ''] ?? {};
  const initial = { g0: first.g0 ?? 'ascii', g1: first.g1 };
  return {
    terms,
    isDefault,
    problems,
    decode: (b) => decodeIso2022(b, initial.g0, initial.g1),
    encode: (t) => {
      if (/^[\x00-\x7f]*$/.test(t)) return Buffer.from(t, 'latin1');
      throw new CharsetError('CHARSET_ENCODE_UNSUPPORTED', `encoding non-ASCII text in "${terms.join('\\')}" (ISO 2022 code extensions) is not supported; decode only`);
    },
  };
}

const reverseTables = new Map<string, Map<string, number>>();

function encodeSingle(label: string, term: string, text: string): Buffer {
  if (label === 'utf-8') return Buffer.from(text, 'utf8');
  if (/^[\x00-\x7f]*$/.test(text)) return Buffer.from(text, 'latin1');
  if (label === 'ascii') throw new CharsetError('CHARSET_CANNOT_ENCODE', `"${text}" is not in the default repertoire; a Specific Character Set is needed (PS3.5 6.1)`);
  if (label === 'latin1') {
    if (/^[\x00-\xff]*$/.test(text)) return Buffer.from(text, 'latin1');
    throw new CharsetError('CHARSET_CANNOT_ENCODE', `"${text}" has characters outside ISO_IR 100`);
  }
  if (label === 'gb18030' || label === 'gbk' || label === 'shift_jis') {
    throw new CharsetError('CHARSET_ENCODE_UNSUPPORTED', `encoding text in ${term} is not supported; decode only`);
  }
  let table = reverseTables.get(label);
  if (!table) {
    table = new Map();
    const d = decoder(label);
    for (let b = 0; b < 256; b++) {
      const c = d.decode(Uint8Array.of(b));
      if (c !== '\ufffd') table.set(c, b);
    }
    reverseTables.set(label, table);
  }
  const out = Buffer.alloc(text.length);
  let i = 0;
  for (const ch of text) {
    const b = table.get(ch);
    if (b === undefined) throw new CharsetError('CHARSET_CANNOT_ENCODE', `"${ch}" in "${text}" is not in ${term}`);
    out[i++] = b;
  }
  return out.subarray(0, i);
}

/** PS3.5 6.1.2.5: bytes under escape-sequence designations. Delimiters and control bytes reset to the initial state. */
function decodeIso2022(bytes: Uint8Array, initialG0: G0, initialG1: string | undefined): string {
  let g0: G0 = initialG0;
  let g1 = initialG1;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0x1b) {
      let seq = '';
      let j = i + 1;
      while (j < bytes.length && seq.length < 3) {
        seq += String.fromCharCode(bytes[j]!);
        j++;
        const d = ESCAPES[seq];
        if (d) {
          if (d.g0) g0 = d.g0;
          if (d.g1) g1 = d.g1;
          break;
        }
      }
      if (!ESCAPES[seq]) out += '\ufffd';
      i = j;
      continue;
    }
    if (b < 0x21 || ((b === 0x5c || b === 0x3d || b === 0x5e) && (g0 === 'ascii' || g0 === 'jis-roman'))) {
      out += String.fromCharCode(b);
      if (b === 0x0a || b === 0x0c || b === 0x0d || b === 0x5c || b === 0x3d || b === 0x5e) {
        g0 = initialG0;
        g1 = initialG1;
      }
      i++;
      continue;
    }
    if (b < 0x80) {
      if (g0 === 'jis-x-0208' || g0 === 'jis-x-0212') {
        const start = i;
        while (i + 1 < bytes.length && bytes[i]! >= 0x21 && bytes[i]! < 0x7f && bytes[i + 1]! >= 0x21 && bytes[i + 1]! < 0x7f) i += 2;
        if (i === start) {
          out += '\ufffd';
          i++;
          continue;
        }
        const euc: number[] = [];
        for (let k = start; k < i; k += 2) {
          if (g0 === 'jis-x-0212') euc.push(0x8f);
          euc.push(bytes[k]! | 0x80, bytes[k + 1]! | 0x80);
        }
        out += decoder('euc-jp').decode(Uint8Array.from(euc));
        continue;
      }
      out += g0 === 'jis-roman' ? decoder('shift_jis').decode(Uint8Array.of(b)) : String.fromCharCode(b);
      i++;
      continue;
    }
    // G1 (high half).
    if (g1 === 'ks-x-1001' || g1 === 'gb2312') {
      const start = i;
      while (i + 1 < bytes.length && bytes[i]! >= 0xa1 && bytes[i + 1]! >= 0xa1) i += 2;
      if (i === start) {
        out += '\ufffd';
        i++;
        continue;
      }
      out += decoder(g1 === 'ks-x-1001' ? 'euc-kr' : 'gbk').decode(bytes.subarray(start, i));
      continue;
    }
    if (g1 === 'katakana') out += decoder('shift_jis').decode(Uint8Array.of(b));
    else if (g1) out += decodeWith(g1, Uint8Array.of(b));
    else out += '\ufffd';
    i++;
  }
  return out;
}

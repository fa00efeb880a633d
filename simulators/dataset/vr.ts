/** Value Representations, PS3.5 6.2 and 7.1.2. */
export interface VrInfo {
  /** Explicit VR: 2-byte reserved + 4-byte length (OB, OW, SQ, UN, UT …) instead of a 2-byte length. */
  longLength: boolean;
  /** Text values (backslash separates values). */
  text: boolean;
  /** Text whose bytes depend on Specific Character Set (PS3.5 6.1.2.3). */
  charset: boolean;
  /** Padding byte to an even length. */
  pad: number;
  /** Fixed size of one binary value, when binary. */
  size?: number;
}

const T = (charset: boolean, pad = 0x20): VrInfo => ({ longLength: false, text: true, charset, pad });
const B = (size: number): VrInfo => ({ longLength: false, text: false, charset: false, pad: 0, size });
const L = (text = false, charset = false, pad = 0): VrInfo => ({ longLength: true, text, charset, pad });

export const VRS: Readonly<Record<string, VrInfo>> = {
  AE: T(false),
  AS: T(false),
  CS: T(false),
  DA: T(false),
  DS: T(false),
  DT: T(false),
  IS: T(false),
  LO: T(true),
  LT: T(true),
  PN: T(true),
  SH: T(true),
  ST: T(true),
  TM: T(false),
  UI: T(false, 0x00),
  UC: L(true, true, 0x20),
  UR: L(true, false, 0x20),
  UT: L(true, true, 0x20),
  AT: B(4),
  FL: B(4),
  FD: B(8),
  SL: B(4),
  SS: B(2),
  UL: B(4),
  US: B(2),
  SV: { ...B(8), longLength: true },
  UV: { ...B(8), longLength: true },
  OB: L(),
  OD: L(),
  OF: L(),
  OL: L(),
  OV: L(),
  OW: L(),
  SQ: L(),
  UN: L(),
};

export function vrInfo(vr: string): VrInfo | undefined {
  return VRS[vr];
}

export function isKnownVr(vr: string): boolean {
  return vr in VRS;
}

/** The VR whose two characters are these bytes (explicit VR headers), with its interned name. */
const BY_CODE = new Map<number, { name: string; info: VrInfo }>(Object.entries(VRS).map(([name, info]) => [(name.charCodeAt(0) << 8) | name.charCodeAt(1), { name, info }]));

export function vrByCode(b0: number, b1: number): { name: string; info: VrInfo } | undefined {
  return BY_CODE.get((b0 << 8) | b1);
}

/**
 * Whether a value has the form its VR requires (PS3.5 6.2, Table 6.2-1). Returns what is wrong,
 * or undefined. Zero-length values are always allowed here (Type 2 attributes).
 */
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

function validDate(s: string): boolean {
  if (!/^\d{8}$/.test(s)) return false;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(4, 6));
  const d = Number(s.slice(6, 8));
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

const TIME = /^([01]\d|2[0-3])([0-5]\d([0-5]\d(\.\d{1,6})?)?)?$/;
const DATETIME = /^\d{4}((0[1-9]|1[0-2])((0[1-9]|[12]\d|3[01])(([01]\d|2[0-3])([0-5]\d([0-5]\d(\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?$/;

const MAX: Record<string, number> = { AE: 16, CS: 16, SH: 16, LO: 64, ST: 1024, LT: 10240, UI: 64, IS: 12, DS: 16, AS: 4, UC: 0x7fffffff, UT: 0x7fffffff, UR: 0x7fffffff };

export function checkValue(vr: string, value: string): string | undefined {
  if (value === '') return undefined;
  const max = MAX[vr];
  if (max !== undefined && [...value].length > max) return `${vr} values are at most ${max} characters; "${value}" has ${[...value].length}`;
  if (vr !== 'UT' && vr !== 'LT' && vr !== 'ST' && vr !== 'UR' && value.includes('\\')) return `a backslash separates values; give several values as a list`;
  switch (vr) {
    case 'AE':
      return /[\x00-\x1f]/.test(value) || value.trim() === '' ? `"${value}" is not an AE title` : undefined;
    case 'CS':
      return /^[A-Z0-9 _]*$/.test(value) ? undefined : `"${value}" is not a CS value (upper-case letters, digits, space, underscore)`;
    case 'DA':
      return validDate(value) ? undefined : `"${value}" is not a date (YYYYMMDD)`;
    case 'TM':
      return TIME.test(value) ? undefined : `"${value}" is not a time (HHMMSS.FFFFFF)`;
    case 'DT':
      return DATETIME.test(value) ? undefined : `"${value}" is not a date-time (YYYYMMDDHHMMSS.FFFFFF&ZZXX)`;
    case 'UI':
      return UID.test(value) ? undefined : `"${value}" is not a UID (digits and dots, no leading zeros)`;
    case 'IS':
      return /^[ ]*[+-]?\d+[ ]*$/.test(value) && Math.abs(Number(value)) < 2 ** 31 ? undefined : `"${value}" is not an integer string`;
    case 'DS':
      return /^[ ]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ ]*$/.test(value) ? undefined : `"${value}" is not a decimal string`;
    case 'AS':
      return /^\d{3}[DWMY]$/.test(value) ? undefined : `"${value}" is not an age string (nnnD, nnnW, nnnM or nnnY)`;
    case 'PN': {
      const groups = value.split('=');
      if (groups.length > 3) return `"${value}" has more than three component groups`;
      for (const g of groups) {
        if (g.split('^').length > 5) return `"${value}" has more than five components in a group`;
        if ([...g].length > 64) return `a component group of "${value}" is longer than 64 characters`;
      }
      return undefined;
    }
    case 'US':
    case 'UL':
    case 'SS':
    case 'SL':
      return /^[+-]?\d+$/.test(value) ? undefined : `"${value}" is not an integer`;
    case 'FL':
    case 'FD':
      return Number.isFinite(Number(value)) ? undefined : `"${value}" is not a number`;
    default:
      return undefined;
  }
}

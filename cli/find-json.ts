import type { DataElement, DataSet } from '../simulators/dataset/data-set.ts';
import { formatTag, tagName } from '../simulators/dataset/dictionary.ts';
import { vrInfo } from '../simulators/dataset/vr.ts';
import { describeStatus } from '../simulators/dimse/status.ts';
import type { FindResponse } from '../simulators/scu/find-operation.ts';
import { HarnessError } from '../simulators/wire/errors.ts';
import { UsageError } from './args.ts';

/**
 * `find --json`: one object per line, and one rule for values so a reader never tests types:
 * every attribute is an array of values (zero length: []), numbers (IS, DS and the binary
 * VRs) are JSON numbers, text values strings, AT values "(gggg,eeee)", bytes one hex string,
 * sequences arrays of item objects. An absent field is null.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Text VRs whose values are one number each (PS3.5 Table 6.2-1). */
const NUMBER_STRINGS = new Set(['IS', 'DS']);
/** Text VRs holding one value in which a backslash is just a character (PS3.5 6.4). */
const SINGLE_VALUED_TEXT = new Set(['LT', 'ST', 'UT', 'UR']);

/** The identifier as JSON; a value that does not read as its VR says so in `problems`. */
export function identifierJson(ds: DataSet, problems: string[]): Record<string, JsonValue[]> {
  const out: Record<string, JsonValue[]> = {};
  for (const e of ds.elements()) out[tagName(e.tag)] = elementJson(ds, e, problems);
  return out;
}

function elementJson(ds: DataSet, e: DataElement, problems: string[]): JsonValue[] {
  if (e.items) return e.items.map((item) => identifierJson(item, problems));
  if (e.bytes.length === 0) return [];
  const info = vrInfo(e.vr);
  if (info?.size !== undefined) return e.vr === 'AT' ? ds.numbers(e.tag)!.map(formatTag) : ds.numbers(e.tag)!;
  if (!info?.text) return [e.bytes.toString('hex')];
  const values = SINGLE_VALUED_TEXT.has(e.vr) ? [ds.text(e.tag)!] : ds.values(e.tag)!;
  if (!NUMBER_STRINGS.has(e.vr)) return values;
  return values.map((v) => {
    const n = v.trim() === '' ? NaN : Number(v);
    if (Number.isFinite(n) && (e.vr === 'DS' || Number.isInteger(n))) return n;
    if (v.trim() !== '') problems.push(`${tagName(e.tag)} ${formatTag(e.tag)}: "${v}" is not a valid ${e.vr} value (PS3.5 Table 6.2-1); written as null`);
    return null;
  });
}

export function statusHex(status: number): string {
  return status.toString(16).toUpperCase().padStart(4, '0');
}

export function responseJson(r: FindResponse): Record<string, JsonValue> {
  const problems = [...r.problems];
  const identifier = r.identifier ? identifierJson(r.identifier, problems) : null;
  const offending = r.command.OffendingElement;
  return {
    index: r.index,
    status: r.status,
    statusHex: statusHex(r.status),
    statusClass: r.statusClass,
    statusText: describeStatus(r.status),
    identifier,
    errorComment: r.command.ErrorComment ?? null,
    offendingElement: offending === undefined ? null : offending.map(formatTag),
    afterCancel: r.afterCancel,
    problems,
  };
}

/** `{"error": …}`: the stable code of the error (HarnessError codes, CLI_USAGE, INTERNAL) with the message and exit code. */
export function errorJson(e: unknown, exitCode: number, message = (e as Error).message): string {
  const code = e instanceof HarnessError || e instanceof UsageError ? e.code : 'INTERNAL';
  return JSON.stringify({ error: { code, message, exitCode } });
}

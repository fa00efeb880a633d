import { decodeDataSet } from '../../simulators/dataset/decode.ts';
import type { TransferSyntaxInfo } from '../../simulators/dataset/transfer-syntax.ts';
import { attributes } from '../identifiers.ts';
import type { Attribute } from '../identifiers.ts';

/** One attribute of an identifier as a report shows it: depth (inside sequences), tag, keyword, VR, value in words. */
export type AttributeRow = [depth: number, tag: string, keyword: string, vr: string, value: string];

const MAX_VALUE = 160;

/** The identifier's attributes in tag order, sequence items indented; a zero-length value shows as "(empty)". */
export function identifierRows(bytes: Buffer, ts: TransferSyntaxInfo): { rows: AttributeRow[]; error?: string } {
  let list: Attribute[];
  try {
    list = attributes(decodeDataSet(bytes, ts));
  } catch (e) {
    return { rows: [], error: `the identifier could not be decoded: ${(e as Error).message}` };
  }
  const rows: AttributeRow[] = [];
  flatten(list, 0, rows);
  return { rows };
}

function flatten(list: readonly Attribute[], depth: number, rows: AttributeRow[]): void {
  for (const a of list) {
    if (a.items) {
      rows.push([depth, a.tag, a.keyword, a.vr, a.items.length ? `${a.items.length} item(s)` : '(empty)']);
      a.items.forEach((item, i) => {
        rows.push([depth + 1, '', `item ${i + 1}`, '', item.length ? '' : '(empty item)']);
        flatten(item, depth + 2, rows);
      });
      continue;
    }
    const v = a.value === '' || a.value === undefined ? '(empty)' : a.value.replace(/\\/g, ' \\ ');
    rows.push([depth, a.tag, a.keyword, a.vr, v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 1)}…` : v]);
  }
}

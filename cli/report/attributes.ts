import { decodeDataSet } from '../../simulators/dataset/decode.ts';
import type { DataSet } from '../../simulators/dataset/data-set.ts';
import { entryForTag, formatTag } from '../../simulators/dataset/dictionary.ts';
import type { TransferSyntaxInfo } from '../../simulators/dataset/transfer-syntax.ts';
import { vrInfo } from '../../simulators/dataset/vr.ts';

/** One attribute of an identifier as a report shows it: depth (inside sequences), tag, keyword, VR, value in words. */
export type AttributeRow = [depth: number, tag: string, keyword: string, vr: string, value: string];

const MAX_VALUE = 160;

/** The identifier's attributes in tag order, sequence items indented; a zero-length value shows as "(empty)". */
export function identifierRows(bytes: Buffer, ts: TransferSyntaxInfo): { rows: AttributeRow[]; error?: string } {
  let ds: DataSet;
  try {
    ds = decodeDataSet(bytes, ts);
  } catch (e) {
    return { rows: [], error: `the identifier could not be decoded: ${(e as Error).message}` };
  }
  const rows: AttributeRow[] = [];
  walk(ds, 0, rows);
  return { rows };
}

function walk(ds: DataSet, depth: number, rows: AttributeRow[]): void {
  for (const e of ds.elements()) {
    const keyword = entryForTag(e.tag)?.keyword ?? (e.tag & 0x10000 ? 'private' : 'unknown');
    if (e.items || e.vr === 'SQ') {
      const items = ds.items(e.tag) ?? [];
      rows.push([depth, formatTag(e.tag), keyword, e.vr, items.length ? `${items.length} item(s)` : '(empty)']);
      items.forEach((item, i) => {
        rows.push([depth + 1, '', `item ${i + 1}`, '', item.size ? '' : '(empty item)']);
        walk(item, depth + 2, rows);
      });
      continue;
    }
    rows.push([depth, formatTag(e.tag), keyword, e.vr, valueText(ds, e.tag, e.vr, e.bytes)]);
  }
}

function valueText(ds: DataSet, tag: number, vr: string, bytes: Buffer): string {
  if (bytes.length === 0) return '(empty)';
  const info = vrInfo(vr);
  let v: string;
  try {
    if (info?.text) v = (ds.values(tag) ?? []).join(' \\ ');
    else if (info?.size !== undefined) v = (ds.numbers(tag) ?? []).map((n) => (vr === 'AT' ? formatTag(n) : String(n))).join(' \\ ');
    else v = `${bytes.length} bytes`;
  } catch {
    v = `${bytes.length} bytes (not decodable as ${vr})`;
  }
  return v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 1)}…` : v;
}

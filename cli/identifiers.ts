import chalk from 'chalk';
import { decodeDataSet } from '../simulators/dataset/decode.ts';
import type { DataSet } from '../simulators/dataset/data-set.ts';
import { entryForTag, formatTag } from '../simulators/dataset/dictionary.ts';
import { transferSyntax } from '../simulators/dataset/transfer-syntax.ts';
import { vrInfo } from '../simulators/dataset/vr.ts';
import type { DimseMessageEvent } from '../simulators/dimse/events.ts';
import type { EventStream } from '../simulators/events/event-stream.ts';
import type { TraceEvent } from '../simulators/trace/format.ts';
import type { Output } from './output.ts';

/** One attribute of a decoded identifier: a value as text (several values joined by "\"), or the items of a sequence. */
export interface Attribute {
  tag: string;
  keyword: string;
  vr: string;
  value?: string;
  items?: Attribute[][];
}

/** An identifier as read from the wire, in the transfer syntax of its presentation context. */
export type DecodedIdentifier = { transferSyntax: string; attributes: Attribute[] } | { transferSyntax: string | undefined; error: string };

interface AssociationInfo {
  callingAeTitle: string;
  calledAeTitle: string;
  /** Presentation context ID → the transfer syntax accepted for it. */
  contexts: Map<number, string>;
}

/** What the serving side knows of each association from the event stream: its AE titles and accepted contexts. */
export class AssociationBook {
  private readonly byId = new Map<string, AssociationInfo>();

  constructor(events: EventStream<TraceEvent>) {
    events.subscribe(
      (e) => {
        if (e.kind === 'transport' && e.phase === 'closed') this.byId.delete(e.associationId);
        if (e.kind !== 'association') return;
        if (e.phase === 'requested') this.byId.set(e.associationId, { callingAeTitle: e.request.callingAeTitle, calledAeTitle: e.request.calledAeTitle, contexts: new Map() });
        if (e.phase === 'established') {
          this.byId.set(e.associationId, { callingAeTitle: e.request.callingAeTitle, calledAeTitle: e.request.calledAeTitle, contexts: new Map(e.contexts.map((c) => [c.id, c.transferSyntax])) });
        }
      },
      ['association', 'transport'],
    );
  }

  get(associationId: string): AssociationInfo | undefined {
    return this.byId.get(associationId);
  }

  /** The message's data set decoded in the transfer syntax of its presentation context (PS3.8 7.1.1.13). */
  decode(m: Pick<DimseMessageEvent, 'associationId' | 'contextId' | 'dataSet'>): DecodedIdentifier | undefined {
    if (!m.dataSet) return undefined;
    const uid = this.byId.get(m.associationId)?.contexts.get(m.contextId);
    const ts = uid === undefined ? undefined : transferSyntax(uid);
    if (!ts) return { transferSyntax: uid, error: uid === undefined ? `no accepted presentation context ${m.contextId}` : `transfer syntax ${uid} is not one an identifier travels in` };
    try {
      return { transferSyntax: ts.uid, attributes: attributes(decodeDataSet(m.dataSet, ts)) };
    } catch (e) {
      return { transferSyntax: ts.uid, error: (e as Error).message };
    }
  }
}

/** A decoded data set as attributes, in tag order, sequences with their items. */
export function attributes(ds: DataSet): Attribute[] {
  return ds.elements().map((e) => {
    const a: Attribute = { tag: formatTag(e.tag), keyword: entryForTag(e.tag)?.keyword ?? (e.tag & 0x10000 ? 'private' : 'unknown'), vr: e.vr };
    if (e.items) a.items = e.items.map(attributes);
    else a.value = valueText(ds, e.tag, e.vr, e.bytes.length);
    return a;
  });
}

function valueText(ds: DataSet, tag: number, vr: string, length: number): string {
  if (length === 0) return '';
  const info = vrInfo(vr);
  try {
    if (info?.text) return (ds.values(tag) ?? []).join('\\');
    if (info?.size !== undefined) return (ds.numbers(tag) ?? []).map((n) => (vr === 'AT' ? formatTag(Number(n)) : String(n))).join('\\');
  } catch {
    // Not decodable as its VR: shown by length like other binary values.
  }
  return `(${length} bytes)`;
}

/** The attributes one a line: `PatientName (0010,0010) PN "CITIZEN^Jan"`, sequence items indented under their sequence. */
export function attributeLines(list: readonly Attribute[], indent: string): string[] {
  const lines: string[] = [];
  for (const a of list) {
    const head = `${indent}${a.keyword} ${chalk.dim(a.tag)} ${a.vr}`;
    if (a.items) {
      lines.push(`${head} ${chalk.dim(`${a.items.length} item${a.items.length === 1 ? '' : 's'}`)}`);
      a.items.forEach((item, i) => lines.push(`${indent}  ${chalk.dim(`item ${i + 1}`)}`, ...attributeLines(item, `${indent}    `)));
    } else {
      lines.push(`${head} ${a.value === '' ? chalk.dim('(empty)') : a.value!.startsWith('(') ? a.value : JSON.stringify(a.value)}`);
    }
  }
  return lines;
}

/** Under each DIMSE message with an identifier: who sent it to whom, then the identifier's attributes. */
export function printIdentifiers(events: EventStream<TraceEvent>, book: AssociationBook, print: Output['out'], which: 'received' | 'both'): void {
  const indent = ' '.repeat(28);
  events.subscribe(
    (e) => {
      if (e.kind !== 'dimse:received' && e.kind !== 'dimse:sent') return;
      if (!e.dataSet || (which === 'received' && e.kind === 'dimse:sent')) return;
      const info = book.get(e.associationId);
      const [from, to] = e.kind === 'dimse:received' ? [info?.callingAeTitle, info?.calledAeTitle] : [info?.calledAeTitle, info?.callingAeTitle];
      const decoded = book.decode(e)!;
      print(`${indent}${chalk.dim(`"${from ?? '?'}" → "${to ?? '?'}", identifier${'error' in decoded ? ` not decoded: ${decoded.error}` : ':'}`)}`);
      if ('attributes' in decoded) for (const l of attributeLines(decoded.attributes, `${indent}  `)) print(l);
    },
    ['dimse:received', 'dimse:sent'],
  );
}

import { commandFieldName } from '../../simulators/dimse/command-fields.ts';
import type { DimseCommand } from '../../simulators/dimse/command-set.ts';
import { describeStatus, statusClass } from '../../simulators/dimse/status.ts';
import { uidName } from '../../simulators/dimse/sop-classes.ts';
import { IMPLICIT_LITTLE, transferSyntax } from '../../simulators/dataset/transfer-syntax.ts';
import type { TransferSyntaxInfo } from '../../simulators/dataset/transfer-syntax.ts';
import { acceptFromPdu, requestFromPdu } from '../../simulators/ul/association/pdu-mapping.ts';
import { decodePdu } from '../../simulators/ul/pdu/registry.ts';
import { isUnknownPdu } from '../../simulators/ul/pdu/pdus.ts';
import type { AssociateAcPdu, AssociateRqPdu } from '../../simulators/ul/pdu/pdus.ts';
import { describeAbort, describeReject } from '../../simulators/ul/reasons.ts';
import type { RecordedEvent, TrafficRecord } from '../../simulators/trace/record.ts';
import { identifierRows } from './attributes.ts';
import type { AttributeRow } from './attributes.ts';
import { pduFields } from './pdu-fields.ts';
import type { Field } from './pdu-fields.ts';

export type Tone = 'ok' | 'pending' | 'warn' | 'fail' | 'info';

export interface PduView {
  /** Direction as drawn: from the requestor (L) or the acceptor (R). */
  from: 'L' | 'R';
  length: number;
  raw: string | undefined;
  fields: Field[];
  error?: { offset?: number; message: string };
}

/** One row of a sequence chart: a message between the lanes, or a note across them. */
export interface ChartRow {
  t: number;
  from: 'L' | 'R' | 'N';
  title: string;
  sub?: string;
  tone: Tone;
  /** Timing beside the row: to first Pending, between responses, cancel to FE00. */
  side?: string;
  lines: string[];
  attrs?: AttributeRow[];
  attrsError?: string;
  pdus: PduView[];
  /** Rows alike enough to fold (same direction, command and status). */
  key?: string;
}

export interface Fold {
  fold: true;
  count: number;
  title: string;
  /** The folded rows (up to a bound); `omitted` more were folded without being kept. */
  rows: ChartRow[];
  omitted: number;
}

export interface AssociationChart {
  id: string;
  requestor: string;
  acceptor: string;
  /** Which end of the connection this harness was. */
  ours: 'requestor' | 'acceptor' | 'both';
  items: (ChartRow | Fold)[];
  /** Index in `items` of the row a failed scenario opens at. */
  decisive: number | undefined;
}

const FOLD_KEEP_HEAD = 3;
const FOLD_KEEP_TAIL = 1;
const FOLD_MIN = 8;
const FOLD_ROWS_KEPT = 300;

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

/** The sequence charts of a scenario's traffic, one per association, in the order they began. */
export function conversations(record: TrafficRecord): AssociationChart[] {
  const mirrors = record.mirrors ?? {};
  const groups = new Map<string, RecordedEvent[]>();
  for (const e of record.events) {
    const a = mirrors[e.a] ?? e.a;
    // The mirrored acceptor adds only what it alone noticed: violations and faults.
    if (a !== e.a && e.k !== 'violation' && e.k !== 'fault') continue;
    groups.set(a, [...(groups.get(a) ?? []), e]);
  }
  return [...groups].map(([id, events]) => chartOf(id, events, Object.values(mirrors).includes(id)));
}

function roleOf(events: RecordedEvent[]): 'requestor' | 'acceptor' {
  for (const e of events) {
    if (e.k === 'association') return e.role;
    if (e.k === 'transport') return e.phase === 'accepted' ? 'acceptor' : 'requestor';
  }
  return 'requestor';
}

function chartOf(id: string, events: RecordedEvent[], mirrored: boolean): AssociationChart {
  const role = roleOf(events);
  const lane = (dir: 'sent' | 'received'): 'L' | 'R' => ((dir === 'sent') === (role === 'requestor') ? 'L' : 'R');
  const contexts = new Map<number, TransferSyntaxInfo>();
  let requestor = '';
  let acceptor = '';
  for (const e of events) {
    if (e.k === 'association' && e.calling !== undefined) {
      requestor = e.calling;
      acceptor = e.called ?? acceptor;
    }
    if (e.k === 'association' && e.contexts) for (const c of e.contexts) contexts.set(c.id, transferSyntax(c.transferSyntax) ?? IMPLICIT_LITTLE);
  }
  const syntaxOf = (ctx: number) => contexts.get(ctx);
  const rows: ChartRow[] = [];
  const pData: Record<'L' | 'R', PduView[]> = { L: [], R: [] };
  const timing = new Timing();
  for (const e of events) {
    switch (e.k) {
      case 'pdu': {
        const from = lane(e.dir);
        const raw = e.raw === undefined ? undefined : Buffer.from(e.raw, 'base64');
        const view: PduView = { from, length: e.length, raw: e.raw, fields: raw ? pduFields(raw, syntaxOf) : [], ...(e.error && { error: { ...(e.error.offset !== undefined && { offset: e.error.offset }), message: `${e.error.code}: ${e.error.message}` } }) };
        if (e.type === 0x04 && !e.error) {
          pData[from].push(view);
          break;
        }
        const row = pduRow(e.t, from, view, raw);
        if (raw && (e.type === 0x01 || e.type === 0x02) && !e.error) {
          const names = associationNames(raw);
          if (names) [requestor, acceptor] = [names.calling || requestor, names.called || acceptor];
        }
        rows.push(row);
        break;
      }
      case 'dimse': {
        const from = lane(e.dir);
        const pdus = pData[from].splice(0);
        rows.push(dimseRow(e, from, pdus, syntaxOf(e.ctx) ?? IMPLICIT_LITTLE, timing));
        break;
      }
      case 'folded':
        for (const [t, d, cf, status, id] of e.messages) {
          const from = lane(d === 's' ? 'sent' : 'received');
          const responds = (cf & 0x8000) !== 0 || cf === 0x0fff;
          const cmd = { CommandField: cf, CommandDataSetType: 0x0101, ...(status != null && { Status: status }), ...(id !== undefined && (responds ? { MessageIDBeingRespondedTo: id } : { MessageID: id })) } as DimseCommand;
          rows.push({ ...messageHead(t, from, cmd, timing), lines: ['Folded in the record: its bytes and identifier were not kept (the record keeps the first and last messages of a long exchange in full).'], pdus: [] });
        }
        break;
      case 'association':
        if (e.phase === 'aborted' && e.by === 'provider') rows.push(note(e.t, `association aborted by the upper layer: ${e.description ?? ''}`, 'fail'));
        break;
      case 'violation':
        rows.push(note(e.t, `⚠ ${e.reference}: ${e.message}`, 'warn'));
        break;
      case 'fault':
        rows.push(note(e.t, `✖ ${e.code}: ${e.message}`, 'fail'));
        break;
      case 'transport':
        if (e.phase === 'closed') rows.push(note(e.t, 'TCP connection closed', 'info'));
        break;
    }
  }
  for (const from of ['L', 'R'] as const) {
    for (const p of pData[from]) rows.push({ t: rows.at(-1)?.t ?? 0, from, title: 'P-DATA-TF', sub: 'part of a message that never completed', tone: 'warn', lines: [], pdus: [p] });
  }
  rows.sort((a, b) => a.t - b.t);
  const items = foldRepeats(rows);
  return { id, requestor: requestor || 'requestor', acceptor: acceptor || 'acceptor', ours: mirrored ? 'both' : role, items, decisive: decisiveRow(items) };
}

function note(t: number, text: string, tone: Tone): ChartRow {
  return { t, from: 'N', title: text, tone, lines: [text], pdus: [] };
}

function associationNames(raw: Buffer): { calling: string; called: string } | undefined {
  try {
    const p = decodePdu(raw) as AssociateRqPdu;
    return { calling: p.callingAeTitle.trim(), called: p.calledAeTitle.trim() };
  } catch {
    return undefined;
  }
}

function pduRow(t: number, from: 'L' | 'R', view: PduView, raw: Buffer | undefined): ChartRow {
  const base = { t, from, pdus: [view] };
  if (view.error || !raw) return { ...base, title: view.error ? `undecodable PDU (${view.length} bytes)` : `PDU type ${view.fields[0]?.[3] ?? '?'}`, tone: view.error ? 'fail' : 'info', lines: view.error ? [view.error.message] : [] };
  let pdu;
  try {
    pdu = decodePdu(raw);
  } catch (e) {
    return { ...base, title: `undecodable PDU (${view.length} bytes)`, tone: 'fail', lines: [(e as Error).message] };
  }
  if (isUnknownPdu(pdu)) return { ...base, title: `unrecognized PDU type 0x${pdu.type.toString(16).padStart(2, '0')}`, tone: 'fail', lines: [] };
  switch (pdu.type) {
    case 0x01: {
      const rq = requestFromPdu(pdu as AssociateRqPdu);
      const lines = [`called "${rq.calledAeTitle}", calling "${rq.callingAeTitle}"`, ...rq.presentationContexts.map((c) => `context ${c.id}: ${uidName(c.abstractSyntax)} — ${c.transferSyntaxes.map(uidName).join(', ')}`)];
      lines.push(`Maximum Length ${rq.maxPduLength ?? 'absent'}; implementation ${rq.implementationClassUid ?? '(no class UID)'} ${rq.implementationVersionName ?? ''}`.trim());
      for (const x of rq.extendedNegotiations) lines.push(`extended negotiation for ${uidName(x.sopClassUid)}: ${[...x.applicationInformation].join(' ')}`);
      for (const r of rq.roleSelections) lines.push(`role selection ${uidName(r.sopClassUid)}: SCU ${Number(r.scuRole)}, SCP ${Number(r.scpRole)}`);
      if (rq.asyncOperationsWindow) lines.push(`asynchronous operations window ${rq.asyncOperationsWindow.maxOperationsInvoked}/${rq.asyncOperationsWindow.maxOperationsPerformed}`);
      return { ...base, title: 'A-ASSOCIATE-RQ', sub: `${rq.presentationContexts.length} context(s) proposed`, tone: 'info', lines };
    }
    case 0x02: {
      const ac = acceptFromPdu(pdu as AssociateAcPdu);
      const accepted = ac.presentationContexts.filter((c) => c.result === 0).length;
      const RESULT = ['accepted', 'user rejection', 'no reason', 'abstract syntax not supported', 'transfer syntaxes not supported'];
      const lines = ac.presentationContexts.map((c) => `context ${c.id}: ${RESULT[c.result] ?? `result ${c.result}`}${c.result === 0 ? ` — ${uidName(c.transferSyntax)}` : ''}`);
      lines.push(`Maximum Length ${ac.maxPduLength ?? 'absent'}; implementation ${ac.implementationClassUid ?? '(no class UID)'} ${ac.implementationVersionName ?? ''}`.trim());
      for (const x of ac.extendedNegotiations) lines.push(`extended negotiation for ${uidName(x.sopClassUid)}: ${[...x.applicationInformation].join(' ')}`);
      return { ...base, title: 'A-ASSOCIATE-AC', sub: `${accepted} of ${ac.presentationContexts.length} context(s) accepted`, tone: accepted ? 'ok' : 'warn', lines };
    }
    case 0x03:
      return { ...base, title: 'A-ASSOCIATE-RJ', sub: describeReject(pdu.result, pdu.source, pdu.reason), tone: 'fail', lines: [describeReject(pdu.result, pdu.source, pdu.reason)] };
    case 0x05:
      return { ...base, title: 'A-RELEASE-RQ', tone: 'info', lines: [] };
    case 0x06:
      return { ...base, title: 'A-RELEASE-RP', tone: 'ok', lines: [] };
    case 0x07:
      // A service-user abort is how a test ends an association it is done with as often as a fault: warn; the provider's is a fault.
      return { ...base, title: 'A-ABORT', sub: describeAbort(pdu.source, pdu.reason), tone: pdu.source === 2 ? 'fail' : 'warn', lines: [describeAbort(pdu.source, pdu.reason)] };
    default:
      return { ...base, title: 'P-DATA-TF', tone: 'info', lines: [] };
  }
}

/** Times each response against its request and the C-CANCEL. */
class Timing {
  private requests = new Map<number, { t: number; pendings: number; cancelAt?: number; afterCancel: number }>();
  private last = new Map<number, number>();

  side(t: number, cmd: DimseCommand): string | undefined {
    const cf = cmd.CommandField;
    if (cf === 0x0fff) {
      const r = this.requests.get(cmd.MessageIDBeingRespondedTo ?? -1);
      if (r) r.cancelAt = t;
      return r ? `${fmt(t - r.t)} after the request` : undefined;
    }
    if (!(cf & 0x8000) && cmd.MessageID !== undefined) {
      this.requests.set(cmd.MessageID, { t, pendings: 0, afterCancel: 0 });
      this.last.set(cmd.MessageID, t);
      return undefined;
    }
    const id = cmd.MessageIDBeingRespondedTo ?? -1;
    const r = this.requests.get(id);
    if (!r) return undefined;
    const prev = this.last.get(id) ?? r.t;
    this.last.set(id, t);
    if (cmd.Status !== undefined && statusClass(cmd.Status) === 'Pending') {
      r.pendings++;
      if (r.cancelAt !== undefined) r.afterCancel++;
      return r.pendings === 1 ? `first Pending ${fmt(t - r.t)} after the request` : `+${fmt(t - prev)}`;
    }
    const parts = [`${fmt(t - r.t)} after the request`];
    if (r.cancelAt !== undefined) parts.push(`${fmt(t - r.cancelAt)} after C-CANCEL, ${r.afterCancel} Pending(s) after it`);
    else if (r.pendings) parts.push(`${r.pendings} Pending(s)`);
    return parts.join('; ');
  }
}

function messageHead(t: number, from: 'L' | 'R', cmd: DimseCommand, timing: Timing): Omit<ChartRow, 'lines' | 'pdus'> {
  const name = commandFieldName(cmd.CommandField);
  const id = cmd.MessageID ?? cmd.MessageIDBeingRespondedTo;
  const title = `${name}${id !== undefined ? ` (${cmd.MessageID !== undefined ? 'msg' : 're'} ${id})` : ''}`;
  const status = cmd.Status;
  const cls = status === undefined ? undefined : statusClass(status);
  const tone: Tone = cls === undefined ? 'info' : cls === 'Success' ? 'ok' : cls === 'Pending' ? 'pending' : cls === 'Cancel' || cls === 'Warning' ? 'warn' : 'fail';
  const side = timing.side(t, cmd);
  return { t, from, title, ...(status !== undefined && { sub: describeStatus(status) }), tone, ...(side && { side }), key: `${from}|${cmd.CommandField}|${status ?? ''}` };
}

function dimseRow(e: Extract<RecordedEvent, { k: 'dimse' }>, from: 'L' | 'R', pdus: PduView[], ts: TransferSyntaxInfo, timing: Timing): ChartRow {
  const head = messageHead(e.t, from, e.cmd, timing);
  const lines: string[] = [];
  for (const [k, v] of Object.entries(e.cmd)) {
    if (v === undefined) continue;
    const shown = k === 'CommandField' ? `${commandFieldName(v as number)} (0x${(v as number).toString(16).padStart(4, '0')})` : k === 'Status' ? describeStatus(v as number) : k.endsWith('UID') ? `${v as string}${uidName(v as string) !== v ? ` (${uidName(v as string)})` : ''}` : k === 'CommandDataSetType' ? `0x${(v as number).toString(16).padStart(4, '0')}${v === 0x0101 ? ' (no data set)' : ''}` : Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? `(${(x >>> 16).toString(16).padStart(4, '0')},${(x & 0xffff).toString(16).padStart(4, '0')})` : String(x))).join(', ') : String(v);
    lines.push(`${k}: ${shown}`);
  }
  for (const p of e.problems ?? []) lines.push(`⚠ ${p}`);
  const row: ChartRow = { ...head, tone: e.problems?.length ? 'warn' : head.tone, lines, pdus };
  if (e.ds) {
    const { rows, error } = identifierRows(Buffer.from(e.ds, 'base64'), ts);
    row.attrs = rows;
    if (error) row.attrsError = error;
    const brief = rows.filter((r) => r[0] === 0 && r[4] !== '(empty)' && r[2] !== 'SpecificCharacterSet' && r[2] !== 'QueryRetrieveLevel').slice(0, 2).map((r) => `${r[2]}=${r[4]}`).join(', ');
    const level = rows.find((r) => r[2] === 'QueryRetrieveLevel')?.[4];
    const extra = [level, brief].filter(Boolean).join(' · ');
    if (extra) row.sub = row.sub ? `${row.sub} · ${extra}` : extra;
    if (!row.sub) row.sub = `identifier, ${rows.length} attribute(s)`;
  } else if (e.dsLength) lines.push(`identifier of ${e.dsLength} bytes (not kept in the record)`);
  return row;
}

/** Runs of alike rows longer than FOLD_MIN keep their first and last rows; the middle folds. */
function foldRepeats(rows: ChartRow[]): (ChartRow | Fold)[] {
  const out: (ChartRow | Fold)[] = [];
  let i = 0;
  while (i < rows.length) {
    let j = i + 1;
    while (j < rows.length && rows[i]!.key !== undefined && rows[j]!.key === rows[i]!.key) j++;
    const run = rows.slice(i, j);
    if (run.length < FOLD_MIN) out.push(...run);
    else {
      const middle = run.slice(FOLD_KEEP_HEAD, run.length - FOLD_KEEP_TAIL);
      const first = middle[0]!;
      out.push(...run.slice(0, FOLD_KEEP_HEAD));
      out.push({ fold: true, count: middle.length, title: `${middle.length.toLocaleString('en')} more ${first.title.replace(/ \((msg|re) \d+\)$/, '')}${first.sub ? ` ${first.sub.split(' · ')[0]}` : ''} like these (${fmt(first.t)} – ${fmt(middle.at(-1)!.t)})`, rows: middle.slice(0, FOLD_ROWS_KEPT), omitted: Math.max(0, middle.length - FOLD_ROWS_KEPT) });
      out.push(...run.slice(run.length - FOLD_KEEP_TAIL));
    }
    i = j;
  }
  return out;
}

/** The row a failed scenario opens at: the first failure, else the first warning, else the last request. */
function decisiveRow(items: (ChartRow | Fold)[]): number | undefined {
  const rowAt = (tone: Tone) => items.findIndex((x) => !('fold' in x) && x.tone === tone && x.title !== 'A-ABORT');
  for (const tone of ['fail', 'warn'] as const) {
    const i = rowAt(tone);
    if (i >= 0) return i;
  }
  // Else the last request: the exchange a check judged by its answer.
  for (let i = items.length - 1; i >= 0; i--) {
    const x = items[i]!;
    if (!('fold' in x) && /^C-[A-Z]+-RQ /.test(x.title)) return i;
  }
  return items.length ? items.length - 1 : undefined;
}

/** The traffic record of real exchanges between our SCU and our SCP sharing one event stream, as the conformance World wires them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDataSet } from '../dataset/decode.ts';
import { IMPLICIT_LITTLE } from '../dataset/transfer-syntax.ts';
import { encodeCommand } from '../dimse/command-set.ts';
import { findResponse } from '../dimse/find.ts';
import { runFindExchange } from '../testing/find-exchange.ts';
import type { FindExchange } from '../testing/find-exchange.ts';
import { decodePdu, encodePdu } from '../ul/pdu/registry.ts';
import type { AssociateRqPdu } from '../ul/pdu/pdus.ts';
import { DecodeError } from '../wire/errors.ts';
import { recordTraffic } from './record.ts';
import type { RecordLimits, RecordedEvent, TrafficRecord } from './record.ts';
import type { TraceEvent } from './format.ts';

const PENDINGS = 300;
const LIMITS: RecordLimits = { first: 8, last: 4 };

type PduEvent = Extract<TraceEvent, { kind: 'pdu:sent' | 'pdu:received' }>;
type Kept<K extends RecordedEvent['k']> = Extract<RecordedEvent, { k: K }>;

const of = <K extends RecordedEvent['k']>(r: TrafficRecord, k: K, a: string) => r.events.filter((e): e is Kept<K> => e.k === k && e.a === a);
const pdusOf = (events: TraceEvent[], a: string) => events.filter((e): e is PduEvent => (e.kind === 'pdu:sent' || e.kind === 'pdu:received') && e.associationId === a);
const b64 = (b: Buffer) => b.toString('base64');

let exchange: Promise<FindExchange> | undefined;
/** One C-FIND of PENDINGS matches, run once for the tests that read it. */
const longFind = () => (exchange ??= runFindExchange({ pendings: PENDINGS }));

test('the exchange itself: every Pending and the Success arrived, and each end saw the same PDUs', async () => {
  const x = await longFind();
  assert.equal(x.responses.length, PENDINGS + 1);
  assert.equal(x.responses.at(-1)!.status, 0x0000);
  const rq = pdusOf(x.events, x.requestorId);
  const ac = pdusOf(x.events, x.acceptorId);
  assert.equal(rq.length, ac.length);
  assert.deepEqual(rq.map((e) => b64(e.raw)).sort(), ac.map((e) => b64(e.raw)).sort());
});

test('the acceptor association is recorded as the mirror of the requestor one: its PDUs and messages are not recorded again', async () => {
  const x = await longFind();
  const r = recordTraffic(x.events, x.origin, x.startedAt, LIMITS);
  assert.deepEqual(r.mirrors, { [x.acceptorId]: x.requestorId });
  for (const k of ['pdu', 'dimse', 'folded'] as const) assert.deepEqual(of(r, k, x.acceptorId), [], `no ${k} event of the acceptor`);
  // Every PDU of the connection is there once: kept whole, or counted in the fold.
  const folded = of(r, 'folded', x.requestorId);
  assert.equal(of(r, 'pdu', x.requestorId).length + folded.reduce((n, f) => n + f.pdus, 0), pdusOf(x.events, x.requestorId).length);
  // The acceptor's own milestones stay (its side of the association), not its traffic.
  assert.deepEqual(of(r, 'association', x.acceptorId).map((e) => e.phase), ['requested', 'established', 'released']);
});

test('the first and the last PDUs are kept with their raw bytes; the middle is one fold', async () => {
  const x = await longFind();
  const r = recordTraffic(x.events, x.origin, x.startedAt, LIMITS);
  const trace = pdusOf(x.events, x.requestorId);
  const kept = of(r, 'pdu', x.requestorId);
  assert.equal(kept.length, LIMITS.first + LIMITS.last);
  const expected = [...trace.slice(0, LIMITS.first), ...trace.slice(-LIMITS.last)];
  assert.deepEqual(
    kept.map((e) => [e.dir, e.type, e.length, e.raw]),
    expected.map((e) => [e.kind === 'pdu:sent' ? 'sent' : 'received', e.raw[0], e.raw.length, b64(e.raw)]),
  );
  const rq = decodePdu(Buffer.from(kept[0]!.raw!, 'base64')) as AssociateRqPdu;
  assert.equal(rq.type, 0x01);
  assert.equal(rq.calledAeTitle.trim(), 'QRSCP');
  assert.deepEqual(kept.slice(-2).map((e) => e.type), [0x05, 0x06], 'the release ends the record');
  assert.equal(r.omitted.pduBytes, trace.length - LIMITS.first - LIMITS.last);

  const folds = of(r, 'folded', x.requestorId);
  assert.equal(folds.length, 1);
  assert.equal(folds[0]!.pdus, trace.length - LIMITS.first - LIMITS.last);
});

test("the fold's messages are exactly the responses between the kept ones, each tied to its request", async () => {
  const x = await longFind();
  const r = recordTraffic(x.events, x.origin, x.startedAt, LIMITS);
  const [fold] = of(r, 'folded', x.requestorId);
  const dimse = of(r, 'dimse', x.requestorId);
  // Which Pendings were kept whole: their identifiers say (PatientID i for the i-th).
  const keptIds = dimse.filter((e) => e.dir === 'received' && e.ds).map((e) => Number(decodeDataSet(Buffer.from(e.ds!, 'base64'), IMPLICIT_LITTLE).values(0x00100020)![0]));
  const head = keptIds.findIndex((id, i) => id !== i + 1);
  const before = keptIds.slice(0, head);
  const after = keptIds.slice(head);
  assert.deepEqual(before, before.map((_, i) => i + 1), 'a run of Pendings from the first');
  assert.deepEqual(after, after.map((_, i) => PENDINGS - after.length + 1 + i), 'a run of Pendings up to the last');
  const foldedPendings = PENDINGS - before.length - after.length;
  assert.ok(foldedPendings > 0);
  assert.equal(fold!.messages.length, foldedPendings);
  assert.equal(r.omitted.dataSets, foldedPendings);
  assert.deepEqual(new Set(fold!.messages.map(([, dir, cf, status, id]) => JSON.stringify([dir, cf, status, id]))), new Set([JSON.stringify(['r', 0x8020, 0xff00, 1])]));
  // In time order, between the last Pending kept at the start and the first one kept at the end.
  const times = fold!.messages.map(([t]) => t);
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
  const pendingTimes = dimse.filter((e) => e.cmd.Status === 0xff00).map((e) => e.t);
  assert.ok(pendingTimes[before.length - 1]! <= times[0]! && times.at(-1)! <= pendingTimes[before.length]!);
  // The request and the final response are kept whole.
  assert.deepEqual(dimse.filter((e) => e.cmd.Status !== 0xff00).map((e) => [e.dir, e.cmd.CommandField, e.cmd.Status]), [
    ['sent', 0x0020, undefined],
    ['received', 0x8020, 0x0000],
  ]);
});

test('state transitions and timers are counted, never kept', async () => {
  const x = await longFind();
  const r = recordTraffic(x.events, x.origin, x.startedAt, LIMITS);
  const n = x.events.filter((e) => e.kind === 'state' || e.kind === 'timer').length;
  assert.ok(n > 2 * PENDINGS, 'both ends move their state machine for every PDU');
  assert.equal(r.stateEvents, n);
  assert.deepEqual(new Set(r.events.map((e) => e.k)), new Set(['association', 'transport', 'pdu', 'dimse', 'folded']));
});

test('the record is plain JSON, under a size computed from the limits, whatever the length of the exchange', async () => {
  const x = await longFind();
  const r = recordTraffic(x.events, x.origin, x.startedAt, LIMITS);
  const json = JSON.stringify(r);
  assert.deepEqual(JSON.parse(json), r, 'nothing lost to JSON (no Buffer, no undefined field)');
  // Per kept PDU: its bytes in base64 and ~150 characters of fields. Per kept message: command and
  // identifier (each at most a PDU) in base64 and ~400 characters of command fields. Per folded
  // message: "[12345.67,"r",32800,65280,1]," at most. Milestones and transport: a few hundred each.
  const maxPdu = Math.max(...pdusOf(x.events, x.requestorId).map((e) => e.raw.length));
  const base64 = (n: number) => 4 * Math.ceil(n / 3);
  const kept = LIMITS.first + LIMITS.last;
  const foldedMessages = of(r, 'folded', x.requestorId)[0]!.messages.length;
  const bound = kept * (base64(maxPdu) + 150) + kept * (2 * base64(maxPdu) + 400) + foldedMessages * 30 + 20 * 400;
  assert.ok(json.length <= bound, `${json.length} characters, bound ${bound}`);
  const unfolded = JSON.stringify(recordTraffic(x.events, x.origin, x.startedAt, { first: Infinity, last: 0 }));
  assert.ok(unfolded.length > 3 * bound, `without folding: ${unfolded.length} characters`);
});

test('an undecodable PDU and a message with problems are kept whole even in the middle of a fold', () => {
  const a = 'rq-1';
  const command = encodeCommand(findResponse({ messageIdBeingRespondedTo: 1, status: 0xff00, withIdentifier: false }));
  const pdata = encodePdu({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: 0x03, data: command }] });
  const events: TraceEvent[] = [];
  for (let i = 0; i < 30; i++) {
    const at = 100 + i;
    if (i === 15) {
      const raw = Buffer.from(pdata.subarray(0, 20));
      const error = new DecodeError('DECODE_LENGTH_OVERRUN', 'P-DATA-TF', 'PDV item-length', 6, 'declares 82 byte(s) but only 10 remain');
      events.push({ kind: 'pdu:received', associationId: a, at, pdu: undefined, raw, error });
      continue;
    }
    events.push({ kind: 'pdu:received', associationId: a, at, pdu: decodePdu(pdata), raw: pdata });
    events.push({ kind: 'dimse:received', associationId: a, at, contextId: 1, command: findResponse({ messageIdBeingRespondedTo: 1, status: 0xff00, withIdentifier: false }), commandBytes: command, dataSet: undefined, problems: i === 20 ? ['a Pending without an Identifier'] : [] });
  }
  const r = recordTraffic(events, 100, new Date(0), { first: 3, last: 3 });
  const bad = r.events.find((e): e is Kept<'pdu'> => e.k === 'pdu' && e.error !== undefined);
  assert.deepEqual(bad && { t: bad.t, length: bad.length, raw: bad.raw, error: bad.error }, {
    t: 15,
    length: 20,
    raw: b64(pdata.subarray(0, 20)),
    error: { code: 'DECODE_LENGTH_OVERRUN', message: 'P-DATA-TF: PDV item-length at byte offset 6: declares 82 byte(s) but only 10 remain', structure: 'P-DATA-TF', field: 'PDV item-length', offset: 6 },
  });
  const withProblems = r.events.filter((e): e is Kept<'dimse'> => e.k === 'dimse' && e.problems !== undefined);
  assert.deepEqual(withProblems.map((e) => [e.t, e.problems]), [[20, ['a Pending without an Identifier']]]);
  const [fold] = r.events.filter((e): e is Kept<'folded'> => e.k === 'folded');
  // 29 good PDUs: 3 first, 3 last and 23 folded; 29 messages: 3 + 3 kept, the one with problems kept, 22 folded.
  assert.equal(fold!.pdus, 23);
  assert.equal(fold!.messages.length, 22);
  assert.equal(r.events.filter((e) => e.k === 'pdu').length, 7);
  assert.deepEqual(r.mirrors, {});
  assert.equal(r.startedAt, '1970-01-01T00:00:00.000Z');
});

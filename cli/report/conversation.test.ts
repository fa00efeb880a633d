/** Sequence charts built from the traffic records of real exchanges between our SCU and SCP (and a raw peer). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStream } from '../../simulators/events/event-stream.ts';
import { Scp } from '../../simulators/scp/scp.ts';
import { runFindExchange, patientsHandler } from '../../simulators/testing/find-exchange.ts';
import type { FindExchange } from '../../simulators/testing/find-exchange.ts';
import { RawPeer } from '../../simulators/testing/raw-peer.ts';
import { studyRootRq } from '../../simulators/testing/scenario-harness.ts';
import { until } from '../../simulators/testing/ul-harness.ts';
import type { TraceEvent } from '../../simulators/trace/format.ts';
import { recordTraffic } from '../../simulators/trace/record.ts';
import type { RecordLimits } from '../../simulators/trace/record.ts';
import { chartSvg } from './chart.ts';
import { conversations } from './conversation.ts';
import type { AssociationChart, ChartRow, Fold } from './conversation.ts';

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const isFold = (x: ChartRow | Fold): x is Fold => 'fold' in x;
const rowsOf = (c: AssociationChart) => c.items.filter((x): x is ChartRow => !isFold(x));

function chartOf(x: FindExchange, limits?: RecordLimits): AssociationChart {
  const charts = conversations(recordTraffic(x.events, x.origin, x.startedAt, limits));
  assert.equal(charts.length, 1, 'both ends of one connection make one chart');
  return charts[0]!;
}

test('a C-FIND of 40 matches: association rows, the request with its identifier, Pendings with timings, a fold, the Success', async () => {
  const x = await runFindExchange({ pendings: 40 });
  const c = chartOf(x);
  assert.deepEqual([c.id, c.requestor, c.acceptor, c.ours], [x.requestorId, 'FINDSCU', 'QRSCP', 'both']);
  const [rq, ac, find, p1, p2, p3, fold, p40, success, release, rp, closed, ...rest] = c.items as [ChartRow, ChartRow, ChartRow, ChartRow, ChartRow, ChartRow, Fold, ChartRow, ChartRow, ChartRow, ChartRow, ChartRow];
  assert.deepEqual(rest, []);
  assert.deepEqual([closed.from, closed.title], ['N', 'TCP connection closed'], "the acceptor's own close is its mirror's, left out");

  assert.deepEqual([rq.from, rq.title, rq.sub, rq.tone], ['L', 'A-ASSOCIATE-RQ', '1 context(s) proposed', 'info']);
  assert.deepEqual(rq.lines.slice(0, 2), ['called "QRSCP", calling "FINDSCU"', 'context 1: Patient Root Query/Retrieve Information Model - FIND — Implicit VR Little Endian']);
  assert.match(rq.lines[2]!, /^Maximum Length 16384; implementation \S+/);
  assert.equal(rq.pdus[0]!.fields.find((f) => f[2] === 'Calling-AE-title')?.[3], '"FINDSCU         "');
  assert.deepEqual([ac.from, ac.title, ac.sub, ac.tone], ['R', 'A-ASSOCIATE-AC', '1 of 1 context(s) accepted', 'ok']);
  assert.equal(ac.lines[0], 'context 1: accepted — Implicit VR Little Endian');

  assert.deepEqual([find.from, find.title, find.sub], ['L', 'C-FIND-RQ (msg 1)', 'PATIENT · PatientName=DOE*']);
  assert.deepEqual(find.attrs, [
    [0, '(0008,0052)', 'QueryRetrieveLevel', 'CS', 'PATIENT'],
    [0, '(0010,0010)', 'PatientName', 'PN', 'DOE*'],
    [0, '(0010,0020)', 'PatientID', 'LO', '(empty)'],
  ]);
  assert.ok(find.lines.includes('MessageID: 1'));
  assert.equal(find.pdus.length, 1, 'the P-DATA-TF that carried it');

  for (const [i, p] of [p1, p2, p3].entries()) {
    assert.deepEqual([p.from, p.title, p.tone], ['R', 'C-FIND-RSP (re 1)', 'pending']);
    assert.match(p.sub!, new RegExp(`^FF00 Pending: .* · PATIENT · PatientName=DOE\\^${i + 1}, PatientID=${i + 1}$`));
    assert.equal(p.attrs?.find((a) => a[2] === 'PatientName')?.[4], `DOE^${i + 1}`);
  }
  assert.equal(p1.side, `first Pending ${fmt(p1.t - find.t)} after the request`);
  assert.equal(p2.side, `+${fmt(p2.t - p1.t)}`);

  assert.equal(fold.count, 36);
  assert.equal(fold.rows.length, 36);
  assert.equal(fold.omitted, 0);
  assert.deepEqual(fold.rows.map((r) => r.attrs?.find((a) => a[2] === 'PatientID')?.[4]), Array.from({ length: 36 }, (_, i) => String(i + 4)));
  assert.match(fold.title, /^36 more C-FIND-RSP FF00 Pending: .* like these \([\d.]+ m?s – [\d.]+ m?s\)$/);
  assert.equal(p40.attrs?.find((a) => a[2] === 'PatientID')?.[4], '40');

  assert.deepEqual([success.from, success.title, success.sub, success.tone], ['R', 'C-FIND-RSP (re 1)', '0000 Success', 'ok']);
  assert.equal(success.side, `${fmt(success.t - find.t)} after the request; 40 Pending(s)`);
  assert.deepEqual([release.title, rp.title], ['A-RELEASE-RQ', 'A-RELEASE-RP']);
  assert.equal(c.decisive, 2, 'nothing failed: the chart opens at the request');

  const svg = chartSvg(c, { requestor: 'SCU', acceptor: 'SCP' });
  assert.equal(svg.match(/ data-i="/g)?.length, c.items.length);
  assert.match(svg, /⋯ 36 more C-FIND-RSP/);
});

test("Pendings folded in the record still count: the Success row says how many Pendings came, and folded rows name their request", async () => {
  const x = await runFindExchange({ pendings: 50 });
  const c = chartOf(x, { first: 6, last: 3 });
  const rows = [...rowsOf(c), ...c.items.filter(isFold).flatMap((f) => f.rows)];
  const pendings = rows.filter((r) => r.sub?.startsWith('FF00'));
  assert.equal(pendings.length, 50);
  assert.deepEqual(new Set(pendings.map((r) => r.title)), new Set(['C-FIND-RSP (re 1)']));
  const folded = pendings.filter((r) => r.lines[0]?.startsWith('Folded in the record'));
  assert.ok(folded.length > 40, `${folded.length} Pendings folded in the record`);
  assert.ok(folded.every((r) => r.attrs === undefined && r.pdus.length === 0));
  const success = rows.find((r) => r.sub === '0000 Success')!;
  assert.match(success.side!, /after the request; 50 Pending\(s\)$/);
  const fold = c.items.find(isFold)!;
  assert.equal(c.items.indexOf(fold), 6, 'three Pendings before the fold');
  assert.equal(fold.count, 46);
  assert.ok(!isFold(c.items[7]!) && c.items[7]!.sub!.startsWith('FF00'), 'one Pending after it');
});

test('a C-CANCEL after 3 Pendings: its row, and the final FE00 timed from it with the Pendings that came after it', async () => {
  const x = await runFindExchange({ pendings: 30, delayMs: 3, cancelAfter: 3 });
  const before = x.responses.filter((r) => !r.afterCancel && r.status === 0xff00).length;
  const after = x.responses.filter((r) => r.afterCancel && r.status === 0xff00).length;
  assert.equal(x.responses.at(-1)!.status, 0xfe00);
  const c = chartOf(x);
  const rows = rowsOf(c);
  const find = rows.find((r) => r.title === 'C-FIND-RQ (msg 1)')!;
  const cancelAt = rows.findIndex((r) => r.title === 'C-CANCEL-RQ (re 1)');
  const cancel = rows[cancelAt]!;
  assert.equal(cancel.from, 'L');
  assert.equal(cancel.side, `${fmt(cancel.t - find.t)} after the request`);
  assert.ok(before >= 3);
  assert.equal(rows.slice(0, cancelAt).filter((r) => r.sub?.startsWith('FF00')).length, before);
  const final = rows.find((r) => r.sub?.startsWith('FE00'))!;
  assert.equal(final.tone, 'warn');
  assert.equal(final.side, `${fmt(final.t - find.t)} after the request; ${fmt(final.t - cancel.t)} after C-CANCEL, ${after} Pending(s) after it`);
  assert.equal(rows.slice(cancelAt).filter((r) => r.sub?.startsWith('FF00')).length, after);
  assert.equal(c.items[c.decisive!], final, 'the first warning is where the chart opens');
});

test('a failure status is the decisive row', async () => {
  const x = await runFindExchange({ pendings: 2, finalStatus: 0xa700 });
  const c = chartOf(x);
  const row = c.items[c.decisive!] as ChartRow;
  assert.deepEqual([row.from, row.title, row.tone], ['R', 'C-FIND-RSP (re 1)', 'fail']);
  assert.match(row.sub!, /^A700 /);
  assert.ok(row.lines.includes('ErrorComment: out of resources'), row.lines.join(' / '));
  assert.match(row.side!, /after the request; 2 Pending\(s\)$/);
  const svg = chartSvg(c, { requestor: 'SCU', acceptor: 'SCP' }, true);
  assert.equal(svg.match(/class="r t-fail decisive"/g)?.length, 1);
  assert.match(svg, new RegExp(`<g class="r t-fail decisive" data-i="${c.decisive}"`));
});

test('an undecodable A-ASSOCIATE-RQ from a raw peer: the decisive row, with the offset the decoder gave up at and the fields that fit', async () => {
  const stream = new EventStream<TraceEvent>();
  const seen = stream.record();
  const scp = new Scp({ aeTitle: 'QRSCP', events: stream, find: { handler: patientsHandler(1) } });
  const port = await scp.listen(0, '127.0.0.1');
  const peer = await RawPeer.connect(port);
  const rq = Buffer.from(studyRootRq());
  rq.writeUInt16BE(0x0300, 76); // the Application Context Item's length now runs past the PDU
  try {
    peer.send(rq);
    assert.equal((await peer.nextPdu())[0], 0x07, 'the SCP answers with A-ABORT');
    peer.destroy();
    await until(seen.events, (e) => e.kind === 'transport' && e.phase === 'closed');
  } finally {
    peer.destroy();
    await scp.close();
  }
  const received = seen.events.find((e) => e.kind === 'pdu:received');
  assert.ok(received?.kind === 'pdu:received' && received.error);
  const [c, ...others] = conversations(recordTraffic(seen.events, 0, new Date()));
  assert.deepEqual(others, []);
  assert.equal(c!.ours, 'acceptor');
  const row = c!.items[c!.decisive!] as ChartRow;
  assert.equal(c!.decisive, 0);
  assert.deepEqual([row.from, row.title, row.tone], ['L', `undecodable PDU (${rq.length} bytes)`, 'fail']);
  assert.deepEqual(row.pdus[0]!.error, { offset: received.error.offset, message: `${received.error.code}: ${received.error.message}` });
  assert.equal(row.pdus[0]!.raw, rq.toString('base64'));
  assert.deepEqual(row.pdus[0]!.fields.slice(-2), [
    [42, 32, 'reserved'],
    [74, rq.length - 74, 'not parsed (inconsistent with the lengths above)'],
  ]);
  assert.ok(rowsOf(c!).some((r) => r.from === 'R' && r.title === 'A-ABORT'), 'the SCP aborts');
});

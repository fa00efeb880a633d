/** C-CANCEL during a long C-FIND stream, and the SCP's bounded write-ahead, over real sockets (PS3.4 C.4.1.3.1, PS3.7 9.3.2.3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventStream } from '../events/event-stream.ts';
import { DimseClient } from '../scu/dimse-client.ts';
import type { DimseMessageEvent } from '../dimse/events.ts';
import { Scp } from './scp.ts';
import type { ScpEvent } from './scp.ts';
import { tallyCancels, describeCancelTally } from './cancel-tally.ts';
import type { CancelTally } from './cancel-tally.ts';
import { DEFAULT_WRITE_AHEAD } from './find-service.ts';
import type { FindHandler, FindServiceOptions } from './find-service.ts';

const STUDY_ROOT = '1.2.840.10008.5.1.4.1.2.2.1';
/** The P-DATA-TF and PDV headers around a command and a data set sent in separate PDUs (PS3.8 9.3.5). */
const PDU_OVERHEAD = 2 * (6 + 4 + 2);

/** `count` Pendings at IMAGE level, each naming its position. */
const stream =
  (count: number): FindHandler =>
    function* () {
      for (let i = 1; i <= count; i++) yield [0xff00, { QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: `1.2.826.0.1.3680043.9.7433.99.${i}`, InstanceNumber: String(i) }];
    };

async function withScp(find: FindServiceOptions, fn: (port: number, scp: Scp, events: EventStream<ScpEvent>) => Promise<void>): Promise<void> {
  const events = new EventStream<ScpEvent>();
  const scp = new Scp({ aeTitle: 'QRSCP', find, events });
  const port = await scp.listen(0);
  try {
    await fn(port, scp, events);
  } finally {
    await scp.close();
  }
}

const connect = (port: number) =>
  DimseClient.connect({
    host: '127.0.0.1',
    port,
    calledAeTitle: 'QRSCP',
    callingAeTitle: 'FINDSCU',
    presentationContexts: [{ abstractSyntax: STUDY_ROOT, transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] }],
    dimseTimeoutMs: 60_000,
  });

const query = { QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: '', InstanceNumber: '' };

test('a C-CANCEL after 5 Pendings of a 100,000-match stream ends with FE00, at most 64 Pendings made after it was read', () =>
  withScp({ handler: stream(100_000) }, async (port, _scp, events) => {
    const tallies: CancelTally[] = [];
    tallyCancels(events, (t) => tallies.push(t));
    const c = await connect(port);
    const op = c.find('study', query);
    let pendings = 0;
    let final: number | undefined;
    for await (const r of op) {
      if (r.final) final = r.status;
      else if (++pendings === 5) op.cancel();
    }
    await c.release();
    assert.equal(final, 0xfe00);
    assert.equal(tallies.length, 1);
    const [t] = tallies;
    assert.equal(t!.finalStatus, 0xfe00);
    assert.ok(t!.pendingsAfter <= 64, describeCancelTally(t!));
    assert.equal(pendings, t!.pendingsBefore + t!.pendingsAfter, 'the client got every Pending written, then FE00');
    assert.ok(pendings < 1000, `${pendings} Pendings reached the client`);
  }));

test('write-ahead is bounded: while the client does not read, the unsent bytes never exceed the bound by more than one message', () =>
  withScp({ handler: stream(100_000) }, async (port, _scp, events) => {
    let pendingBytes = 0;
    let maxUnsent = 0;
    let written = 0;
    let scpAssociation: { unsentBytes: number } | undefined;
    events.subscribe(
      (e) => {
        const m = e as DimseMessageEvent;
        if (m.command.Status !== 0xff00) return;
        written++;
        pendingBytes ||= m.commandBytes.length + (m.dataSet?.length ?? 0) + PDU_OVERHEAD;
        scpAssociation ??= _scp.associations.values().next().value;
        maxUnsent = Math.max(maxUnsent, scpAssociation?.unsentBytes ?? 0);
      },
      ['dimse:sent'],
    );
    const c = await connect(port);
    c.association.pauseReading(true);
    const op = c.find('study', query);
    // Long enough for the kernel's buffers to fill and the SCP to wait on its socket.
    let before = -1;
    for (let i = 0; i < 100 && written !== before; i++) {
      before = written;
      await sleep(100);
    }
    assert.equal(written, before, 'the SCP stopped making Pendings while the client did not read');
    assert.ok(written < 100_000);
    assert.ok(maxUnsent <= (DEFAULT_WRITE_AHEAD + 1) * pendingBytes, `${maxUnsent} bytes unsent, bound ${DEFAULT_WRITE_AHEAD} × ${pendingBytes}`);
    // It was held back by the socket, not by a stall: reading again, the cancel is honoured.
    op.cancel();
    c.association.pauseReading(false);
    let final: number | undefined;
    for await (const r of op) if (r.final) final = r.status;
    assert.equal(final, 0xfe00);
    await c.release();
  }));

test('a full stream of 20,000 Pendings arrives whole and in order, then 0000', () =>
  withScp({ handler: stream(20_000) }, async (port) => {
    const c = await connect(port);
    let expected = 1;
    let final: number | undefined;
    for await (const r of c.find('study', query)) {
      if (r.final) {
        final = r.status;
        continue;
      }
      assert.equal(r.identifier?.text('InstanceNumber')?.trim(), String(expected));
      expected++;
    }
    await c.release();
    assert.equal(expected - 1, 20_000);
    assert.equal(final, 0x0000);
  }));

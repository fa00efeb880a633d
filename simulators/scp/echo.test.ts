/** C-ECHO between our SCU and our SCP over real sockets (PS3.7 9.3.5; checklist 55, 56). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStream } from '../events/event-stream.ts';
import { DimseClient, verificationContext } from '../scu/dimse-client.ts';
import type { ClientEvent } from '../scu/dimse-client.ts';
import { RawPeer } from '../testing/raw-peer.ts';
import { bytes } from '../testing/pdus.ts';
import { Scp } from './scp.ts';
import type { ScpEvent } from './scp.ts';
import type { Association, AssociationEnd } from '../ul/association/association.ts';

async function withScp(fn: (port: number, scp: Scp) => Promise<void>, o: Partial<ConstructorParameters<typeof Scp>[0]> = {}): Promise<void> {
  const scp = new Scp({ aeTitle: 'QRSCP', ...o });
  const port = await scp.listen(0);
  try {
    await fn(port, scp);
  } finally {
    await scp.close();
  }
}

const connect = (port: number, extra: Partial<Parameters<typeof DimseClient.connect>[0]> = {}) =>
  DimseClient.connect({ host: '127.0.0.1', port, calledAeTitle: 'QRSCP', callingAeTitle: 'ECHOSCU', presentationContexts: [verificationContext], ...extra });

test('C-ECHO succeeds and echoes Message IDs 0, 1 and 65535 exactly', () =>
  withScp(async (port) => {
    const stream = new EventStream<ClientEvent>();
    const seen = stream.record();
    const c = await connect(port, { events: stream });
    for (const id of [0, 1, 65535]) {
      const r = await c.echo({ messageId: id });
      assert.equal(r.status, 0);
      assert.equal(r.command.MessageIDBeingRespondedTo, id);
      assert.equal(r.command.CommandDataSetType, 0x0101);
      assert.equal(r.command.AffectedSOPClassUID, '1.2.840.10008.1.1');
    }
    await c.release();
    const dimse = seen.events.filter((e) => e.kind === 'dimse:received');
    assert.equal(dimse.length, 3);
    assert.ok(dimse.every((e) => e.kind === 'dimse:received' && e.problems.length === 0));
  }));

test('C-ECHO with a small maximum PDU on both sides', () =>
  withScp(
    async (port) => {
      const c = await connect(port, { maxPduLength: 16 });
      assert.equal((await c.echo()).status, 0);
      await c.release();
    },
    { policy: { maxPduLength: 16 } },
  ));

test('no accepted Verification context: the echo fails with DIMSE_NO_CONTEXT before anything is sent', () =>
  withScp(async (port) => {
    const c = await connect(port, { presentationContexts: [{ abstractSyntax: '1.2.3.4', transferSyntaxes: ['1.2.840.10008.1.2'] }] });
    assert.equal(c.association.contexts.size, 0);
    await assert.rejects(c.echo(), (e: Error & { code?: string }) => e.code === 'DIMSE_NO_CONTEXT');
    await c.release();
  }));

test('a request the SCP has no service for is answered 0211 Unrecognized operation', () =>
  withScp(async (port) => {
    const c = await connect(port);
    const ctx = c.association.contextFor('1.2.840.10008.1.1')!;
    const answer = new Promise<number>((resolve) => c.channel.onMessage((m) => resolve(m.decoded.command.Status ?? -1)));
    c.channel.send(ctx.id, { CommandField: 0x0001, MessageID: 9, AffectedSOPClassUID: '1.2.840.10008.1.1', CommandDataSetType: 0x0101 });
    assert.equal(await answer, 0x0211);
    c.abort();
  }));

test('a failing service handler aborts its own association; the SCP keeps serving others', () =>
  withScp(
    async (port) => {
      const c = await connect(port);
      await assert.rejects(c.echo(), (e: Error & { code?: string }) => e.code === 'DIMSE_ASSOCIATION_ENDED');
      const end = await c.association.ended;
      assert.equal(end.how, 'aborted');
    },
    {
      handlers: new Map([
        [
          0x0030,
          () => {
            throw new Error('handler bug');
          },
        ],
      ]),
    },
  ));

test('garbage, silence and vanishing peers do not stop the SCP from serving the next association', () =>
  withScp(
    async (port) => {
      const garbage = await RawPeer.connect(port);
      garbage.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      const silent = await RawPeer.connect(port);
      const vanishing = await RawPeer.connect(port);
      vanishing.send(bytes.rq().subarray(0, 20));
      vanishing.destroy();
      await garbage.closedWithin(3000).catch(() => {});
      const c = await connect(port);
      assert.equal((await c.echo()).status, 0);
      await c.release();
      silent.destroy();
      garbage.destroy();
    },
    { timeouts: { artimMs: 200 } },
  ));

test('a storm of random and mutated PDUs from many peers never stops the SCP', () =>
  withScp(
    async (port) => {
      let seed = 7;
      const next = () => ((seed = (seed * 1664525 + 1013904223) >>> 0), seed / 2 ** 32);
      const peers: RawPeer[] = [];
      for (let i = 0; i < 40; i++) {
        const p = await RawPeer.connect(port);
        peers.push(p);
        const base = i % 2 === 0 ? bytes.rq() : Buffer.concat([bytes.rq(), bytes.pdata()]);
        const b = Buffer.from(base);
        for (let k = 0; k < 1 + Math.floor(next() * 6); k++) b[Math.floor(next() * b.length)] = Math.floor(next() * 256);
        p.send(b);
        if (i % 3 === 0) p.destroy();
      }
      await new Promise((r) => setTimeout(r, 100));
      const c = await connect(port);
      assert.equal((await c.echo()).status, 0);
      await c.release();
      for (const p of peers) p.destroy();
    },
    { timeouts: { artimMs: 200 } },
  ));

test('the same C-ECHO-RQ bytes on a Verification context and on another one get 0000 and 0122, on every association (PS3.7 9.1.5.1.4)', () =>
  withScp(
    async (port) => {
      for (let round = 0; round < 2; round++) {
        const c = await connect(port, { presentationContexts: [verificationContext, { abstractSyntax: '1.2.3.4', transferSyntaxes: ['1.2.840.10008.1.2'] }] });
        const statuses: number[] = [];
        const answered = () => new Promise<void>((resolve) => c.channel.onMessage((m) => (statuses.push(m.decoded.command.Status ?? -1), resolve())));
        const rq = { CommandField: 0x0030, MessageID: 5, AffectedSOPClassUID: '1.2.840.10008.1.1', CommandDataSetType: 0x0101 };
        for (const sop of ['1.2.840.10008.1.1', '1.2.3.4', '1.2.840.10008.1.1']) {
          const next = answered();
          c.channel.send(c.association.contextFor(sop)!.id, rq);
          await next;
        }
        assert.deepEqual(statuses, [0x0000, 0x0122, 0x0000], `association ${round + 1}`);
        await c.release();
      }
    },
    { contexts: [{ abstractSyntax: '1.2.3.4', transferSyntaxes: ['1.2.840.10008.1.2'] }] },
  ));

test('identical C-ECHO-RQs on successive associations get byte-identical responses; another Message ID gets its own', () =>
  withScp(async (port) => {
    const responses: Buffer[] = [];
    for (const messageId of [7, 7, 8]) {
      const stream = new EventStream<ClientEvent>();
      stream.subscribe((e) => e.kind === 'dimse:received' && responses.push(Buffer.from(e.commandBytes)), ['dimse:received']);
      const c = await connect(port, { events: stream });
      assert.equal((await c.echo({ messageId })).command.MessageIDBeingRespondedTo, messageId);
      await c.release();
    }
    assert.deepEqual(responses[1], responses[0]);
    assert.notDeepEqual(responses[2], responses[0]);
  }));

test('an association silent for longer than the idle timeout is aborted by the SCP, the timeout reported as the cause', async () => {
  const events = new EventStream<ScpEvent>();
  const faults = events.record();
  await withScp(
    async (port) => {
      const c = await connect(port);
      assert.equal((await c.echo()).status, 0);
      const end = await c.association.ended;
      assert.equal(end.how, 'aborted');
      assert.equal(end.how === 'aborted' && end.by, 'peer');
    },
    { timeouts: { idleMs: 150 }, events },
  );
  const fault = faults.events.find((e) => e.kind === 'fault');
  assert.equal(fault?.kind === 'fault' && fault.error.code, 'UL_IDLE_TIMEOUT');
});

test('an association reports its end whether `ended` is asked for before or after it; a repeated RQ shares its accepted contexts', async () => {
  const seen: Association[] = [];
  const early: Promise<AssociationEnd>[] = [];
  await withScp(
    async (port) => {
      for (let i = 0; i < 2; i++) {
        const c = await connect(port);
        assert.equal((await c.echo()).status, 0);
        await c.release();
      }
      const [first, second] = seen;
      assert.ok(first && second);
      assert.deepEqual(await early[0], { how: 'released', by: 'peer' });
      // Asked for only once the association is over: resolves at once, with the same end.
      await new Promise((r) => setImmediate(r));
      const late = second.ended;
      assert.equal(second.ended, late);
      assert.deepEqual(await late, { how: 'released', by: 'peer' });
      // The same A-ASSOCIATE-RQ bytes were negotiated once: both associations share one map of contexts.
      assert.equal(second.contexts, first.contexts);
      assert.deepEqual([...first.contexts.values()], [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntax: '1.2.840.10008.1.2' }]);
    },
    {
      onAssociation: (a) => {
        seen.push(a);
        if (seen.length === 1) early.push(a.ended);
      },
    },
  );
});

test('stopListening: a new connection is refused, an established association goes on and releases', () =>
  withScp(async (port, scp) => {
    const c = await connect(port);
    scp.stopListening();
    await assert.rejects(connect(port), { code: 'UL_CONNECTION_REFUSED' });
    assert.equal((await c.echo()).status, 0);
    await c.release();
    assert.equal(scp.associations.size, 0);
  }));

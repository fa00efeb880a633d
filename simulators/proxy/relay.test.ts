/** The recording proxy on real sockets (127.0.0.1, port 0): bytes passed on unchanged, journaled, watched; bad peers and an unreachable target. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { EventStream } from '../events/event-stream.ts';
import { Scp } from '../scp/scp.ts';
import type { ScpEvent } from '../scp/scp.ts';
import type { ClientEvent } from '../scu/dimse-client.ts';
import { patientsHandler } from '../testing/find-exchange.ts';
import { freePort } from '../testing/peers.ts';
import { bytes } from '../testing/pdus.ts';
import { RawPeer } from '../testing/raw-peer.ts';
import { connectClient, startScenarioScp, studyRootRq } from '../testing/scenario-harness.ts';
import { until } from '../testing/ul-harness.ts';
import type { JournalConnection } from '../trace/journal.ts';
import type { Direction, ProxyEvent } from './events.ts';
import { ConnectionObserver } from './observer.ts';
import { Relay } from './relay.ts';
import { judgeProxiedFindRequest } from './request-judge.ts';
import type { ChunkObserver } from './relay.ts';

async function startProxy(forwardPort: number, observe?: (connection: string) => ChunkObserver) {
  const stream = new EventStream<ProxyEvent>();
  const { events } = stream.record();
  const relay = new Relay({
    forward: { host: '127.0.0.1', port: forwardPort },
    events: stream,
    connectTimeoutMs: 2000,
    observe: observe ?? ((connection) => new ConnectionObserver({ connection, emit: (e) => stream.emit(e), judgeFindRequest: judgeProxiedFindRequest })),
  });
  const port = await relay.listen(0, '127.0.0.1');
  return { port, relay, events };
}

type Of<K extends ProxyEvent['kind']> = Extract<ProxyEvent, { kind: K }>;
const ofKind = <K extends ProxyEvent['kind']>(events: ProxyEvent[], kind: K) => events.filter((e): e is Of<K> => e.kind === kind);
const findings = (events: ProxyEvent[]) => ofKind(events, 'finding').map((f) => `${f.severity} ${f.side} ${f.code}`);
const closed = (events: ProxyEvent[]) => until(events, (e): e is Of<'close'> => e.kind === 'close', 3000, 'the close of the connection') as Promise<Of<'close'>>;
const sent = (journal: JournalConnection, dir: Direction) => Buffer.concat(journal.chunks.filter((c) => c.dir === dir).map((c) => c.bytes));
const waitFor = async (ok: () => boolean, what: string, ms = 2000) => {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 5))) if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms`);
};
const rawOf = (events: (ClientEvent | ScpEvent)[], kind: 'pdu:sent' | 'pdu:received') => Buffer.concat(events.flatMap((e) => (e.kind === kind ? [e.raw] : [])));

test('our SCU → proxy → our SCP, a C-FIND of 2,000 Pendings: every byte arrives unchanged both ways, the journal holds exactly what each end sent, no fail', async () => {
  const scpStream = new EventStream<ScpEvent>();
  const scpSeen = scpStream.record();
  const scp = new Scp({ aeTitle: 'QRSCP', events: scpStream, find: { handler: patientsHandler(2000) } });
  const scpPort = await scp.listen(0, '127.0.0.1');
  const proxy = await startProxy(scpPort);
  try {
    const { client, events } = await connectClient(proxy.port);
    const responses = await client.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientName: 'DOE*', PatientID: '' }).collect();
    assert.equal(responses.length, 2001);
    await client.release();
    const close = await closed(proxy.events);
    await until(scpSeen.events, (e) => e.kind === 'transport' && e.phase === 'closed', 2000, "the SCP's close");
    assert.ok(rawOf(events, 'pdu:sent').equals(sent(close.journal, 'c2s')), 'client → archive bytes differ');
    assert.ok(rawOf(scpSeen.events, 'pdu:sent').equals(sent(close.journal, 's2c')), 'archive → client bytes differ');
    assert.ok(rawOf(events, 'pdu:received').equals(sent(close.journal, 's2c')), 'the client did not receive what the archive sent');
    assert.ok(rawOf(scpSeen.events, 'pdu:received').equals(sent(close.journal, 'c2s')), 'the archive did not receive what the client sent');
    assert.deepEqual(findings(proxy.events), []);
    assert.equal(ofKind(proxy.events, 'message').length, 2002);
    assert.equal(close.journal.closedBy, 'client');
    assert.deepEqual(close.cause, { by: 'client', how: 'end' });
  } finally {
    await proxy.relay.close();
    await scp.close();
  }
});

test('a hostile archive (scenarios/hostile.yaml): a response to another Message ID and an Identifier on the final response are fails against the archive', async () => {
  const hostile = await startScenarioScp('scenarios/hostile.yaml');
  const proxy = await startProxy(hostile.port);
  try {
    const a = await connectClient(proxy.port, { dimseTimeoutMs: 0 });
    void a.client.find('study', { QueryRetrieveLevel: 'STUDY', PatientID: 'FAULT-MSGID', StudyInstanceUID: '' }).result.catch(() => {});
    // Two Pendings and the final, all for Message ID 2.
    await waitFor(() => ofKind(proxy.events, 'finding').filter((f) => f.code === 'response-to-unknown-message-id').length === 3, 'three stray responses', 3000);
    a.client.abort();
    await closed(proxy.events);
    const b = await connectClient(proxy.port);
    const r = await b.client.find('study', { QueryRetrieveLevel: 'STUDY', PatientID: 'FAULT-FINALID', StudyInstanceUID: '' }).collect();
    assert.equal(r.at(-1)!.status, 0);
    await b.client.release();
    await until(proxy.events, (e) => e.kind === 'close' && e.connection === '2', 3000, 'the second close');
    const fails = ofKind(proxy.events, 'finding').filter((f) => f.severity === 'fail');
    assert.deepEqual(
      fails.map((f) => [f.connection, f.side, f.code]),
      [
        ['1', 'archive', 'response-to-unknown-message-id'],
        ['1', 'archive', 'response-to-unknown-message-id'],
        ['1', 'archive', 'response-to-unknown-message-id'],
        ['2', 'archive', 'identifier-on-final'],
      ],
    );
    assert.equal(fails.find((f) => f.code === 'identifier-on-final')!.rule, 'PS3.7 9.1.2.1.5');
  } finally {
    await proxy.relay.close();
    await hostile.close();
  }
});

test('a raw client sending a malformed PDU: forwarded unchanged, reported against the client with its offset', async () => {
  const archive = await RawPeer.listen();
  const proxy = await startProxy(archive.port);
  try {
    const client = await RawPeer.connect(proxy.port);
    const rq = studyRootRq('RAWCLIENT', 'QRSCP');
    client.send(rq);
    const server = await archive.accept();
    assert.ok((await server.nextPdu()).equals(rq));
    server.send(bytes.ac());
    await client.nextPdu();
    const malformed = bytes.badLength();
    client.send(malformed);
    await waitFor(() => Buffer.concat(server.bytes).length === rq.length + malformed.length, 'the malformed PDU upstream', 2000);
    assert.ok(Buffer.concat(server.bytes).equals(Buffer.concat([rq, malformed])));
    const f = ofKind(proxy.events, 'finding').find((x) => x.code === 'undecodable-pdu')!;
    assert.equal(f.side, 'client');
    assert.match(f.text, new RegExp(`^A-RELEASE-RQ at byte ${rq.length} of its stream cannot be decoded: A-RELEASE-RQ: PDU-length at byte offset 10: must be 4`));
    client.destroy();
    await closed(proxy.events);
  } finally {
    await proxy.relay.close();
    await archive.close();
  }
});

test("a forward target that is down: the client's connection is closed (FIN, no PDU invented), one forward-failed event, the journal keeps what the client sent", async () => {
  const proxy = await startProxy(await freePort());
  try {
    const client = await RawPeer.connect(proxy.port);
    const rq = studyRootRq();
    client.send(rq);
    await client.closedWithin(3000);
    assert.equal(Buffer.concat(client.bytes).length, 0, 'the proxy sent bytes of its own');
    const close = await closed(proxy.events);
    const failed = ofKind(proxy.events, 'forward-failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.error.code, 'PROXY_FORWARD_FAILED');
    assert.equal(failed[0]!.error.systemCode, 'ECONNREFUSED');
    assert.match(failed[0]!.error.message, /^cannot reach 127\.0\.0\.1:\d+: connection refused/);
    assert.equal(close.journal.closedBy, 'error');
    assert.ok(sent(close.journal, 'c2s').equals(rq));
  } finally {
    await proxy.relay.close();
  }
});

test('an archive that vanishes mid-PDU: the client gets the same bytes, the journal every byte read, and the archive is named as closing mid-PDU', async () => {
  const archive = await RawPeer.listen();
  const proxy = await startProxy(archive.port);
  try {
    const client = await RawPeer.connect(proxy.port);
    const rq = studyRootRq();
    client.send(rq);
    const server = await archive.accept();
    await server.nextPdu();
    const ac = bytes.ac();
    const half = bytes.pdata().subarray(0, 30);
    server.send(ac);
    server.send(half);
    await waitFor(() => Buffer.concat(client.bytes).length === ac.length + half.length, 'the half PDU at the client', 2000);
    server.socket.end();
    await client.closedWithin(2000);
    const close = await closed(proxy.events);
    assert.ok(Buffer.concat(client.bytes).equals(Buffer.concat([ac, half])));
    assert.ok(sent(close.journal, 's2c').equals(Buffer.concat([ac, half])));
    assert.equal(close.journal.closedBy, 'server');
    const f = ofKind(proxy.events, 'finding').find((x) => x.code === 'closed-mid-pdu')!;
    assert.equal(f.side, 'archive');
    assert.match(f.text, /^the archive closed the connection mid-PDU: 30 of the \d+ bytes of a P-DATA-TF from the archive had been read/);
  } finally {
    await proxy.relay.close();
    await archive.close();
  }
});

test('backpressure: a client that stops reading stops the proxy reading from the archive; everything arrives, unchanged, once it reads again', async () => {
  const archive = await RawPeer.listen();
  const proxy = await startProxy(archive.port);
  try {
    const client = await RawPeer.connect(proxy.port);
    client.socket.pause();
    client.send(Buffer.from([0xff]));
    const server = await archive.accept();
    // 0xFF… frames as a PDU of type FFH announcing 4 GB: the observer gives that direction up at once, forwarding goes on.
    const payload = Buffer.alloc(48 << 20, 0xff);
    for (let i = 0; i < payload.length; i += 1 << 20) server.socket.write(payload.subarray(i, i + (1 << 20)));
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(server.socket.writableLength > 8 << 20, `the archive could write all but ${server.socket.writableLength} bytes: the proxy kept reading`);
    client.socket.resume();
    await waitFor(() => client.bytes.reduce((n, b) => n + b.length, 0) === payload.length, 'every byte at the client', 10_000);
    assert.ok(Buffer.concat(client.bytes).equals(payload));
    assert.equal(findings(proxy.events)[0], 'fail archive pdu-too-long');
    assert.equal(ofKind(proxy.events, 'observer-failed').length, 0);
    client.destroy();
    await closed(proxy.events);
  } finally {
    await proxy.relay.close();
    await archive.close();
  }
});

test('an observer that throws stops watching that connection, once reported; forwarding goes on', async () => {
  const archive = await RawPeer.listen();
  const proxy = await startProxy(archive.port, () => ({
    push: () => {
      throw new Error('boom');
    },
    end: () => {},
  }));
  try {
    const client = await RawPeer.connect(proxy.port);
    client.send(bytes.rq());
    const server = await archive.accept();
    await server.nextPdu();
    server.send(bytes.ac());
    await client.nextPdu();
    client.send(bytes.releaseRq());
    await server.nextPdu();
    const failed = ofKind(proxy.events, 'observer-failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.error.code, 'PROXY_OBSERVER_FAILED');
    assert.match(failed[0]!.error.message, /boom; forwarding goes on/);
    client.destroy();
    await closed(proxy.events);
  } finally {
    await proxy.relay.close();
    await archive.close();
  }
});

test('keepJournal false: a forwarded connection holds no chunks, its bytes go out as chunk events (what the record and the capture write)', async () => {
  const archive = await RawPeer.listen();
  const stream = new EventStream<ProxyEvent>();
  const { events } = stream.record();
  const relay = new Relay({ forward: { host: '127.0.0.1', port: archive.port }, events: stream, keepJournal: false });
  const port = await relay.listen(0, '127.0.0.1');
  try {
    const client = await RawPeer.connect(port);
    const rq = bytes.rq();
    client.send(rq);
    const server = await archive.accept();
    await server.nextPdu();
    client.destroy();
    const close = await closed(events);
    assert.deepEqual(close.journal.chunks, []);
    assert.ok(close.chunks.c2s >= 1);
    assert.ok(Buffer.concat(ofKind(events, 'chunk').map((c) => c.bytes)).equals(rq));
  } finally {
    await relay.close();
    await archive.close();
  }
});

test('the listening port in use: a PROXY_LISTEN_FAILED error naming it', async () => {
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as net.AddressInfo).port;
  try {
    const relay = new Relay({ forward: { host: '127.0.0.1', port: 1 } });
    await assert.rejects(relay.listen(port, '127.0.0.1'), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'PROXY_LISTEN_FAILED');
      assert.equal(e.message, `cannot listen on 127.0.0.1:${port}: the address is in use (EADDRINUSE)`);
      return true;
    });
  } finally {
    await new Promise((r) => taken.close(r));
  }
});

test('stopping the proxy closes open connections within the grace period, journals closed by the proxy', async () => {
  const archive = await RawPeer.listen();
  const proxy = await startProxy(archive.port);
  try {
    const client = await RawPeer.connect(proxy.port);
    client.send(bytes.rq());
    const server = await archive.accept();
    await server.nextPdu();
    const started = Date.now();
    await proxy.relay.close();
    assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
    await client.closedWithin(1000);
    await server.closedWithin(1000);
    const close = await closed(proxy.events);
    assert.deepEqual(close.cause, { by: 'proxy', how: 'proxy' });
    assert.equal(close.journal.closedBy, undefined);
    assert.equal(typeof close.journal.closedAt, 'number');
    assert.deepEqual(findings(proxy.events), []);
  } finally {
    await archive.close();
  }
});

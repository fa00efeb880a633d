/**
 * The recording proxy between real DCMTK programs: findscu → proxy → dcmqrscp (seeded with
 * storescu). What findscu prints is the same with and without the proxy in between, the journal
 * holds the A-ASSOCIATE-RQ findscu sent, and neither side breaks a rule the observer knows.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventStream } from '../events/event-stream.ts';
import type { ProxyEvent } from '../proxy/events.ts';
import { ConnectionObserver } from '../proxy/observer.ts';
import { Relay } from '../proxy/relay.ts';
import { judgeProxiedFindRequest } from '../proxy/request-judge.ts';
import { peerSkip, runTool, startDcmqrscp } from '../testing/peers.ts';
import type { RunningPeer } from '../testing/peers.ts';
import { writeFixture } from '../testing/part10.ts';
import { decodePdu } from '../ul/pdu/registry.ts';
import type { AssociateRqPdu } from '../ul/pdu/pdus.ts';

type Of<K extends ProxyEvent['kind']> = Extract<ProxyEvent, { kind: K }>;

describe('DCMTK findscu → qr-harness proxy → DCMTK dcmqrscp', { skip: peerSkip('findscu', 'dcmqrscp', 'storescu') }, () => {
  let peer: RunningPeer;
  let dir: string;
  let relay: Relay;
  let proxyPort: number;
  const stream = new EventStream<ProxyEvent>();
  const { events } = stream.record();
  const closeOf = async (connection: string): Promise<Of<'close'>> => {
    for (const end = Date.now() + 5000; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) {
      const c = events.find((e): e is Of<'close'> => e.kind === 'close' && e.connection === connection);
      if (c) return c;
    }
    throw new Error(`connection ${connection} did not close`);
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qrh-proxy-fixture-'));
    writeFixture(dir, 40);
    peer = await startDcmqrscp();
    const stored = await runTool('storescu', ['+sd', '-aet', 'QRHARNESS', '-aec', peer.aeTitle, peer.host, String(peer.port), dir], 120_000);
    assert.equal(stored.code, 0, `storescu failed: ${stored.stderr}`);
    relay = new Relay({
      forward: { host: peer.host, port: peer.port },
      events: stream,
      observe: (connection) => new ConnectionObserver({ connection, emit: (e) => stream.emit(e), judgeFindRequest: judgeProxiedFindRequest }),
    });
    proxyPort = await relay.listen(0, '127.0.0.1');
  });

  after(async () => {
    await relay?.close();
    await peer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a STUDY query: findscu prints the same responses with the proxy as without; the journal holds its A-ASSOCIATE-RQ; no fail or finding', async () => {
    const args = ['-S', '-aet', 'FINDSCU', '-aec', peer.aeTitle, '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID=1234567', '-k', 'StudyInstanceUID', '-k', 'StudyDate', '-k', 'ModalitiesInStudy'];
    const direct = await runTool('findscu', [...args, peer.host, String(peer.port)]);
    const via = await runTool('findscu', [...args, '127.0.0.1', String(proxyPort)]);
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(via.code, 0, via.stderr);
    assert.match(direct.stdout + direct.stderr, /Find Response: 2 \(Pending\)/);
    assert.equal(via.stdout, direct.stdout);
    assert.equal(via.stderr, direct.stderr);

    const close = await closeOf('1');
    const c2s = Buffer.concat(close.journal.chunks.filter((c) => c.dir === 'c2s').map((c) => c.bytes));
    assert.equal(c2s[0], 0x01);
    const rqBytes = c2s.subarray(0, 6 + c2s.readUInt32BE(2));
    const rq = decodePdu(rqBytes) as AssociateRqPdu;
    assert.equal(rq.callingAeTitle.trim(), 'FINDSCU');
    assert.equal(rq.calledAeTitle.trim(), peer.aeTitle);
    const firstPdu = events.find((e): e is Of<'pdu'> => e.kind === 'pdu' && e.connection === '1' && e.dir === 'c2s')!;
    assert.ok(firstPdu.raw.equals(rqBytes));
    assert.equal(close.journal.closedBy, 'client');
    const messages = events.filter((e): e is Of<'message'> => e.kind === 'message' && e.connection === '1');
    assert.deepEqual(messages.map((m) => m.command.Status ?? null), [null, 0xff00, 0xff00, 0x0000]);
    assert.deepEqual(events.filter((e) => e.kind === 'finding' && e.connection === '1'), []);
  });

  test('findscu --cancel 2 on a 40-match stream: the C-CANCEL is seen for the C-FIND it names, the stream ends, no fail', async (t) => {
    const study = '1.2.826.0.1.3680043.9.7433.2.9';
    const r = await runTool('findscu', ['-S', '--cancel', '2', '-aec', peer.aeTitle, '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${study}`, '-k', `SeriesInstanceUID=${study}.1`, '-k', 'SOPInstanceUID', '127.0.0.1', String(proxyPort)]);
    assert.equal(r.code, 0, r.stderr);
    const opened = events.filter((e) => e.kind === 'open').length;
    await closeOf(String(opened));
    const mine = events.filter((e) => 'connection' in e && e.connection === String(opened));
    const messages = mine.filter((e): e is Of<'message'> => e.kind === 'message');
    const cancel = messages.find((m) => m.command.CommandField === 0x0fff);
    assert.ok(cancel, 'no C-CANCEL-RQ passed');
    assert.equal(cancel.command.MessageIDBeingRespondedTo, messages[0]!.command.MessageID);
    // dcmqrscp may have sent every match before the cancel reached it: then the cancel follows the final response.
    const final = messages.filter((m) => m.command.CommandField === 0x8020).at(-1)!;
    assert.ok([0xfe00, 0x0000].includes(final.command.Status!), `ended with ${final.command.Status}`);
    const findings = mine.filter((e): e is Of<'finding'> => e.kind === 'finding');
    assert.deepEqual(findings.filter((f) => f.severity === 'fail'), []);
    // How many Pendings dcmqrscp sends after the cancel, or a cancel after the final, is reported, not judged.
    for (const f of findings) t.diagnostic(`${f.severity} ${f.side} ${f.code}: ${f.text}`);
  });
});

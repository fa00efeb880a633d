/**
 * C-ECHO against real peers: DCMTK echoscu against our SCP, our SCU against DCMTK dcmqrscp
 * and Orthanc. Skipped with a notice when the binaries are absent (REQUIRE_PEERS=1 fails instead).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStream } from '../events/event-stream.ts';
import { Scp } from '../scp/scp.ts';
import type { ScpEvent } from '../scp/scp.ts';
import { DimseClient, verificationContext } from '../scu/dimse-client.ts';
import { peerSkip, runTool, startDcmqrscp, startOrthanc } from '../testing/peers.ts';
import type { RunningPeer } from '../testing/peers.ts';

async function withOurScp(fn: (port: number, events: ScpEvent[]) => Promise<void>): Promise<void> {
  const stream = new EventStream<ScpEvent>();
  const events: ScpEvent[] = [];
  stream.subscribe((e) => events.push(e));
  const scp = new Scp({ aeTitle: 'QRSCP', events: stream });
  const port = await scp.listen(0);
  try {
    await fn(port, events);
  } finally {
    await scp.close();
  }
}

const echoscu = peerSkip('echoscu');

test('DCMTK echoscu → our SCP: association, C-ECHO Success, release', { skip: echoscu }, () =>
  withOurScp(async (port, events) => {
    const r = await runTool('echoscu', ['-v', '-aet', 'ECHOSCU', '-aec', 'QRSCP', '127.0.0.1', String(port)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout + r.stderr, /Received Echo Response \(Success\)/);
    assert.ok(events.some((e) => e.kind === 'association' && e.phase === 'released' && e.by === 'peer'));
    assert.deepEqual(events.filter((e) => e.kind === 'fault' || e.kind === 'violation'), []);
  }));

test('DCMTK echoscu -pdu 4096 with 5 contexts of 3 transfer syntaxes each → our SCP accepts and answers', { skip: echoscu }, () =>
  withOurScp(async (port, events) => {
    const r = await runTool('echoscu', ['-v', '-pdu', '4096', '-ppc', '5', '-pts', '3', '-aec', 'QRSCP', '127.0.0.1', String(port)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const established = events.find((e) => e.kind === 'association' && e.phase === 'established');
    assert.ok(established && established.kind === 'association' && established.phase === 'established');
    assert.equal(established.request.maxPduLength, 4096);
    assert.equal(established.request.presentationContexts.length, 5);
    assert.equal(established.contexts.length, 5);
  }));

test('DCMTK echoscu with an unknown called AE title is rejected 1/1/7 and echoscu says so', { skip: echoscu }, () =>
  withOurScp(async (port) => {
    const r = await runTool('echoscu', ['-aec', 'NOBODY', '127.0.0.1', String(port)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /Called AE Title Not Recognized/);
  }));

async function echoAgainst(peer: RunningPeer): Promise<void> {
  const stream = new EventStream<ScpEvent>();
  const events: ScpEvent[] = [];
  stream.subscribe((e) => events.push(e));
  const c = await DimseClient.connect({ host: peer.host, port: peer.port, calledAeTitle: peer.aeTitle, callingAeTitle: 'QRHARNESS', presentationContexts: [verificationContext], events: stream });
  const r = await c.echo();
  assert.equal(r.status, 0);
  await c.release();
  assert.deepEqual(events.filter((e) => e.kind === 'fault'), []);
}

test('our SCU → DCMTK dcmqrscp: C-ECHO Success and an orderly release', { skip: peerSkip('dcmqrscp') }, async () => {
  const peer = await startDcmqrscp();
  try {
    await echoAgainst(peer);
  } finally {
    await peer.stop();
  }
});

test('our SCU → Orthanc: C-ECHO Success and an orderly release', { skip: peerSkip('Orthanc') }, async () => {
  const peer = await startOrthanc();
  try {
    await echoAgainst(peer);
  } finally {
    await peer.stop();
  }
});

/** `qr-harness proxy`: options, the port in use, and as a process between our SCU and SCP — lines, the JSON-lines record, SIGINT. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { EventStream } from '../simulators/events/event-stream.ts';
import { Scp } from '../simulators/scp/scp.ts';
import { DimseClient } from '../simulators/scu/dimse-client.ts';
import type { ClientEvent } from '../simulators/scu/dimse-client.ts';
import { patientsHandler } from '../simulators/testing/find-exchange.ts';
import { findBinary } from '../simulators/testing/peers.ts';
import { tempDir } from '../simulators/testing/temp-dir.ts';
import { UsageError } from './args.ts';
import { hostPort, proxyCommand } from './commands/proxy.ts';
import { ExitCode } from './exit-codes.ts';
import { capture, plain } from './capture-output.ts';

const root = path.join(import.meta.dirname, '..');
const PATIENT_ROOT = '1.2.840.10008.5.1.4.1.2.1.1';


const waitFor = async (ok: () => boolean, what: string, ms = 5000) => {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 5))) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
};

const connect = (port: number, events?: EventStream<ClientEvent>) =>
  DimseClient.connect({ host: '127.0.0.1', port, calledAeTitle: 'QRSCP', callingAeTitle: 'FINDSCU', presentationContexts: [{ abstractSyntax: PATIENT_ROOT, transferSyntaxes: ['1.2.840.10008.1.2.1'] }], ...(events && { events }) });

test('options: --listen and --forward are required, HOST:PORT is checked, -q and -v exclude each other', async () => {
  const never = new Promise<never>(() => {});
  const usage = (argv: string[], message: RegExp) => assert.rejects(proxyCommand(argv, capture(), never), (e: Error) => e instanceof UsageError && message.test(e.message));
  await usage(['--forward', '127.0.0.1:104'], /--listen is required/);
  await usage(['--listen', '0'], /--forward is required/);
  await usage(['--listen', '0', '--forward', 'pacs'], /--forward needs HOST:PORT, got "pacs"/);
  await usage(['--listen', '70000', '--forward', 'pacs:104'], /--listen 70000 is not a TCP port/);
  await usage(['--listen', '0', '--forward', 'pacs:104', '-q', '-v'], /--quiet and -v/);
  assert.deepEqual(hostPort('[::1]:11112'), { host: '::1', port: 11112 });
  assert.deepEqual(hostPort('pacs.example:104'), { host: 'pacs.example', port: 104 });
});

test('the listening port in use: one error line, exit 2', async () => {
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as net.AddressInfo).port;
  try {
    const io = capture();
    assert.equal(await proxyCommand(['--listen', String(port), '--forward', '127.0.0.1:104'], io, new Promise(() => {})), ExitCode.Usage);
    assert.deepEqual(io.stderr, [`error: cannot listen on 127.0.0.1:${port}: the address is in use (EADDRINUSE)`]);
    assert.deepEqual(io.stdout, []);
  } finally {
    await new Promise((r) => taken.close(r));
  }
});

test('as a process: lines as things happen, the record as JSON lines, the pcapng capture, and SIGINT aborts an open association, flushes and prints the summary (exit 130)', async (t) => {
  const scp = new Scp({ aeTitle: 'QRSCP', find: { handler: patientsHandler(5) } });
  const scpPort = await scp.listen(0, '127.0.0.1');
  const dir = tempDir('proxy');
  const record = path.join(dir, 'traffic.jsonl');
  const pcap = path.join(dir, 'traffic.pcapng');
  const child = spawn(process.execPath, [path.join(root, 'bin/qr-harness.mjs'), 'proxy', '--listen', '0', '--forward', `127.0.0.1:${scpPort}`, '--record', record, '--pcap', pcap, '-v'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += plain(c.toString())));
  child.stderr.on('data', (c: Buffer) => (stderr += plain(c.toString())));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    await waitFor(() => /proxy 127\.0\.0\.1:\d+ →/.test(stdout), 'the proxy to listen', 15_000);
    const port = Number(/proxy 127\.0\.0\.1:(\d+) →/.exec(stdout)![1]);
    const events = new EventStream<ClientEvent>();
    const seen = events.record();
    const client = await connect(port, events);
    const responses = await client.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientName: 'DOE*', PatientID: '' }).collect();
    assert.equal(responses.length, 6);
    await client.release();
    await waitFor(() => /#1 closed by the client/.test(stdout), 'the close line');
    const open = await connect(port);
    await waitFor(() => /#2 A-ASSOCIATE-AC/.test(stdout), 'the second association');
    const ended = open.association.ended;
    const signalledAt = performance.now();
    child.kill('SIGINT');
    await waitFor(() => /stopped \(SIGINT\)/.test(stdout), 'the summary', 2000);
    const took = performance.now() - signalledAt;
    assert.equal(await exited, 130);
    t.diagnostic(`stopped after ${took.toFixed(0)} ms`);
    const end = await ended;
    // PS3.8 9.3.8: the A-ABORT of a service-provider (source 2), which the proxy between the two is.
    assert.equal(end.how === 'aborted' && `${end.by} ${end.source}`, 'peer 2');
    assert.equal(stderr, '');
    const lines = stdout.trim().split('\n');
    assert.ok(lines.includes('#1 "FINDSCU" → "QRSCP" C-FIND-RQ, msg 1, Patient Root Query/Retrieve Information Model - FIND + identifier 36 B'), stdout);
    assert.equal(lines.filter((l) => l.startsWith('#1 "FINDSCU" ← "QRSCP" C-FIND-RSP, re 1')).length, 6);
    assert.ok(lines.some((l) => /^#2 closed by the proxy: \d+ bytes client → archive, \d+ archive → client$/.test(l)), stdout);
    assert.equal(lines.at(-2), '#2 A-ABORT (source 2, service-provider) sent to the client and the archive');
    assert.match(lines.at(-1)!, /^stopped \(SIGINT\): 2 connections; PDUs 4 client → archive, 9 archive → client; fails: client 0, archive 0; findings: client 0, archive 0; record in .*traffic\.jsonl; capture in .*traffic\.pcapng$/);

    const rec = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown> & { event: string });
    assert.equal(rec[0]!.event, 'listening');
    const opened = rec.find((r) => r.event === 'open')!;
    assert.deepEqual(opened.server, { host: '127.0.0.1', port: scpPort });
    const rq = rec.find((r) => r.event === 'pdu' && r.type === 1)!;
    const rqSent = seen.events.find((e) => e.kind === 'pdu:sent')! as Extract<ClientEvent, { kind: 'pdu:sent' }>;
    assert.ok(Buffer.from(rq.raw as string, 'base64').equals(rqSent.raw));
    assert.equal(rq.dir, 'c2s');
    const request = rec.find((r) => r.event === 'message' && r.name === 'C-FIND-RQ')!;
    assert.equal(request.from, 'FINDSCU');
    assert.equal(request.to, 'QRSCP');
    assert.deepEqual(request.identifier, [
      { tag: '(0008,0052)', keyword: 'QueryRetrieveLevel', vr: 'CS', value: 'PATIENT' },
      { tag: '(0010,0010)', keyword: 'PatientName', vr: 'PN', value: 'DOE*' },
      { tag: '(0010,0020)', keyword: 'PatientID', vr: 'LO', value: '' },
    ]);
    const closes = rec.filter((r) => r.event === 'close');
    assert.deepEqual(closes.map((c) => c.closedBy), ['client', 'proxy']);
    assert.deepEqual(rec.at(-2), { event: 'stop', signal: 'SIGINT', onStop: 'abort', aborted: ['2'] });
    assert.deepEqual(rec.at(-1), { event: 'summary', connections: 2, pdus: { c2s: 4, s2c: 9 }, fails: { client: 0, archive: 0 }, findings: { client: 0, archive: 0 }, observerErrors: 0 });

    // The capture: a pcapng Section Header Block first, the A-ASSOCIATE-RQ inside a TCP segment, and Wireshark's DICOM dissector reading it.
    const capture = readFileSync(pcap);
    assert.equal(capture.readUInt32LE(0), 0x0a0d0d0a);
    assert.ok(capture.includes(rqSent.raw));
    const tshark = findBinary('tshark');
    if (tshark) {
      const r = spawnSync(tshark, ['-r', pcap, '-d', `tcp.port==${scpPort},dicom`, '-Y', 'dicom', '-T', 'fields', '-e', 'dicom.pdu.type'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const types = r.stdout.trim().split('\n');
      assert.equal(types[0], '0x01');
      assert.ok(types.includes('0x05') && types.includes('0x06'), r.stdout);
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await scp.close();
  }
});

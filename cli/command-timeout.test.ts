import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { encodeCommand } from '../simulators/dimse/command-set.ts';
import { SopClass } from '../simulators/dimse/sop-classes.ts';
import { RawPeer } from '../simulators/testing/raw-peer.ts';
import { bytes } from '../simulators/testing/pdus.ts';
import type { AssociateRqPdu } from '../simulators/ul/pdu/pdus.ts';
import { decodePdu } from '../simulators/ul/pdu/registry.ts';
import { ExitCode } from './exit-codes.ts';

/**
 * `--timeout N` bounds every wait of find and echo, ARTIM and the release included: against peers
 * that go silent at each step, the process exits within N + 1 s of connecting, with one error line
 * naming the cause. Real processes on real sockets: what is measured is the process's exit.
 */

const root = path.join(import.meta.dirname, '..');
const TIMEOUT_S = 2;
/** N + 1 s, plus slack for a loaded machine: correctness, not a speed target. */
const BOUND_MS = 3500;

type Script = (peer: RawPeer) => Promise<void>;

interface Outcome {
  code: number | null;
  stderr: string;
  /** From the peer accepting the TCP connection to the process's exit (start-up excluded). */
  ms: number;
  peer: RawPeer;
}

async function run(command: 'find' | 'echo', script: Script): Promise<Outcome> {
  const listener = await RawPeer.listen();
  const args = [path.join(root, 'bin/qr-harness.mjs'), command, '--port', String(listener.port), '--called-ae', 'RAWPEER', '--timeout', String(TIMEOUT_S)];
  if (command === 'find') args.push('-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID');
  const child = spawn(process.execPath, args, { env: { ...process.env, FORCE_COLOR: '0' } });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const peer = await listener.accept();
    const accepted = performance.now();
    await script(peer);
    const code = await exited;
    return { code, stderr, ms: performance.now() - accepted, peer };
  } finally {
    child.kill();
    await listener.close();
  }
}

/** Answers the A-ASSOCIATE-RQ with an A-ASSOCIATE-AC accepting its first context (implicit VR LE). */
async function accept(peer: RawPeer): Promise<void> {
  const rq = decodePdu(await peer.nextPdu()) as AssociateRqPdu;
  peer.send(bytes.ac(rq));
}

function findResponse(status: number, messageIdBeingRespondedTo = 1): Buffer {
  const command = encodeCommand({
    CommandField: 0x8020,
    AffectedSOPClassUID: SopClass.StudyRootQueryRetrieveFind,
    MessageIDBeingRespondedTo: messageIdBeingRespondedTo,
    CommandDataSetType: 0x0101,
    Status: status,
  });
  return bytes.pdata(1, 0x03, command);
}

function echoResponse(): Buffer {
  const command = encodeCommand({ CommandField: 0x8030, AffectedSOPClassUID: SopClass.Verification, MessageIDBeingRespondedTo: 1, CommandDataSetType: 0x0101, Status: 0 });
  return bytes.pdata(1, 0x03, command);
}

/** Reads the request's PDUs (command, and the identifier of a C-FIND). */
async function readRequest(peer: RawPeer, pdus: number): Promise<void> {
  for (let i = 0; i < pdus; i++) assert.equal((await peer.nextPdu())[0], 0x04);
}

/** Nothing more from the peer: whatever arrives is kept for the assertions; it never closes. */
const silence: Script = async () => {};

const cases: { name: string; command: 'find' | 'echo'; script: Script; line: RegExp; code: number; lastPdu: number }[] = [
  { name: 'find: TCP accepted, nothing ever said', command: 'find', script: silence, line: /no A-ASSOCIATE-AC within 2 s; A-ABORT sent/, code: ExitCode.Timeout, lastPdu: 0x07 },
  { name: 'find: A-ASSOCIATE-AC then silence', command: 'find', script: accept, line: /no C-FIND response within 2 s; A-ABORT sent/, code: ExitCode.Timeout, lastPdu: 0x07 },
  {
    name: 'find: one Pending, then the responses never come',
    command: 'find',
    script: async (peer) => {
      await accept(peer);
      await readRequest(peer, 1);
      peer.send(findResponse(0xff00));
    },
    line: /no C-FIND response within 2 s; A-ABORT sent/,
    code: ExitCode.Timeout,
    lastPdu: 0x07,
  },
  {
    name: 'find: the A-RELEASE-RQ is never answered',
    command: 'find',
    script: async (peer) => {
      await accept(peer);
      await readRequest(peer, 1);
      peer.send(findResponse(0x0000));
      assert.equal((await peer.nextPdu())[0], 0x05);
    },
    line: /no A-RELEASE-RP within 2 s; A-ABORT sent/,
    code: ExitCode.Timeout,
    lastPdu: 0x07,
  },
  {
    name: 'find: the peer never closes after our A-ABORT (a response to a Message ID never sent)',
    command: 'find',
    script: async (peer) => {
      await accept(peer);
      await readRequest(peer, 1);
      peer.send(findResponse(0xff00, 99));
    },
    line: /Message ID/,
    code: ExitCode.ProtocolError,
    lastPdu: 0x07,
  },
  { name: 'echo: TCP accepted, nothing ever said', command: 'echo', script: silence, line: /no A-ASSOCIATE-AC within 2 s; A-ABORT sent/, code: ExitCode.Timeout, lastPdu: 0x07 },
  { name: 'echo: A-ASSOCIATE-AC then silence', command: 'echo', script: accept, line: /no C-ECHO response within 2 s; A-ABORT sent/, code: ExitCode.Timeout, lastPdu: 0x07 },
  {
    name: 'echo: the A-RELEASE-RQ is never answered',
    command: 'echo',
    script: async (peer) => {
      await accept(peer);
      await readRequest(peer, 1);
      peer.send(echoResponse());
      assert.equal((await peer.nextPdu())[0], 0x05);
    },
    line: /no A-RELEASE-RP within 2 s; A-ABORT sent/,
    code: ExitCode.Timeout,
    lastPdu: 0x07,
  },
  {
    name: 'echo: the peer never closes after our A-ABORT (an unknown PDU type)',
    command: 'echo',
    script: async (peer) => {
      await accept(peer);
      await readRequest(peer, 1);
      peer.send(bytes.unknownType());
    },
    line: /unknown|unrecognized/i,
    code: ExitCode.Aborted,
    lastPdu: 0x07,
  },
];

for (const c of cases) {
  test(`${c.name}: --timeout 2 exits within 2 + 1 s, one line naming the cause`, async () => {
    const o = await run(c.command, c.script);
    const lines = o.stderr.trim().split('\n');
    assert.equal(lines.length, 1, o.stderr);
    assert.match(lines[0]!, c.line);
    assert.equal(o.code, c.code, o.stderr);
    assert.ok(o.ms < BOUND_MS, `exited after ${o.ms.toFixed(0)} ms`);
    // The A-ABORT reached the peer before the connection closed.
    const last = Buffer.concat(o.peer.bytes);
    assert.ok(last.length >= 10 && last[last.length - 10] === c.lastPdu, `last PDU ${last.subarray(-10).toString('hex')}`);
    await o.peer.closedWithin(1000);
    if (process.env.SHOW_TIMES) console.log(`${c.name}: ${o.ms.toFixed(0)} ms, exit ${o.code}: ${lines[0]}`);
  });
}

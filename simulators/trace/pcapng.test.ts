/**
 * The journal as pcapng: byte-exact blocks for a tiny journal, TCP sequence and acknowledgement
 * numbers read back by an independent parser, and a capture of a real C-FIND (our SCU → a
 * recording relay → our SCP) read by Wireshark's tshark with its DICOM dissector.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIND_MODELS } from '../dimse/find.ts';
import { TransferSyntax } from '../dimse/sop-classes.ts';
import { Scp } from '../scp/scp.ts';
import { storeFindHandler } from '../scp/handlers/store.ts';
import { DimseClient } from '../scu/dimse-client.ts';
import { loadStorePaths } from '../store/load-paths.ts';
import { hex } from '../testing/hex.ts';
import { findBinary, peersRequired } from '../testing/peers.ts';
import type { JournalConnection } from './journal.ts';
import { PcapngError, PcapngWriter, encodePcapng, internetChecksum, pcapngFileSink } from './pcapng.ts';

const T0 = 1764763200000; // 2025-12-03T12:00:00Z
const RELEASE_RQ = hex`05 00 00000004 00000000`;

const tiny: JournalConnection = {
  id: 'c1',
  client: { host: '127.0.0.1', port: 50000 },
  server: { host: '127.0.0.1', port: 104 },
  openedAt: T0,
  chunks: [{ t: T0 + 1.5, dir: 'c2s', bytes: RELEASE_RQ }],
};

const SHB = hex`
  0a0d0d0a           # Block Type: Section Header Block
  3c000000           # Block Total Length: 60
  4d3c2b1a           # Byte-Order Magic 0x1A2B3C4D, little-endian
  0100 0000          # Major Version 1, Minor Version 0
  ffffffffffffffff   # Section Length: -1, not given
  0100 0700          # opt_comment, 7 bytes
  66697874757265 00  # "fixture", 1 byte of padding
  0400 0a00          # shb_userappl, 10 bytes
  71722d6861726e657373 0000  # "qr-harness", 2 bytes of padding
  0000 0000          # opt_endofopt
  3c000000           # Block Total Length again`;

const IDB = hex`
  01000000           # Block Type: Interface Description Block
  14000000           # Block Total Length: 20
  0100               # LinkType: LINKTYPE_ETHERNET
  0000               # Reserved
  00000400           # SnapLen: 262144
  14000000           # Block Total Length again (no options: if_tsresol 6, microseconds)`;

// The client's A-RELEASE-RQ after the handshake. ISNs are the first 8 bytes of sha256("c1"):
// client d0f631ca, server 1ddba8db; the SYNs took one sequence number each.
const EPB_RELEASE_RQ = hex`
  06000000           # Block Type: Enhanced Packet Block
  60000000           # Block Total Length: 96
  00000000           # Interface ID 0
  0a450600           # Timestamp (high): 1764763200001500 µs >> 32 = 0x6450a
  dc15a6f3           # Timestamp (low): 0xf3a615dc
  40000000           # Captured Packet Length: 64
  40000000           # Original Packet Length: 64
  02007f000001       # Ethernet destination: 02:00 + server IPv4
  02007f000001       # Ethernet source: 02:00 + client IPv4
  0800               # EtherType: IPv4
  45                 # IPv4: version 4, IHL 5 (20 bytes)
  00                 # DSCP/ECN
  0032               # Total Length: 50 (20 + 20 + 10)
  0002               # Identification: the client's third datagram
  4000               # Flags: Don't Fragment, offset 0
  40                 # TTL 64
  06                 # Protocol: TCP
  3cc2               # Header Checksum
  7f000001           # Source 127.0.0.1
  7f000001           # Destination 127.0.0.1
  c350               # TCP Source Port 50000
  0068               # Destination Port 104
  d0f631cb           # Sequence Number: client ISN + 1
  1ddba8dc           # Acknowledgment Number: server ISN + 1
  50                 # Data Offset 5 (20 bytes)
  18                 # Flags: PSH, ACK
  ffff               # Window (scaled by 2^7, as the SYNs said)
  1f8a               # Checksum (over the pseudo-header, header and data)
  0000               # Urgent Pointer
  05 00 00000004 00000000  # payload: A-RELEASE-RQ
  60000000           # Block Total Length again`;

interface Block {
  type: number;
  body: Buffer;
  raw: Buffer;
}

function blocks(file: Buffer): Block[] {
  const out: Block[] = [];
  for (let at = 0; at < file.length; ) {
    const type = file.readUInt32LE(at);
    const total = file.readUInt32LE(at + 4);
    assert.equal(file.readUInt32LE(at + total - 4), total, `trailing length of the block at ${at}`);
    out.push({ type, body: file.subarray(at + 8, at + total - 4), raw: file.subarray(at, at + total) });
    at += total;
  }
  return out;
}

interface Packet {
  src: string;
  flags: number;
  seq: number;
  ack: number;
  payload: Buffer;
}

/** Ethernet/IPv4/TCP read straight from the bytes, both checksums verified. */
function packets(file: Buffer): Packet[] {
  return blocks(file)
    .filter((b) => b.type === 6)
    .map(({ body }) => {
      const frame = body.subarray(20, 20 + body.readUInt32LE(12));
      assert.equal(frame.readUInt16BE(12), 0x0800);
      const ip = frame.subarray(14, 34);
      assert.equal(internetChecksum(ip), 0, 'IPv4 header checksum');
      const totalLength = ip.readUInt16BE(2);
      assert.equal(totalLength, frame.length - 14);
      const tcp = frame.subarray(34);
      const pseudo = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, 6]), Buffer.alloc(2)]);
      pseudo.writeUInt16BE(tcp.length, 10);
      assert.equal(internetChecksum(pseudo, tcp), 0, 'TCP checksum');
      return { src: `${ip.subarray(12, 16).join('.')}:${tcp.readUInt16BE(0)}`, flags: tcp[13]!, seq: tcp.readUInt32BE(4), ack: tcp.readUInt32BE(8), payload: tcp.subarray((tcp[12]! >> 4) * 4) };
    });
}

test('a tiny journal: Section Header, Interface Description and the data packet, byte for byte', () => {
  const all = blocks(encodePcapng([tiny], { comment: 'fixture' }));
  assert.deepEqual(
    all.map((b) => b.type),
    [0x0a0d0d0a, 1, 6, 6, 6, 6],
  );
  assert.equal(all[0]!.raw.toString('hex'), SHB.toString('hex'));
  assert.equal(all[1]!.raw.toString('hex'), IDB.toString('hex'));
  assert.equal(all[5]!.raw.toString('hex'), EPB_RELEASE_RQ.toString('hex'));
});

test('sequence and acknowledgement numbers follow every byte, both ways, through splits, bare ACKs and the close', () => {
  const big = Buffer.alloc(2_500_000, 0x5a);
  const c2s = [RELEASE_RQ, Buffer.alloc(2500, 1), Buffer.alloc(0)];
  const journal: JournalConnection = {
    ...tiny,
    chunks: [
      { t: T0 + 1, dir: 'c2s', bytes: c2s[0]! },
      { t: T0 + 2, dir: 's2c', bytes: big },
      { t: T0 + 3, dir: 'c2s', bytes: c2s[1]! },
      { t: T0 + 4, dir: 'c2s', bytes: c2s[2]! },
    ],
    closedAt: T0 + 5,
    closedBy: 'server',
  };
  const ps = packets(encodePcapng([journal], { mss: 60000 }));
  const client = '127.0.0.1:50000';
  const next = new Map<string, number>();
  const data = new Map<string, Buffer[]>([
    [client, []],
    ['127.0.0.1:104', []],
  ]);
  for (const [i, p] of ps.entries()) {
    const peer = [...data.keys()].find((k) => k !== p.src)!;
    if (i > 0) assert.equal(p.seq, next.get(p.src) ?? p.seq, `packet ${i + 1}: seq`);
    if (p.flags & 0x10) assert.equal(p.ack, next.get(peer), `packet ${i + 1}: ack`);
    assert.ok(p.payload.length <= 60000);
    data.get(p.src)!.push(p.payload);
    next.set(p.src, (p.seq + p.payload.length + (p.flags & 0x03 ? 1 : 0)) >>> 0);
  }
  const flags = ps.map((p) => p.flags);
  assert.deepEqual(flags.slice(0, 3), [0x02, 0x12, 0x10]); // SYN, SYN-ACK, ACK
  assert.deepEqual(flags.slice(-3), [0x11, 0x11, 0x10]); // FIN/ACK (server), FIN/ACK, ACK
  assert.equal(ps.at(-3)!.src, '127.0.0.1:104');
  assert.ok(ps.slice(3, -3).every((p) => p.flags === 0x18 || (p.flags === 0x10 && p.payload.length === 0)));
  assert.equal(ps.filter((p) => p.flags === 0x10 && p.src === client && p.payload.length === 0).length, 1 + 2, 'the handshake ACK and one bare ACK per MiB outstanding');
  assert.ok(Buffer.concat(data.get('127.0.0.1:104')!).equals(big));
  assert.ok(Buffer.concat(data.get(client)!).equals(Buffer.concat(c2s)));
});

test('an error ends in RST/ACK; hostnames and IPv6 get a stable 10.x address, said in a comment on the SYN', () => {
  const journal: JournalConnection = { ...tiny, id: 'c2', client: { host: '::1', port: 50001 }, server: { host: 'pacs.example', port: 104 }, closedAt: T0 + 2, closedBy: 'error' };
  const file = encodePcapng([journal]);
  const ps = packets(file);
  assert.equal(ps.at(-1)!.flags, 0x14);
  assert.match(ps[0]!.src, /^10\.\d+\.\d+\.\d+:50001$/);
  assert.deepEqual(packets(encodePcapng([{ ...journal, id: 'c3' }]))[0]!.src, ps[0]!.src);
  const syn = blocks(file)[2]!.body;
  assert.match(syn.toString('utf8'), /client ::1 shown as 10\.\d+\.\d+\.\d+; server pacs\.example shown as 10\.\d+\.\d+\.\d+/);
  const writer = new PcapngWriter({ write: () => {} });
  assert.throws(() => writer.chunk('nope', tiny.chunks[0]!), (e: unknown) => e instanceof PcapngError && e.code === 'PCAPNG_UNKNOWN_CONNECTION');
});

const SEED = fileURLToPath(new URL('../../scenarios/stores/seed.yaml', import.meta.url));
const now = () => performance.timeOrigin + performance.now();

/** A TCP relay in front of `target` keeping every chunk of its connections, as they pass. */
function recordingRelay(target: number): { server: net.Server; journal: JournalConnection[]; closed: Promise<void>[] } {
  const journal: JournalConnection[] = [];
  const closed: Promise<void>[] = [];
  const server = net.createServer((down) => {
    const c: JournalConnection = { id: `relay-${journal.length + 1}`, client: { host: down.remoteAddress!, port: down.remotePort! }, server: { host: down.localAddress!, port: down.localPort! }, openedAt: now(), chunks: [] };
    journal.push(c);
    const up = net.connect(target, '127.0.0.1');
    const ended = (by: JournalConnection['closedBy']) => {
      if (c.closedAt !== undefined) return;
      c.closedAt = now();
      c.closedBy = by;
    };
    down.on('data', (d: Buffer) => (c.chunks.push({ t: now(), dir: 'c2s', bytes: Buffer.from(d) }), up.write(d)));
    up.on('data', (d: Buffer) => (c.chunks.push({ t: now(), dir: 's2c', bytes: Buffer.from(d) }), down.write(d)));
    down.on('end', () => (ended('client'), up.end()));
    up.on('end', () => (ended('server'), down.end()));
    down.on('error', () => (ended('error'), up.destroy()));
    up.on('error', () => (ended('error'), down.destroy()));
    closed.push(Promise.all([new Promise((r) => down.once('close', r)), new Promise((r) => up.once('close', r))]).then(() => undefined));
  });
  return { server, journal, closed };
}

const tsharkSkip = ((): string | false => {
  if (findBinary('tshark') || peersRequired()) return false;
  const reason = 'tshark not installed (apt-get install -y tshark); set REQUIRE_PEERS=1 to make this a failure';
  process.stderr.write(`NOTICE: pcapng check skipped: ${reason}\n`);
  return reason;
})();

function tshark(args: string[]): { stdout: string; stderr: string } {
  const binary = findBinary('tshark');
  assert.ok(binary, 'tshark is not installed: apt-get install -y tshark');
  const r = spawnSync(binary, args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  // The one line tshark prints for any run as root; anything else on stderr is a complaint about the file.
  const stderr = r.stderr.replace(/^Running as user "root".*\n/m, '');
  return { stdout: r.stdout, stderr };
}

test('a real C-FIND through a recording relay, written as pcapng, read by tshark as DICOM', { skip: tsharkSkip }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qrh-pcapng-'));
  const scp = new Scp({ aeTitle: 'QRSCP', find: { handler: storeFindHandler(loadStorePaths([SEED]).store, { retrieveAeTitle: 'QRSCP' }) } });
  const relay = recordingRelay(await scp.listen(0, '127.0.0.1'));
  try {
    await new Promise<void>((r) => relay.server.listen(0, '127.0.0.1', r));
    const port = (relay.server.address() as net.AddressInfo).port;
    const client = await DimseClient.connect({
      host: '127.0.0.1',
      port,
      calledAeTitle: 'QRSCP',
      callingAeTitle: 'QRHARNESS',
      presentationContexts: [{ abstractSyntax: FIND_MODELS.patient.sopClassUid, transferSyntaxes: [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian] }],
    });
    const responses = await client.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientName: 'CITIZEN^Jan', PatientID: '' }).collect();
    await client.release();
    await Promise.all(relay.closed);
    assert.deepEqual(
      responses.map((r) => r.status),
      [0xff00, 0x0000],
    );

    // Written as it happened: the incremental writer, one block at a time to the file.
    const file = path.join(dir, 'find.pcapng');
    const writer = new PcapngWriter(pcapngFileSink(file), { comment: 'C-FIND CITIZEN^Jan through a recording relay' });
    for (const c of relay.journal) writer.connection(c);
    writer.end();
    assert.ok(readFileSync(file).equals(encodePcapng(relay.journal, { comment: 'C-FIND CITIZEN^Jan through a recording relay' })));

    const checks = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-d', `tcp.port==${port},dicom`];
    const fields = ['dicom.pdu.type', 'dicom.assoc.ae.calling', 'dicom.assoc.ae.called', '_ws.col.Info'];
    const decoded = tshark(['-r', file, ...checks, '-Y', 'dicom', '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])]);
    process.stdout.write(`tshark -r ${file} ${checks.join(' ')} -Y dicom -T fields -E separator=| ${fields.map((f) => `-e ${f}`).join(' ')}\n${decoded.stdout}`);
    assert.equal(decoded.stderr, '');
    const rows = decoded.stdout.trim().split('\n').map((l) => l.split('|'));
    assert.deepEqual(rows[0]!.slice(0, 3), ['0x01', 'QRHARNESS'.padEnd(16), 'QRSCP'.padEnd(16)], 'A-ASSOCIATE-RQ: PDU type 1, calling and called AE titles');
    const info = rows.map((r) => r[3]!);
    assert.ok(info.some((i) => /C-FIND-RQ ID=1\b/.test(i)), info.join('\n'));
    assert.match(info.join('\n'), /C-FIND-RSP ID=1, C-FIND-RSP-DATA[^]*C-FIND-RSP ID=1 \(Success\)/, 'a Pending with its identifier, then the Success');

    // The command sets and identifiers themselves, as the dissector reads them.
    const verbose = tshark(['-r', file, ...checks, '-Y', 'dicom', '-V']).stdout;
    assert.match(verbose, /\(0000,0100\) +2 Command Field +C-FIND-RQ\n/);
    assert.match(verbose, /\(0010,0010\) +12 Patient's Name +\[PN\] CITIZEN\^Jan/);
    assert.match(verbose, /\(0000,0100\) +2 Command Field +C-FIND-RSP\n/);
    assert.match(verbose, /\(0000,0900\) +2 Status +Current Match is supplied\. Sub-operations are continuing \(0xff00\)/);
    assert.match(verbose, /\(0010,0020\) +8 Patient ID +\[LO\] 1234567/);
    assert.match(verbose, /\(0000,0900\) +2 Status +Success \(0x00\)/);

    // Nothing Wireshark's analysis would warn about: no bad checksum, lost segment, window or malformed PDU.
    const expert = tshark(['-r', file, ...checks, '-q', '-z', 'expert,warn']);
    assert.equal(expert.stderr, '');
    assert.doesNotMatch(expert.stdout, /Warns|Errors/, expert.stdout);
  } finally {
    relay.server.close();
    await scp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

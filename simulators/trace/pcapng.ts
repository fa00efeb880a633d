/**
 * A byte journal as a pcapng capture, so a recorded session opens in Wireshark with its DICOM
 * dissector. Nothing here saw real packets: each connection is framed as synthetic Ethernet II +
 * IPv4 + TCP — a three-way handshake at `openedAt`, every chunk as PSH/ACK segments with
 * consistent sequence and acknowledgement numbers, a FIN exchange (or a RST) at `closedAt`.
 *
 * Blocks per the pcapng draft (draft-ietf-opsawg-pcapng: SHB 4.1, IDB 4.2, EPB 4.3), little-endian.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { HarnessError } from '../wire/errors.ts';
import type { Endpoint, JournalChunk, JournalConnection } from './journal.ts';

export class PcapngError extends HarnessError {
  constructor(
    readonly code: 'PCAPNG_UNKNOWN_CONNECTION' | 'PCAPNG_DUPLICATE_CONNECTION' | 'PCAPNG_CONNECTION_CLOSED',
    message: string,
  ) {
    super(message);
  }
}

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const LINKTYPE_ETHERNET = 1;
/** Larger than any frame we write (64 KiB of IPv4 plus 14 bytes of Ethernet). */
const SNAPLEN = 262144;

type Option = readonly [code: number, value: Buffer];

function options(list: readonly Option[]): Buffer {
  if (list.length === 0) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for (const [code, value] of list) {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(code, 0);
    head.writeUInt16LE(value.length, 2);
    parts.push(head, value, Buffer.alloc(pad4(value.length)));
  }
  parts.push(Buffer.alloc(4)); // opt_endofopt
  return Buffer.concat(parts);
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;
const comment = (text: string | undefined): Option[] => (text ? [[OPT_COMMENT, Buffer.from(text, 'utf8')]] : []);

/** Block Type, Block Total Length, body, Block Total Length again (the body already padded to 32 bits). */
function block(type: number, body: Buffer): Buffer {
  const total = body.length + 12;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(total, 4);
  body.copy(out, 8);
  out.writeUInt32LE(total, total - 4);
  return out;
}

export function sectionHeaderBlock(o: { comment?: string; application?: string } = {}): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  fixed.writeUInt16LE(1, 4); // major version
  fixed.writeUInt16LE(0, 6); // minor version
  fixed.fill(0xff, 8, 16); // section length: -1, not given
  const opts: Option[] = [...comment(o.comment), ...(o.application ? [[SHB_USERAPPL, Buffer.from(o.application, 'utf8')] as const] : [])];
  return block(BLOCK_SHB, Buffer.concat([fixed, options(opts)]));
}

/** One Ethernet interface; no if_tsresol option, so timestamps are in microseconds. */
export function interfaceDescriptionBlock(): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(LINKTYPE_ETHERNET, 0);
  fixed.writeUInt32LE(SNAPLEN, 4);
  return block(BLOCK_IDB, fixed);
}

/** A frame on interface 0 at `t` (ms since the epoch, fractional), rounded to the microsecond. */
export function enhancedPacketBlock(t: number, frame: Buffer, note?: string): Buffer {
  const micros = Math.round(t * 1000);
  const high = Math.floor(micros / 2 ** 32);
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32LE(0, 0); // interface ID
  fixed.writeUInt32LE(high, 4);
  fixed.writeUInt32LE(micros - high * 2 ** 32, 8);
  fixed.writeUInt32LE(frame.length, 12); // captured length
  fixed.writeUInt32LE(frame.length, 16); // original length
  return block(BLOCK_EPB, Buffer.concat([fixed, frame, Buffer.alloc(pad4(frame.length)), options(comment(note))]));
}

// ---- Ethernet II + IPv4 + TCP framing ------------------------------------------------------

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** Advertised in the handshake: every window field then means 65535 << 7, about 8 MiB. */
const WINDOW_SCALE = 7;
/** A receiver with this many bytes unacknowledged sends a bare ACK (well inside the window). */
const ACK_EVERY = 1 << 20;
const MAX_MSS = 65535 - 20 - 20;

interface Host {
  ip: Buffer;
  mac: Buffer;
  port: number;
}

/** One's complement sum of 16-bit words, complemented (RFC 1071). */
export function internetChecksum(...parts: Buffer[]): number {
  let sum = 0;
  for (const b of parts) {
    for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
    if (b.length % 2) sum += b[b.length - 1]! << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

interface Segment {
  flags: number;
  seq: number;
  ack: number;
  payload?: Buffer;
  options?: Buffer;
  ipId: number;
}

/** Ethernet II (type IPv4), an IPv4 header (RFC 791 3.1: DF, TTL 64, no options), a TCP header (RFC 793 3.1). */
export function tcpFrame(src: Host, dst: Host, s: Segment): Buffer {
  const payload = s.payload ?? Buffer.alloc(0);
  const tcpOptions = s.options ?? Buffer.alloc(0);
  const tcpLength = 20 + tcpOptions.length + payload.length;
  const eth = Buffer.concat([dst.mac, src.mac, Buffer.from([0x08, 0x00])]);
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(20 + tcpLength, 2);
  ip.writeUInt16BE(s.ipId & 0xffff, 4);
  ip.writeUInt16BE(0x4000, 6);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(6, 9);
  src.ip.copy(ip, 12);
  dst.ip.copy(ip, 16);
  ip.writeUInt16BE(internetChecksum(ip), 10);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(src.port, 0);
  tcp.writeUInt16BE(dst.port, 2);
  tcp.writeUInt32BE(s.seq >>> 0, 4);
  tcp.writeUInt32BE(s.flags & TCP_ACK ? s.ack >>> 0 : 0, 8);
  tcp.writeUInt8(((20 + tcpOptions.length) / 4) << 4, 12);
  tcp.writeUInt8(s.flags, 13);
  tcp.writeUInt16BE(0xffff, 14);
  const pseudo = Buffer.alloc(12);
  src.ip.copy(pseudo, 0);
  dst.ip.copy(pseudo, 4);
  pseudo.writeUInt16BE(6, 8);
  pseudo.writeUInt16BE(tcpLength, 10);
  tcp.writeUInt16BE(internetChecksum(pseudo, tcp, tcpOptions, payload), 16);
  return Buffer.concat([eth, ip, tcp, tcpOptions, payload]);
}

/** MSS, NOP, Window Scale: the options of our SYN and SYN-ACK. */
function synOptions(mss: number): Buffer {
  const b = Buffer.from([2, 4, 0, 0, 1, 3, 3, WINDOW_SCALE]);
  b.writeUInt16BE(mss, 2);
  return b;
}

const DOTTED_QUAD = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i;

/** A stable 10.x.y.z for a hostname or an IPv6 address (the same name, the same address, in every file). */
export function syntheticIpv4(host: string): Buffer {
  const h = createHash('sha256').update(host).digest();
  return Buffer.from([10, h[0]!, h[1]!, (h[2]! % 254) + 1]);
}

function ipv4Of(host: string): Buffer | undefined {
  const m = DOTTED_QUAD.exec(host);
  const octets = m?.slice(1).map(Number);
  return octets && octets.every((n) => n <= 255) ? Buffer.from(octets) : undefined;
}

// ---- the writer ----------------------------------------------------------------------------

interface Side extends Host {
  /** Next sequence number this side sends. */
  next: number;
  /** The highest acknowledgement this side has sent. */
  acked: number;
  ipId: number;
}

interface Flow {
  client: Side;
  server: Side;
  closed: boolean;
}

export interface PcapngSink {
  write(block: Buffer): void;
  end?(): void;
}

export interface PcapngOptions {
  /** A comment on the Section Header Block (what was recorded, when, by whom). */
  comment?: string;
  /** Largest TCP payload per segment (default 65000: IPv4 total length stays within 16 bits). */
  mss?: number;
}

/**
 * Writes a capture as the connections happen: the section and interface headers at once, then
 * a handshake per `open`, segments per `chunk` and the close per `close`, each block handed to
 * the sink as soon as it is made — nothing is kept but the state of open connections.
 */
export class PcapngWriter {
  private readonly flows = new Map<string, Flow>();
  private readonly taken = new Map<string, string>();
  private readonly mss: number;

  constructor(
    private readonly sink: PcapngSink,
    o: PcapngOptions = {},
  ) {
    this.mss = Math.max(1, Math.min(MAX_MSS, Math.floor(o.mss ?? 65000)));
    sink.write(sectionHeaderBlock({ application: 'qr-harness', ...(o.comment !== undefined && { comment: o.comment }) }));
    sink.write(interfaceDescriptionBlock());
  }

  /** The three-way handshake; the SYN notes any endpoint given a synthetic address. */
  open(c: Pick<JournalConnection, 'id' | 'client' | 'server' | 'openedAt'>): void {
    if (this.flows.has(c.id)) throw new PcapngError('PCAPNG_DUPLICATE_CONNECTION', `connection ${c.id} is already open`);
    const notes: string[] = [];
    const isn = createHash('sha256').update(c.id).digest();
    const client = this.side(c.client, 'client', isn.readUInt32BE(0), notes);
    const server = this.side(c.server, 'server', isn.readUInt32BE(4), notes);
    const flow: Flow = { client, server, closed: false };
    this.flows.set(c.id, flow);
    const note = notes.length ? `${notes.join('; ')} (pcapng here carries IPv4 only)` : undefined;
    this.send(flow, client, TCP_SYN, c.openedAt, { note, options: synOptions(this.mss) });
    this.send(flow, server, TCP_SYN | TCP_ACK, c.openedAt, { options: synOptions(this.mss) });
    this.send(flow, client, TCP_ACK, c.openedAt);
  }

  /** One chunk as PSH/ACK segments of at most the MSS; the receiver ACKs when 1 MiB is outstanding. */
  chunk(id: string, c: JournalChunk): void {
    const flow = this.flow(id);
    const [from, to] = c.dir === 'c2s' ? [flow.client, flow.server] : [flow.server, flow.client];
    for (let at = 0; at < c.bytes.length; at += this.mss) {
      this.send(flow, from, TCP_PSH | TCP_ACK, c.t, { payload: c.bytes.subarray(at, at + this.mss) });
      if (((from.next - to.acked) >>> 0) >= ACK_EVERY) this.send(flow, to, TCP_ACK, c.t);
    }
  }

  /**
   * FIN/ACK from the closing side, FIN/ACK back, the last ACK; for an error a RST/ACK from the
   * client (a journal does not say which side reset). No `closedBy` reads as the client closing.
   */
  close(id: string, at: number, by: JournalConnection['closedBy']): void {
    const flow = this.flow(id);
    flow.closed = true;
    if (by === 'error') {
      this.send(flow, flow.client, TCP_RST | TCP_ACK, at);
    } else {
      const [first, second] = by === 'server' ? [flow.server, flow.client] : [flow.client, flow.server];
      this.send(flow, first, TCP_FIN | TCP_ACK, at);
      this.send(flow, second, TCP_FIN | TCP_ACK, at);
      this.send(flow, first, TCP_ACK, at);
    }
    this.flows.delete(id);
  }

  /** A whole journal connection, for a caller that has one already. */
  connection(c: JournalConnection): void {
    this.open(c);
    for (const ch of c.chunks) this.chunk(c.id, ch);
    if (c.closedAt !== undefined) this.close(c.id, c.closedAt, c.closedBy);
  }

  end(): void {
    this.sink.end?.();
  }

  private flow(id: string): Flow {
    const flow = this.flows.get(id);
    if (!flow) throw new PcapngError('PCAPNG_UNKNOWN_CONNECTION', `connection ${id} is not open`);
    return flow;
  }

  private side(e: Endpoint, role: string, isn: number, notes: string[]): Side {
    let ip = ipv4Of(e.host);
    if (!ip) {
      ip = syntheticIpv4(e.host);
      // Two names hashing alike: the later one moves on, so one address never stands for two hosts.
      for (let i = 0; i < 254 && this.taken.has(ip.toString('hex')) && this.taken.get(ip.toString('hex')) !== e.host; i++) ip[3] = (ip[3]! % 254) + 1;
      this.taken.set(ip.toString('hex'), e.host);
      notes.push(`${role} ${e.host} shown as ${[...ip].join('.')}`);
    }
    return { ip, mac: Buffer.concat([Buffer.from([0x02, 0x00]), ip]), port: e.port, next: isn, acked: 0, ipId: 0 };
  }

  private send(flow: Flow, from: Side, flags: number, t: number, o: { payload?: Buffer; options?: Buffer; note?: string | undefined } = {}): void {
    const to = from === flow.client ? flow.server : flow.client;
    const ack = to.next;
    const frame = tcpFrame(from, to, { flags, seq: from.next, ack, ipId: from.ipId, ...(o.payload && { payload: o.payload }), ...(o.options && { options: o.options }) });
    from.ipId = (from.ipId + 1) & 0xffff;
    // SYN and FIN take one sequence number each (RFC 793 3.3).
    from.next = (from.next + (o.payload?.length ?? 0) + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0)) >>> 0;
    if (flags & TCP_ACK) from.acked = ack;
    this.sink.write(enhancedPacketBlock(t, frame, o.note));
  }
}

/** A sink appending each block to a file as it comes (synchronously: a block is written before the next is made). */
export function pcapngFileSink(path: string): PcapngSink {
  const fd = openSync(path, 'w');
  return { write: (b) => void writeSync(fd, b), end: () => closeSync(fd) };
}

/**
 * A whole capture in memory: the connections' opens, chunks and closes merged in time order
 * (each connection's own order kept), written through a PcapngWriter.
 */
export function encodePcapng(connections: readonly JournalConnection[], o: PcapngOptions = {}): Buffer {
  type Step = { t: number; order: number; run: (w: PcapngWriter) => void };
  const steps: Step[] = [];
  for (const c of connections) {
    let t = c.openedAt;
    const at = (when: number) => (t = Math.max(t, when));
    steps.push({ t, order: steps.length, run: (w) => w.open(c) });
    for (const ch of c.chunks) steps.push({ t: at(ch.t), order: steps.length, run: (w) => w.chunk(c.id, ch) });
    if (c.closedAt !== undefined) steps.push({ t: at(c.closedAt), order: steps.length, run: (w) => w.close(c.id, c.closedAt!, c.closedBy) });
  }
  steps.sort((a, b) => a.t - b.t || a.order - b.order);
  const blocks: Buffer[] = [];
  const writer = new PcapngWriter({ write: (b) => blocks.push(b) }, o);
  for (const s of steps) s.run(writer);
  return Buffer.concat(blocks);
}

import net from 'node:net';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../clock/clock.ts';
import type { Clock, TimerHandle, TimerOptions } from '../clock/clock.ts';
import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput } from '../dataset/data-set.ts';
import { encodeDataSet } from '../dataset/encode.ts';
import { EXPLICIT_LITTLE } from '../dataset/transfer-syntax.ts';
import { encodeCommand } from '../dimse/command-set.ts';
import { cancelRequest, findRequest } from '../dimse/find.ts';
import { SopClass, TransferSyntax } from '../dimse/sop-classes.ts';
import { EventStream } from '../events/event-stream.ts';
import { storeFindHandler } from '../scp/handlers/store.ts';
import { Scp } from '../scp/scp.ts';
import type { ScpEvent } from '../scp/scp.ts';
import { DimseClient } from '../scu/dimse-client.ts';
import { syntheticStore } from '../store/synthetic.ts';
import type { Timeouts } from '../ul/timers.ts';
import { encodePdu } from '../ul/pdu/registry.ts';
import { associateRq } from './pdus.ts';

/** The synthetic archive's one study and its one series of 100,000 instances (simulators/store/synthetic.ts). */
export const STUDY_UID = '1.2.826.0.1.3680043.9.7433.3.1.1';
export const SERIES_UID = `${STUDY_UID}.1`;
export const INSTANCES = 100_000;
/** Every instance of the series: a stream of 100,000 Pendings. */
export const ALL_IMAGES = { QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: STUDY_UID, SeriesInstanceUID: SERIES_UID, SOPInstanceUID: '', InstanceNumber: '' };

/** A clock that counts the timers it holds, so a test can see that none outlives its connection. */
export class CountingClock implements Clock {
  readonly live = new Set<CountedTimer>();

  now(): number {
    return systemClock.now();
  }

  setTimeout(fn: () => void, ms: number, o?: TimerOptions): TimerHandle {
    return new CountedTimer(this.live, fn, ms, o);
  }

  /** Timers set and neither fired nor cancelled. */
  get pending(): number {
    return this.live.size;
  }
}

class CountedTimer implements TimerHandle {
  private readonly inner: TimerHandle;
  constructor(
    private readonly live: Set<CountedTimer>,
    fn: () => void,
    ms: number,
    o: TimerOptions | undefined,
  ) {
    live.add(this);
    this.inner = systemClock.setTimeout(() => {
      live.delete(this);
      fn();
    }, ms, o);
  }

  cancel(): void {
    this.live.delete(this);
    this.inner.cancel();
  }
}

export interface SurvivalScp {
  scp: Scp;
  port: number;
  events: ScpEvent[];
  /** The SCP's event stream, for tests that want more kinds than the ones recorded. */
  stream: EventStream<ScpEvent>;
  clock: CountingClock;
  /** Events of one association (by the local port of the client's socket). */
  eventsOf(clientPort: number): ScpEvent[];
  close(): Promise<void>;
}

/** Our SCP on 127.0.0.1:0 over a synthetic store of 100,000 instances, recording every event. */
export async function startSurvivalScp(o: { timeouts?: Partial<Timeouts>; writeAhead?: number } = {}): Promise<SurvivalScp> {
  const store = syntheticStore({ patients: 1, studiesPerPatient: 1, seriesPerStudy: 1, instancesPerSeries: INSTANCES });
  const stream = new EventStream<ScpEvent>();
  const events: ScpEvent[] = [];
  stream.subscribe((e) => events.push(e), ['transport', 'state', 'association', 'fault']);
  const clock = new CountingClock();
  const scp = new Scp({
    aeTitle: 'QRSCP',
    find: { handler: storeFindHandler(store, { retrieveAeTitle: 'QRSCP' }), ...(o.writeAhead !== undefined && { writeAhead: o.writeAhead }) },
    events: stream,
    clock,
    ...(o.timeouts && { timeouts: o.timeouts }),
  });
  const port = await scp.listen(0, '127.0.0.1');
  const eventsOf = (clientPort: number) => {
    const accepted = events.find((e) => e.kind === 'transport' && e.phase === 'accepted' && e.remote === `127.0.0.1:${clientPort}`);
    return accepted ? events.filter((e) => 'associationId' in e && e.associationId === accepted.associationId) : [];
  };
  return { scp, port, events, stream, clock, eventsOf, close: () => scp.close() };
}

/** Polls `condition` until it holds, failing after `timeoutMs` with `what`. */
export async function waitFor(what: string | (() => string), condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs} ms: ${typeof what === 'string' ? what : what()}`);
    await sleep(5);
  }
}

/** The SCP holds nothing for any connection: no association, no socket, no protocol timer. */
export async function heldNothing(s: SurvivalScp): Promise<boolean> {
  return s.scp.associations.size === 0 && s.scp.acceptor.openConnections === 0 && (await s.scp.acceptor.connections()) === 0 && s.clock.pending === 0;
}

export async function describeHeld(s: SurvivalScp): Promise<string> {
  return `associations ${s.scp.associations.size}, sockets ${s.scp.acceptor.openConnections}, server connections ${await s.scp.acceptor.connections()}, timers ${s.clock.pending}`;
}

/** Waits until the SCP holds nothing, reporting what it still holds otherwise. */
export async function settled(s: SurvivalScp, timeoutMs = 5000): Promise<void> {
  let last = '';
  await waitFor(() => last, async () => {
    last = await describeHeld(s);
    return heldNothing(s);
  }, timeoutMs);
}

/** Our SCU, associated with the SCP under test for Study Root C-FIND. */
export function connectStudyRoot(port: number, dimseTimeoutMs = 10_000): Promise<DimseClient> {
  return DimseClient.connect({
    host: '127.0.0.1',
    port,
    calledAeTitle: 'QRSCP',
    callingAeTitle: 'FINDSCU',
    presentationContexts: [{ abstractSyntax: SopClass.StudyRootQueryRetrieveFind, transferSyntaxes: [TransferSyntax.ExplicitVRLittleEndian] }],
    dimseTimeoutMs,
  });
}

/** A normal C-FIND with our SCU: one instance picked by its UID, and the study with its instance count. */
export async function assertAnswersNormally(port: number): Promise<void> {
  const c = await connectStudyRoot(port);
  try {
    const image = await collect(c, { ...ALL_IMAGES, SOPInstanceUID: `${SERIES_UID}.77777` });
    assert.deepEqual(image, { status: 0x0000, matches: ['77777'] }, 'the instance query');
    const study = await collect(c, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', PatientID: 'P0000001', NumberOfStudyRelatedInstances: '' }, 'NumberOfStudyRelatedInstances');
    assert.deepEqual(study, { status: 0x0000, matches: [String(INSTANCES)] }, 'the study query');
  } finally {
    await c.release();
  }
}

async function collect(c: DimseClient, query: Record<string, string>, key = 'InstanceNumber'): Promise<{ status: number | undefined; matches: string[] }> {
  const matches: string[] = [];
  let status: number | undefined;
  for await (const r of c.find('study', query)) {
    if (r.final) status = r.status;
    else matches.push(r.identifier?.text(key)?.trim() ?? '?');
  }
  return { status, matches };
}

/** A raw TCP client: bytes out exactly as given; what it receives counted (the first MB kept). */
export interface RawClient {
  socket: net.Socket;
  /** The local port, which names the connection in the SCP's events (kept: a closed socket forgets it). */
  port: number;
  received: () => Buffer;
  receivedBytes: () => number;
  closed: Promise<void>;
  isClosed: () => boolean;
}

const KEEP_BYTES = 1 << 20;

export function rawConnect(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const chunks: Buffer[] = [];
    let total = 0;
    let isClosed = false;
    const closed = new Promise<void>((r) =>
      socket.once('close', () => {
        isClosed = true;
        r();
      }),
    );
    socket.on('data', (c: Buffer) => {
      if (total < KEEP_BYTES) chunks.push(c);
      total += c.length;
    });
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve({ socket, port: socket.localPort!, received: () => Buffer.concat(chunks), receivedBytes: () => total, closed, isClosed: () => isClosed });
    });
    socket.once('error', reject);
  });
}

/** Waits until the client has received at least `n` bytes. */
export function receivedAtLeast(c: RawClient, n: number, timeoutMs = 5000): Promise<void> {
  return waitFor(() => `${n} bytes from the SCP (got ${c.receivedBytes()})`, () => c.receivedBytes() >= n, timeoutMs);
}

/** An A-ASSOCIATE-RQ proposing Study Root FIND in Explicit VR Little Endian on context 1. */
export const findRq = () =>
  encodePdu(associateRq({ callingAeTitle: 'RAWPEER', calledAeTitle: 'QRSCP', presentationContexts: [{ abstractSyntax: SopClass.StudyRootQueryRetrieveFind, transferSyntaxes: [TransferSyntax.ExplicitVRLittleEndian] }] }));

/** A C-FIND-RQ on context 1: its command and its identifier, one P-DATA-TF each. */
export function findRqPdus(identifier: DataSetInput = ALL_IMAGES, messageId = 1): Buffer[] {
  const command = encodeCommand(findRequest(messageId, SopClass.StudyRootQueryRetrieveFind));
  const data = encodeDataSet(DataSet.from(identifier), EXPLICIT_LITTLE);
  return [encodePdu({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: 0x03, data: command }] }), encodePdu({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: 0x02, data }] })];
}

export const cancelPdu = (messageId = 1) => encodePdu({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: 0x03, data: encodeCommand(cancelRequest(messageId)) }] });
export const releaseRqPdu = () => encodePdu({ type: 0x05 });

/** The size of the A-ASSOCIATE-AC the SCP sends, from its PDU header. */
export function firstPduLength(bytes: Buffer): number {
  return bytes.length < 6 ? Infinity : 6 + bytes.readUInt32BE(2);
}

/** Fails the running test on an exception or rejection nobody handled; returns the detach function. */
export function failOnUncaught(): { errors: unknown[]; detach: () => void } {
  const errors: unknown[] = [];
  const onError = (e: unknown) => errors.push(e);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    errors,
    detach: () => {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

import { setTimeout as sleep } from 'node:timers/promises';
import { EventStream } from '../events/event-stream.ts';
import { Scp } from '../scp/scp.ts';
import type { FindHandler } from '../scp/find-service.ts';
import { DimseClient } from '../scu/dimse-client.ts';
import type { FindResponse } from '../scu/find-operation.ts';
import type { TraceEvent } from '../trace/format.ts';
import { SopClass, TransferSyntax } from '../dimse/sop-classes.ts';
import { until } from './ul-harness.ts';

export interface FindExchangeOptions {
  /** Pendings the SCP streams, one patient each (PatientName DOE^i, PatientID i). */
  pendings: number;
  /** The final status when not Success (sent after the Pendings, with an Error Comment). */
  finalStatus?: number;
  /** A pause before each Pending, so a C-CANCEL lands mid-stream. */
  delayMs?: number;
  /** Send C-CANCEL once this many responses have arrived. */
  cancelAfter?: number;
}

/** What both ends of one real C-FIND did, as the harness sees it: one event stream for our SCU and our SCP. */
export interface FindExchange {
  /** Every event of both ends, in order. */
  events: TraceEvent[];
  /** The clock origin the events' `at` are measured from (performance.now() before the exchange). */
  origin: number;
  startedAt: Date;
  responses: FindResponse[];
  requestorId: string;
  acceptorId: string;
}

/** A handler streaming `n` Pendings, then `finalStatus` (or Success). */
export function patientsHandler(n: number, finalStatus?: number, delayMs = 0): FindHandler {
  return async function* () {
    for (let i = 1; i <= n; i++) {
      if (delayMs) await sleep(delayMs);
      yield [0xff00, { QueryRetrieveLevel: 'PATIENT', PatientName: `DOE^${i}`, PatientID: String(i) }];
    }
    if (finalStatus !== undefined) yield [finalStatus, null, { errorComment: 'out of resources' }];
  };
}

/**
 * Runs one C-FIND (Patient Root, PATIENT level, PatientName DOE*) from our SCU "FINDSCU" to our
 * SCP "QRSCP" on 127.0.0.1, both emitting into one stream as the conformance World wires them,
 * then releases the association and closes the SCP.
 */
export async function runFindExchange(o: FindExchangeOptions): Promise<FindExchange> {
  const stream = new EventStream<TraceEvent>();
  const seen = stream.record();
  const origin = performance.now();
  const startedAt = new Date();
  let acceptorId = '';
  const scp = new Scp({ aeTitle: 'QRSCP', events: stream, find: { handler: patientsHandler(o.pendings, o.finalStatus, o.delayMs) }, onAssociation: (a) => (acceptorId = a.id) });
  const port = await scp.listen(0, '127.0.0.1');
  try {
    const client = await DimseClient.connect({
      host: '127.0.0.1',
      port,
      calledAeTitle: 'QRSCP',
      callingAeTitle: 'FINDSCU',
      presentationContexts: [{ abstractSyntax: SopClass.PatientRootQueryRetrieveFind, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] }],
      events: stream,
    });
    const op = client.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientName: 'DOE*', PatientID: '' });
    const responses: FindResponse[] = [];
    for await (const r of op) {
      responses.push(r);
      if (responses.length === o.cancelAfter) op.cancel();
    }
    await client.release();
    // The acceptor's end of the release is part of the exchange: wait until it sees the connection close.
    await until(seen.events, (e) => e.kind === 'transport' && e.phase === 'closed' && e.associationId === acceptorId, 2000, "the acceptor's close");
    seen.stop();
    return { events: seen.events, origin, startedAt, responses, requestorId: client.association.id, acceptorId };
  } finally {
    await scp.close();
  }
}

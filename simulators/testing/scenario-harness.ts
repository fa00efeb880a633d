import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput } from '../dataset/data-set.ts';
import { encodeDataSet } from '../dataset/encode.ts';
import { EXPLICIT_LITTLE } from '../dataset/transfer-syntax.ts';
import { encodeCommand } from '../dimse/command-set.ts';
import { cancelRequest, findRequest } from '../dimse/find.ts';
import { SopClass, TransferSyntax } from '../dimse/sop-classes.ts';
import { EventStream } from '../events/event-stream.ts';
import { loadScenario } from '../scenario/load.ts';
import { Recorder } from '../scenario/recorder.ts';
import { scpFromScenario } from '../scenario/scp-runtime.ts';
import type { Scenario } from '../scenario/types.ts';
import type { Scp } from '../scp/scp.ts';
import { DimseClient } from '../scu/dimse-client.ts';
import type { ClientEvent } from '../scu/dimse-client.ts';
import type { TraceEvent } from '../trace/format.ts';
import type { RequestorOptions } from '../ul/association/requestor.ts';
import { encodePdu } from '../ul/pdu/registry.ts';
import { associateRq } from './pdus.ts';
import { tempDir } from './temp-dir.ts';

/** Writes files into a fresh temporary folder, removed when the test ends; returns the folder. */
export function tempFiles(entries: Record<string, string | Buffer>): string {
  const dir = tempDir('scenario');
  for (const [name, content] of Object.entries(entries)) writeFileSync(path.join(dir, name), content);
  return dir;
}

export interface RunningScenario {
  scenario: Scenario;
  scp: Scp;
  port: number;
  recorder: Recorder;
  /** Every event of the SCP side, in order. */
  events: TraceEvent[];
  close(): Promise<void>;
}

/** Loads a scenario written inline (or a file) and runs its SCP on 127.0.0.1. */
export async function startScenarioScp(yamlOrFile: string, extra: Record<string, string | Buffer> = {}): Promise<RunningScenario> {
  const file = yamlOrFile.endsWith('.yaml') && !yamlOrFile.includes('\n') ? yamlOrFile : path.join(tempFiles({ 's.yaml': yamlOrFile, ...extra }), 's.yaml');
  const scenario = loadScenario(file);
  const stream = new EventStream<TraceEvent>();
  const events: TraceEvent[] = [];
  stream.subscribe((e) => events.push(e));
  const recorder = new Recorder('scp');
  recorder.attach(stream);
  const scp = scpFromScenario(scenario, { events: stream });
  const port = await scp.listen(0, '127.0.0.1');
  return { scenario, scp, port, recorder, events, close: () => scp.close() };
}

export interface TestClient {
  client: DimseClient;
  /** Every event of the SCU side, in order (raw PDUs included). */
  events: ClientEvent[];
}

const TS = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian];

/** Our SCU, proposing Study Root and Patient Root FIND (and Verification), keeping raw PDUs. */
export async function connectClient(port: number, o: Partial<RequestorOptions> & { dimseTimeoutMs?: number } = {}): Promise<TestClient> {
  const stream = new EventStream<ClientEvent>();
  const events: ClientEvent[] = [];
  stream.subscribe((e) => events.push(e));
  const client = await DimseClient.connect({
    host: '127.0.0.1',
    port,
    calledAeTitle: 'QRSCP',
    callingAeTitle: 'QRHARNESS',
    presentationContexts: [
      { abstractSyntax: SopClass.StudyRootQueryRetrieveFind, transferSyntaxes: TS },
      { abstractSyntax: SopClass.PatientRootQueryRetrieveFind, transferSyntaxes: TS },
      { abstractSyntax: SopClass.Verification, transferSyntaxes: TS },
    ],
    events: stream,
    keepRawPdus: true,
    ...o,
  });
  return { client, events };
}

/** An A-ASSOCIATE-RQ proposing Study Root FIND in Explicit VR Little Endian on context 1. */
export const studyRootRq = (callingAeTitle = 'RAWPEER', calledAeTitle = 'QRSCP') =>
  encodePdu(associateRq({ callingAeTitle, calledAeTitle, presentationContexts: [{ abstractSyntax: SopClass.StudyRootQueryRetrieveFind, transferSyntaxes: [TransferSyntax.ExplicitVRLittleEndian] }] }));

/** A C-FIND-RQ (command and identifier) on context 1, as one P-DATA-TF each. */
export function findRqPdus(identifier: DataSetInput, messageId = 1): Buffer[] {
  const command = encodeCommand(findRequest(messageId, SopClass.StudyRootQueryRetrieveFind));
  const data = encodeDataSet(DataSet.from(identifier), EXPLICIT_LITTLE);
  return [encodePdu({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: 0x03, data: command }] }), encodePdu({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: 0x02, data }] })];
}

export const cancelRqPdu = (messageId = 1) => encodePdu({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: 0x03, data: encodeCommand(cancelRequest(messageId)) }] });

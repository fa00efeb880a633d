import { World, setWorldConstructor } from '@cucumber/cucumber';
import type { IWorldOptions } from '@cucumber/cucumber';
import { EventStream } from '../../simulators/events/event-stream.ts';
import type { TraceEvent } from '../../simulators/trace/format.ts';
import { Scp } from '../../simulators/scp/scp.ts';
import type { ScpOptions } from '../../simulators/scp/scp.ts';
import { DimseClient } from '../../simulators/scu/dimse-client.ts';
import type { EchoResult } from '../../simulators/scu/dimse-client.ts';
import type { FindOperation, FindResponse } from '../../simulators/scu/find-operation.ts';
import type { FindModel } from '../../simulators/dimse/find.ts';
import type { AssociationEnd } from '../../simulators/ul/association/association.ts';
import type { RawPeer } from '../../simulators/testing/raw-peer.ts';
import path from 'node:path';
import { loadScenario } from '../../simulators/scenario/load.ts';
import { Recorder } from '../../simulators/scenario/recorder.ts';
import { scpFromScenario } from '../../simulators/scenario/scp-runtime.ts';
import type { ConformanceQuery } from '../../simulators/conformance/queries.ts';
import type { FindRun, Target } from '../../simulators/conformance/target.ts';
import type { Verdict } from '../../simulators/conformance/verdict.ts';
import type { Store } from '../../simulators/store/store.ts';
import type { RunParameters } from '../../simulators/conformance/run-parameters.ts';

/**
 * The state of one scenario: the peers it started, what they did, and every protocol event
 * in order. Nothing here is shared between scenarios.
 */
export class HarnessWorld extends World {
  readonly events = new EventStream<TraceEvent>();
  readonly trace: TraceEvent[] = [];
  readonly scps = new Map<string, Scp>();
  readonly rawPeers: RawPeer[] = [];
  client: DimseClient | undefined;
  clientEnd: Promise<AssociationEnd> | undefined;
  /** The error of the last operation that failed (association refused, rejected, aborted …). */
  lastError: (Error & { code?: string }) | undefined;
  echoResults: EchoResult[] = [];
  /** The last C-FIND and its responses, in arrival order. */
  findOp: FindOperation | undefined;
  findModel: FindModel | undefined;
  /** The SCP the matching steps query. */
  scpName: string | undefined;
  responses: FindResponse[] = [];
  /** Why the last C-FIND ended without a final response (association ended, DIMSE timeout). */
  findError: (Error & { code?: string }) | undefined;
  /** How long the last association request took (ms). */
  associationMs: number | undefined;
  /** DIMSE timeout of the SCU's next associations. */
  dimseTimeoutMs = 30_000;
  /** What each scenario SCP received and sent, by AE title. */
  readonly recorders = new Map<string, Recorder>();
  /** Outcomes the standard leaves to the implementation: reported in the report, never failed. */
  readonly findings: string[] = [];
  /** The verdicts this scenario reached (checks of the archive under test). */
  readonly verdicts: Verdict[] = [];
  /** The scenario being run (name, tags, where), set before it starts. */
  scenario: { name: string; uri: string; line: number | undefined; tags: string[] } | undefined;
  /** The archive under test once reached, and the store it holds. */
  archive: Target | undefined;
  archiveStore: Store | undefined;
  /** The verdict a When step reached, recorded by the Then step that states the rule. */
  pendingVerdict: Verdict | undefined;
  /** The archive serving a query client under test, and how the client's command ended. */
  clientUnderTest: { archive: string; aeTitle: string; port: number; run: import('../../simulators/conformance/client-target.ts').ClientRun | undefined } | undefined;
  /** The last check's C-FIND exchange and what it sent. */
  exchange: { query: ConformanceQuery; run: FindRun } | undefined;

  finding(text: string): void {
    this.findings.push(text);
    this.attach(`finding: ${text}`, { mediaType: 'text/plain', fileName: 'finding.txt' });
  }
  readonly startedAt = performance.now();
  readonly startedWall = new Date();

  declare readonly parameters: RunParameters;

  constructor(options: IWorldOptions<RunParameters>) {
    super(options);
    this.events.subscribe((e) => this.trace.push(e));
  }

  async startScp(aeTitle: string, options: Partial<ScpOptions> = {}): Promise<Scp> {
    const scp = new Scp({ aeTitle, events: this.events, ...options });
    await scp.listen(0, '127.0.0.1');
    this.scps.set(aeTitle, scp);
    return scp;
  }

  /** Runs the SCP of a shipped scenario (scenarios/<file>) on 127.0.0.1, recording its traffic. */
  async startScenario(file: string): Promise<Scp> {
    const scenario = loadScenario(path.resolve('scenarios', file));
    if (!scenario.scp) throw new Error(`${file} has no scp section`);
    // The SCP's own stream feeds the recorder and the scenario's trace.
    const stream = new EventStream<TraceEvent>();
    stream.subscribe((e) => this.events.emit(e));
    const recorder = new Recorder('scp');
    recorder.attach(stream);
    const scp = scpFromScenario(scenario, { events: stream });
    await scp.listen(0, '127.0.0.1');
    this.scps.set(scenario.scp.aeTitle, scp);
    this.recorders.set(scenario.scp.aeTitle, recorder);
    return scp;
  }

  recorder(aeTitle: string): Recorder {
    const r = this.recorders.get(aeTitle);
    if (!r) throw new Error(`no scenario SCP "${aeTitle}" was started in this scenario`);
    return r;
  }

  scp(aeTitle: string): Scp {
    const scp = this.scps.get(aeTitle);
    if (!scp) throw new Error(`no SCP "${aeTitle}" was started in this scenario`);
    return scp;
  }

  requireClient(): DimseClient {
    if (!this.client) throw new Error(`no association: ${this.lastError?.message ?? 'none was requested'}`);
    return this.client;
  }

  /** Events of the acceptor side (association IDs the SCP gave). */
  scpEvents(): TraceEvent[] {
    return this.trace.filter((e) => e.associationId.startsWith('scp-'));
  }

  async cleanup(): Promise<void> {
    this.client?.abort();
    for (const p of this.rawPeers) p.destroy();
    await Promise.all([...this.scps.values()].map((s) => s.close()));
  }
}

setWorldConstructor(HarnessWorld);

/** A recorded session turned into a scenario, then replayed by our SCP to the same client: the same answers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { EventStream } from '../events/event-stream.ts';
import { loadScenario } from '../scenario/load.ts';
import { connectClient, startScenarioScp } from '../testing/scenario-harness.ts';
import { tempDir } from '../testing/temp-dir.ts';
import { until } from '../testing/ul-harness.ts';
import type { FindResponse } from '../scu/find-operation.ts';
import type { ObserverEvent, ProxyEvent } from './events.ts';
import { ConnectionObserver } from './observer.ts';
import { Relay } from './relay.ts';
import { judgeProxiedFindRequest } from './request-judge.ts';
import { scenarioFromRecording } from './to-scenario.ts';

const ARCHIVE = `
name: recorded archive
store:
  files: [${path.join(import.meta.dirname, '../../scenarios/stores/seed.yaml')}]
scp:
  aeTitle: FIELDPACS
  behaviours:
    - name: refused
      when: { identifier: { PatientID: "7654321" } }
      respond: [{ pending: 1, delayMs: 20 }, { final: A700, errorComment: out of resources }]
    - name: long and slow
      when: { identifier: { PatientID: "LONG" } }
      respond: [{ pending: 40, delayMs: 15 }, { final: "0000" }]
`;

const shape = (rs: FindResponse[]) => rs.map((r) => `${r.status.toString(16)} ${JSON.stringify(r.identifier?.toObject() ?? null)}${r.command.ErrorComment ? ` "${r.command.ErrorComment}"` : ''}`);

async function session(port: number) {
  const { client } = await connectClient(port, { calledAeTitle: 'FIELDPACS' });
  const a = await client.find('study', { QueryRetrieveLevel: 'STUDY', PatientID: '1234567', PatientName: '', StudyInstanceUID: '', StudyDate: '' }).collect();
  const b = await client.find('study', { QueryRetrieveLevel: 'STUDY', PatientID: '7654321', StudyInstanceUID: '' }).collect();
  const op = client.find('study', { QueryRetrieveLevel: 'STUDY', PatientID: 'LONG', StudyInstanceUID: '' });
  const c: FindResponse[] = [];
  for await (const r of op) {
    c.push(r);
    if (c.length === 3) op.cancel();
  }
  await client.release();
  return { a, b, c };
}

test('proxy recording → scenario: it passes the loader, and our SCP replaying it gives the same client the same answers (identifiers, statuses, Error Comment, C-CANCEL honoured)', async () => {
  const archive = await startScenarioScp(ARCHIVE);
  const stream = new EventStream<ProxyEvent>();
  const { events } = stream.record();
  const relay = new Relay({ forward: { host: '127.0.0.1', port: archive.port }, events: stream, connectTimeoutMs: 2000, observe: (connection) => new ConnectionObserver({ connection, emit: (e) => stream.emit(e), judgeFindRequest: judgeProxiedFindRequest }) });
  const port = await relay.listen(0, '127.0.0.1');
  let recorded;
  try {
    recorded = await session(port);
    await until(events, (e) => e.kind === 'close', 3000, 'the close');
  } finally {
    await relay.close();
    await archive.close();
  }
  assert.equal(recorded.b.at(-1)?.status, 0xa700);
  assert.equal(recorded.c.at(-1)?.status, 0xfe00);

  const { yaml, finds } = scenarioFromRecording(events.filter((e): e is ObserverEvent => 'connection' in e && e.kind !== 'open' && e.kind !== 'close' && e.kind !== 'forward-failed' && e.kind !== 'observer-failed'), { source: 'test' });
  assert.equal(finds, 3);
  const file = path.join(tempDir('to-scenario'), 'replay.yaml');
  writeFileSync(file, yaml);
  const scenario = loadScenario(file);
  assert.equal(scenario.scp?.aeTitle, 'FIELDPACS');

  const replay = await startScenarioScp(file);
  try {
    const again = await session(replay.port);
    assert.deepEqual(shape(again.a), shape(recorded.a));
    assert.deepEqual(shape(again.b), shape(recorded.b));
    assert.equal(again.c.at(-1)?.status, 0xfe00, 'the replayed archive honours the C-CANCEL as the recorded one did');
    assert.deepEqual(shape(again.c.slice(0, 3)), shape(recorded.c.slice(0, 3)));
    // A query that was not recorded is answered from the store built of the archive's answers.
    const { client } = await connectClient(replay.port, { calledAeTitle: 'FIELDPACS' });
    const patient = await client.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientID: '1234567', PatientName: '' }).collect();
    await client.release();
    assert.deepEqual(patient.map((r) => [r.status, r.identifier?.text('PatientName') ?? null]), [[0xff00, 'CITIZEN^Jan'], [0x0000, null]]);
  } finally {
    await replay.close();
  }
});

/** C-FIND and C-CANCEL between our SCU and our SCP over real sockets (PS3.7 9.1.2, 9.3.2; PS3.4 C.4.1). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventStream } from '../events/event-stream.ts';
import { DataSet } from '../dataset/data-set.ts';
import { Scp } from '../scp/scp.ts';
import type { ScpEvent } from '../scp/scp.ts';
import type { FindHandler, FindServiceOptions } from '../scp/find-service.ts';
import { recordsFindHandler } from '../scp/handlers/records.ts';
import { seedFindHandler } from '../scp/handlers/seed.ts';
import { DimseClient } from './dimse-client.ts';
import type { ClientEvent } from './dimse-client.ts';

const STUDY_ROOT = '1.2.840.10008.5.1.4.1.2.2.1';
const PATIENT_ROOT = '1.2.840.10008.5.1.4.1.2.1.1';
const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const BIG = '1.2.840.10008.1.2.2';

const patients = [
  { QueryRetrieveLevel: 'PATIENT', PatientName: 'CITIZEN^Jan', PatientID: '1234567', PatientBirthDate: '19700101' },
  { QueryRetrieveLevel: 'PATIENT', PatientName: 'DOE^John', PatientID: '7654321' },
  { QueryRetrieveLevel: 'PATIENT', SpecificCharacterSet: 'ISO_IR 192', PatientName: 'Müller^Jürgen', PatientID: 'M1' },
];

async function withScp(find: FindServiceOptions, fn: (client: DimseClient, events: (ClientEvent | ScpEvent)[]) => Promise<void>, extra: { ts?: string[]; maxPdu?: number } = {}): Promise<void> {
  const stream = new EventStream<ClientEvent | ScpEvent>();
  const seen = stream.record();
  const scp = new Scp({ aeTitle: 'QRSCP', find, events: stream });
  const port = await scp.listen(0);
  const client = await DimseClient.connect({
    host: '127.0.0.1',
    port,
    calledAeTitle: 'QRSCP',
    callingAeTitle: 'FINDSCU',
    presentationContexts: [
      { abstractSyntax: PATIENT_ROOT, transferSyntaxes: extra.ts ?? [IMPLICIT] },
      { abstractSyntax: STUDY_ROOT, transferSyntaxes: extra.ts ?? [IMPLICIT] },
      { abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: [IMPLICIT] },
    ],
    ...(extra.maxPdu !== undefined && { maxPduLength: extra.maxPdu }),
    events: stream,
  });
  try {
    await fn(client, seen.events);
  } finally {
    client.abort();
    await scp.close();
  }
}

/** A handler that streams `n` Pendings, `delayMs` apart. */
function counting(n: number, delayMs = 0): FindHandler {
  return async function* (request) {
    for (let i = 1; i <= n; i++) {
      if (delayMs) await sleep(delayMs);
      yield [0xff00, { QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: `1.2.3.${i}`, InstanceNumber: String(i) }];
      void request;
    }
  };
}

test("the seed's query: Patient Root, PATIENT level, CITIZEN^Jan → one Pending, then Success", () =>
  withScp({ handler: recordsFindHandler(patients) }, async (client) => {
    const responses = await client.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientName: 'CITIZEN^Jan', PatientID: '' }).collect();
    assert.deepEqual(responses.map((r) => r.status), [0xff00, 0x0000]);
    assert.deepEqual(responses[0]!.identifier!.toObject(), { QueryRetrieveLevel: 'PATIENT', PatientName: 'CITIZEN^Jan', PatientID: '1234567' });
    assert.equal(responses[1]!.identifier, undefined);
    assert.deepEqual(responses.flatMap((r) => r.problems), []);
  }));

test('zero matches: only the final Success, no Pending (PS3.4 C.4.1.3.1)', () =>
  withScp({ handler: recordsFindHandler(patients) }, async (client) => {
    const responses = await client.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientName: 'NOBODY' }).collect();
    assert.deepEqual(responses.map((r) => [r.status, r.final]), [[0x0000, true]]);
  }));

test('wild cards and character sets: a UTF-8 name comes back with its Specific Character Set', () =>
  withScp({ handler: recordsFindHandler(patients) }, async (client) => {
    const responses = await client.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientName: 'M*', PatientID: '' }).collect();
    assert.equal(responses[0]!.identifier!.text('PatientName'), 'Müller^Jürgen');
    assert.equal(responses[0]!.identifier!.text('SpecificCharacterSet'), 'ISO_IR 192');
  }));

for (const ts of [EXPLICIT, BIG]) {
  test(`identifiers travel in the context's transfer syntax (${ts}) (PS3.8 7.6.1; checklist 51)`, () =>
    withScp(
      { handler: recordsFindHandler(patients) },
      async (client) => {
        assert.equal(client.association.contexts.get(1)!.transferSyntax, ts);
        const responses = await client.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientID: '7654321', PatientName: '' }).collect();
        assert.equal(responses[0]!.identifier!.text('PatientName'), 'DOE^John');
      },
      { ts: [ts] },
    ));
}

test('a small maximum PDU: identifiers cut across PDUs still arrive whole (checklist 21)', () =>
  withScp(
    { handler: recordsFindHandler(patients) },
    async (client) => {
      const responses = await client.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientName: '*', PatientID: '', PatientBirthDate: '' }).collect();
      assert.equal(responses.length, 4);
    },
    { maxPdu: 20 },
  ));

test('C-CANCEL after 3 Pendings of a slow stream: FE00 final, no Identifier, nothing after it (checklist 57)', () =>
  withScp({ handler: counting(1000, 5) }, async (client, events) => {
    const op = client.find('study', { QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: '' });
    const got: number[] = [];
    for await (const r of op) {
      got.push(r.status);
      if (got.length === 3) assert.equal(op.cancel(), true);
    }
    assert.equal(got.at(-1), 0xfe00);
    assert.ok(got.length <= 6, `${got.length} responses`);
    const summary = await op.result;
    assert.equal(summary.finalStatus, 0xfe00);
    assert.equal(summary.cancelSent, true);
    await sleep(30);
    assert.equal(events.filter((e) => e.kind === 'violation').length, 0);
    assert.equal((await client.echo()).status, 0, 'the association stays usable');
  }));

test('C-CANCEL before the first Pending, and a cancel after the final response has no effect', () =>
  withScp({ handler: counting(5, 20) }, async (client, events) => {
    const op = client.find('study', { QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: '' });
    op.cancel();
    const all = await op.collect();
    assert.equal(all.at(-1)!.status, 0xfe00);
    assert.ok(all.length <= 2);
    const again = client.find('study', { QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: '' });
    const complete = await again.collect();
    assert.equal(complete.at(-1)!.status, 0x0000);
    assert.equal(again.cancel(), false);
    assert.equal((await client.echo()).status, 0);
    assert.equal(events.filter((e) => e.kind === 'dimse:sent' && e.associationId.startsWith('scp-') && e.command.MessageIDBeingRespondedTo === again.messageId).length, 6, 'no response to the late cancel');
  }));

test('an SCP that ignores C-CANCEL: the SCU reads every Pending and a final 0000', () =>
  withScp({ handler: counting(20, 1), honourCancel: false }, async (client) => {
    const op = client.find('study', { QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: '' });
    let n = 0;
    for await (const r of op) if (++n === 2) op.cancel();
    const summary = await op.result;
    assert.equal(summary.pending, 20);
    assert.equal(summary.finalStatus, 0);
  }));

test("the seed's SCP: no Query/Retrieve Level → C000 with an Error Comment; a cancel is answered FE00 by the handler", () =>
  withScp({ handler: seedFindHandler(Array.from({ length: 50 }, (_, i) => DataSet.from({ PatientName: `P${i}` }))), honourCancel: false }, async (client) => {
    const [failure] = await client.find('patient', { PatientName: '*' }).collect();
    assert.equal(failure!.status, 0xc000);
    assert.equal(failure!.command.ErrorComment, 'Identifier has no Query/Retrieve Level');
    assert.equal(failure!.identifier, undefined);
    const all = await client.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientName: '*' }).collect();
    assert.equal(all.length, 51);
  }));

test('a long stream is read with backpressure: the consumer never holds more than the high-water mark', () =>
  withScp({ handler: counting(20_000) }, async (client) => {
    const op = client.find('study', { QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: '' });
    let n = 0;
    for await (const r of op) {
      if (++n % 2000 === 0) await sleep(20);
      void r;
    }
    assert.equal(n, 20_001);
    assert.ok(op.maxQueued <= 600, `max queued ${op.maxQueued}`);
  }));

test('responses that break PS3.7 are reported: an Identifier on the final response, a Pending without one', () =>
  withScp(
    {
      handler: function* () {
        yield [0xff00, null];
        yield [0xfe00, { QueryRetrieveLevel: 'STUDY' }];
      },
    },
    async (client, events) => {
      const responses = await client.find('study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '' }).collect();
      assert.match(responses[0]!.problems.join(), /Pending response without an Identifier/);
      assert.match(responses[1]!.problems.join(), /carries an Identifier/);
      assert.equal(responses[1]!.identifier?.text('QueryRetrieveLevel'), 'STUDY');
      assert.equal(events.filter((e) => e.kind === 'violation').length, 2);
    },
  ));

test('a failing handler ends the C-FIND with C000 and the association goes on', () =>
  withScp(
    {
      handler: function* () {
        yield [0xff00, { QueryRetrieveLevel: 'STUDY' }];
        throw new Error('database gone');
      },
    },
    async (client) => {
      const responses = await client.find('study', { QueryRetrieveLevel: 'STUDY' }).collect();
      assert.deepEqual(responses.map((r) => r.status), [0xff00, 0xc000]);
      assert.match(responses[1]!.command.ErrorComment!, /database gone/);
      assert.equal((await client.echo()).status, 0);
    },
  ));

test('DIMSE timeout: no response within the limit fails the operation (DIMSE_TIMEOUT) and aborts; a paused consumer is not timed out', async () => {
  const { FakeClock } = await import('../clock/fake-clock.ts');
  const clock = new FakeClock();
  const scp = new Scp({
    aeTitle: 'QRSCP',
    find: {
      handler: async function* (request) {
        if (request.identifier.text('PatientID') === 'SILENT') await new Promise(() => {});
        yield [0xff00, { QueryRetrieveLevel: 'PATIENT' }];
      },
    },
  });
  const port = await scp.listen(0);
  try {
    const c = await DimseClient.connect({
      host: '127.0.0.1',
      port,
      calledAeTitle: 'QRSCP',
      callingAeTitle: 'FINDSCU',
      presentationContexts: [{ abstractSyntax: PATIENT_ROOT, transferSyntaxes: [IMPLICIT] }],
      clock,
      dimseTimeoutMs: 1000,
    });
    const ok = await c.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientID: 'X' }).collect();
    assert.equal(ok.length, 2);
    const op = c.find('patient', { QueryRetrieveLevel: 'PATIENT', PatientID: 'SILENT' });
    await sleep(20);
    clock.advance(999);
    assert.equal(op.done, false);
    clock.advance(1);
    await assert.rejects(op.collect(), (e: Error & { code?: string }) => e.code === 'DIMSE_TIMEOUT');
    const end = await c.association.ended;
    assert.equal(end.how, 'aborted');
  } finally {
    await scp.close();
  }
});

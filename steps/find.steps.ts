import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Given, Then, When } from '@cucumber/cucumber';
import type { DataTable } from '@cucumber/cucumber';
import { DataSet } from '../simulators/dataset/data-set.ts';
import type { DataSetInput } from '../simulators/dataset/data-set.ts';
import { FIND_MODELS } from '../simulators/dimse/find.ts';
import type { FindModel } from '../simulators/dimse/find.ts';
import type { FindHandler } from '../simulators/scp/find-service.ts';
import { recordsFindHandler } from '../simulators/scp/handlers/records.ts';
import { seedFindHandler } from '../simulators/scp/handlers/seed.ts';
import { loadRecords } from '../cli/records.ts';
import type { HarnessWorld } from './support/world.ts';
import { associate } from './association.steps.ts';

const MODELS: Record<string, FindModel> = { 'Patient Root': 'patient', 'Study Root': 'study', 'Patient/Study Only': 'psonly', 'Modality Worklist': 'mwl' };

function streaming(count: number, status: number, delayMs: number): FindHandler {
  return async function* (request) {
    for (let i = 1; i <= count; i++) {
      if (delayMs > 0) await sleep(delayMs);
      yield [status, { QueryRetrieveLevel: request.identifier.text('QueryRetrieveLevel') ?? 'IMAGE', SOPInstanceUID: `1.2.826.0.1.3680043.9.7433.5.${i}`, InstanceNumber: String(i) }];
    }
  };
}

Given('an SCP {string} answering C-FIND from {string}', async function (this: HarnessWorld, ae: string, file: string) {
  await this.startScp(ae, { find: { handler: recordsFindHandler(loadRecords(path.resolve(file)), { retrieveAeTitle: ae }) } });
});

// One definition per form, so every capture group is a parameter that always matches (an optional group
// that matches nothing has no position, and the HTML report then repeats the step's text).
async function streamingScp(world: HarnessWorld, ae: string, count: string, status: string, delay: string | undefined, ignoring: boolean): Promise<void> {
  await world.startScp(ae, { find: { handler: streaming(Number(count), parseInt(status, 16), Number(delay ?? 0)), honourCancel: !ignoring } });
}

Given(/^an SCP "([^"]+)" streaming (\d+) Pendings? with status (FF00|FF01)$/, function (this: HarnessWorld, ae: string, count: string, status: string) {
  return streamingScp(this, ae, count, status, undefined, false);
});

Given(/^an SCP "([^"]+)" streaming (\d+) Pendings? with status (FF00|FF01), ignoring C-CANCEL$/, function (this: HarnessWorld, ae: string, count: string, status: string) {
  return streamingScp(this, ae, count, status, undefined, true);
});

Given(/^an SCP "([^"]+)" streaming (\d+) Pendings? with status (FF00|FF01), (\d+) ms apart$/, function (this: HarnessWorld, ae: string, count: string, status: string, delay: string) {
  return streamingScp(this, ae, count, status, delay, false);
});

Given(/^an SCP "([^"]+)" streaming (\d+) Pendings? with status (FF00|FF01), (\d+) ms apart, ignoring C-CANCEL$/, function (this: HarnessWorld, ae: string, count: string, status: string, delay: string) {
  return streamingScp(this, ae, count, status, delay, true);
});

Given("an SCP {string} running the seed's find handler over {int} patients", async function (this: HarnessWorld, ae: string, n: number) {
  const patients = Array.from({ length: n }, (_, i) => DataSet.from({ PatientName: `PATIENT^${i + 1}`, PatientID: `P${i + 1}` }));
  await this.startScp(ae, { find: { handler: seedFindHandler(patients), honourCancel: false } });
});

Given('an SCP {string} that answers {int} Pendings then FE00 with an Identifier', async function (this: HarnessWorld, ae: string, n: number) {
  await this.startScp(ae, {
    find: {
      handler: function* () {
        for (let i = 0; i < n; i++) yield [0xff00, { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: `1.2.3.${i + 1}` }];
        yield [0xfe00, { QueryRetrieveLevel: 'STUDY' }];
      },
    },
  });
});

When(/^"([^"]+)" associates with "([^"]+)" proposing (Patient Root|Study Root|Patient\/Study Only|Modality Worklist) FIND$/, async function (this: HarnessWorld, calling: string, called: string, model: string) {
  await associate(this, calling, called, called, {
    presentationContexts: [
      { abstractSyntax: FIND_MODELS[MODELS[model]!].sopClassUid, transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] },
      { abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
    ],
  });
  this.findModel = MODELS[model]!;
});

function keysFrom(table: DataTable | undefined): Record<string, string> {
  return Object.fromEntries((table?.raw() ?? []).map(([k, v]) => [k!, v ?? '']));
}

async function query(world: HarnessWorld, identifier: DataSetInput, cancel?: number): Promise<void> {
  const op = world.requireClient().find(world.findModel ?? 'study', identifier);
  world.findOp = op;
  world.responses = [];
  world.findError = undefined;
  if (cancel === 0) op.cancel();
  let pendings = 0;
  try {
    for await (const r of op) {
      world.responses.push(r);
      if (!r.final && ++pendings === cancel) op.cancel();
    }
  } catch (e) {
    // Kept for the steps that expect it; a step asking for a final response fails with it.
    world.findError = e as Error & { code?: string };
  }
}

When(/^the SCU queries at (PATIENT|STUDY|SERIES|IMAGE) level with:$/, function (this: HarnessWorld, level: string, table: DataTable) {
  return query(this, { QueryRetrieveLevel: level, ...keysFrom(table) });
});

When('the SCU queries without a level with:', function (this: HarnessWorld, table: DataTable) {
  return query(this, keysFrom(table));
});

When(/^the SCU queries at (PATIENT|STUDY|SERIES|IMAGE) level, cancelling after (\d+) Pendings, with:$/, function (this: HarnessWorld, level: string, after: string, table: DataTable) {
  return query(this, { QueryRetrieveLevel: level, ...keysFrom(table) }, Number(after));
});

When(/^the SCU queries at (PATIENT|STUDY|SERIES|IMAGE) level and cancels after (\d+) Pendings$/, function (this: HarnessWorld, level: string, after: string) {
  return query(this, { QueryRetrieveLevel: level, SOPInstanceUID: '' }, Number(after));
});

When(/^the SCU queries at (PATIENT|STUDY|SERIES|IMAGE) level and cancels before the first Pending$/, function (this: HarnessWorld, level: string) {
  return query(this, { QueryRetrieveLevel: level, SOPInstanceUID: '' }, 0);
});

When('the SCU cancels the finished query', async function (this: HarnessWorld) {
  assert.ok(this.findOp?.done, 'the query has not finished');
  assert.equal(this.findOp.cancel(), false);
  await sleep(100);
});

const pendings = (w: HarnessWorld) => w.responses.filter((r) => !r.final);
const final = (w: HarnessWorld) => {
  const f = w.responses.at(-1);
  assert.ok(f?.final, `no final response${w.findError ? `: ${w.findError.message}` : ''}`);
  return f;
};

Then(/^the responses are (\d+) Pendings? and a final ([0-9A-F]{4})$/, function (this: HarnessWorld, n: string, status: string) {
  assert.equal(pendings(this).length, Number(n), 'Pending responses');
  assert.equal(final(this).status, parseInt(status, 16), 'final status');
  assert.equal(this.responses.filter((r) => r.final).length, 1, 'exactly one final response');
});

Then('the final status is {word}', function (this: HarnessWorld, status: string) {
  assert.equal(final(this).status.toString(16).toUpperCase().padStart(4, '0'), status);
});

Then('the final response has the Error Comment {string}', function (this: HarnessWorld, comment: string) {
  assert.equal(final(this).command.ErrorComment, comment);
});

Then('every Pending carries an Identifier and the final response carries none', function (this: HarnessWorld) {
  for (const r of pendings(this)) assert.ok(r.identifier, `Pending ${r.index} has no Identifier`);
  assert.equal(final(this).identifierBytes, undefined);
  assert.equal(final(this).command.CommandDataSetType, 0x0101);
});

Then('every response echoes the message ID and names the SOP class', function (this: HarnessWorld) {
  for (const r of this.responses) {
    assert.equal(r.command.MessageIDBeingRespondedTo, this.findOp!.messageId);
    assert.equal(r.command.AffectedSOPClassUID, this.findOp!.sopClassUid);
  }
});

Then('Pending {int} has {word} {string}', function (this: HarnessWorld, index: number, keyword: string, value: string) {
  assert.equal(pendings(this)[index - 1]?.identifier?.text(keyword), value);
});

Then('the Pendings arrive in order', function (this: HarnessWorld) {
  pendings(this).forEach((r, i) => assert.equal(r.identifier?.text('InstanceNumber'), String(i + 1)));
});

Then('no response broke a rule', function (this: HarnessWorld) {
  assert.deepEqual(this.responses.flatMap((r) => r.problems), []);
});

Then('response {int} is reported for {string}', function (this: HarnessWorld, index: number, words: string) {
  const r = this.responses[index - 1];
  assert.ok(r?.problems.some((p) => p.includes(words)), `problems: ${r?.problems.join('; ')}`);
});

Then(/^at most (\d+) Pendings arrived$/, function (this: HarnessWorld, n: string) {
  assert.ok(pendings(this).length <= Number(n), `${pendings(this).length} Pendings arrived`);
});

Then(/^(\d+) Pendings arrived$/, function (this: HarnessWorld, n: string) {
  assert.equal(pendings(this).length, Number(n));
});

Then('nothing arrived for the C-FIND after its final response', async function (this: HarnessWorld) {
  await sleep(50);
  const late = this.trace.filter((e) => e.kind === 'violation' && e.message.includes('no outstanding request'));
  assert.deepEqual(late, []);
});

Then('the association is still usable', async function (this: HarnessWorld) {
  assert.equal((await this.requireClient().echo()).status, 0);
});

Then('a finding is reported: {string}', function (this: HarnessWorld, text: string) {
  const cancelled = this.responses.some((r) => r.afterCancel) || this.findOp?.result !== undefined;
  assert.ok(cancelled);
  this.finding(`${text} (${pendings(this).length} Pendings after a cancel sent at Pending 3, final ${final(this).status.toString(16).toUpperCase().padStart(4, '0')})`);
});

import assert from 'node:assert/strict';
import { Given, Then } from '@cucumber/cucumber';
import { parseTag } from '../simulators/dataset/dictionary.ts';
import type { HarnessWorld } from './support/world.ts';
import { waitFor } from './association.steps.ts';

Given('the scenario {string} is running', async function (this: HarnessWorld, file: string) {
  await this.startScenario(file);
});

Given('the SCU gives up on a C-FIND after {int} ms without a response', function (this: HarnessWorld, ms: number) {
  this.dimseTimeoutMs = ms;
});

Then('the A-ASSOCIATE-AC came after at least {int} ms', function (this: HarnessWorld, ms: number) {
  assert.ok(this.client, `no association: ${this.lastError?.message}`);
  assert.ok(this.associationMs! >= ms, `the AC came after ${Math.round(this.associationMs!)} ms`);
});

Then('the final response names the Offending Elements {string}', function (this: HarnessWorld, keywords: string) {
  const f = this.responses.at(-1);
  assert.ok(f?.final, 'no final response');
  assert.deepEqual(f.command.OffendingElement, keywords.split(',').map((k) => parseTag(k.trim())));
});

Then('the final response has the Error ID {int}', function (this: HarnessWorld, id: number) {
  assert.equal(this.responses.at(-1)?.command.ErrorID, id);
});

Then('the final response carries no Identifier', function (this: HarnessWorld) {
  const f = this.responses.at(-1);
  assert.ok(f?.final, 'no final response');
  assert.equal(f.command.CommandDataSetType, 0x0101);
  assert.equal(f.identifierBytes, undefined);
});

Then('the C-FIND ended without a final response: {word}', function (this: HarnessWorld, code: string) {
  assert.ok(this.findError, `the C-FIND ended with ${this.responses.at(-1)?.status.toString(16)}`);
  assert.equal(this.findError.code, code, this.findError.message);
});

Then('the SCU reported the violation {string}', function (this: HarnessWorld, words: string) {
  const seen = this.trace.filter((e) => e.kind === 'violation' && !e.associationId.startsWith('scp-')).map((e) => (e as { message: string }).message);
  assert.ok(
    seen.some((m) => m.includes(words)),
    `violations: ${seen.join(' | ') || 'none'}`,
  );
});

Then('the SCU reported a fault {string}', function (this: HarnessWorld, words: string) {
  const seen = this.trace.filter((e) => e.kind === 'fault' && !e.associationId.startsWith('scp-')).map((e) => (e as { error: Error }).error.message);
  assert.ok(
    seen.some((m) => m.includes(words)),
    `faults: ${seen.join(' | ') || 'none'}`,
  );
});

Then(/^the SCP "([^"]+)" recorded a C-CANCEL for message (\d+) after (\d+) Pendings, then sent (\d+) more and a final ([0-9A-F]{4})$/, async function (this: HarnessWorld, ae: string, id: string, before: string, after: string, status: string) {
  const recorder = this.recorder(ae);
  await waitFor(() => recorder.cancels().some((c) => c.finalStatus !== undefined), 'the SCP to finish the cancelled C-FIND');
  const [c] = recorder.cancels();
  assert.ok(c, 'no C-CANCEL was recorded');
  assert.deepEqual([c.messageIdBeingRespondedTo, c.pendingsBefore, c.pendingsAfter, c.finalStatus], [Number(id), Number(before), Number(after), parseInt(status, 16)]);
});

Then('the SCP {string} sent a P-DATA-TF longer than the {int} bytes the SCU allowed', function (this: HarnessWorld, _ae: string, max: number) {
  const sent = this.trace.filter((e) => e.kind === 'pdu:sent' && e.associationId.startsWith('scp-') && e.raw[0] === 0x04).map((e) => (e as { raw: Buffer }).raw);
  assert.ok(sent.some((p) => p.readUInt32BE(2) > max), 'every P-DATA-TF fitted');
});

Then('the SCP {string} sent every fragment as a P-DATA-TF of {int} bytes', function (this: HarnessWorld, _ae: string, size: number) {
  const sent = this.trace.filter((e) => e.kind === 'pdu:sent' && e.associationId.startsWith('scp-') && e.raw[0] === 0x04).map((e) => (e as { raw: Buffer }).raw);
  assert.ok(sent.length > 0);
  assert.deepEqual([...new Set(sent.map((p) => p.length))], [size]);
});

import assert from 'node:assert/strict';
import { Then, When } from '@cucumber/cucumber';
import type { HarnessWorld } from './support/world.ts';

When('the SCU sends C-ECHO', async function (this: HarnessWorld) {
  this.echoResults.push(await this.requireClient().echo());
});

When('the SCU sends C-ECHO with message ID {int}', async function (this: HarnessWorld, messageId: number) {
  this.echoResults.push(await this.requireClient().echo({ messageId }));
});

Then('the C-ECHO status is {word}', function (this: HarnessWorld, hex: string) {
  const last = this.echoResults.at(-1);
  assert.ok(last, 'no C-ECHO response');
  assert.equal(last.status, parseInt(hex, 16));
});

Then('the C-ECHO response echoes the message ID and carries no data set', function (this: HarnessWorld) {
  const last = this.echoResults.at(-1)!;
  assert.equal(last.command.MessageIDBeingRespondedTo, last.messageId);
  assert.equal(last.command.CommandDataSetType, 0x0101);
});

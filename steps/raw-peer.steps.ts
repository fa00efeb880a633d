import assert from 'node:assert/strict';
import { Then, When } from '@cucumber/cucumber';
import { RawPeer } from '../simulators/testing/raw-peer.ts';
import { abortOf, bytes } from '../simulators/testing/pdus.ts';
import type { HarnessWorld } from './support/world.ts';

/** PDUs a feature can make the raw peer send, by the words the feature uses. */
const sendable: Record<string, () => Buffer> = {
  'an A-RELEASE-RQ': () => bytes.releaseRq(),
  'a second A-ASSOCIATE-RQ': () => bytes.rq(),
  'an unknown PDU type 0AH': () => bytes.unknownType(),
  'an A-RELEASE-RQ of length 6': () => bytes.badLength(),
  'a P-DATA-TF': () => bytes.pdata(),
};

function peer(world: HarnessWorld): RawPeer {
  const p = world.rawPeers.at(-1);
  if (!p) throw new Error('no raw peer in this scenario');
  return p;
}

async function connect(world: HarnessWorld, scp: string): Promise<RawPeer> {
  const p = await RawPeer.connect(world.scp(scp).port!);
  world.rawPeers.push(p);
  return p;
}

When('a raw peer connects to {string} and sends nothing', async function (this: HarnessWorld, scp: string) {
  await connect(this, scp);
});

When('a raw peer connects to {string} and sends an A-RELEASE-RQ', async function (this: HarnessWorld, scp: string) {
  (await connect(this, scp)).send(bytes.releaseRq());
});

When('a raw peer associates with {string}', async function (this: HarnessWorld, scp: string) {
  const p = await connect(this, scp);
  p.send(bytes.rq({ calledAeTitle: scp }));
  const ac = await p.nextPdu();
  assert.equal(ac[0], 0x02, 'the SCP did not accept the raw peer');
});

When(/^the raw peer sends (.+)$/, function (this: HarnessWorld, what: string) {
  const build = sendable[what];
  if (!build) throw new Error(`the raw peer cannot send "${what}"; known: ${Object.keys(sendable).join(', ')}`);
  peer(this).send(build());
});

Then('the raw peer receives an A-ABORT with source {int}', async function (this: HarnessWorld, source: number) {
  const abort = abortOf(await peer(this).nextPdu());
  assert.ok(abort, 'the PDU received is not an A-ABORT');
  assert.equal(abort.source, source);
});

Then('the raw peer receives an A-ABORT with source {int} and reason {int}', async function (this: HarnessWorld, source: number, reason: number) {
  assert.deepEqual(abortOf(await peer(this).nextPdu()), { source, reason });
});

Then('the raw peer receives an A-RELEASE-RP', async function (this: HarnessWorld) {
  assert.equal((await peer(this).nextPdu())[0], 0x06);
});

Then('the SCP closes the connection within {int} ms', async function (this: HarnessWorld, ms: number) {
  await peer(this).closedWithin(ms);
});

Then('the SCP closes the connection within {int} ms without sending a byte', async function (this: HarnessWorld, ms: number) {
  const p = peer(this);
  await p.closedWithin(ms);
  assert.equal(Buffer.concat(p.bytes).length, 0);
});

Then('the SCP reports the fault {word}', function (this: HarnessWorld, code: string) {
  const faults = this.scpEvents().filter((e) => e.kind === 'fault');
  assert.ok(
    faults.some((e) => e.kind === 'fault' && e.error.code === code),
    `faults seen: ${faults.map((e) => (e.kind === 'fault' ? e.error.code : '')).join(', ') || 'none'}`,
  );
});

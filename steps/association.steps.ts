import assert from 'node:assert/strict';
import { Given, Then, When } from '@cucumber/cucumber';
import type { DataTable } from '@cucumber/cucumber';
import { DimseClient, verificationContext } from '../simulators/scu/dimse-client.ts';
import type { RequestorOptions } from '../simulators/ul/association/requestor.ts';
import { uidOf } from './support/names.ts';
import type { HarnessWorld } from './support/world.ts';

Given('an SCP {string} is listening', async function (this: HarnessWorld, ae: string) {
  await this.startScp(ae);
});

Given('an SCP {string} is listening with a maximum PDU length of {int}', async function (this: HarnessWorld, ae: string, max: number) {
  await this.startScp(ae, { policy: { maxPduLength: max } });
});

Given('an SCP {string} is listening that accepts only calling AE title {string}', async function (this: HarnessWorld, ae: string, calling: string) {
  await this.startScp(ae, { policy: { callingAeTitles: [calling] } });
});

Given(
  'an SCP {string} is listening that rejects every association with {int}\\/{int}\\/{int}',
  async function (this: HarnessWorld, ae: string, result: number, source: number, reason: number) {
    await this.startScp(ae, { policy: { decide: () => ({ kind: 'reject', reject: { result, source, reason } }) } });
  },
);

Given('an SCP {string} is listening with an ARTIM timeout of {int} ms', async function (this: HarnessWorld, ae: string, ms: number) {
  await this.startScp(ae, { timeouts: { artimMs: ms } });
});

/** Requests an association for the scenario; a refusal is kept in `lastError` for the Then steps. */
export async function associate(world: HarnessWorld, calling: string, called: string, scpName: string, extra: Partial<RequestorOptions> = {}): Promise<void> {
  world.client = undefined;
  world.lastError = undefined;
  const t0 = performance.now();
  try {
    world.client = await DimseClient.connect({
      host: '127.0.0.1',
      port: world.scp(scpName).port!,
      calledAeTitle: called,
      callingAeTitle: calling,
      presentationContexts: [verificationContext],
      events: world.events,
      dimseTimeoutMs: world.dimseTimeoutMs,
      ...extra,
    });
    world.clientEnd = world.client.association.ended;
  } catch (e) {
    world.lastError = e as Error & { code?: string };
  } finally {
    world.associationMs = performance.now() - t0;
  }
}

When('{string} associates with {string} proposing Verification', function (this: HarnessWorld, calling: string, called: string) {
  return associate(this, calling, called, called);
});

When('{string} associates with {string} at {string} proposing Verification', function (this: HarnessWorld, calling: string, called: string, scp: string) {
  return associate(this, calling, called, scp);
});

When(
  '{string} associates with {string} proposing Verification with a maximum PDU length of {int}',
  function (this: HarnessWorld, calling: string, called: string, max: number) {
    return associate(this, calling, called, called, { maxPduLength: max });
  },
);

When(
  '{string} associates with {string} proposing Verification in application context {string}',
  function (this: HarnessWorld, calling: string, called: string, applicationContextName: string) {
    return associate(this, calling, called, called, { applicationContextName });
  },
);

When(
  '{string} associates with {string} proposing Verification with protocol version {int}',
  function (this: HarnessWorld, calling: string, called: string, protocolVersion: number) {
    return associate(this, calling, called, called, { protocolVersion });
  },
);

When('{string} associates with {string} proposing:', function (this: HarnessWorld, calling: string, called: string, table: DataTable) {
  const presentationContexts = table.hashes().map((row) => ({
    abstractSyntax: uidOf(row['abstract syntax']!),
    transferSyntaxes: row['transfer syntaxes']!.split(',').map(uidOf),
  }));
  return associate(this, calling, called, called, { presentationContexts });
});

Then('the association is accepted', function (this: HarnessWorld) {
  assert.ok(this.client, `the association was not accepted: ${this.lastError?.message}`);
});

Then(/^presentation context (\d+) is accepted with (.+)$/, function (this: HarnessWorld, id: string, ts: string) {
  const ctx = this.requireClient().association.contexts.get(Number(id));
  assert.ok(ctx, `presentation context ${id} was not accepted`);
  assert.equal(ctx.transferSyntax, uidOf(ts));
});

Then('the presentation context results are:', function (this: HarnessWorld, table: DataTable) {
  const got = this.requireClient().association.accept.presentationContexts.map((c) => ({ id: String(c.id), result: String(c.result) }));
  assert.deepEqual(got, table.hashes());
});

Then('the association is rejected with result {int}, source {int}, reason {int}', function (this: HarnessWorld, result: number, source: number, reason: number) {
  const e = this.lastError as (Error & { code?: string; result?: number; source?: number; reason?: number }) | undefined;
  assert.ok(e, 'the association was accepted');
  assert.equal(e.code, 'UL_ASSOCIATION_REJECTED', e.message);
  assert.deepEqual([e.result, e.source, e.reason], [result, source, reason]);
});

Then('the rejection reads {string}', function (this: HarnessWorld, words: string) {
  assert.ok(this.lastError?.message.includes(words), `"${this.lastError?.message}" does not say "${words}"`);
});

When('the SCU releases the association', async function (this: HarnessWorld) {
  await this.requireClient().release();
});

When('the SCU aborts the association', function (this: HarnessWorld) {
  this.requireClient().abort();
});

Then('the association ends released', async function (this: HarnessWorld) {
  const end = await this.clientEnd!;
  assert.equal(end.how, 'released');
});

Then(/^the association ends aborted by (local|peer|provider)$/, async function (this: HarnessWorld, by: string) {
  const end = await this.clientEnd!;
  assert.equal(end.how, 'aborted');
  assert.equal(end.by, by);
});

Then('the SCP saw the association released by the peer', async function (this: HarnessWorld) {
  await waitFor(() => this.scpEvents().some((e) => e.kind === 'association' && e.phase === 'released' && e.by === 'peer'), 'the SCP to see the release');
});

Then('the SCP saw an A-ABORT with source {int} and sent nothing after it', async function (this: HarnessWorld, source: number) {
  await waitFor(() => this.scpEvents().some((e) => e.kind === 'transport' && e.phase === 'closed'), 'the SCP to close');
  const scp = this.scpEvents();
  const abortAt = scp.findIndex((e) => e.kind === 'pdu:received' && e.pdu?.type === 0x07);
  assert.ok(abortAt >= 0, 'the SCP received no A-ABORT');
  const abort = scp[abortAt]!;
  assert.ok(abort.kind === 'pdu:received' && abort.pdu && 'source' in abort.pdu && abort.pdu.source === source);
  assert.deepEqual(scp.slice(abortAt).filter((e) => e.kind === 'pdu:sent'), []);
});

Then('no P-DATA-TF in either direction is longer than {int} bytes', function (this: HarnessWorld, max: number) {
  const pdata = this.trace.filter((e) => (e.kind === 'pdu:sent' || e.kind === 'pdu:received') && e.raw[0] === 0x04);
  assert.ok(pdata.length > 0, 'no P-DATA-TF was seen');
  for (const e of pdata) {
    const raw = (e as { raw: Buffer }).raw;
    assert.ok(raw.readUInt32BE(2) <= max, `a P-DATA-TF of PDU-length ${raw.readUInt32BE(2)}`);
  }
});

export async function waitFor(check: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

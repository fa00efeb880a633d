import assert from 'node:assert/strict';
import path from 'node:path';
import { Given, Then, When } from '@cucumber/cucumber';
import type { DataTable } from '@cucumber/cucumber';
import { answerFindExtendedNegotiation } from '../simulators/matching/negotiation.ts';
import { PROFILES } from '../simulators/matching/profile.ts';
import { storeFindHandler } from '../simulators/scp/handlers/store.ts';
import { DimseClient } from '../simulators/scu/dimse-client.ts';
import { loadYamlStore } from '../simulators/store/yaml-store.ts';
import type { HarnessWorld } from './support/world.ts';

const SOP: Record<string, string> = { PatientRoot: '1.2.840.10008.5.1.4.1.2.1.1', StudyRoot: '1.2.840.10008.5.1.4.1.2.2.1', MWL: '1.2.840.10008.5.1.4.31', PatientStudyOnly: '1.2.840.10008.5.1.4.1.2.3.1' };
const MODEL: Record<string, string> = { PatientRoot: 'patient', StudyRoot: 'study', MWL: 'mwl', PatientStudyOnly: 'psonly' };
const EXT = ['relational', 'datetime', 'fuzzy', 'timezone', 'enhanced_mf', 'empty_value', 'multi_value'];

// Two definitions rather than an optional group: an optional group that matches nothing has no position,
// and the HTML report then repeats the step's text.
Given(/^an SCP "([^"]+)" serving the store "([^"]+)"$/, function (this: HarnessWorld, ae: string, file: string) {
  return serveStore(this, ae, file, undefined);
});

Given(/^an SCP "([^"]+)" serving the store "([^"]+)" with the (\S+) profile$/, function (this: HarnessWorld, ae: string, file: string, profile: string) {
  return serveStore(this, ae, file, profile);
});

async function serveStore(world: HarnessWorld, ae: string, file: string, profile: string | undefined): Promise<void> {
  const p = PROFILES[profile ?? 'strict'];
  assert.ok(p, `unknown profile ${profile}`);
  const store = loadYamlStore(path.resolve(file));
  await world.startScp(ae, {
    find: { handler: storeFindHandler(store, { profile: p, retrieveAeTitle: ae }) },
    policy: { extendedNegotiation: answerFindExtendedNegotiation({ relational: true, dateTime: true, fuzzy: true, timezone: true, emptyValue: true, multipleValue: true }) },
  });
  world.scpName = ae;
}

async function runQuery(world: HarnessWorld, model: string, identifier: Record<string, unknown>, ext?: Record<string, number>): Promise<void> {
  const sop = SOP[model]!;
  const info = ext ? Uint8Array.from(EXT.map((b) => (ext[b] ? 1 : 0))) : undefined;
  const client = await DimseClient.connect({
    host: '127.0.0.1',
    port: world.scp(world.scpName!).port!,
    calledAeTitle: world.scpName!,
    callingAeTitle: 'FINDSCU',
    presentationContexts: [{ abstractSyntax: sop, transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] }],
    ...(info && { extendedNegotiations: [{ sopClassUid: sop, applicationInformation: info }] }),
    events: world.events,
  });
  world.client = client;
  world.findOp = client.find(MODEL[model]!, identifier as never);
  world.responses = await world.findOp.collect();
  await client.release();
}

When(/^the SCU queries the (Patient Root|Study Root|Patient\/Study Only|Modality Worklist) model with:$/, async function (this: HarnessWorld, model: string, table: DataTable) {
  const key = { 'Patient Root': 'PatientRoot', 'Study Root': 'StudyRoot', 'Patient/Study Only': 'PatientStudyOnly', 'Modality Worklist': 'MWL' }[model]!;
  await runQuery(this, key, Object.fromEntries(table.raw().map(([k, v]) => [k!, v ?? ''])));
});

When(/^the SCU queries the (Patient Root|Study Root) model, offering (.+), with:$/, async function (this: HarnessWorld, model: string, offered: string, table: DataTable) {
  const key = { 'Patient Root': 'PatientRoot', 'Study Root': 'StudyRoot' }[model]!;
  const ext = Object.fromEntries(offered.split(/,\s*|\s+and\s+/).map((name) => [{ 'fuzzy matching': 'fuzzy', 'timezone adjustment': 'timezone', 'combined date-time': 'datetime', nothing: '' }[name.trim()] ?? name.trim(), 1]));
  await runQuery(this, key, Object.fromEntries(table.raw().map(([k, v]) => [k!, v ?? ''])), ext);
});

Then('the Pendings have these {word} values:', function (this: HarnessWorld, keyword: string, table: DataTable) {
  const got = this.responses.filter((r) => !r.final).map((r) => r.identifier!.text(keyword) ?? '(absent)').sort();
  assert.deepEqual(got, table.raw().map((row) => row[0]!).sort());
});

Then('the Pendings have the {word} values {string}', function (this: HarnessWorld, keyword: string, list: string) {
  const got = this.responses.filter((r) => !r.final).map((r) => r.identifier!.text(keyword) ?? '(absent)').sort();
  assert.deepEqual(got, list === '' ? [] : list.split(',').map((x) => x.trim()).sort());
  assert.equal(this.responses.at(-1)?.status, 0, 'final status');
});

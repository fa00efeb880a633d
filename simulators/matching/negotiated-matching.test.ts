/**
 * Fuzzy semantic PN matching and timezone query adjustment, end to end: our SCU offers (or not)
 * extended negotiation bytes 3 and 4, our store-backed SCP accepts them, and the answers change
 * as PS3.4 C.2.2.2.1.1 and C.2.2.2.1.3 say.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SopClass } from '../dimse/sop-classes.ts';
import { connectClient, startScenarioScp } from '../testing/scenario-harness.ts';
import type { RunningScenario } from '../testing/scenario-harness.ts';

const ARCHIVE = `name: x
store:
  patients:
    - PatientID: P1
      PatientName: Müller^Jürgen
      studies:
        - { StudyInstanceUID: "1.1", StudyDate: "20240301", StudyTime: "003000" }
        - { StudyInstanceUID: "1.2", StudyDate: "20240301", StudyTime: "120000" }
    - PatientID: P2
      PatientName: CITIZEN^Jan
      studies:
        - { StudyInstanceUID: "2.1", StudyDate: "20240229", StudyTime: "233000" }
scp:
  aeTitle: QRSCP
  timezone: "+0100"
`;

async function ask(s: RunningScenario, offer: number[] | undefined, identifier: Record<string, string>) {
  const { client } = await connectClient(s.port, offer ? { extendedNegotiations: [{ sopClassUid: SopClass.StudyRootQueryRetrieveFind, applicationInformation: Uint8Array.from(offer) }] } : {});
  const accepted = client.association.accept.extendedNegotiations.find((e) => e.sopClassUid === SopClass.StudyRootQueryRetrieveFind)?.applicationInformation;
  const r = await client.find('study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', ...identifier }).collect();
  await client.release();
  return { accepted: accepted && [...accepted], r, uids: r.filter((x) => !x.final).map((x) => x.identifier!.text('StudyInstanceUID')).sort(), final: r.at(-1)!.status };
}

test('fuzzy semantic PN matching only when byte 3 was accepted (C.2.2.2.1.1)', async () => {
  const s = await startScenarioScp(ARCHIVE);
  try {
    const fuzzy = await ask(s, [0, 0, 1, 0], { PatientName: 'muller^jurgen' });
    assert.deepEqual(fuzzy.accepted, [0, 0, 1, 0]);
    assert.deepEqual(fuzzy.uids, ['1.1', '1.2']);
    assert.deepEqual((await ask(s, [0, 0, 1, 0], { PatientName: 'Jan^Citizen' })).uids, ['2.1']);
    assert.deepEqual((await ask(s, undefined, { PatientName: 'muller^jurgen' })).uids, []);
    assert.deepEqual((await ask(s, [0, 0, 0, 0], { PatientName: 'Jan^Citizen' })).uids, []);
  } finally {
    await s.close();
  }
});

test('timezone query adjustment only when byte 4 was accepted: times move with their dates, and the response says its zone (C.2.2.2.1.3)', async () => {
  const s = await startScenarioScp(ARCHIVE);
  try {
    // Stored at +0100: 1.1 is 2024-02-29 23:30 UTC, 1.2 is 11:00 UTC, 2.1 is 22:30 UTC the day before.
    const utc = await ask(s, [0, 0, 0, 1], { TimezoneOffsetFromUTC: '+0000', StudyDate: '20240229', StudyTime: '2300-2359' });
    assert.deepEqual(utc.accepted, [0, 0, 0, 1]);
    assert.deepEqual(utc.uids, ['1.1']);
    const pending = utc.r[0]!.identifier!;
    assert.equal(pending.text('TimezoneOffsetFromUTC'), '+0000');
    assert.equal(pending.text('StudyDate'), '20240229');
    assert.equal(pending.text('StudyTime'), '233000');
    // Without the negotiation the offset is not applied: the stored local times are compared.
    const plain = await ask(s, undefined, { TimezoneOffsetFromUTC: '+0000', StudyDate: '20240229', StudyTime: '2300-2359' });
    assert.deepEqual(plain.uids, ['2.1']);
    assert.equal(plain.r[0]!.identifier!.text('TimezoneOffsetFromUTC'), undefined);
    // New York morning: 1.2 (11:00 UTC) is 06:00 at -0500.
    assert.deepEqual((await ask(s, [0, 0, 0, 1], { TimezoneOffsetFromUTC: '-0500', StudyTime: '0500-0700' })).uids, ['1.2']);
  } finally {
    await s.close();
  }
});

test('combined date-time with timezone adjustment: one period, in the query zone', async () => {
  const s = await startScenarioScp(ARCHIVE);
  try {
    const r = await ask(s, [0, 1, 0, 1], { TimezoneOffsetFromUTC: '+0000', StudyDate: '20240229-20240301', StudyTime: '2200-1030' });
    assert.deepEqual(r.uids, ['1.1', '2.1']);
  } finally {
    await s.close();
  }
});

test('a malformed or empty Timezone Offset From UTC is refused with A900 naming (0008,0201)', async () => {
  const s = await startScenarioScp(ARCHIVE);
  try {
    for (const bad of ['', 'EST']) {
      const r = await ask(s, [0, 0, 0, 1], { TimezoneOffsetFromUTC: bad });
      assert.equal(r.final, 0xa900, `"${bad}"`);
      assert.deepEqual(r.r.at(-1)!.command.OffendingElement, [0x00080201]);
    }
  } finally {
    await s.close();
  }
});

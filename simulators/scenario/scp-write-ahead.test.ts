/** scp.writeAhead: how far a scenario's SCP runs ahead of a slow reader, and a C-CANCEL after it (PS3.7 9.3.2.3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectClient, startScenarioScp } from '../testing/scenario-harness.ts';
import type { DimseMessageEvent } from '../dimse/events.ts';

/** The one series of the synthetic archive (see simulators/store/synthetic.ts). */
const IMAGE = { QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: '1.2.826.0.1.3680043.9.7433.3.1.1', SeriesInstanceUID: '1.2.826.0.1.3680043.9.7433.3.1.1.1', SOPInstanceUID: '' };
/** The P-DATA-TF and PDV headers around a command and a data set sent in separate PDUs (PS3.8 9.3.5). */
const PDU_OVERHEAD = 2 * (6 + 4 + 2);

test('scp.writeAhead: 2 holds at most 3 Pendings unflushed while the client does not read; its C-CANCEL then ends the stream with FE00 at once', async () => {
  const s = await startScenarioScp(`name: x\nstore:\n  synthetic: { patients: 1, studies: 1, series: 1, instances: 100000 }\nscp:\n  writeAhead: 2\n`);
  try {
    const { client } = await connectClient(s.port);
    client.association.pauseReading(true);
    const op = client.find('study', IMAGE);
    const pendingsSent = () => s.events.filter((e) => e.kind === 'dimse:sent' && (e as DimseMessageEvent).command.Status === 0xff00).length;
    let before = -1;
    for (let i = 0; i < 100 && pendingsSent() !== before; i++) {
      before = pendingsSent();
      await sleep(100);
    }
    const sent = s.events.filter((e): e is DimseMessageEvent => e.kind === 'dimse:sent' && e.command.Status === 0xff00);
    assert.ok(sent.length > 0 && sent.length < 100_000, `${sent.length} Pendings made`);
    const pendingBytes = sent[0]!.commandBytes.length + (sent[0]!.dataSet?.length ?? 0) + PDU_OVERHEAD;
    const association = [...s.scp.associations][0]!;
    assert.ok(association.unsentBytes <= 3 * pendingBytes, `${association.unsentBytes} bytes unsent, ${pendingBytes} a Pending`);
    op.cancel();
    client.association.pauseReading(false);
    let final: number | undefined;
    for await (const r of op) if (r.final) final = r.status;
    await client.release();
    assert.equal(final, 0xfe00);
    const [cancel] = s.recorder.cancels();
    assert.ok(cancel && cancel.pendingsAfter <= 64, JSON.stringify(cancel));
  } finally {
    await s.close();
  }
});

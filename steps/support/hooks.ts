import { After, Before, setDefaultTimeout } from '@cucumber/cucumber';
import { formatEvent } from '../../simulators/trace/format.ts';
import type { HarnessWorld } from './world.ts';
import { recordMissingVerdict } from './archive.ts';

setDefaultTimeout(30_000);

Before(function (this: HarnessWorld, { pickle, gherkinDocument }) {
  this.trace.length = 0;
  const line = gherkinDocument.feature?.children.find((c) => c.scenario && pickle.astNodeIds.includes(c.scenario.id))?.scenario?.location.line;
  this.scenario = { name: pickle.name, uri: pickle.uri, line, tags: pickle.tags.map((t) => t.name) };
});

/** Every scenario's report carries its traffic: DIMSE messages and PDUs in order, and the raw PDU bytes. */
After(async function (this: HarnessWorld, { result }) {
  if (result?.status !== 'PASSED' && result?.status !== 'SKIPPED') recordMissingVerdict(this, result?.message?.split('\n')[0] ?? String(result?.status));
  await this.cleanup();
  const origin = this.startedAt;
  const lines = this.trace.map((e) => formatEvent(e, { origin, pdus: true, states: true })).filter((l): l is string => l !== undefined);
  if (lines.length > 0) this.attach(lines.join('\n'), { mediaType: 'text/plain', fileName: 'traffic.txt' });
  const raw = this.trace
    .filter((e) => e.kind === 'pdu:sent' || e.kind === 'pdu:received')
    .map((e) => `${e.associationId} ${e.kind === 'pdu:sent' ? '→' : '←'} ${(e as { raw: Buffer }).raw.toString('hex').replace(/(..)/g, '$1 ').trim()}`);
  if (raw.length > 0) this.attach(raw.join('\n'), { mediaType: 'text/plain', fileName: 'raw-pdus.txt' });
});

import { After, Before, setDefaultTimeout } from '@cucumber/cucumber';
import { appendFileSync } from 'node:fs';
import { journalFromEvents } from '../../simulators/trace/journal-from-events.ts';
import { recordTraffic, TRAFFIC_MEDIA_TYPE } from '../../simulators/trace/record.ts';
import type { HarnessWorld } from './world.ts';
import { recordMissingVerdict } from './archive.ts';

setDefaultTimeout(30_000);

Before(function (this: HarnessWorld, { pickle, gherkinDocument }) {
  this.trace.length = 0;
  const line = gherkinDocument.feature?.children.find((c) => c.scenario && pickle.astNodeIds.includes(c.scenario.id))?.scenario?.location.line;
  this.scenario = { name: pickle.name, uri: pickle.uri, line, tags: pickle.tags.map((t) => t.name) };
});

/** Every scenario's report carries its traffic: every protocol event in order, with the raw bytes, as one JSON record. */
After(async function (this: HarnessWorld, { result }) {
  if (result?.status !== 'PASSED' && result?.status !== 'SKIPPED') recordMissingVerdict(this, result?.message?.split('\n')[0] ?? String(result?.status));
  await this.cleanup();
  if (this.trace.length === 0) return;
  const journal = this.parameters.journalFile;
  if (journal) {
    const wall = (at: number) => this.startedWall.getTime() + (at - this.startedAt);
    const lines = journalFromEvents(this.trace, wall).map((c) => JSON.stringify({ ...c, id: `${this.startedWall.getTime()}-${c.id}`, chunks: c.chunks.map((k) => ({ t: k.t, dir: k.dir, b64: k.bytes.toString('base64') })) }));
    if (lines.length) appendFileSync(journal, `${lines.join('\n')}\n`);
  }
  const record = recordTraffic(this.trace, this.startedAt, this.startedWall);
  this.attach(JSON.stringify(record), { mediaType: TRAFFIC_MEDIA_TYPE, fileName: 'traffic.json' });
});

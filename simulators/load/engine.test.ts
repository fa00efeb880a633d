import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { loadScenario } from '../scenario/load.ts';
import { scpFromScenario } from '../scenario/scp-runtime.ts';
import type { Scp } from '../scp/scp.ts';
import type { Scenario } from '../scenario/types.ts';
import { freePort } from '../testing/peers.ts';
import { tempDir } from '../testing/temp-dir.ts';
import { runLoad } from './engine.ts';
import { defaultMix, sessionPicker } from './mix.ts';
import type { LiveSnapshot, LoadMix, LoadOptions } from './types.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONFORMANCE = path.join(ROOT, 'scenarios/stores/conformance.yaml');

/** Our SCP from scenario YAML (its store files relative to the repository), on 127.0.0.1:0. */
async function scp(yaml: string): Promise<{ scp: Scp; port: number; scenario: Scenario }> {
  const dir = tempDir('load');
  const file = path.join(dir, 's.yaml');
  writeFileSync(file, yaml);
  const scenario = loadScenario(file);
  const s = scpFromScenario(scenario);
  return { scp: s, port: await s.listen(0, '127.0.0.1'), scenario };
}

const base = (port: number, mix: LoadMix, more: Partial<LoadOptions> = {}): LoadOptions => ({
  host: '127.0.0.1',
  port,
  calledAeTitle: 'QRSCP',
  callingAeTitle: 'QRHARNESS',
  concurrency: 4,
  mix,
  timeoutMs: 5000,
  ...more,
});

const oneFind = (name: string, find: Record<string, unknown>): LoadMix => ({ name, sessions: [{ name, weight: 1, steps: [{ find: find as never }] }] });

describe('runLoad against our SCP serving the conformance data set', () => {
  let archive: Awaited<ReturnType<typeof scp>>;
  before(async () => {
    archive = await scp(`name: conformance archive\nstore:\n  files: [${JSON.stringify(CONFORMANCE)}]\nscp:\n  aeTitle: QRSCP\n`);
  });
  after(() => archive.scp.close());

  test('closed model: one session per iteration, each of the default mix counted as it ran', async () => {
    const mix = defaultMix();
    const r = await runLoad(base(archive.port, mix, { iterations: 42, store: archive.scenario.store }));
    const pick = sessionPicker(mix);
    const picked = Array.from({ length: 42 }, (_, i) => pick(i).name);
    const cancels = picked.filter((n) => n === 'echo-then-cancel-after-2').length;
    assert.equal(r.counters.sessions, 42);
    assert.equal(r.counters.sessions_ok, 42, JSON.stringify(r.failures));
    assert.equal(r.counters.associations, 42);
    assert.equal(r.counters.c_find, 42);
    assert.equal(r.counters.c_echo, cancels);
    assert.equal(r.counters.c_cancel, cancels);
    // A C-CANCEL read after the SCP sent its last Pending gets 0000 (PS3.7 9.3.2.3): the split may vary, not the sum.
    assert.ok((r.finals.FE00 ?? 0) >= 1);
    assert.equal((r.finals.FE00 ?? 0) + (r.finals['0000'] ?? 0), 42);
    assert.equal(r.latency.cancel_to_fe00.count, cancels);
    assert.equal(r.latency.final.count, 42);
    assert.equal(r.latency.release.count, 42);
    for (const f of Object.values(r.failures)) assert.equal(f.count, 0);
    assert.equal(r.stoppedBy, 'completed');
    assert.ok(r.cpu.microsPerFind !== null && r.cpu.microsPerFind > 0);
  });

  test('shards split the iterations: i, i+N, i+2N…', async () => {
    const counts = [];
    for (let index = 0; index < 3; index++) {
      const r = await runLoad(base(archive.port, defaultMix(), { iterations: 10, shard: { index, count: 3 } }));
      counts.push(r.counters.sessions);
    }
    assert.deepEqual(counts, [4, 3, 3]);
  });

  test('open model: arrivals at the rate over the duration, the shard taking every N-th', async () => {
    const mix = oneFind('patients', { model: 'patient', level: 'PATIENT', identifier: { PatientID: 'PAT001' } });
    const whole = await runLoad(base(archive.port, mix, { rate: 40, durationMs: 500, concurrency: 50 }));
    assert.equal(whole.counters.sessions + whole.failures.dropped.count, 20);
    const half = await runLoad(base(archive.port, mix, { rate: 40, durationMs: 500, concurrency: 50, shard: { index: 1, count: 2 } }));
    assert.equal(half.counters.sessions + half.failures.dropped.count, 10);
    assert.equal(whole.options.model, 'open');
  });

  test('an A-ABORT after K Pendings is ours: counted as sent, not as a failure', async () => {
    const mix = oneFind('abort', { model: 'study', level: 'IMAGE', identifier: { StudyInstanceUID: '2.25.1100', SeriesInstanceUID: '2.25.2100', SOPInstanceUID: '' }, abortAfter: 3 });
    const r = await runLoad(base(archive.port, mix, { iterations: 6 }));
    assert.equal(r.counters.aborts_sent, 6);
    assert.equal(r.counters.sessions_ok, 6, JSON.stringify(r.failures));
    assert.equal(r.latency.final.count, 0);
    assert.ok(r.counters.pendings >= 18);
  });

  test('a stop aborts the sessions in flight and returns the result so far', async () => {
    const mix = oneFind('long', { model: 'study', level: 'IMAGE', identifier: { StudyInstanceUID: '2.25.1100', SeriesInstanceUID: '2.25.2100', SOPInstanceUID: '' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1300);
    const t0 = performance.now();
    const live: LiveSnapshot[] = [];
    const r = await runLoad(base(archive.port, mix, { durationMs: 60_000, signal: controller.signal, onStop: 'abort', onSecond: (s) => live.push(s) }));
    process.stderr.write(`# stop → result in ${(performance.now() - t0 - 1300).toFixed(0)} ms\n`);
    assert.equal(live.length, 1);
    assert.ok(live[0]!.findsPerSecond > 0 && live[0]!.pendingsPerSecond > 0 && live[0]!.inFlight >= 1 && live[0]!.inFlight <= 4, JSON.stringify(live[0]));
    assert.equal(live[0]!.failures.timeout, 0);
    assert.equal(r.stoppedBy, 'signal');
    assert.ok(r.counters.sessions >= 1);
    assert.equal(r.failures.aborted.count, 0);
  });
});

describe('runLoad: failures by kind', () => {
  test('wrong_answer: the archive lacks a patient the store given to the run has', async () => {
    const dir = tempDir('load-store');
    const data = parse(readFileSync(CONFORMANCE, 'utf8')) as { patients: { PatientID: string }[] };
    data.patients = data.patients.filter((p) => p.PatientID !== 'PAT006');
    const partial = path.join(dir, 'partial.yaml');
    writeFileSync(partial, stringify(data));
    const archive = await scp(`name: partial archive\nstore:\n  files: [${JSON.stringify(partial)}]\nscp:\n  aeTitle: QRSCP\n`);
    try {
      const full = loadScenario(path.join(tempDirWith(`name: full\nstore:\n  files: [${JSON.stringify(CONFORMANCE)}]\n`), 's.yaml')).store;
      const mix = oneFind('wildcard', { model: 'study', level: 'STUDY', identifier: { PatientName: 'Sm*', StudyInstanceUID: '' } });
      const r = await runLoad(base(archive.port, mix, { iterations: 5, store: full }));
      assert.equal(r.failures.wrong_answer.count, 5);
      assert.equal(r.counters.sessions_ok, 0);
      assert.match(r.failures.wrong_answer.example!, /missing StudyInstanceUID 2\.25\.1008/);
      const fine = oneFind('by-id', { model: 'study', level: 'STUDY', identifier: { PatientID: 'PAT001', StudyInstanceUID: '' } });
      const ok = await runLoad(base(archive.port, fine, { iterations: 3, store: full }));
      assert.equal(ok.failures.wrong_answer.count, 0);
      assert.equal(ok.counters.sessions_ok, 3);
    } finally {
      await archive.scp.close();
    }
  });

  test('timeout, rejected, a failure status and an unreachable target', async () => {
    const mix = oneFind('q', { model: 'study', level: 'STUDY', identifier: { StudyInstanceUID: '' } });
    const slow = await scp('name: slow\nstore:\n  synthetic: { patients: 2 }\nscp:\n  aeTitle: QRSCP\n  behaviours:\n    - respond:\n        - delayMs: 3000\n        - pending: matches\n');
    const picky = await scp('name: picky\nstore:\n  synthetic: { patients: 2 }\nscp:\n  aeTitle: QRSCP\n  callingAeTitles: [SOMEONE]\n');
    const a700 = await scp(readFileSync(path.join(ROOT, 'scenarios/a700-after-3.yaml'), 'utf8'));
    try {
      const t = await runLoad(base(slow.port, mix, { iterations: 2, timeoutMs: 300, concurrency: 2 }));
      assert.equal(t.failures.timeout.count, 2);
      assert.match(t.failures.timeout.example!, /DIMSE_TIMEOUT/);
      const rj = await runLoad(base(picky.port, mix, { iterations: 3 }));
      assert.equal(rj.failures.rejected.count, 3);
      assert.match(rj.failures.rejected.example!, /UL_ASSOCIATION_REJECTED/);
      const f = await runLoad(base(a700.port, mix, { iterations: 4 }));
      assert.equal(f.finals.A700, 4);
      assert.equal(f.counters.pendings, 12);
      const aborting = await scp('name: aborting\nstore:\n  synthetic: { patients: 2 }\nscp:\n  aeTitle: QRSCP\n  behaviours:\n    - respond:\n        - pending: 1\n        - abort: true\n');
      const ab = await runLoad(base(aborting.port, mix, { iterations: 3 })).finally(() => aborting.scp.close());
      assert.equal(ab.failures.aborted.count, 3);
      assert.match(ab.failures.aborted.example!, /aborted/);
      const faulty = await scp('name: faulty\nstore:\n  synthetic: { patients: 2 }\nscp:\n  aeTitle: QRSCP\n  behaviours:\n    - respond:\n        - fault: identifierOnFinal\n        - pending: 1\n        - final: 0\n');
      const pr = await runLoad(base(faulty.port, mix, { iterations: 3 })).finally(() => faulty.scp.close());
      assert.equal(pr.failures.protocol.count, 3);
      assert.equal(pr.counters.sessions_ok, 0);
      assert.match(pr.failures.protocol.example!, /carries an Identifier/);
      const closed = await freePort();
      const u = await runLoad(base(closed, mix, { iterations: 3 }));
      assert.equal(u.failures.connection.count, 3);
      assert.equal(u.stoppedBy, 'unreachable');
    } finally {
      await Promise.all([slow.scp.close(), picky.scp.close(), a700.scp.close()]);
    }
  });
});

function tempDirWith(yaml: string): string {
  const dir = tempDir('load-full');
  writeFileSync(path.join(dir, 's.yaml'), yaml);
  return dir;
}

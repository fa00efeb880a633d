/**
 * The exchange checks against scripted archives over real sockets: an archive that answers FE00
 * with an Identifier, one that ignores C-CANCEL, one that sends P-DATA-TF over our Maximum
 * Length, one that answers any identifier with Pendings at level STUDY — and our strict SCP.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadYamlStore } from '../../store/yaml-store.ts';
import { startScenarioScp } from '../../testing/scenario-harness.ts';
import type { RunningScenario } from '../../testing/scenario-harness.ts';
import type { Target } from '../target.ts';
import { checkCancel, checkInvalid, checkMaxPdu, INVALID_CASES } from './exchanges.ts';

const storeFile = path.join(import.meta.dirname, '../../../scenarios/stores/conformance.yaml');
const store = loadYamlStore(storeFile);
const running: RunningScenario[] = [];
after(async () => {
  for (const r of running) await r.close();
});

async function archive(behaviours: string): Promise<Target> {
  const s = await startScenarioScp(`name: archive\nstore:\n  files: [${storeFile}]\nscp:\n  aeTitle: QRSCP\n  behaviours:\n${behaviours}`);
  running.push(s);
  return { host: '127.0.0.1', port: s.port, calledAeTitle: 'QRSCP', callingAeTitle: 'TEST', timeoutMs: 5000 };
}

const codes = (v: { observations: { code: string }[] }) => v.observations.map((o) => o.code);

test('C-CANCEL: honoured → pass with the Pendings after it counted; FE00 with an Identifier → fail (PS3.7 9.1.2.1.5); ignored → a finding after three tries', async () => {
  const honoured = await checkCancel(await archive('    - respond: [{ pending: matches, delayMs: 1 }]\n'), store, 1);
  assert.equal(honoured.verdict, 'pass', honoured.summary);
  assert.match(honoured.summary, /^FE00 after \d+ Pending\(s\) \(\d+ after the cancel\) of 1000 matches$/);

  const withIdentifier = await checkCancel(await archive('    - respond: [{ fault: identifierOnFinal }, { cancel: { after: 2 } }, { pending: matches, delayMs: 1 }, { fault: none }]\n'), store, 1);
  assert.equal(withIdentifier.verdict, 'fail');
  assert.deepEqual(codes(withIdentifier), ['identifier-on-final']);
  assert.ok(withIdentifier.rules.includes('PS3.7 9.1.2.1.5'));

  const ignored = await checkCancel(await archive('    - respond: [{ cancel: ignore }, { pending: matches }]\n'), store, 1);
  assert.equal(ignored.verdict, 'finding');
  assert.deepEqual(codes(ignored), ['all-matches-after-cancel']);
  assert.equal((ignored.evidence.received as { attempts: unknown[] }).attempts.length, 3);
});

test('a P-DATA-TF longer than the Maximum Length we announced fails PS3.8 D.1; our strict SCP keeps to it', async () => {
  const oversize = await checkMaxPdu(await archive('    - respond: [{ fault: oversizePdu }, { pending: matches }]\n'), store, 256);
  assert.equal(oversize.verdict, 'fail');
  assert.ok(codes(oversize).includes('maximum-length-exceeded'), oversize.summary);
  const strict = await checkMaxPdu(await archive('    - respond: [{ pending: matches }]\n'), store, 128);
  assert.equal(strict.verdict, 'pass', strict.summary);
});

test('invalid identifiers: an archive that answers anything with Pendings at level STUDY fails where a Pending cannot be right, and is reported where it may answer', async () => {
  const careless = await archive("    - respond: [{ pending: [{ QueryRetrieveLevel: STUDY, StudyInstanceUID: '2.25.1001', RetrieveAETitle: QRSCP }] }, { final: '0000' }]\n");
  const verdicts = new Map<string, { verdict: string; codes: string[] }>();
  for (const c of INVALID_CASES) {
    const v = await checkInvalid(careless, c);
    verdicts.set(c.id, { verdict: v.verdict, codes: codes(v) });
  }
  assert.deepEqual(Object.fromEntries(verdicts), {
    'invalid.no-level': { verdict: 'fail', codes: ['level-invented'] },
    'invalid.unknown-level': { verdict: 'fail', codes: ['level-changed'] },
    'invalid.level-not-in-model': { verdict: 'fail', codes: ['level-changed'] },
    'invalid.key-below-level': { verdict: 'finding', codes: ['key-below-level-answered'] },
  });
});

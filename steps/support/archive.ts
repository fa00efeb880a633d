import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { answerFindExtendedNegotiation } from '../../simulators/matching/negotiation.ts';
import { CONFORMANCE_STORE, DEFAULT_TIMEOUT_MS } from '../../simulators/conformance/run-parameters.ts';
import type { Target } from '../../simulators/conformance/target.ts';
import { unjudged } from '../../simulators/conformance/verdict.ts';
import type { Verdict } from '../../simulators/conformance/verdict.ts';
import { storeFindHandler } from '../../simulators/scp/handlers/store.ts';
import { loadStorePaths } from '../../simulators/store/load-paths.ts';
import type { Store } from '../../simulators/store/store.ts';
import type { HarnessWorld } from './world.ts';

/**
 * The archive under test as the steps see it: the vendor's archive named by the run's
 * parameters, or — in the self run — our own SCP serving the same data set with the strict
 * profile and every extended negotiation accepted. The features read the same either way.
 */
export const SELF_AE = 'QRSCP';

export function inVendorMode(world: HarnessWorld): boolean {
  return world.parameters.target !== undefined;
}

/** What the archive holds (the declared data set), loaded once per scenario. */
export function dataSet(world: HarnessWorld): Store {
  world.archiveStore ??= loadStorePaths((world.parameters.storePaths ?? [CONFORMANCE_STORE]).map((p) => path.resolve(p))).store;
  return world.archiveStore;
}

export async function archiveTarget(world: HarnessWorld): Promise<Target> {
  if (world.archive) return world.archive;
  const timeoutMs = world.parameters.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const t = world.parameters.target;
  if (t) {
    world.archive = { ...t, timeoutMs, events: world.events };
    return world.archive;
  }
  const scp = await world.startScp(SELF_AE, {
    find: { handler: storeFindHandler(dataSet(world), { retrieveAeTitle: SELF_AE }) },
    policy: { extendedNegotiation: answerFindExtendedNegotiation({ relational: true, dateTime: true, fuzzy: true, timezone: true, emptyValue: true, multipleValue: true }) },
  });
  world.archive = { host: '127.0.0.1', port: scp.port!, calledAeTitle: SELF_AE, callingAeTitle: 'QRHARNESS', timeoutMs, events: world.events };
  return world.archive;
}

/** Checks talk to a real archive: their steps wait as long as the checks themselves allow (each wait is bounded by the run's timeout). */
export const CHECK_STEP_TIMEOUT_MS = 10 * 60_000;

/**
 * A scenario that judges the archive but ended without a verdict (a step timed out, or threw):
 * an `error` verdict names it, so nothing goes missing from verdicts.json and the run's exit code.
 */
export function recordMissingVerdict(world: HarnessWorld, why: string): void {
  if (world.verdicts.length || !world.scenario?.tags.includes('@scp-under-test')) return;
  const id = world.exchange?.query.id ?? world.pendingVerdict?.id ?? `scenario: ${world.scenario.name}`;
  const v = unjudged({ id, title: world.scenario.name, rules: [], checklist: [] }, 'error', { code: 'check-did-not-finish', rule: 'qr-harness', text: `the check did not reach a verdict: ${why}` });
  try {
    recordVerdict(world, v);
  } catch {
    // recordVerdict throws for an error verdict (to fail the step); here the scenario has already ended.
  }
}

/**
 * Records a verdict: kept in the world, written at once as one JSON line (nothing is lost if the
 * run is interrupted later), attached to the scenario. A fail or an error fails the step with
 * its summary; n/a skips the scenario.
 */
export function recordVerdict(world: HarnessWorld, v: Verdict): 'skipped' | undefined {
  const scenario = world.scenario;
  const full: Verdict = { ...v, ...(scenario && { scenario: { name: scenario.name, uri: scenario.uri, ...(scenario.line !== undefined && { line: scenario.line }) } }) };
  world.verdicts.push(full);
  const file = world.parameters.verdictsFile;
  if (file) {
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, `${JSON.stringify(full)}\n`);
  }
  world.attach(JSON.stringify(full, null, 2), { mediaType: 'application/vnd.qr-harness.verdict+json', fileName: `verdict-${full.id}.json` });
  const line = `${full.id}: ${full.verdict.toUpperCase()} — ${full.summary}${full.rules.length ? ` [${full.rules.join('; ')}]` : ''}`;
  if (full.verdict === 'fail' || full.verdict === 'error') throw new Error(line);
  if (full.verdict === 'n/a') return 'skipped';
  return undefined;
}

import { Then, When } from '@cucumber/cucumber';
import { checkAssociateAc, checkEchoAndRelease, checkExtendedNegotiation, checkUnaskedItems, checkUnknownCalledAe } from '../simulators/conformance/checks/association.ts';
import { checkCancel, checkCancelAfterFinal, checkInvalid, checkMaxPdu, checkTwoQueries, INVALID_CASES } from '../simulators/conformance/checks/exchanges.ts';
import type { Target } from '../simulators/conformance/target.ts';
import type { Verdict } from '../simulators/conformance/verdict.ts';
import type { Store } from '../simulators/store/store.ts';
import { archiveTarget, CHECK_STEP_TIMEOUT_MS, dataSet, recordVerdict } from './support/archive.ts';
import type { HarnessWorld } from './support/world.ts';
import { precondition } from './archive.steps.ts';

/**
 * Exchanges with the archive under test beyond single queries: the association, C-CANCEL,
 * two queries on one association, a small Maximum Length, identifiers invalid on purpose.
 * Each When step runs its check (simulators/conformance/checks); the Then step records the verdict.
 */

/** Runs a check; one that depends on the data set runs only when the census says the archive holds it. */
async function run(world: HarnessWorld, data: { id: string; title: string } | undefined, check: (t: Target, s: Store) => Promise<Verdict>): Promise<void> {
  const store = dataSet(world);
  const target = await archiveTarget(world);
  const blocked = data && precondition(world, { ...data, rules: [], checklist: [] }, undefined);
  world.pendingVerdict = blocked ?? (await check(target, store));
}

When('the SCU proposes Study Root FIND, an unknown abstract syntax, an unknown transfer syntax and Verification', { timeout: CHECK_STEP_TIMEOUT_MS }, function (this: HarnessWorld) {
  return run(this, undefined, (t) => checkAssociateAc(t));
});

When('the SCU offers every C-FIND extended negotiation', { timeout: CHECK_STEP_TIMEOUT_MS }, function (this: HarnessWorld) {
  return run(this, undefined, (t) => checkExtendedNegotiation(t));
});

When('the SCU associates without extended negotiation, then asking for an operations window and the SCU role', { timeout: CHECK_STEP_TIMEOUT_MS }, function (this: HarnessWorld) {
  return run(this, undefined, (t) => checkUnaskedItems(t, this.parameters.acceptedModels));
});

When('the SCU sends C-ECHO and releases the association', { timeout: CHECK_STEP_TIMEOUT_MS }, function (this: HarnessWorld) {
  return run(this, undefined, (t) => checkEchoAndRelease(t));
});

When('the SCU calls an AE title the archive does not have', { timeout: CHECK_STEP_TIMEOUT_MS }, function (this: HarnessWorld) {
  return run(this, undefined, (t) => checkUnknownCalledAe(t));
});

When('the SCU announces a Maximum Length of {int} and asks for a dozen keys of every study', { timeout: CHECK_STEP_TIMEOUT_MS }, function (this: HarnessWorld, max: number) {
  return run(this, { id: 'association.maximum-length', title: 'The archive never sends a P-DATA-TF longer than the Maximum Length we announce' }, (t, s) => checkMaxPdu(t, s, max));
});

When('the SCU cancels a long stream after its first Pending', { timeout: CHECK_STEP_TIMEOUT_MS }, function (this: HarnessWorld) {
  return run(this, { id: 'cancel.during-stream', title: 'C-CANCEL after the first Pending of a long stream' }, (t, s) => checkCancel(t, s, 1));
});

When('the SCU cancels a long stream right after the request', { timeout: CHECK_STEP_TIMEOUT_MS }, function (this: HarnessWorld) {
  return run(this, { id: 'cancel.before-first-pending', title: 'C-CANCEL right after the C-FIND-RQ' }, (t, s) => checkCancel(t, s, 0));
});

When('the SCU cancels a query after its final response and queries again', { timeout: CHECK_STEP_TIMEOUT_MS }, function (this: HarnessWorld) {
  return run(this, { id: 'cancel.after-final', title: 'C-CANCEL after the final response' }, (t, s) => checkCancelAfterFinal(t, s));
});

When('the SCU sends two queries one after the other on one association', { timeout: CHECK_STEP_TIMEOUT_MS }, function (this: HarnessWorld) {
  return run(this, { id: 'pending.two-queries-one-association', title: 'Two C-FINDs on one association' }, (t, s) => checkTwoQueries(t, s));
});

When('the SCU sends the invalid identifier {word}', { timeout: CHECK_STEP_TIMEOUT_MS }, function (this: HarnessWorld, id: string) {
  const c = INVALID_CASES.find((x) => x.id === id);
  if (!c) throw new Error(`no invalid identifier "${id}" (${INVALID_CASES.map((x) => x.id).join(', ')})`);
  return run(this, undefined, (t) => checkInvalid(t, c));
});

/** The Then steps state the rule each check judges; all record the verdict the When step reached. */
const OUTCOMES = [
  'the A-ASSOCIATE-AC echoes the request, answers every context and accepts nothing unknown',
  'the answer respects the offer, and what the archive accepted is reported',
  'nothing unasked is answered, and nothing is granted beyond the request',
  'the echo is answered with 0000 and the release with A-RELEASE-RP',
  'the archive rejects it with 1\\/1\\/7, or accepts it as configured',
  'no P-DATA-TF from the archive is longer than that, and the answer is whole',
  'the archive ends the query with FE00 and no Identifier, and sends nothing after it',
  'the late cancel has no effect and the next query is answered',
  'both are answered in full',
  'the archive refuses it with a failure status, or the choice it made is reported',
];
for (const text of OUTCOMES) {
  Then(text, function (this: HarnessWorld) {
    const v = this.pendingVerdict;
    if (!v) throw new Error('no check ran in this scenario');
    this.pendingVerdict = undefined;
    return recordVerdict(this, v);
  });
}

import path from 'node:path';
import { Given, Then, When } from '@cucumber/cucumber';
import { judgeFind } from '../simulators/conformance/judge-find.ts';
import { identifierOf, loadQueries, priorityOf } from '../simulators/conformance/queries.ts';
import type { ConformanceQuery } from '../simulators/conformance/queries.ts';
import { CONFORMANCE_QUERIES } from '../simulators/conformance/run-parameters.ts';
import { runFind } from '../simulators/conformance/target.ts';
import type { FindRun } from '../simulators/conformance/target.ts';
import { unjudged } from '../simulators/conformance/verdict.ts';
import type { Verdict, VerdictInput } from '../simulators/conformance/verdict.ts';
import { describeReject } from '../simulators/ul/reasons.ts';
import { archiveTarget, CHECK_STEP_TIMEOUT_MS, dataSet, recordVerdict } from './support/archive.ts';
import type { HarnessWorld } from './support/world.ts';

/**
 * Steps that judge the archive under test (scenarios tagged @scp-under-test): thin glue over
 * simulators/conformance, which holds the checks, the oracle and the verdicts.
 */

function query(id: string): ConformanceQuery {
  const q = loadQueries(path.resolve(CONFORMANCE_QUERIES)).find((x) => x.id === id);
  if (!q) throw new Error(`no conformance query "${id}" in ${CONFORMANCE_QUERIES}`);
  return q;
}

function inputOf(q: ConformanceQuery): VerdictInput {
  return { id: q.id, title: q.title, rules: q.rules, checklist: q.checklist };
}

/** Why a check could not be judged, if it could not: census mismatch, no association, model not accepted. */
export function precondition(world: HarnessWorld, input: VerdictInput, run: FindRun | undefined, worklist = false): Verdict | undefined {
  const census = worklist ? world.parameters.census?.worklist : world.parameters.census;
  const listed = (p: string[]) => `${p.slice(0, 5).join('; ')}${p.length > 5 ? ` … (${p.length} differences)` : ''}`;
  if (census && !census.taken) {
    return unjudged(input, 'n/a', { code: worklist ? 'worklist-not-held' : 'query-retrieve-not-held', rule: 'qr-harness census', text: `not judged: ${listed(census.problems)}` });
  }
  if (census && !census.ok) {
    return unjudged(input, 'error', { code: 'census-mismatch', rule: 'qr-harness census', text: `the archive does not hold exactly the declared data set, so its answers cannot be judged: ${listed(census.problems)}` });
  }
  if (!run) return undefined;
  if (run.unreachable) {
    const e = run.unreachable as Error & { code: string; result?: number; source?: number; reason?: number };
    const why = e.code === 'UL_ASSOCIATION_REJECTED' && e.result !== undefined ? `association rejected: ${describeReject(e.result, e.source!, e.reason!)}` : e.message;
    return unjudged(input, 'error', { code: `unreachable:${e.code}`, rule: 'PS3.8 7.1', text: `no association with the archive: ${why}` });
  }
  if (run.contextRejected) {
    return unjudged({ ...input, evidence: { negotiation: run.negotiation } }, 'n/a', { code: 'model-not-accepted', rule: 'PS3.8 7.1.1.13', text: `the archive did not accept the presentation context of this model (result ${run.contextRejected.result})` });
  }
  return undefined;
}

Given('the archive under test holds the conformance data set', { timeout: CHECK_STEP_TIMEOUT_MS }, async function (this: HarnessWorld) {
  dataSet(this);
  await archiveTarget(this);
});

When('the SCU sends conformance query {word}', { timeout: CHECK_STEP_TIMEOUT_MS }, async function (this: HarnessWorld, id: string) {
  const q = query(id);
  const census = q.model === 'mwl' ? this.parameters.census?.worklist : this.parameters.census;
  if (census && !census.ok) {
    this.exchange = { query: q, run: { negotiated: { relational: false, dateTime: false, fuzzy: false, timezone: false, emptyValue: false, multipleValue: false }, negotiation: {}, responses: [] } };
    return;
  }
  const run = await runFind(await archiveTarget(this), { model: q.model, identifier: identifierOf(q), priority: priorityOf(q), ...(q.offer && { offer: q.offer }) });
  this.exchange = { query: q, run };
});

Then('the answer is what the data set and the negotiation allow', function (this: HarnessWorld) {
  const { query: q, run } = this.exchange!;
  const input = inputOf(q);
  const blocked = precondition(this, input, run, q.model === 'mwl');
  if (blocked) return recordVerdict(this, blocked);
  return recordVerdict(this, judgeFind({ ...input, model: q.model, identifier: identifierOf(q) }, dataSet(this), run));
});

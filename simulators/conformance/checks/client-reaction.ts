import { CommandField } from '../../dimse/command-fields.ts';
import type { TraceEvent } from '../../trace/format.ts';
import type { ClientRun } from '../client-target.ts';
import { clientAssociations } from './client.ts';
import { conclude, unjudged } from '../verdict.ts';
import type { Observation, Verdict } from '../verdict.ts';

/**
 * What the client did when the archive behaved as real archives do (a failure status, a slow
 * stream, a wrong Message ID, a rejection): the standard rarely prescribes the reaction, so what
 * was seen is a finding — its exit code, how each association ended, whether it cancelled or
 * tried again. A rule it does set (no new request on an aborted association …) would fail.
 */
export function judgeClientReaction(id: string, what: string, events: readonly TraceEvent[], run: ClientRun | undefined): Verdict {
  const input = { id, title: `What the client does after ${what}`, rules: ['PS3.4 C.4.1.1.4', 'PS3.7 9.1.2'], checklist: [] as number[] };
  const associations = clientAssociations(events);
  const exit = !run ? 'the client was not run by the harness' : run.notFound ? 'its command was not found' : run.timedOut ? `it did not end by itself and was stopped after ${Math.round(run.durationMs)} ms` : `it exited with code ${run.exitCode ?? `signal ${run.signal}`} after ${Math.round(run.durationMs)} ms`;
  const evidence = { received: { client: exit, ...(run && { output: `${run.stdout}${run.stderr}`.trim().split('\n').slice(-12) }) } };
  if (!associations.length) return unjudged({ ...input, evidence }, 'error', { code: 'client-did-not-associate', rule: 'qr-harness', text: `the client never requested an association: ${exit}` });
  const parts: string[] = [];
  // The outcome in stable words (no durations), so an expected-verdicts file notices a changed reaction.
  const outcome: string[] = [!run ? 'not run' : run.notFound ? 'not found' : run.timedOut ? 'stopped' : `exit ${run.exitCode ?? run.signal}`];
  for (const [i, a] of associations.entries()) {
    const ev = a.events;
    const rejected = ev.some((e) => e.kind === 'association' && e.phase === 'rejected');
    const finds = ev.filter((e) => e.kind === 'dimse:received' && e.command.CommandField === CommandField.C_FIND_RQ).length;
    const cancels = ev.filter((e) => e.kind === 'dimse:received' && e.command.CommandField === CommandField.C_CANCEL_RQ).length;
    const end = ev.find((e): e is Extract<TraceEvent, { kind: 'association'; phase: 'released' | 'aborted' }> => e.kind === 'association' && (e.phase === 'released' || e.phase === 'aborted'));
    const how = rejected ? 'was rejected' : end ? (end.phase === 'released' ? `ended with a release by ${end.by === 'peer' ? 'the client' : 'the archive'}` : `ended with an abort by ${end.by === 'peer' ? 'the client' : end.by}`) : 'had not ended';
    outcome.push(rejected ? 'rejected' : end ? `${end.phase} by ${end.by === 'peer' ? 'client' : end.by === 'local' ? 'archive' : end.by}` : 'open', ...(cancels ? [`${cancels} C-CANCEL`] : []));
    parts.push(`association ${i + 1} ${how}${finds ? `, ${finds} C-FIND(s)` : ''}${cancels ? `, ${cancels} C-CANCEL(s)` : ''}`);
  }
  const fails: Observation[] = [];
  const seen: Observation = { code: `reaction: ${outcome.join(', ')}`, rule: 'PS3.4 C.4.1.1.4', text: `after ${what}: ${exit}; ${parts.join('; ')}${associations.length > 1 ? ` (it tried ${associations.length} times)` : ''}` };
  return conclude({ ...input, evidence }, fails, [seen]);
}

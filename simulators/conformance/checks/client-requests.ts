import { CommandField } from '../../dimse/command-fields.ts';
import { FIND_MODELS } from '../../dimse/find.ts';
import type { FindModel } from '../../dimse/find.ts';
import type { DimseMessageEvent } from '../../dimse/events.ts';
import { negotiatedFrom } from '../../matching/negotiation.ts';
import type { TraceEvent } from '../../trace/format.ts';
import { judgeFindRequest } from '../query-rules.ts';
import { conclude, unjudged } from '../verdict.ts';
import type { Observation, Verdict } from '../verdict.ts';

type Received = DimseMessageEvent & { kind: 'dimse:received' };

const MODEL_BY_UID = new Map<string, FindModel>(Object.entries(FIND_MODELS).map(([k, m]) => [m.sopClassUid, k as FindModel]));

/**
 * Every C-FIND-RQ the client sent, judged against its model and level (PS3.4 C.4.1.2, C.6, K.6):
 * the observations of all requests in one verdict, each naming the request it is about.
 */
export function judgeClientRequests(events: readonly TraceEvent[]): Verdict {
  const input = { id: 'client.requests', title: 'Every C-FIND request is valid for its model and level', rules: ['PS3.4 C.4.1.2', 'PS3.4 C.6'], checklist: [] as number[] };
  const contexts = new Map<string, Map<number, { abstractSyntax: string; transferSyntax: string }>>();
  // What each association agreed by extended negotiation, per SOP class (PS3.4 C.5.1.1).
  const agreed = new Map<string, Map<string, Uint8Array>>();
  for (const e of events) {
    if (e.kind !== 'association' || e.phase !== 'established') continue;
    contexts.set(e.associationId, new Map(e.contexts.map((c) => [c.id, c])));
    agreed.set(e.associationId, new Map(e.accept.extendedNegotiations.map((x) => [x.sopClassUid, x.applicationInformation])));
  }
  const requests = events.filter((e): e is Received => e.kind === 'dimse:received' && e.command.CommandField === CommandField.C_FIND_RQ);
  if (!requests.length) return unjudged(input, 'n/a', { code: 'no-find-request', rule: 'qr-harness', text: 'the client sent no C-FIND request' });
  const fails: Observation[] = [];
  const findings: Observation[] = [];
  const sent: string[] = [];
  for (const [i, e] of requests.entries()) {
    const ctx = contexts.get(e.associationId)?.get(e.contextId);
    const model = MODEL_BY_UID.get(e.command.AffectedSOPClassUID ?? ctx?.abstractSyntax ?? '');
    const which = requests.length > 1 ? `request ${i + 1} (Message ID ${e.command.MessageID}): ` : '';
    if (!model) {
      fails.push({ code: 'find-model-unknown', rule: 'PS3.4 C.5', text: `${which}Affected SOP Class UID ${e.command.AffectedSOPClassUID ?? '(none)'} is no FIND model` });
      continue;
    }
    const uid = FIND_MODELS[model].sopClassUid;
    const negotiated = negotiatedFrom(uid, agreed.get(e.associationId)?.get(uid));
    const r = judgeFindRequest({ model, command: e.command, identifierBytes: e.dataSet, transferSyntaxUid: ctx?.transferSyntax ?? '1.2.840.10008.1.2', negotiated });
    fails.push(...r.fails.map((o) => ({ ...o, text: which + o.text })));
    findings.push(...r.findings.map((o) => ({ ...o, text: which + o.text })));
    sent.push(`${FIND_MODELS[model].name}${r.level ? ` ${r.level}` : ''}: ${r.identifier ? JSON.stringify(r.identifier.toObject()) : '(no identifier)'}`);
  }
  return conclude({ ...input, evidence: { received: { requests: sent } } }, fails, findings, `${requests.length} C-FIND request(s), each valid for its model and level`);
}

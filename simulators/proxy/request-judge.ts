import { judgeFindRequest } from '../conformance/query-rules.ts';
import { FIND_MODELS } from '../dimse/find.ts';
import type { FindModel } from '../dimse/find.ts';
import { TransferSyntax } from '../dimse/sop-classes.ts';
import { negotiatedFrom } from '../matching/negotiation.ts';
import type { ObservedMessage, RequestObservation } from './exchanges.ts';

const MODEL_BY_UID = new Map<string, FindModel>(Object.entries(FIND_MODELS).map(([k, m]) => [m.sopClassUid, k as FindModel]));

/**
 * A C-FIND-RQ a client sends through the proxy, judged as `conform --target-scu` judges one: its
 * command, its identifier decoded in the context's transfer syntax, its level and keys for the
 * context's model, under the extended negotiation the archive agreed (PS3.4 C.4.1.2, C.6, K.6).
 */
export function judgeProxiedFindRequest(m: ObservedMessage): RequestObservation[] {
  const uid = m.abstractSyntax ?? m.command.AffectedSOPClassUID ?? '';
  const model = MODEL_BY_UID.get(uid);
  if (!model) return [{ rule: 'PS3.4 C.5', code: 'find-model-unknown', text: `the presentation context's abstract syntax ${uid || '(none)'} is no FIND model` }];
  const r = judgeFindRequest({
    model,
    command: m.command,
    identifierBytes: m.dataSet,
    transferSyntaxUid: m.transferSyntax ?? TransferSyntax.ImplicitVRLittleEndian,
    negotiated: negotiatedFrom(uid, m.extendedNegotiation),
  });
  return [...r.fails.map((o) => ({ severity: 'fail' as const, rule: o.rule, code: o.code, text: o.text })), ...r.findings.map((o) => ({ severity: 'finding' as const, rule: o.rule, code: o.code, text: o.text }))];
}
